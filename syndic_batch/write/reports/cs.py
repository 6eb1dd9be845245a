"""The CS's report (art. 6.2): ``rapports/cs.html``. Hours and totals only, never a rate."""
from __future__ import annotations

from typing import Any

from ...context import Context
from ...model import Finding
from .shared import Shared


def build_cs_view(ctx: Context, findings: list[Finding], shared: Shared | None = None) -> dict[str, Any]:
    """Art. 6.2: balance, hours per member, by category and by month. Hours and totals only.
    ``shared``: what the three reports compute alike (``write_reports`` passes one for all three)."""
    base = shared or Shared(ctx, findings)
    return {
        "rapport": base.header("Rapport de la trésorerie au Conseil syndical",
                               "Article 6.2 du Règlement sur les libérations syndicales", "cs",
                               "Rapport au Conseil syndical"),
        "sommaire": base.summary,
        "membres": base.members(with_money=False),
        "categories": base.categories("cs-categories"),
        "mois": base.months("cs-mois"),
    }
