"""Art. 5.3: the CE adopts, refuses or defers (``decision-inconnue``), and may change
the hours to those really done (``heures-accordees-superieures``: more hours granted
than asked is flagged for a second look).
"""
from __future__ import annotations

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from ..text import fold
from .base import form_findings

ARTICLE = "5.3"
EPSILON = 1e-9


def regle_5_3_decision_connue(ctx: Context) -> list[Finding]:
    p = ctx.params
    flagged = ctx.written("decision_ce") & ~ctx.folded_in("decision_ce", {fold(d) for d in p.decisions})
    if not flagged.any():
        return []
    listing = ", ".join(f"« {d} »" for d in p.decisions[:-1]) + f" ou « {p.decisions[-1]} »"
    message = [f"Décision du CE « {d} » non reconnue : le CE adopte, refuse ou met en dépôt "
               f"(art. 5.3). Inscrivez {listing}, ou laissez vide si la demande n'est pas encore décidée."
               for d in ctx.values("decision_ce")[flagged].tolist()]
    return form_findings(ctx, flagged, "decision_ce", ARTICLE, "decision-inconnue", ERREUR, message)


def regle_5_3_heures_accordees(ctx: Context) -> list[Finding]:
    asked, granted = ctx.values("heures_demandees"), ctx.values("heures_accordees")
    flagged = granted > asked + EPSILON  # NaN on either side compares False
    if not flagged.any():
        return []
    message = [
        f"Heures accordées ({fmt.hours(g)}) supérieures aux heures demandées ({fmt.hours(a)}) : le CE "
        f"peut modifier les heures pour qu'elles correspondent aux heures réellement effectuées "
        f"(art. 5.3). Vérifiez les heures accordées."
        for a, g in zip(asked[flagged].tolist(), granted[flagged].tolist())]
    return form_findings(ctx, flagged, "heures_accordees", ARTICLE, "heures-accordees-superieures",
                         AVERTISSEMENT, message)


RULES = [regle_5_3_decision_connue, regle_5_3_heures_accordees]
