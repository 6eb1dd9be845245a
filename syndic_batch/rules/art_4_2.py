"""Art. 4.2: general assembly, sectoral assembly, social or activist activity are not
released as a rule; the CE may grant them exceptionally for an active and sustained
participation (``octroi-exceptionnel``).

Severity by the CE's decision: none yet → avertissement; adopted without a
Justification → erreur; adopted with one → info; en dépôt → info (reminder for when
the CE takes it up again); refused → nothing (the rule was applied). A decision
outside the vocabulary is art. 5.3's.
"""
from __future__ import annotations

from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, INFO, Finding
from ..text import fold
from .base import form_findings
from ..account.reference import EN_DEPOT, NON_DECIDEE

ARTICLE = "4.2"
RULE = "octroi-exceptionnel"


def regle_4_2_octroi_exceptionnel(ctx: Context) -> list[Finding]:
    p = ctx.params
    exceptional = ctx.folded_in("categorie", {fold(c) for c in p.categories_exceptionnelles})
    if not exceptional.any():
        return []
    decision = ctx.decisions.to_numpy()
    justified = ctx.written("justification")
    category = ctx.values("categorie")

    def says(mask, text: str) -> list[str]:
        return [f"« {c} » : " + text for c in category[mask].tolist()]

    undecided = exceptional & (decision == NON_DECIDEE)
    deferred = exceptional & (decision == EN_DEPOT)
    adopted = exceptional & ctx.adopted
    grant = ("activité qui n'est généralement pas libérée (art. 4.2). Le Conseil exécutif ne peut "
             "l'accorder qu'exceptionnellement, si les fonctions du membre ou le bon déroulement de "
             "l'activité ont exigé une participation active et soutenue")
    return [
        *form_findings(ctx, undecided, "decision_ce", ARTICLE, RULE, AVERTISSEMENT, says(
            undecided, grant + " : octroi exceptionnel du CE requis, à justifier.")),
        *form_findings(ctx, deferred, "decision_ce", ARTICLE, RULE, INFO, says(
            deferred, grant + " : à rappeler quand le CE reprendra cette demande mise en dépôt.")),
        *form_findings(ctx, adopted & ~justified, "justification", ARTICLE, RULE, ERREUR, says(
            adopted & ~justified, grant + " : adoptée sans justification de cette participation. "
            "Inscrivez la justification ou révisez la décision.")),
        *form_findings(ctx, adopted & justified, "justification", ARTICLE, RULE, INFO, says(
            adopted & justified, grant + " : octroi exceptionnel adopté avec justification.")),
    ]


RULES = [regle_4_2_octroi_exceptionnel]
