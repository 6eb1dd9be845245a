"""The check stage's input: the data read, the parameters, the date of the run.

Derived figures that several rules, the reports and the deposit share (the rate
of each form row, the ledger of the bank and union funds) are computed once,
lazily, here. Rules never open files: everything they need is on the context.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from .config import DEFAULT_PARAMS, Params
from .read.data import InboxData

if TYPE_CHECKING:
    from .journal.changes import PreviousRun, RowDiff


@dataclass
class Context:
    data: InboxData
    params: Params = DEFAULT_PARAMS
    as_of: dt.date = field(default_factory=dt.date.today)
    # The last complete run into the same output folder, loaded from the journal by the
    # pipeline before the checks (None: first run, or no journal).
    previous: "PreviousRun | None" = None
    # This run's ISO date-time (the journal's key for what this run sees first).
    started: str | None = None

    @property
    def forms(self) -> pd.DataFrame:
        return self.data.forms

    @cached_property
    def rates(self) -> pd.DataFrame:
        """Per form row (same index as ``forms``): the rate of art. 2 and how it was found.
        Columns: ``taux`` (float or NaN), ``taux_source`` (``contrat``, ``plus-eleve``,
        ``dernier-contrat``, ``membre-inconnu``, ``aucun-contrat``, ``date-illisible``)."""
        from .account.rates import rates_for_forms

        return rates_for_forms(self.data.forms, self.data.members)

    @cached_property
    def names(self) -> dict[str, str]:
        """Matricule → the member's name (the register's wins over the form's)."""
        from .account.reference import member_names

        return member_names(self.data.forms, self.data.members)

    @cached_property
    def decisions(self) -> pd.Series:
        """Per form row, the state of the CE's decision (``account.reference``:
        adoptee, refusee, en-depot, non-decidee, inconnue)."""
        from .account.reference import decision_states

        return decision_states(self.data.forms, self.params)

    @cached_property
    def ce_meetings(self):
        """Sorted dates (datetime64) of the CE meetings of the calendar."""
        from .account.reference import meeting_dates

        return meeting_dates(self.data.calendar, "CE")

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """Per form row: the accounting of art. 3 (see ``account.ledger``)."""
        from .account.ledger import build_ledger

        return build_ledger(self)

    @cached_property
    def reconciliation(self):
        """The employer's statements matched to the adopted releases (``account.reconciliation``)."""
        from .account.reconciliation import reconcile

        return reconcile(self)

    @cached_property
    def changes(self) -> "RowDiff":
        """This run's form rows paired with the previous run's: rows added, removed,
        modified field by field (``journal.changes``)."""
        from .journal.changes import compare
        from .journal.rows import typed_rows

        return compare(typed_rows(self.data.forms, self.decisions), self.previous, self.started)
