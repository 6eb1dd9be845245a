"""Art. 5.4: the CE adopts a release before it goes to the employer.

``depot-sans-adoption``: a Date du dépôt à l'Employeur on a row that is refused, en
dépôt or undecided; ``depot-avant-decision``: on an adopted row, a deposit dated
before the Date de la décision. At most one of the two per row. A decision outside
the vocabulary is art. 5.3's, an unreadable date art. 5.1's: both stay silent here.
"""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import ERREUR, Finding
from .base import form_findings
from ..account.reference import ADOPTEE, EN_DEPOT, NON_DECIDEE, REFUSEE

ARTICLE = "5.4"


def regle_5_4_depot_apres_adoption(ctx: Context) -> list[Finding]:
    forms = ctx.forms
    deposit, decided = forms["date_depot"], forms["date_decision"]
    not_adopted = ctx.decisions.isin({NON_DECIDEE, REFUSEE, EN_DEPOT})
    adopted = ctx.decisions == ADOPTEE
    without = deposit.notna() & not_adopted
    before = deposit.notna() & adopted & (deposit < decided)  # NaT compares False
    out = []
    if without.any():
        state = forms["decision_ce"].where(without).map(
            lambda d: f"la décision du CE est « {d} »", na_action="ignore").fillna(
            "le CE n'a pas encore décidé de cette demande")
        message = pd.Series(
            [f"Dépôt à l'Employeur du {fmt.date(d)} alors que {s} : seules les libérations adoptées par "
             f"le CE peuvent être soumises à l'Employeur (art. 5.4). Retirez cette ligne du dépôt ou "
             f"faites-la adopter." for d, s in zip(deposit[without], state[without])],
            index=forms.index[without.to_numpy()], dtype=object)
        out += form_findings(ctx, without, "date_depot", ARTICLE, "depot-sans-adoption", ERREUR, message)
    if before.any():
        message = pd.Series(
            [f"Dépôt à l'Employeur du {fmt.date(d)}, avant l'adoption par le CE le {fmt.date(a)} : le CE "
             f"doit adopter la libération avant qu'elle soit soumise à l'Employeur (art. 5.4). "
             f"Vérifiez les deux dates."
             for d, a in zip(deposit[before], decided[before])],
            index=forms.index[before.to_numpy()], dtype=object)
        out += form_findings(ctx, before, "date_depot", ARTICLE, "depot-avant-decision", ERREUR, message)
    return out


RULES = [regle_5_4_depot_apres_adoption]
