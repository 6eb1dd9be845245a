"""Art. 5.2: every form received before a CE meeting goes to that meeting
(``non-presentee-au-ce``).

A row with no Décision du CE whose Date de réception is before (strictly) the date of
a CE meeting of the calendar that has passed (strictly before ``ctx.as_of``) should
have been decided: avertissement naming the first such meeting. A row *en dépôt* was
dealt with; a decision outside the vocabulary is art. 5.3's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import AVERTISSEMENT, Finding
from .base import dates, form_findings
from ..account.reference import NON_DECIDEE

ARTICLE = "5.2"


def regle_5_2_presentation_au_ce(ctx: Context) -> list[Finding]:
    meetings = ctx.ce_meetings
    if len(meetings) == 0:
        return []
    received = ctx.values("date_reception")
    undecided = (ctx.decisions.to_numpy() == NON_DECIDEE) & ~np.isnat(received)
    pos = np.searchsorted(meetings, received, side="right")
    has_next = pos < len(meetings)
    meeting = np.full(len(received), np.datetime64("NaT"), dtype="datetime64[ns]")
    meeting[has_next] = meetings[pos[has_next]]
    as_of = np.datetime64(pd.Timestamp(ctx.as_of))
    flagged = undecided & (meeting < as_of)  # NaT compares False
    if not flagged.any():
        return []
    upcoming = meetings[meetings >= as_of]
    after = (f" Prochaine réunion du CE : {fmt.date(pd.Timestamp(upcoming[0]))}." if len(upcoming) else "")
    date = fmt.memo(fmt.date)
    message = [f"Demande reçue le {date(r)} et toujours sans décision du CE : elle aurait dû être "
               f"présentée à la réunion du CE du {date(m)} (art. 5.2). Inscrivez-la à l'ordre du jour "
               f"de la prochaine réunion du CE.{after}"
               for r, m in zip(dates(received[flagged]), dates(meeting[flagged]))]
    return form_findings(ctx, flagged, "decision_ce", ARTICLE, "non-presentee-au-ce", AVERTISSEMENT, message)


RULES = [regle_5_2_presentation_au_ce]
