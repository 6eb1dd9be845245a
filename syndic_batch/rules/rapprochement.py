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
    f = ctx.forms.loc[form_id]
    return f"{f['_file']}, feuille « {f['_sheet']} », ligne {int(f['_row'])}"


def regle_rapprochement_non_autorise(ctx: Context) -> list[Finding]:
    rec = ctx.reconciliation
    lines = rec.lines
    flagged = lines.index[(lines["statut"] == NON_AUTORISE).to_numpy()]
    if len(flagged) == 0:
        return []
    st = ctx.data.statements
    forms = ctx.forms
    matched = set(lines.loc[lines["form_id"] >= 0, "form_id"])
    adopted = ctx.ledger["adoptee"].astype(bool)
    # the form rows of each (member, day) billed on a flagged line, looked up once
    keys = set(zip(st.loc[flagged, "matricule"], st.loc[flagged, "date_activite"]))
    day_rows: dict[tuple, list[int]] = {}
    for fid, key in zip(forms.index, zip(forms["matricule"], forms["date_activite"])):
        if key in keys:
            day_rows.setdefault(key, []).append(int(fid))
    messages = {}
    for i in flagged:
        r = st.loc[i]
        if r["matricule"] is None or pd.isna(r["matricule"]) or pd.isna(r["date_activite"]):
            messages[i] = ("Ligne du relevé de l'Employeur sans matricule ou sans date de l'activité lisible : "
                           "elle ne peut être rapprochée d'aucune libération adoptée par le CE. Demandez à "
                           "l'Employeur de la compléter ; tant qu'elle ne l'est pas, ce montant est versé sans "
                           "autorisation du CE.")
            continue
        same_day = day_rows.get((r["matricule"], r["date_activite"]), [])
        why = ""
        taken = [j for j in same_day if adopted[j] and j in matched]
        others = [j for j in same_day if not adopted[j]]
        if taken:
            why = (f" La libération adoptée de ce jour ({_form_ref(ctx, taken[0])}) correspond déjà à une "
                   "autre ligne du relevé : la même libération est-elle facturée deux fois ?")
        elif others:
            why = (f" Le formulaire de ce jour ({_form_ref(ctx, others[0])}) n'est pas adopté (décision : "
                   f"« {forms.at[others[0], 'decision_ce'] or 'aucune'} »).")
        messages[i] = (
            f"L'Employeur facture {fmt.hours(r['heures'])} ({fmt.money(r['montant'])}) pour "
            f"{_member(ctx, r['matricule'])} le {fmt.date(r['date_activite'])}, mais aucune libération "
            f"adoptée par le CE ne correspond à ce membre à cette date : c'est un montant versé sans "
            f"l'autorisation du CE.{why} Demandez à l'Employeur de retirer ou de créditer cette ligne, ou "
            "soumettez le formulaire au CE.")
    return frame_findings(ctx, st, list(flagged), "montant", None, NON_AUTORISE_RULE, ERREUR,
                          pd.Series(messages))


def regle_rapprochement_ecart(ctx: Context) -> list[Finding]:
    rec = ctx.reconciliation
    lines = rec.lines
    ecart = lines[lines["statut"] == ECART]
    if ecart.empty:
        return []
    st = ctx.data.statements
    params = ctx.params
    hours_msgs, money_msgs = {}, {}
    for i, r in ecart.iterrows():
        s = st.loc[i]
        fid = int(r["form_id"])
        who = (f"la libération de {_member(ctx, s['matricule'])} du {fmt.date(s['date_activite'])} "
               f"({_form_ref(ctx, fid)})")
        if r["heures_hors_tolerance"]:
            billed = fmt.hours(s["heures"]) if pd.notna(s["heures"]) else "des heures illisibles"
            diff = (f" : écart de {_signed(r['ecart_heures'], fmt.hours)}" if pd.notna(r["ecart_heures"]) else "")
            hours_msgs[i] = (
                f"Le relevé de l'Employeur indique {billed} pour {who}, alors que le CE a accordé "
                f"{fmt.hours(r['heures_attendues'])}{diff} (tolérance : "
                f"{fmt.hours(params.tolerance_rapprochement_heures)}). Demandez à l'Employeur de corriger "
                "son relevé, ou corrigez les heures accordées si le relevé est juste.")
        if r["montant_hors_tolerance"]:
            led = ctx.ledger.loc[fid]
            base = f"{fmt.hours(led['heures_octroyees'])} × {fmt.money(led['taux'])}"
            if led["majoration"] > 0:
                base += (f", plus la majoration de {fmt.number(params.majoration_pct)} % sur les "
                         f"{fmt.hours(led['heures_fonds'])} imputées aux fonds syndicaux")
            billed = fmt.money(s["montant"]) if pd.notna(s["montant"]) else "un montant illisible"
            diff = (f" : écart de {_signed(r['ecart_montant'], fmt.money)}" if pd.notna(r["ecart_montant"]) else "")
            money_msgs[i] = (
                f"Le relevé de l'Employeur facture {billed} pour {who}, alors que cette libération vaut "
                f"{fmt.money(r['montant_attendu'])} ({base}){diff} (tolérance : "
                f"{fmt.money(params.tolerance_rapprochement_montant)}). Vérifiez le taux horaire et la "
                "majoration appliqués par l'Employeur et demandez-lui de corriger son relevé.")
    out = []
    if hours_msgs:
        out += frame_findings(ctx, st, list(hours_msgs), "heures", None, ECART_RULE, AVERTISSEMENT,
                              pd.Series(hours_msgs))
    if money_msgs:
        out += frame_findings(ctx, st, list(money_msgs), "montant", None, ECART_RULE, AVERTISSEMENT,
                              pd.Series(money_msgs))
    return out


def regle_rapprochement_non_facture(ctx: Context) -> list[Finding]:
    rec = ctx.reconciliation
    if not rec.has_statement or not rec.unbilled:
        return []
    forms, led = ctx.forms, ctx.ledger
    delai = ctx.params.delai_rapprochement_jours
    as_of = pd.Timestamp(ctx.as_of)
    messages = {}
    for fid in rec.unbilled:
        deposit = forms.at[fid, "date_depot"]
        days = (as_of - deposit).days
        messages[fid] = (
            f"Libération déposée à l'Employeur le {fmt.date(deposit)}, il y a {days} jours (plus de {delai}), "
            f"qu'aucun relevé de l'Employeur de la boîte de réception ne montre "
            f"({fmt.hours(led.at[fid, 'heures_octroyees'])}, {fmt.money(led.at[fid, 'montant_employeur'])}). "
            "Vérifiez auprès de l'Employeur qu'elle a été payée au membre et facturée, ou ajoutez son relevé "
            "à la boîte de réception.")
    return form_findings(ctx, rec.unbilled, "date_depot", None, NON_FACTURE_RULE, INFO, pd.Series(messages))


RULES = [regle_rapprochement_non_autorise, regle_rapprochement_ecart, regle_rapprochement_non_facture]
