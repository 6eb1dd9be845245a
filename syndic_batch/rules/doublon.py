"""``doublon``: the same member, activity date, category (folded) and hours asked on
two rows, in one file or two. The later row is flagged (later: later reception date,
then file path, then row; an empty reception date counts as latest), naming the
first row of the group. Rows missing any of those values are art. 5.1's.
"""
from __future__ import annotations

import numpy as np

from .. import formatting as fmt
from ..account.ledger import date_sort_key
from ..context import Context
from ..model import AVERTISSEMENT, DOUBLON, Finding
from .base import dates, form_findings, group_codes


def regle_doublon(ctx: Context) -> list[Finding]:
    hours_asked = np.round(ctx.values("heures_demandees"), 4)
    pos = np.flatnonzero(ctx.present("matricule") & ctx.present("date_activite") & ctx.written("categorie")
                         & ~np.isnan(hours_asked))
    if len(pos) < 2:
        return []
    # by reception date (empty last), file, row
    order = np.lexsort((ctx.values("_row")[pos], ctx.sort_rank("_file")[pos],
                        date_sort_key(ctx.values("date_reception")[pos])))
    pos = pos[order]
    group = group_codes(ctx.codes("matricule")[pos], ctx.values("date_activite")[pos],
                        ctx.folded_codes("categorie")[pos], hours_asked[pos])
    # the first row (in reception order) of each row's group
    codes, first_idx = np.unique(group, return_index=True)
    first_at = np.empty(int(group.max()) + 1, dtype=np.intp)
    first_at[codes] = first_idx
    first = pos[first_at[group]]
    later = first != pos
    if not later.any():
        return []
    this, that = pos[later], first[later]
    messages = []
    date, hours = fmt.memo(fmt.date), fmt.memo(fmt.hours)
    for day, h, row, sheet, file in zip(dates(ctx.values("date_activite")[this]),
                                        ctx.values("heures_demandees")[this].tolist(),
                                        ctx.values("_row")[that].tolist(), ctx.values("_sheet")[that].tolist(),
                                        ctx.values("_file")[that].tolist()):
        messages.append(
            f"Doublon possible : même membre, même date ({date(day)}), "
            f"même catégorie et mêmes heures ({hours(h)}) que la "
            f"ligne {row} de la feuille « {sheet} » du fichier "
            f"« {file} ». Vérifiez que la même activité n'est pas réclamée deux fois ; "
            f"si c'est le cas, retirez cette ligne.")
    return form_findings(ctx, ctx.forms.index[this], "heures_demandees", None, DOUBLON, AVERTISSEMENT, messages)


RULES = [regle_doublon]
