"""The AG's year-end report (art. 6.3, with the action plan): ``rapports/ag.html``.
Hours and totals only, never a rate."""
from __future__ import annotations

from typing import Any

from ...context import Context
from ...model import Finding
from .shared import Shared, bank_use_view


def plan_view(ctx: Context, rows=None, scope: str = "") -> dict[str, Any] | None:
    """The action plan's section (``plan.progress.plan_section``), or None; its hours
    count ``rows`` (the report's own rows, so that its totals agree with the others)."""
    try:
        from ...plan.progress import plan_section
    except ModuleNotFoundError as exc:  # the plan's progress module is not written yet
        if exc.name != "syndic_batch.plan.progress":
            raise
        return None
    return plan_section(ctx, rows, scope)


def build_ag_view(ctx: Context, findings: list[Finding], shared: Shared | None = None) -> dict[str, Any]:
    """Art. 6.3: the bank year's figures (to date during the year), hours per member, by
    category and by month, the use of the bank and union funds, the action plan.
    ``shared``: what the three reports compute alike (``write_reports`` passes one for all three)."""
    base = shared or Shared(ctx, findings)
    year, rows = base.year, base.rows
    closed = year is not None and ctx.as_of >= year.end
    head = base.header("Rapport annuel de la trésorerie à l'Assemblée générale",
                       "Article 6.3 du Règlement sur les libérations syndicales", "ag",
                       "Rapport annuel à l'Assemblée générale")
    return {
        "rapport": head,
        "annee_terminee": closed,
        "sommaire": base.summary,
        "membres": base.members(with_money=False),
        "categories": base.categories("ag-categories"),
        "mois": base.months("ag-mois"),
        "banque": bank_use_view(rows, year, ctx.as_of, "ag-banque"),
        "plan": plan_view(ctx, rows.index, head["portee"]),
    }
