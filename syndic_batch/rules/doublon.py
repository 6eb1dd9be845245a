"""``doublon``: the same member, activity date, category (folded) and hours asked on
two rows, in one file or two. The later row is flagged (later: later reception date,
then file path, then row; an empty reception date counts as latest), naming the
first row of the group. Rows missing any of those values are art. 5.1's.
"""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, DOUBLON, Finding
from .base import folded_form, form_findings


def regle_doublon(ctx: Context) -> list[Finding]:
    forms = ctx.forms
    keys = pd.DataFrame({
        "matricule": forms["matricule"], "date": forms["date_activite"],
        "categorie": folded_form(ctx, "categorie"), "heures": forms["heures_demandees"].round(4),
        "date_reception": forms["date_reception"], "_file": forms["_file"], "_row": forms["_row"],
    })
    key = ["matricule", "date", "categorie", "heures"]
    keys = keys[keys[key].notna().all(axis=1) & (keys["categorie"] != "")]
    keys = keys.sort_values(["date_reception", "_file", "_row"], na_position="last", kind="stable")
    later = keys.duplicated(key, keep="first")
    if not later.any():
        return []
    keys["premier"] = keys.index
    first = keys.groupby(key)["premier"].transform("first")[later]
    messages = {}
    date, hours = fmt.memo(fmt.date), fmt.memo(fmt.hours)
    this = forms.loc[first.index, ["date_activite", "heures_demandees"]]
    that = forms.loc[first.to_numpy(), ["_row", "_sheet", "_file"]]
    for i, day, h, row, sheet, file in zip(first.index, this["date_activite"], this["heures_demandees"],
                                           that["_row"].tolist(), that["_sheet"].tolist(), that["_file"].tolist()):
        messages[i] = (
            f"Doublon possible : même membre, même date ({date(day)}), "
            f"même catégorie et mêmes heures ({hours(h)}) que la "
            f"ligne {row} de la feuille « {sheet} » du fichier "
            f"« {file} ». Vérifiez que la même activité n'est pas réclamée deux fois ; "
            f"si c'est le cas, retirez cette ligne.")
    return form_findings(ctx, list(first.index), "heures_demandees", None, DOUBLON, AVERTISSEMENT,
                         pd.Series(messages, dtype=object))


RULES = [regle_doublon]
