"""Art. 5.4: the CE adopts a release before it goes to the employer.

``depot-sans-adoption``: a Date du dépôt à l'Employeur on a row that is refused, en
dépôt or undecided; ``depot-avant-decision``: on an adopted row, a deposit dated
before the Date de la décision. At most one of the two per row. A decision outside
the vocabulary is art. 5.3's, an unreadable date art. 5.1's: both stay silent here.
"""
from __future__ import annotations

import numpy as np

from .. import formatting as fmt
from ..context import Context
from ..model import ERREUR, Finding
from .base import dates, form_findings
from ..account.reference import EN_DEPOT, NON_DECIDEE, REFUSEE

ARTICLE = "5.4"


def regle_5_4_depot_apres_adoption(ctx: Context) -> list[Finding]:
    deposit = ctx.values("date_depot")
    given = ~np.isnat(deposit)
    if not given.any():
        return []
    decided = ctx.values("date_decision")
    state = ctx.decisions.to_numpy()
    not_adopted = (state == NON_DECIDEE) | (state == REFUSEE) | (state == EN_DEPOT)
    without = given & not_adopted
    before = given & ctx.adopted & (deposit < decided)  # NaT compares False
    out = []
    if without.any():
        undecided = "le CE n'a pas encore décidé de cette demande"
        message = [
            f"Dépôt à l'Employeur du {fmt.date(d)} alors que "
            f"{undecided if _empty(s) else f'la décision du CE est « {s} »'} : seules les libérations adoptées par "
            f"le CE peuvent être soumises à l'Employeur (art. 5.4). Retirez cette ligne du dépôt ou "
            f"faites-la adopter." for d, s in zip(dates(deposit[without]), ctx.values("decision_ce")[without].tolist())]
        out += form_findings(ctx, without, "date_depot", ARTICLE, "depot-sans-adoption", ERREUR, message)
    if before.any():
        message = [
            f"Dépôt à l'Employeur du {fmt.date(d)}, avant l'adoption par le CE le {fmt.date(a)} : le CE "
            f"doit adopter la libération avant qu'elle soit soumise à l'Employeur (art. 5.4). "
            f"Vérifiez les deux dates."
            for d, a in zip(dates(deposit[before]), dates(decided[before]))]
        out += form_findings(ctx, before, "date_depot", ARTICLE, "depot-avant-decision", ERREUR, message)
    return out


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


RULES = [regle_5_4_depot_apres_adoption]
