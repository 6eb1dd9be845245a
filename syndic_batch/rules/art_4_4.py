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

import numpy as np

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from .art_3 import hours_cell_findings
from .base import form_findings

ORGANISME_PAYEUR_PAIE_TOUT = "organisme-payeur-paie-tout"
COMPLEMENT_ORGANISME_PAYEUR = "complement-organisme-payeur"
COMPLEMENT_DEPASSE = "complement-depasse"
EPS = 1e-9


def _paid_by_other_body(ctx: Context) -> dict[str, np.ndarray]:
    """Rows with an Organisme payeur, an amount, hours asked and a rate: the figures of 4.4
    (``pos``: their positions in the forms; each other entry one value per such row)."""
    rate = ctx.rates["taux"].to_numpy()
    rows = ctx.present("organisme_payeur") & ctx.present("montant_organisme_payeur") \
        & ctx.present("heures_demandees") & ~np.isnan(rate)
    d = {"pos": np.flatnonzero(rows), "organisme": ctx.values("organisme_payeur")[rows],
         "montant": ctx.values("montant_organisme_payeur")[rows], "heures": ctx.values("heures_demandees")[rows],
         "taux": rate[rows]}
    d["valeur"] = d["heures"] * d["taux"]
    d["complement"] = d["valeur"] - d["montant"]
    with np.errstate(divide="ignore", invalid="ignore"):
        d["heures_complement"] = d["complement"] / d["taux"]
    return d


def _rows(d: dict[str, np.ndarray], mask: np.ndarray, *columns: str) -> list:
    return [d[c][mask].tolist() for c in columns]


def regle_4_4_organisme_payeur(ctx: Context) -> list[Finding]:
    d = _paid_by_other_body(ctx)
    if not len(d["pos"]):
        return []
    out = []
    forms = ctx.forms
    pays_all = d["montant"] >= d["valeur"] - EPS
    if pays_all.any():
        msg = [
            f"L'organisme payeur « {o} » verse {fmt.money(m)}, soit au moins ce que vaut la "
            f"libération ({fmt.hours(h)} × {fmt.money(t)} = {fmt.money(v)}) ; l'activité n'est pas "
            "susceptible d'être libérée (art. 4.4)."
            for o, m, h, t, v in zip(*_rows(d, pays_all, "organisme", "montant", "heures", "taux", "valeur"))]
        out += form_findings(ctx, forms.index[d["pos"][pays_all]], "organisme_payeur", "4.4",
                             ORGANISME_PAYEUR_PAIE_TOUT, ERREUR, msg)
    part = ~pays_all
    if part.any():
        msg = [
            f"L'organisme payeur « {o} » verse {fmt.money(m)} pour une libération qui vaut "
            f"{fmt.money(v)} ({fmt.hours(h)} × {fmt.money(t)}) ; le CE peut octroyer au plus le complément "
            f"de {fmt.money(c)}, soit {fmt.hours(hc)} (art. 4.4)."
            for o, m, h, t, v, c, hc in zip(*_rows(d, part, "organisme", "montant", "heures", "taux", "valeur",
                                                   "complement", "heures_complement"))]
        out += form_findings(ctx, forms.index[d["pos"][part]], "montant_organisme_payeur", "4.4",
                             COMPLEMENT_ORGANISME_PAYEUR, AVERTISSEMENT, msg)
    return out


def regle_4_4_complement_depasse(ctx: Context) -> list[Finding]:
    """An adopted row granting more hours than the top-up the other body leaves (erreur)."""
    d = _paid_by_other_body(ctx)
    if not len(d["pos"]):
        return []
    led = ctx.ledger
    d["accordees"] = led["heures_octroyees"].to_numpy()[d["pos"]]
    top_up = np.where(d["heures_complement"] < 0.0, 0.0, d["heures_complement"])  # clip(lower=0), NaN kept
    over = ctx.adopted[d["pos"]] & (d["accordees"] > top_up + EPS)
    if not over.any():
        return []
    msg = [
        f"{fmt.hours(g)} accordées, mais l'organisme payeur « {o} » verse déjà {fmt.money(m)} (art. 4.4) ; "
        f"le complément permis est de {fmt.money(max(c, 0.0))}, soit {fmt.hours(max(hc, 0.0))}. "
        "Réduisez les heures accordées."
        for g, o, m, c, hc in zip(*_rows(d, over, "accordees", "organisme", "montant", "complement",
                                         "heures_complement"))]
    flagged = np.zeros(len(ctx.forms), dtype=bool)
    flagged[d["pos"][over]] = True
    return hours_cell_findings(ctx, flagged, "4.4", COMPLEMENT_DEPASSE, ERREUR, msg)


RULES = [regle_4_4_organisme_payeur, regle_4_4_complement_depasse]
