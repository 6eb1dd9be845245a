"""Art. 2: the member and the hourly rate (see ``account.rates``).

Silent when the matricule or the activity date is missing: art. 5.1 flags those.
"""
from __future__ import annotations

import numpy as np

from .. import formatting as fmt
from ..account import rates as r
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from .base import dates, form_findings

MEMBRE_INCONNU = "membre-inconnu"
AVANT_PREMIER_CONTRAT = "avant-premier-contrat"
TAUX_DECLARE_DIFFERENT = "taux-declare-different"

_HOW = {
    r.CONTRAT: "celui du contrat en vigueur à la date de l'activité",
    r.PLUS_ELEVE: "le plus élevé des taux des contrats en vigueur à la date de l'activité",
    r.DERNIER_CONTRAT: "celui du dernier contrat, terminé avant la date de l'activité",
    r.CONTRAT_FUTUR: "celui du premier contrat, qui commence après la date de l'activité",
}


def regle_2_1_membre_inconnu(ctx: Context) -> list[Finding]:
    """Matricule not in the register, or a member with no usable contract: no rate (erreur)."""
    from .donnees_reference import missing_reference
    from ..read.fields import MEMBERS

    if MEMBERS in missing_reference(ctx.data):  # one donnees-reference-absentes instead of one per row
        return []
    source = ctx.rates["taux_source"].to_numpy()
    mats = ctx.values("matricule")
    unknown = source == r.MEMBRE_INCONNU
    no_contract = source == r.AUCUN_CONTRAT
    out = []
    if unknown.any():
        msg = [f"Le matricule « {m} » n'est pas au registre des membres (art. 2.1) ; le taux horaire "
               "ne peut pas être établi. Corrigez le matricule ou ajoutez le membre au registre."
               for m in mats[unknown].tolist()]
        out += form_findings(ctx, unknown, "matricule", "2.1", MEMBRE_INCONNU, ERREUR, msg)
    if no_contract.any():
        msg = [f"Le membre « {m} » est au registre, mais aucun de ses contrats n'a une date "
               "de début et un taux horaire lisibles ; le taux horaire ne peut pas être établi. "
               "Complétez le registre des membres (art. 2.1)." for m in mats[no_contract].tolist()]
        out += form_findings(ctx, no_contract, "matricule", "2.1", MEMBRE_INCONNU, ERREUR, msg)
    return out


def regle_2_1_avant_premier_contrat(ctx: Context) -> list[Finding]:
    """Activity before the member's first contract: the earliest contract's rate is used (avertissement)."""
    flagged = ctx.rates["taux_source"].to_numpy() == r.CONTRAT_FUTUR
    if not flagged.any():
        return []
    msg = [
        f"Le {fmt.date(d)}, le membre « {m} » n'avait encore aucun contrat avec l'Employeur (art. 2.1) ; "
        f"le taux de son premier contrat ({fmt.money(t)}) est utilisé. Vérifiez la date de l'activité "
        "ou le registre des membres."
        for m, d, t in zip(ctx.values("matricule")[flagged].tolist(), dates(ctx.values("date_activite")[flagged]),
                           ctx.rates["taux"].to_numpy()[flagged].tolist())]
    return form_findings(ctx, flagged, "date_activite", "2.1", AVANT_PREMIER_CONTRAT, AVERTISSEMENT, msg)


def regle_2_taux_declare(ctx: Context) -> list[Finding]:
    """Declared rate differing from the register's by more than params.tolerance_taux (avertissement)."""
    declared, rate = ctx.values("taux_declare"), ctx.rates["taux"].to_numpy()
    # 30.005 - 30 is 0.0050000000001; NaN on either side compares False
    flagged = np.abs(declared - rate) > ctx.params.tolerance_taux + 1e-9
    if not flagged.any():
        return []
    source = ctx.rates["taux_source"].to_numpy()
    out = []
    for src, article in r.ARTICLE_OF_SOURCE.items():
        ids = flagged & (source == src)
        if not ids.any():
            continue
        msg = [
            f"Taux horaire déclaré {fmt.money(d)}, mais le taux retenu est {fmt.money(t)} (art. {article}), "
            f"{_HOW[src]}. La libération est calculée au taux retenu ; corrigez le taux déclaré "
            "ou le registre des membres."
            for d, t in zip(declared[ids].tolist(), rate[ids].tolist())]
        out += form_findings(ctx, ids, "taux_declare", article, TAUX_DECLARE_DIFFERENT, AVERTISSEMENT, msg)
    return out


RULES = [regle_2_1_membre_inconnu, regle_2_1_avant_premier_contrat, regle_2_taux_declare]
