"""Reconciliation with the employer's statement (domain.md, *The monthly cycle*).

The matching is done once, in ``account.reconciliation`` (``ctx.reconciliation``);
these rules only say what it found:

``rapprochement-non-autorise`` (erreur, on the statement line's Montant cell): a
    billed line with no adopted release of that member on that day — money paid
    without the CE's authorisation;
``rapprochement-ecart`` (avertissement, on the statement line's Heures or Montant
    cell): a matched line whose hours or amount differ beyond the tolerances
    (``rapprochement.tolerance_heures``, ``tolerance_montant``), with both figures
    and the difference;
``rapprochement-non-facture`` (info, on the form row's *Date du dépôt à
    l'Employeur* cell): a release deposited more than ``rapprochement.delai_jours``
    days before the run's date that no statement line shows. Only when the inbox
    holds at least one statement sheet.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..account.reconciliation import ECART, NON_AUTORISE
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, INFO, Finding
from .base import form_findings, frame_findings

NON_AUTORISE_RULE = "rapprochement-non-autorise"
ECART_RULE = "rapprochement-ecart"
NON_FACTURE_RULE = "rapprochement-non-facture"


def _signed(value: float, to_text) -> str:
    return ("+" if value > 0 else "") + to_text(value)


def _member(ctx: Context, matricule) -> str:
    if matricule is None or pd.isna(matricule):
        return "un membre sans matricule"
    name = ctx.names.get(matricule)
    return f"{name} ({matricule})" if name else f"le matricule {matricule}"


def _form_ref(ctx: Context, form_id: int) -> str:
    i = ctx.forms.index.get_loc(form_id)
    return f"{ctx.values('_file')[i]}, feuille « {ctx.values('_sheet')[i]} », ligne {int(ctx.values('_row')[i])}"


def _statement(ctx: Context) -> dict:
    """The statement lines' columns as lists by position (a line looked up without ``.loc``)."""
    st = ctx.data.statements
    return {"matricule": st["matricule"].to_numpy(dtype=object).tolist(),
            "date_activite": st["date_activite"].to_numpy(dtype="datetime64[ns]").astype("datetime64[us]").tolist(),
            "heures": st["heures"].to_numpy(dtype=float).tolist(),
            "montant": st["montant"].to_numpy(dtype=float).tolist()}


def _missing(value) -> bool:
    return value is None or value != value


def regle_rapprochement_non_autorise(ctx: Context) -> list[Finding]:
    rec = ctx.reconciliation
    lines = rec.lines
    flagged = lines.index[(lines["statut"] == NON_AUTORISE).to_numpy()]
    if len(flagged) == 0:
        return []
    st = ctx.data.statements
    s = _statement(ctx)
    at = st.index.get_indexer(flagged).tolist()
    matched = set(lines.loc[lines["form_id"] >= 0, "form_id"])
    adopted = ctx.adopted
    # the form rows of each (member, day) billed on a flagged line, looked up once
    keys = {(s["matricule"][k], s["date_activite"][k]) for k in at}
    members = {m for m, _d in keys}
    mats = ctx.values("matricule")
    codes, uniques = pd.factorize(mats)
    named = np.flatnonzero(np.array([u in members for u in uniques] + [False], dtype=bool)[codes])
    days = ctx.values("date_activite")[named].astype("datetime64[us]").tolist()
    day_rows: dict[tuple, list[int]] = {}
    for j, m, d in zip(named.tolist(), mats[named].tolist(), days):
        if (m, d) in keys:
            day_rows.setdefault((m, d), []).append(j)
    ids = ctx.forms.index
    decisions = ctx.values("decision_ce")
    messages = []
    for k in at:
        mat, day = s["matricule"][k], s["date_activite"][k]
        if _missing(mat) or day is None:
            messages.append("Ligne du relevé de l'Employeur sans matricule ou sans date de l'activité lisible : "
                            "elle ne peut être rapprochée d'aucune libération adoptée par le CE. Demandez à "
                            "l'Employeur de la compléter ; tant qu'elle ne l'est pas, ce montant est versé sans "
                            "autorisation du CE.")
            continue
        same_day = day_rows.get((mat, day), [])
        why = ""
        taken = [j for j in same_day if adopted[j] and int(ids[j]) in matched]
        others = [j for j in same_day if not adopted[j]]
        if taken:
            why = (f" La libération adoptée de ce jour ({_form_ref(ctx, ids[taken[0]])}) correspond déjà à une "
                   "autre ligne du relevé : la même libération est-elle facturée deux fois ?")
        elif others:
            why = (f" Le formulaire de ce jour ({_form_ref(ctx, ids[others[0]])}) n'est pas adopté (décision : "
                   f"« {decisions[others[0]] or 'aucune'} »).")
        messages.append(
            f"L'Employeur facture {fmt.hours(s['heures'][k])} ({fmt.money(s['montant'][k])}) pour "
            f"{_member(ctx, mat)} le {fmt.date(day)}, mais aucune libération "
            f"adoptée par le CE ne correspond à ce membre à cette date : c'est un montant versé sans "
            f"l'autorisation du CE.{why} Demandez à l'Employeur de retirer ou de créditer cette ligne, ou "
            "soumettez le formulaire au CE.")
    return frame_findings(ctx, st, flagged, "montant", None, NON_AUTORISE_RULE, ERREUR, messages)


