"""Art. 4.4: an activity another body pays for.

The release is worth Heures demandées × the member's rate (art. 2). If the
Organisme payeur pays at least that, the activity is not releasable (erreur);
if it pays less, the CE may grant the top-up only (avertissement naming the
top-up in dollars and in hours); an adopted row granting more hours than the
top-up is an erreur.

The worth uses the hours asked, not the hours granted: the hours granted are
what the CE gives on top of the body's payment, so measuring the activity with
them would make every adopted top-up look excessive (docs/decisions.md).
Silent when the amount, the hours asked or the rate is missing (art. 5.1 and
art. 2.1 flag those).
"""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from .art_3 import hours_cell_findings
from .base import form_findings

ORGANISME_PAYEUR_PAIE_TOUT = "organisme-payeur-paie-tout"
COMPLEMENT_ORGANISME_PAYEUR = "complement-organisme-payeur"
COMPLEMENT_DEPASSE = "complement-depasse"
EPS = 1e-9


def _paid_by_other_body(ctx: Context) -> pd.DataFrame:
    """Rows with an Organisme payeur, an amount, hours asked and a rate: the figures of 4.4."""
    f, rate = ctx.forms, ctx.rates["taux"]
    rows = f["organisme_payeur"].notna() & f["montant_organisme_payeur"].notna() \
        & f["heures_demandees"].notna() & rate.notna()
    d = pd.DataFrame({
        "organisme": f.loc[rows, "organisme_payeur"],
        "montant": f.loc[rows, "montant_organisme_payeur"],
        "heures": f.loc[rows, "heures_demandees"],
        "taux": rate[rows],
    })
    d["valeur"] = d["heures"] * d["taux"]
    d["complement"] = d["valeur"] - d["montant"]
    d["heures_complement"] = d["complement"] / d["taux"]
    return d


def regle_4_4_organisme_payeur(ctx: Context) -> list[Finding]:
    d = _paid_by_other_body(ctx)
    if d.empty:
        return []
    out = []
    pays_all = d["montant"] >= d["valeur"] - EPS
    full = d[pays_all]
    if not full.empty:
        msg = pd.Series([
            f"L'organisme payeur « {o} » verse {fmt.money(m)}, soit au moins ce que vaut la "
            f"libération ({fmt.hours(h)} × {fmt.money(t)} = {fmt.money(v)}) ; l'activité n'est pas "
            "susceptible d'être libérée (art. 4.4)."
            for o, m, h, t, v in zip(full["organisme"], full["montant"], full["heures"], full["taux"], full["valeur"])
        ], index=full.index)
        out += form_findings(ctx, full.index, "organisme_payeur", "4.4", ORGANISME_PAYEUR_PAIE_TOUT, ERREUR, msg)
    part = d[~pays_all]
    if not part.empty:
        msg = pd.Series([
            f"L'organisme payeur « {o} » verse {fmt.money(m)} pour une libération qui vaut "
            f"{fmt.money(v)} ({fmt.hours(h)} × {fmt.money(t)}) ; le CE peut octroyer au plus le complément "
            f"de {fmt.money(c)}, soit {fmt.hours(hc)} (art. 4.4)."
            for o, m, h, t, v, c, hc in zip(part["organisme"], part["montant"], part["heures"], part["taux"],
                                            part["valeur"], part["complement"], part["heures_complement"])
        ], index=part.index)
        out += form_findings(ctx, part.index, "montant_organisme_payeur", "4.4", COMPLEMENT_ORGANISME_PAYEUR,
                             AVERTISSEMENT, msg)
    return out


def regle_4_4_complement_depasse(ctx: Context) -> list[Finding]:
    """An adopted row granting more hours than the top-up the other body leaves (erreur)."""
    d = _paid_by_other_body(ctx)
    if d.empty:
        return []
    led = ctx.ledger
    granted = led.loc[d.index, "heures_octroyees"]
    over = d[led.loc[d.index, "adoptee"] & (granted > d["heures_complement"].clip(lower=0.0) + EPS)]
    if over.empty:
        return []
    msg = pd.Series([
        f"{fmt.hours(g)} accordées, mais l'organisme payeur « {o} » verse déjà {fmt.money(m)} (art. 4.4) ; "
        f"le complément permis est de {fmt.money(max(c, 0.0))}, soit {fmt.hours(max(hc, 0.0))}. "
        "Réduisez les heures accordées."
        for g, o, m, c, hc in zip(granted[over.index], over["organisme"], over["montant"], over["complement"],
                                  over["heures_complement"])
    ], index=over.index)
    flagged = pd.Series(False, index=ctx.forms.index)
    flagged[over.index] = True
    return hours_cell_findings(ctx, flagged, "4.4", COMPLEMENT_DEPASSE, ERREUR, msg)


RULES = [regle_4_4_organisme_payeur, regle_4_4_complement_depasse]
