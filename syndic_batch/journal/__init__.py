"""The journal of runs (domain.md, *The monthly cycle*): an SQLite database that keeps,
for every run, its date, its inputs and the state of every form row, so that the next
run can say what changed and flag what changed after the fact.

``store.Journal``     open (and migrate), load the previous run, record a run
``schema``            the schema's versions and migrations
``rows``              a form row as the journal keeps it; pairing rows across runs (identity)
``changes``           what changed since the previous run (``Context.changes``)
"""
from .changes import (AJOUTEE, DECISION, MODIFIEE, SUPPRIMEE, FieldChange, PreviousRun, RowDiff, compare,
                      display, run_label)
from .store import Journal, JournalError

__all__ = ["AJOUTEE", "DECISION", "MODIFIEE", "SUPPRIMEE", "FieldChange", "PreviousRun", "RowDiff",
           "compare", "display", "run_label", "Journal", "JournalError"]
