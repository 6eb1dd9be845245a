"""rules/base.py's column helpers give what the slower per-row code gave (they are
shared by every rule), and art. 5.1 finds Excel errors in mixed and plain columns."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from syndic_batch import formatting as fmt
from syndic_batch.formatting import memo
from syndic_batch.rules.art_5_1 import _issues
from syndic_batch.rules.base import blank, folded
from syndic_batch.text import EXCEL_ERROR, FORMULA_WITHOUT_VALUE, CellIssue
from syndic_batch.text import folded as text_folded

VALUES = ["Réunion du CE", "reunion du ce", None, np.nan, "  ", "-", "—", "?", 3.5, 0.0, True,
          dt.datetime(2026, 3, 2), pd.NaT, CellIssue(EXCEL_ERROR, "#DIV/0!"), "Œuvre", "Réunion du CE", 12]


def test_folded_and_blank_are_those_of_text_folded():
    s = pd.Series(VALUES, index=range(100, 100 + len(VALUES)), dtype=object)
    assert folded(s).tolist() == text_folded(s).tolist()
    assert folded(s).index.equals(s.index)
    assert blank(s).tolist() == (text_folded(s) == "").tolist()
    assert blank(s).tolist()[:9] == [False, False, True, True, True, True, True, True, False]


def test_cell_issues_are_found_in_mixed_columns_and_plain_columns_are_clean():
    div0, formula = CellIssue(EXCEL_ERROR, "#DIV/0!"), CellIssue(FORMULA_WITHOUT_VALUE)
    mixed = pd.Series(["3,5", 2.0, div0, None, dt.datetime(2026, 3, 2), formula, div0], dtype=object)
    assert _issues(mixed).tolist() == [False, False, True, False, False, True, True]
    for plain in (["a", None, "b"], [1.5, np.nan, 2.0], [dt.datetime(2026, 3, 2), None], [None, None]):
        assert not _issues(pd.Series(plain, dtype=object)).any()


def test_memo_formats_each_value_once_and_keeps_the_sign_of_zero():
    calls = []

    def money(v):
        calls.append(v)
        return fmt.money(v)
    m = memo(money)
    assert [m(1234.5), m(1234.5), m(-0.0), m(0.0)] == [fmt.money(1234.5)] * 2 + [fmt.money(-0.0), fmt.money(0.0)]
    assert calls == [1234.5, -0.0, 0.0]
