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
from .base import folded, form_findings


def regle_doublon(ctx: Context) -> list[Finding]:
    forms = ctx.forms
    keys = pd.DataFrame({
        "matricule": forms["matricule"], "date": forms["date_activite"],
        "categorie": folded(forms["categorie"]), "heures": forms["heures_demandees"].round(4),
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
    for i, f in zip(first.index, first):
        messages[i] = (
            f"Doublon possible : même membre, même date ({fmt.date(forms.at[i, 'date_activite'])}), "
            f"même catégorie et mêmes heures ({fmt.hours(forms.at[i, 'heures_demandees'])}) que la "
            f"ligne {forms.at[f, '_row']} de la feuille « {forms.at[f, '_sheet']} » du fichier "
            f"« {forms.at[f, '_file']} ». Vérifiez que la même activité n'est pas réclamée deux fois ; "
            f"si c'est le cas, retirez cette ligne.")
    return form_findings(ctx, list(first.index), "heures_demandees", None, DOUBLON, AVERTISSEMENT,
                         pd.Series(messages, dtype=object))


RULES = [regle_doublon]
