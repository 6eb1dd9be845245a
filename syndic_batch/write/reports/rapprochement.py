"""The CE report's reconciliation section: the employer's statements against the
adopted releases (``ctx.reconciliation``, see ``account/reconciliation.py``).

What the employer billed, what matched, the differences (both figures and the
difference), the lines paid without the CE's authorisation, and the releases
deposited long ago that no statement shows. With no statement in the inbox the
section says so (and that nothing is flagged as not billed).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ... import formatting as fmt
from ...account.reconciliation import CONCORDE, ECART, NON_AUTORISE
from ...context import Context
from .shared import _source, _text


def _signed(value, to_text) -> str:
    if value is None or pd.isna(value):
        return "—"
    if abs(value) < 1e-9:
        return to_text(0.0)
    return ("+" if value > 0 else "") + to_text(value)


def _member(names: dict[str, str], matricule) -> str:
    if matricule is None or pd.isna(matricule):
        return "— (matricule absent)"
    return f"{names.get(matricule, '—')} ({matricule})"


def reconciliation_view(ctx: Context) -> dict[str, Any]:
    rec = ctx.reconciliation
    delai = ctx.params.delai_rapprochement_jours
    if not rec.has_statement:
        return {"releve": False, "delai": delai,
                "note": ("Aucun relevé de l'Employeur dans la boîte de réception : le rapprochement n'a pas été "
                         "fait, et aucune libération n'est signalée comme non facturée. Déposez le relevé de "
                         "l'Employeur (modèle : templates/formulaires/releve-employeur.xlsx) avec les formulaires du mois.")}
    st = ctx.data.statements
    lines = rec.lines
    names = ctx.names
    forms, led = ctx.forms, ctx.ledger

    def billed_item(i) -> dict[str, Any]:
        s = st.loc[i]
        return {"membre": _member(names, s["matricule"]),
                "date": fmt.date(s["date_activite"]) if pd.notna(s["date_activite"]) else "date illisible",
                "heures": fmt.hours(s["heures"]), "montant": fmt.money(s["montant"]),
                "source": _source(s["_file"], s["_sheet"], int(s["_row"]))}

    ok = lines.index[(lines["statut"] == CONCORDE).to_numpy()]
    ecart = lines.index[(lines["statut"] == ECART).to_numpy()]
    unauth = lines.index[(lines["statut"] == NON_AUTORISE).to_numpy()]
    differences = []
    for i in ecart:
        r = lines.loc[i]
        item = billed_item(i)
        fid = int(r["form_id"])
        item.update({
            "heures_attendues": fmt.hours(r["heures_attendues"]),
            "ecart_heures": _signed(r["ecart_heures"], fmt.hours),
            "montant_attendu": fmt.money(r["montant_attendu"]),
            "ecart_montant": _signed(r["ecart_montant"], fmt.money),
            "formulaire": _source(forms.at[fid, "_file"], forms.at[fid, "_sheet"], int(forms.at[fid, "_row"])),
        })
        differences.append(item)
    unbilled = []
    for fid in rec.unbilled:
        f = forms.loc[fid]
        unbilled.append({"membre": _member(names, f["matricule"]), "date": fmt.date(f["date_activite"]),
                         "heures": fmt.hours(led.at[fid, "heures_octroyees"]),
                         "montant": fmt.money(led.at[fid, "montant_employeur"]),
                         "depot": fmt.date(f["date_depot"]),
                         "source": _source(f["_file"], f["_sheet"], int(f["_row"]))})
    files = sorted({_text(x) for x in st["_file"]})
    return {
        "releve": True,
        "delai": delai,
        "note": None,
        "fichiers": ", ".join(files) if files else "feuille vide",
        "facture": {"lignes": len(st), "heures": fmt.hours(st["heures"].sum()),
                    "montant": fmt.money(st["montant"].sum()), "montant_valeur": float(st["montant"].sum())},
        "concordantes": {"lignes": len(ok), "heures": fmt.hours(st.loc[ok, "heures"].sum()),
                         "montant": fmt.money(st.loc[ok, "montant"].sum())},
        "ecarts": differences,
        "non_autorisees": [billed_item(i) for i in unauth],
        "non_autorisees_montant": fmt.money(st.loc[unauth, "montant"].sum()),
        "non_autorisees_montant_valeur": float(st.loc[unauth, "montant"].sum()),
        "non_facturees": unbilled,
        "majoration": fmt.number(ctx.params.majoration_pct),
    }
