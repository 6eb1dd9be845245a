"""``reference-plan-inconnue``: a Référence au plan d'action that names no objective or
action of the action plan (``Plan.resolve``): avertissement on the reference cell.

When the inbox holds no action plan at all, the references cannot be checked: one
single info finding, on the first row that has a reference, says so (never one per
row). Either way, at most one finding per row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..model import AVERTISSEMENT, INFO, REFERENCE_PLAN_INCONNUE, Finding
from ..plan.model import Plan, parse_reference
from .base import form_findings


def why_unknown(plan: Plan, reference: str) -> str | None:
    """What is wrong with a reference (French), or None when it names part of the plan."""
    if plan.resolve(reference) is not None:
        return None
    head = f"La référence au plan d'action « {reference} »"
    key = parse_reference(reference)
    if key is None:
        return (f"{head} n'est pas lisible : écrivez le numéro de l'objectif, suivi au besoin de la "
                f"lettre de l'action (ex. « 1.2 » ou « 1.2 b »).")
    number, letter = key
    if any(obj.number == number for _a, _g, obj in plan.objectives()):
        return f"{head} ne correspond à aucune action : l'objectif {number} n'a pas d'action « {letter} ». " \
               f"Corrigez la référence."
    return f"{head} ne correspond à aucun objectif du plan d'action (aucun objectif {number}). " \
           f"Corrigez la référence."


def regle_reference_plan(ctx: Context) -> list[Finding]:
    given = ctx.present("reference_plan")
    if not given.any():
        return []
    plan = ctx.data.plan
    if plan is None:
        n = int(given.sum())
        first = ctx.forms.index[np.flatnonzero(given)[:1]]
        return form_findings(
            ctx, first, "reference_plan", None, REFERENCE_PLAN_INCONNUE, INFO,
            f"Aucun plan d'action dans la boîte de réception : les références au plan d'action de "
            f"{n} ligne{'s' if n > 1 else ''} n'ont pas été vérifiées. Ajoutez le classeur du plan "
            f"d'action pour qu'elles le soient.")
    codes, references = pd.factorize(ctx.values("reference_plan"))
    reasons = np.array([why_unknown(plan, r) for r in references] + [None], dtype=object)[codes]
    flagged = np.array([r is not None for r in reasons], dtype=bool)
    return form_findings(ctx, flagged, "reference_plan", None, REFERENCE_PLAN_INCONNUE, AVERTISSEMENT,
                         reasons[flagged].tolist())


RULES = [regle_reference_plan]
