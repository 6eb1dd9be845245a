"""Art. 4.5: nobody is released more than ``max_heures_par_jour`` hours a day, unless an
urgency is justified (``heures-par-jour``).

A member's hours on one date are summed over every row of every file. The hours a
row counts (decision of the project, docs/decisions.md):

* the hours asked (Heures demandées);
* on an adopted row where the CE granted fewer (Heures accordées below the hours
  asked), the hours granted;
* a refused row counts nothing and is not flagged: the CE released none of it.

Rows whose hours asked are empty, unreadable or outside (0, 24] are art. 5.1's and do
not count. Every counted row of a day above the limit is flagged, with the day's
total: avertissement when the row carries a Justification, erreur otherwise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, ERREUR, Finding
from .base import dates, form_findings, group_codes
from ..account.reference import REFUSEE

ARTICLE = "4.5"
RULE = "heures-par-jour"
EPSILON = 1e-9  # sums of decimal hours: 2.7 + 5.3 must stay exactly 8


def hours_counted(ctx: Context) -> np.ndarray:
    """The hours each form row counts toward its member's day (NaN: not counted)."""
    p = ctx.params
    asked = ctx.values("heures_demandees")
    asked = np.where((asked > p.min_exclu_heures_ligne) & (asked <= p.max_heures_ligne), asked, np.nan)
    granted = ctx.values("heures_accordees")
    fewer = ctx.adopted & (granted < asked)
    counted = np.where(fewer, granted, asked)
    return np.where(ctx.decisions.to_numpy() != REFUSEE, counted, np.nan)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def regle_4_5_huit_heures_par_jour(ctx: Context) -> list[Finding]:
    p = ctx.params
    counted = hours_counted(ctx)
    usable = ~np.isnan(counted) & ctx.present("matricule") & ctx.present("date_activite")
    pos = np.flatnonzero(usable)
    if len(pos) == 0:
        return []
    day = group_codes(ctx.codes("matricule")[pos], ctx.values("date_activite")[pos])
    # pandas' grouped sum (compensated summation): the totals stay those it gave
    total = pd.Series(counted[pos]).groupby(day).transform("sum").to_numpy()
    over = total > p.max_heures_par_jour + EPSILON
    if not over.any():
        return []
    rows, day, total = pos[over], day[over], total[over]
    lines: dict = {}
    files: dict = {}
    for d, f in zip(day.tolist(), ctx.values("_file")[rows].tolist()):
        lines[d] = lines.get(d, 0) + 1
        files.setdefault(d, set()).add(f)
    limit = fmt.hours(p.max_heures_par_jour)
    justified = ctx.written("justification")[rows]
    hours, date = fmt.memo(fmt.hours), fmt.memo(fmt.date)

    def message(mat, when, tot, d, with_reason: bool) -> str:
        head = (f"Le membre {mat} cumule {hours(tot)} de libération le "
                f"{date(when)} ({_plural(lines[d], 'ligne')} dans "
                f"{_plural(len(files[d]), 'fichier')}) : personne ne peut être libéré plus de "
                f"{limit} par jour (art. 4.5).")
        if with_reason:
            return head + (f" Une justification de l'urgence est donnée : le CE doit décider s'il "
                           f"libère les heures au-delà de {limit}.")
        return head + (f" Sans justification de l'urgence, les heures au-delà de {limit} ne peuvent "
                       f"pas être libérées : ajoutez la justification ou réduisez les heures.")

    texts = [message(m, w, t, d, bool(j)) for m, w, t, d, j in
             zip(ctx.values("matricule")[rows].tolist(), dates(ctx.values("date_activite")[rows]),
                 total.tolist(), day.tolist(), justified.tolist())]
    ids = ctx.forms.index[rows]
    return [
        *form_findings(ctx, ids[justified], "heures_demandees", ARTICLE, RULE, AVERTISSEMENT,
                       [t for t, j in zip(texts, justified) if j]),
        *form_findings(ctx, ids[~justified], "heures_demandees", ARTICLE, RULE, ERREUR,
                       [t for t, j in zip(texts, justified) if not j]),
    ]


RULES = [regle_4_5_huit_heures_par_jour]
