"""Art. 4.3: congresses of AFPC, AFPC-Québec, FTQ and CQSU (``params.organismes_congres``)
are paid by the congress allowance, never by releases (``congres-non-liberable``).

A *Congrès* of another body is an ordinary category (see 4.1); a *Congrès* with no
Organisme is art. 5.1's (the field is required for a congress).
"""
from __future__ import annotations

from ..context import Context
from ..model import ERREUR, Finding
from ..text import fold
from .base import folded_form, form_findings

ARTICLE = "4.3"


def regle_4_3_congres(ctx: Context) -> list[Finding]:
    """The body is compared folded and whole (« AFPC Québec » matches AFPC-Québec;
    « FTQ-Construction » is another body)."""
    p = ctx.params
    forms = ctx.forms
    congress = folded_form(ctx, "categorie") == fold(p.categorie_congres)
    bodies = {fold(b) for b in p.organismes_congres}
    flagged = congress & folded_form(ctx, "organisme").isin(bodies)
    if not flagged.any():
        return []
    names = list(p.organismes_congres)
    listing = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    message = forms["organisme"].where(flagged).map(
        lambda o: f"Congrès organisé par « {o} » : la participation aux congrès des organismes "
                  f"suivants n'est pas libérée : {listing} (art. 4.3). Elle fait plutôt l'objet "
                  f"d'une allocation de congrès (Règlement concernant les indemnités syndicales) : retirez cette ligne des "
                  f"libérations et présentez une demande d'allocation de congrès.",
        na_action="ignore")
    return form_findings(ctx, flagged, "organisme", ARTICLE, "congres-non-liberable", ERREUR, message)


RULES = [regle_4_3_congres]
