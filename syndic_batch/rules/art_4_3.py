"""Art. 4.3: congresses of AFPC, AFPC-Québec, FTQ and CQSU (``params.organismes_congres``)
are paid by the congress allowance, never by releases (``congres-non-liberable``).

A *Congrès* of another body is an ordinary category (see 4.1); a *Congrès* with no
Organisme is art. 5.1's (the field is required for a congress).
"""
from __future__ import annotations

from ..context import Context
from ..model import ERREUR, Finding
from ..text import fold
from .base import form_findings

ARTICLE = "4.3"


def regle_4_3_congres(ctx: Context) -> list[Finding]:
    """The body is compared folded and whole (« AFPC Québec » matches AFPC-Québec;
    « FTQ-Construction » is another body)."""
    p = ctx.params
    congress = ctx.folded_in("categorie", (fold(p.categorie_congres),))
    if not congress.any():
        return []
    flagged = congress & ctx.folded_in("organisme", {fold(b) for b in p.organismes_congres})
    if not flagged.any():
        return []
    names = list(p.organismes_congres)
    listing = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    message = [f"Congrès organisé par « {o} » : la participation aux congrès des organismes "
               f"suivants n'est pas libérée : {listing} (art. 4.3). Elle fait plutôt l'objet "
               f"d'une allocation de congrès (Règlement concernant les indemnités syndicales) : retirez cette ligne des "
               f"libérations et présentez une demande d'allocation de congrès."
               for o in ctx.values("organisme")[flagged].tolist()]
    return form_findings(ctx, flagged, "organisme", ARTICLE, "congres-non-liberable", ERREUR, message)


RULES = [regle_4_3_congres]
