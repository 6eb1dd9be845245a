"""The CE report's reconciliation section: the employer's statements against the
adopted releases (``ctx.reconciliation``, see ``account/reconciliation.py``).

What the employer billed, what matched, the differences (both figures and the
difference), the lines paid without the CE's authorisation, and the releases
deposited long ago that no statement shows. With no statement in the inbox the
section says so (and that nothing is flagged as not billed).
"""
from __future__ import annotations

from typing import Any

import numpy as np
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
    # Plain columns, looked up by position: a ``loc`` per line builds a Series each time.
    st_pos = {label: i for i, label in enumerate(st.index.tolist())}
    st_cols = {c: st[c].tolist() for c in ("matricule", "date_activite", "heures", "montant", "_file", "_sheet", "_row")}
    st_cols["date_activite"] = [None if pd.isna(d) else d for d in st["date_activite"].tolist()]
    heures, montant = st["heures"].to_numpy(dtype=float), st["montant"].to_numpy(dtype=float)

    def billed_item(i) -> dict[str, Any]:
        k = st_pos[i]
        day = st_cols["date_activite"][k]
        return {"membre": _member(names, st_cols["matricule"][k]),
                "date": fmt.date(day) if day is not None else "date illisible",
                "heures": fmt.hours(st_cols["heures"][k]), "montant": fmt.money(st_cols["montant"][k]),
                "source": _source(st_cols["_file"][k], st_cols["_sheet"][k], int(st_cols["_row"][k]))}

    status = lines["statut"].to_numpy()
    ok = lines.index[(status == CONCORDE)]
    ecart = lines.index[(status == ECART)]
    unauth = lines.index[(status == NON_AUTORISE)]
    line_pos = {label: i for i, label in enumerate(lines.index.tolist())}
    line_cols = {c: lines[c].tolist() for c in ("form_id", "heures_attendues", "ecart_heures", "montant_attendu",
                                                "ecart_montant")}

    def where(fid: int) -> str:
        return _source(forms.at[fid, "_file"], forms.at[fid, "_sheet"], int(forms.at[fid, "_row"]))

    differences = []
    for i in ecart:
        k = line_pos[i]
        item = billed_item(i)
        item.update({
            "heures_attendues": fmt.hours(line_cols["heures_attendues"][k]),
            "ecart_heures": _signed(line_cols["ecart_heures"][k], fmt.hours),
            "montant_attendu": fmt.money(line_cols["montant_attendu"][k]),
            "ecart_montant": _signed(line_cols["ecart_montant"][k], fmt.money),
            "formulaire": where(int(line_cols["form_id"][k])),
        })
        differences.append(item)
    unbilled = []
    for fid in rec.unbilled:
        unbilled.append({"membre": _member(names, forms.at[fid, "matricule"]), "date": fmt.date(forms.at[fid, "date_activite"]),
                         "heures": fmt.hours(led.at[fid, "heures_octroyees"]),
                         "montant": fmt.money(led.at[fid, "montant_employeur"]),
                         "depot": fmt.date(forms.at[fid, "date_depot"]),
                         "source": where(fid)})

    def total(values: np.ndarray, labels) -> float:
        return float(np.nansum(values[[st_pos[i] for i in labels]]))

    files = sorted({_text(x) for x in st["_file"]})
    return {
        "releve": True,
        "delai": delai,
        "note": None,
        "fichiers": ", ".join(files) if files else "feuille vide",
        "facture": {"lignes": len(st), "heures": fmt.hours(float(np.nansum(heures))),
                    "montant": fmt.money(float(np.nansum(montant))), "montant_valeur": float(np.nansum(montant))},
        "concordantes": {"lignes": len(ok), "heures": fmt.hours(total(heures, ok)),
                         "montant": fmt.money(total(montant, ok))},
        "ecarts": differences,
        "non_autorisees": [billed_item(i) for i in unauth],
        "non_autorisees_montant": fmt.money(total(montant, unauth)),
        "non_autorisees_montant_valeur": total(montant, unauth),
        "non_facturees": unbilled,
        "majoration": fmt.number(ctx.params.majoration_pct),
    }
