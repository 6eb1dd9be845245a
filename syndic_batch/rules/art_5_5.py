"""Art. 5.5: a request is made within ``mois_max_reception`` calendar months of the
activity (``delai-reception``).

The deadline is the activity date plus N calendar months, clipped to the end of the
month (dateutil's ``relativedelta``: 31 January + 3 months = 30 April). Received on
the deadline: on time; the day after: late. Rows with an empty or unreadable date are
art. 5.1's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from .. import formatting as fmt
from ..context import Context
from ..model import ERREUR, Finding
from .base import dates, form_findings

ARTICLE = "5.5"


def _delay(activity, received) -> str:
    """« 3 mois et 5 jours » between two dates, in calendar months then days."""
    d = relativedelta(received.date(), activity.date())
    months, days = d.years * 12 + d.months, d.days
    parts = [f"{months} mois"] if months else []
    if days or not parts:
        parts.append(f"{days} jour{'s' if days > 1 else ''}")
    return " et ".join(parts)


def regle_5_5_delai_trois_mois(ctx: Context) -> list[Finding]:
    n = ctx.params.mois_max_reception
    activity, received = ctx.values("date_activite"), ctx.values("date_reception")
    # N months are at least 28 × N − 3 days: only the rows received later than that can be late
    late = received - activity > np.timedelta64(max(28 * n - 3, 0), "D")  # NaT compares False
    if not late.any():
        return []
    pos = np.flatnonzero(late)
    # pandas' DateOffset(months=) is relativedelta's month arithmetic, on the whole column
    deadline = (pd.Series(activity[pos]) + pd.DateOffset(months=n)).to_numpy()
    on_time = ~(received[pos] > deadline)
    pos, deadline = pos[~on_time], deadline[~on_time]
    if not len(pos):
        return []
    message = [
        f"Demande reçue {_delay(a, r)} après l'activité (art. 5.5) : hors délai. Une demande de "
        f"libération doit être faite dans les {n} mois suivant l'activité du {fmt.date(a)}, donc au "
        f"plus tard le {fmt.date(d)} ; elle a été reçue le {fmt.date(r)}."
        for a, r, d in zip(dates(activity[pos]), dates(received[pos]), dates(deadline))]
    return form_findings(ctx, ctx.forms.index[pos], "date_reception", ARTICLE, "delai-reception", ERREUR, message)


RULES = [regle_5_5_delai_trois_mois]