def regle_rapprochement_ecart(ctx: Context) -> list[Finding]:
    rec = ctx.reconciliation
    lines = rec.lines
    where = np.flatnonzero((lines["statut"] == ECART).to_numpy())
    if len(where) == 0:
        return []
    st = ctx.data.statements
    s = _statement(ctx)
    at = st.index.get_indexer(lines.index[where]).tolist()
    line = {c: lines[c].to_numpy()[where].tolist() for c in ("form_id", "heures_hors_tolerance", "ecart_heures",
                                                              "heures_attendues", "montant_hors_tolerance",
                                                              "ecart_montant", "montant_attendu")}
    params = ctx.params
    led = ctx.ledger
    ledger = {c: led[c].to_numpy() for c in ("heures_octroyees", "taux", "majoration", "heures_fonds")}
    hours_ids, hours_msgs, money_ids, money_msgs = [], [], [], []
    for n, (i, k) in enumerate(zip(lines.index[where], at)):
        fid = int(line["form_id"][n])
        who = (f"la libération de {_member(ctx, s['matricule'][k])} du {fmt.date(s['date_activite'][k])} "
               f"({_form_ref(ctx, fid)})")
        if line["heures_hors_tolerance"][n]:
            billed = fmt.hours(s["heures"][k]) if not _missing(s["heures"][k]) else "des heures illisibles"
            gap = line["ecart_heures"][n]
            diff = f" : écart de {_signed(gap, fmt.hours)}" if not _missing(gap) else ""
            hours_ids.append(i)
            hours_msgs.append(
                f"Le relevé de l'Employeur indique {billed} pour {who}, alors que le CE a accordé "
                f"{fmt.hours(line['heures_attendues'][n])}{diff} (tolérance : "
                f"{fmt.hours(params.tolerance_rapprochement_heures)}). Demandez à l'Employeur de corriger "
                "son relevé, ou corrigez les heures accordées si le relevé est juste.")
        if line["montant_hors_tolerance"][n]:
            j = ctx.forms.index.get_loc(fid)
            base = f"{fmt.hours(ledger['heures_octroyees'][j])} × {fmt.money(ledger['taux'][j])}"
            if ledger["majoration"][j] > 0:
                base += (f", plus la majoration de {fmt.number(params.majoration_pct)} % sur les "
                         f"{fmt.hours(ledger['heures_fonds'][j])} imputées aux fonds syndicaux")
            billed = fmt.money(s["montant"][k]) if not _missing(s["montant"][k]) else "un montant illisible"
            gap = line["ecart_montant"][n]
            diff = f" : écart de {_signed(gap, fmt.money)}" if not _missing(gap) else ""
            money_ids.append(i)
            money_msgs.append(
                f"Le relevé de l'Employeur facture {billed} pour {who}, alors que cette libération vaut "
                f"{fmt.money(line['montant_attendu'][n])} ({base}){diff} (tolérance : "
                f"{fmt.money(params.tolerance_rapprochement_montant)}). Vérifiez le taux horaire et la "
                "majoration appliqués par l'Employeur et demandez-lui de corriger son relevé.")
    out = []
    if hours_msgs:
        out += frame_findings(ctx, st, hours_ids, "heures", None, ECART_RULE, AVERTISSEMENT, hours_msgs)
    if money_msgs:
        out += frame_findings(ctx, st, money_ids, "montant", None, ECART_RULE, AVERTISSEMENT, money_msgs)
    return out


def regle_rapprochement_non_facture(ctx: Context) -> list[Finding]:
    rec = ctx.reconciliation
    if not rec.has_statement or not rec.unbilled:
        return []
    led = ctx.ledger
    delai = ctx.params.delai_rapprochement_jours
    as_of = pd.Timestamp(ctx.as_of)
    at = ctx.forms.index.get_indexer(rec.unbilled)
    deposits = ctx.values("date_depot")[at]
    granted = led["heures_octroyees"].to_numpy()[at].tolist()
    billed = led["montant_employeur"].to_numpy()[at].tolist()
    messages = []
    for deposit, h, m in zip(deposits, granted, billed):
        deposit = pd.Timestamp(deposit)
        days = (as_of - deposit).days
        messages.append(
            f"Libération déposée à l'Employeur le {fmt.date(deposit)}, il y a {days} jours (plus de {delai}), "
            f"qu'aucun relevé de l'Employeur de la boîte de réception ne montre "
            f"({fmt.hours(h)}, {fmt.money(m)}). "
            "Vérifiez auprès de l'Employeur qu'elle a été payée au membre et facturée, ou ajoutez son relevé "
            "à la boîte de réception.")
    return form_findings(ctx, rec.unbilled, "date_depot", None, NON_FACTURE_RULE, INFO, messages)


RULES = [regle_rapprochement_non_autorise, regle_rapprochement_ecart, regle_rapprochement_non_facture]
