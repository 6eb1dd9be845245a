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
from .base import folded_form, form_findings
from ..account.reference import ADOPTEE, REFUSEE

ARTICLE = "4.5"
RULE = "heures-par-jour"
EPSILON = 1e-9  # sums of decimal hours: 2.7 + 5.3 must stay exactly 8


def hours_counted(ctx: Context) -> pd.Series:
    """The hours each form row counts toward its member's day (NaN: not counted)."""
    p = ctx.params
    forms = ctx.forms
    asked = forms["heures_demandees"]
    asked = asked.where((asked > p.min_exclu_heures_ligne) & (asked <= p.max_heures_ligne))
    granted = forms["heures_accordees"]
    fewer = (ctx.decisions == ADOPTEE) & (granted < asked)
    counted = asked.where(~fewer, granted)
    return counted.where(ctx.decisions != REFUSEE)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def regle_4_5_huit_heures_par_jour(ctx: Context) -> list[Finding]:
    p = ctx.params
    forms = ctx.forms
    counted = hours_counted(ctx)
    usable = counted.notna() & forms["matricule"].notna() & forms["date_activite"].notna()
    sub = pd.DataFrame({"matricule": forms["matricule"], "date": forms["date_activite"],
                        "heures": counted, "fichier": forms["_file"]})[usable]
    day = sub.groupby(["matricule", "date"])
    sub["total"] = day["heures"].transform("sum")
    over = sub[sub["total"] > p.max_heures_par_jour + EPSILON].copy()
    if over.empty:
        return []
    over_day = over.groupby(["matricule", "date"])
    over["lignes"] = over_day["heures"].transform("size")
    over["fichiers"] = over_day["fichier"].transform("nunique")
    limit = fmt.hours(p.max_heures_par_jour)
    justified = (folded_form(ctx, "justification") != "").loc[over.index]
    hours, date = fmt.memo(fmt.hours), fmt.memo(fmt.date)

    def message(row, with_reason: bool) -> str:
        head = (f"Le membre {row.matricule} cumule {hours(row.total)} de libération le "
                f"{date(row.date)} ({_plural(int(row.lignes), 'ligne')} dans "
                f"{_plural(int(row.fichiers), 'fichier')}) : personne ne peut être libéré plus de "
                f"{limit} par jour (art. 4.5).")
        if with_reason:
            return head + (f" Une justification de l'urgence est donnée : le CE doit décider s'il "
                           f"libère les heures au-delà de {limit}.")
        return head + (f" Sans justification de l'urgence, les heures au-delà de {limit} ne peuvent "
                       f"pas être libérées : ajoutez la justification ou réduisez les heures.")

    texts = pd.Series([message(r, bool(j)) for r, j in
                       zip(over.itertuples(), justified.to_numpy())], index=over.index, dtype=object)
    yes = np.asarray(justified, dtype=bool)
    return [
        *form_findings(ctx, list(over.index[yes]), "heures_demandees", ARTICLE, RULE, AVERTISSEMENT, texts),
        *form_findings(ctx, list(over.index[~yes]), "heures_demandees", ARTICLE, RULE, ERREUR, texts),
    ]


RULES = [regle_4_5_huit_heures_par_jour]
