"""The CS's report (art. 6.2): ``rapports/cs.html``. Hours and totals only, never a rate."""
from __future__ import annotations

from typing import Any

from ...context import Context
from ...model import Finding
from .shared import bank_year, categories_view, granted_rows, header_view, members_view, months_view, summary_view


def build_cs_view(ctx: Context, findings: list[Finding]) -> dict[str, Any]:
    """Art. 6.2: balance, hours per member, by category and by month. Hours and totals only."""
    year = bank_year(ctx)
    rows = granted_rows(ctx, year)
    return {
        "rapport": header_view(ctx, "Rapport de la trésorerie au Conseil syndical",
                               "Article 6.2 du Règlement sur les libérations syndicales", year,
                               findings, "cs", "Rapport au Conseil syndical"),
        "sommaire": summary_view(year, rows),
        "membres": members_view(rows, ctx.names, with_money=False),
        "categories": categories_view(rows, "cs-categories"),
        "mois": months_view(rows, year, ctx.as_of, "cs-mois"),
    }
