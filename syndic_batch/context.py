"""The check stage's input: the data read, the parameters, the date of the run.

Derived figures that several rules, the reports and the deposit share (the rate
of each form row, the ledger of the bank and union funds) are computed once,
lazily, here. Rules never open files: everything they need is on the context.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .config import DEFAULT_PARAMS, Params
from .read.data import InboxData

if TYPE_CHECKING:
    from .journal.changes import PreviousRun, RowDiff


_ASCII_ALNUM = re.compile(r"[0-9A-Za-z]")


def _folds_to_something(value, fold) -> bool:
    """``fold(value) != ""``. A text that still has an ASCII letter or digit after the first
    steps of ``text.clean_text`` (NFC, invisible characters, ``_x000D_``) keeps it through
    every later step of ``fold``: the answer without folding."""
    if isinstance(value, str):
        from .text import _INVISIBLE

        s = value if value.isascii() else unicodedata.normalize("NFC", value).translate(_INVISIBLE)
        if _ASCII_ALNUM.search(s.replace("_x000D_", "")):
            return True
    return fold(value) != ""


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

    # ------------------------------------------------------------------ shared columns
    # Every rule reads a few columns of the forms as numpy arrays, compares the folded
    # text of a few others, asks which cells are blank: each is computed once per run
    # here (a pandas operation costs tens of microseconds however few the rows, and
    # ~40 rules ask the same questions). The arrays are positional (row i of ``forms``)
    # and shared: never modify them.

    def _columns(self) -> dict:
        forms = self.data.forms
        cache = self.__dict__.get("_column_cache")
        if cache is None or cache["forms"] is not forms:  # a test may swap the frame
            cache = self.__dict__["_column_cache"] = {"forms": forms}
        return cache

    def release_columns(self) -> None:
        """Forget the shared columns (they are computed again if asked)."""
        self.__dict__.pop("_column_cache", None)

    def values(self, key: str) -> np.ndarray:
        """``forms[key].to_numpy()``: floats for numbers, ``datetime64[ns]`` for dates,
        objects for text."""
        cache = self._columns()
        hit = cache.get(("v", key))
        if hit is None:
            hit = cache[("v", key)] = self.data.forms[key].to_numpy()
        return hit

    def codes(self, key: str) -> np.ndarray:
        """``pd.factorize(forms[key])``'s codes: equal values, equal codes (-1 when missing)."""
        return self._factorized(key)[0]

    def sort_rank(self, key: str) -> np.ndarray:
        """Per row, the rank of its value of text column ``key`` among the distinct values
        sorted (``account.ledger.sort_rank``): a sort key, each distinct text sorted once."""
        cache = self._columns()
        hit = cache.get(("r", key))
        if hit is None:
            from .account.ledger import sort_rank

            hit = cache[("r", key)] = sort_rank(self.values(key))
        return hit

    def present(self, key: str) -> np.ndarray:
        """Per row: the typed value of ``key`` is not missing (``notna``)."""
        cache = self._columns()
        hit = cache.get(("p", key))
        if hit is None:
            hit = cache[("p", key)] = self.data.forms[key].notna().to_numpy()
        return hit

    def fold_codes(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, keys): ``text.fold`` of column ``key`` as one code per row into
        ``keys`` (the folded distinct values, then ``""`` for the empty cells at code -1)."""
        cache = self._columns()
        hit = cache.get(("f", key))
        if hit is None:
            from .text import fold

            codes, uniques = self._factorized(key)
            keys = np.array([fold(v) for v in uniques] + [""], dtype=object)
            hit = cache[("f", key)] = (codes, keys)
        return hit

    def _factorized(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        cache = self._columns()
        hit = cache.get(("u", key))
        if hit is None:
            hit = cache[("u", key)] = pd.factorize(self.data.forms[key])
        return hit

    def folded_codes(self, key: str) -> np.ndarray:
        """One code per row for the folded value of column ``key`` (equal folds, equal codes)."""
        cache = self._columns()
        hit = cache.get(("K", key))
        if hit is None:
            codes, keys = self.fold_codes(key)
            hit = cache[("K", key)] = pd.factorize(keys)[0][codes]
        return hit

    def folded(self, key: str) -> np.ndarray:
        """``text.fold`` of every value of column ``key`` (``""`` when empty)."""
        cache = self._columns()
        hit = cache.get(("F", key))
        if hit is None:
            codes, keys = self.fold_codes(key)
            hit = cache[("F", key)] = keys[codes]
        return hit

    def folded_in(self, key: str, folded_values) -> np.ndarray:
        """Per row: the folded value of column ``key`` is one of ``folded_values``
        (each distinct value looked at once)."""
        codes, keys = self.fold_codes(key)
        wanted = set(folded_values)
        return np.array([k in wanted for k in keys], dtype=bool)[codes]

    def written(self, key: str) -> np.ndarray:
        """Per row: the folded value of column ``key`` is not empty."""
        cache = self._columns()
        hit = cache.get(("w", key))
        if hit is None:
            if ("f", key) in cache:
                hit = ~self.folded_in(key, ("",))
            else:  # only whether each distinct value folds to "" (most say so at a glance)
                from .text import fold

                codes, uniques = self._factorized(key)
                hit = np.array([_folds_to_something(v, fold) for v in uniques] + [False], dtype=bool)[codes]
            cache[("w", key)] = hit
        return hit

    def blank(self, key: str) -> np.ndarray:
        """Per row: nothing was written in field ``key``'s cell (``InboxData.blank_cells``)."""
        cache = self._columns()
        hit = cache.get(("b", key))
        if hit is None:
            from .read.fields import FORMS
            from .text import folded

            forms = self.data.forms
            if f"{key}__brut" in forms:  # a frame built by hand with its raw column
                hit = self.data.blank_cells(FORMS, key).to_numpy(dtype=bool)
            else:  # blank_cells, with the folded column the rules share
                hit = ~self.written(key) if forms[key].dtype == object else ~self.present(key)
                exc = self.data.raw_exceptions(FORMS, key)
                if len(exc):
                    hit = hit.copy()
                    hit[forms.index.get_indexer(exc.index)] = (folded(exc) == "").to_numpy(dtype=bool)
            cache[("b", key)] = hit
        return hit

    def with_column(self, key: str) -> np.ndarray:
        """Per form row: its sheet has a column for field ``key``."""
        cache = self._columns()
        hit = cache.get(("c", key))
        if hit is None:
            with_col = [src for src, s in self.data.sources.items() if key in s.columns]
            hit = cache[("c", key)] = np.isin(self.values("_src"), with_col)
        return hit

    @cached_property
    def adopted(self) -> np.ndarray:
        """Per form row: the CE adopted it (``decisions == ADOPTEE``)."""
        from .account.reference import ADOPTEE

        return (self.decisions.to_numpy() == ADOPTEE)

    @cached_property
    def rates(self) -> pd.DataFrame:
        """Per form row (same index as ``forms``): the rate of art. 2 and how it was found.
        Columns: ``taux`` (float or NaN), ``taux_source`` (``contrat``, ``plus-eleve``,
        ``dernier-contrat``, ``membre-inconnu``, ``aucun-contrat``, ``date-illisible``)."""
        from .account.rates import rates_for_forms

        return rates_for_forms(self.data.forms, self.data.members, self._factorized("matricule"))

    @cached_property
    def names(self) -> dict[str, str]:
        """Matricule → the member's name (the register's wins over the form's)."""
        from .account.reference import member_names

        return member_names(self.data.forms, self.data.members, self.codes("matricule"),
                            self.present("matricule") & self.present("nom"))

    @cached_property
    def decisions(self) -> pd.Series:
        """Per form row, the state of the CE's decision (``account.reference``:
        adoptee, refusee, en-depot, non-decidee, inconnue)."""
        from .account.reference import decision_states

        return decision_states(self.data.forms, self.params, self.fold_codes("decision_ce"))

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
