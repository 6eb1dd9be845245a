"""Art. 5.3: the CE adopts, refuses or defers (``decision-inconnue``), and may change
the hours to those really done (``heures-accordees-superieures``: more hours granted
than asked is flagged for a second look).
"""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from ..text import fold
from .base import folded_form, form_findings

ARTICLE = "5.3"
EPSILON = 1e-9


def regle_5_3_decision_connue(ctx: Context) -> list[Finding]:
    p = ctx.params
    decision = folded_form(ctx, "decision_ce")
    flagged = (decision != "") & ~decision.isin({fold(d) for d in p.decisions})
    listing = ", ".join(f"« {d} »" for d in p.decisions[:-1]) + f" ou « {p.decisions[-1]} »"
    message = ctx.forms["decision_ce"].where(flagged).map(
        lambda d: f"Décision du CE « {d} » non reconnue : le CE adopte, refuse ou met en dépôt "
                  f"(art. 5.3). Inscrivez {listing}, ou laissez vide si la demande n'est pas encore décidée.",
        na_action="ignore")
    return form_findings(ctx, flagged, "decision_ce", ARTICLE, "decision-inconnue", ERREUR, message)


def regle_5_3_heures_accordees(ctx: Context) -> list[Finding]:
    forms = ctx.forms
    asked, granted = forms["heures_demandees"], forms["heures_accordees"]
    flagged = granted > asked + EPSILON  # NaN on either side compares False
    if not flagged.any():
        return []
    message = pd.Series(
        [f"Heures accordées ({fmt.hours(g)}) supérieures aux heures demandées ({fmt.hours(a)}) : le CE "
         f"peut modifier les heures pour qu'elles correspondent aux heures réellement effectuées "
         f"(art. 5.3). Vérifiez les heures accordées."
         for a, g in zip(asked[flagged], granted[flagged])],
        index=forms.index[flagged.to_numpy()], dtype=object)
    return form_findings(ctx, flagged, "heures_accordees", ARTICLE, "heures-accordees-superieures",
                         AVERTISSEMENT, message)


RULES = [regle_5_3_decision_connue, regle_5_3_heures_accordees]
