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


def test_context_shared_columns_are_the_pandas_answers_on_the_examples():
    """The Context's arrays (computed once, shared by the rules) give what the per-rule pandas
    code gave: blank cells, written text, folded values, presence, codes."""
    from pathlib import Path

    from syndic_batch.config import DEFAULT_PARAMS
    from syndic_batch.context import Context
    from syndic_batch.pipeline import read_stage
    from syndic_batch.read.fields import FORM_FIELDS, FORMS

    inbox = Path(__file__).resolve().parents[1] / "examples" / "inbox"
    ctx = Context(read_stage(inbox, DEFAULT_PARAMS), DEFAULT_PARAMS, dt.date(2026, 11, 23))
    forms = ctx.forms
    assert len(forms) > 100
    seen_blank = 0
    for f in FORM_FIELDS:
        blank_cells = ctx.data.blank_cells(FORMS, f.key).to_numpy(dtype=bool)
        assert ctx.blank(f.key).tolist() == blank_cells.tolist(), f.key
        seen_blank += int(blank_cells.sum())
        assert ctx.present(f.key).tolist() == forms[f.key].notna().tolist(), f.key
        if forms[f.key].dtype == object:
            folded_col = text_folded(forms[f.key])
            assert ctx.folded(f.key).tolist() == folded_col.tolist(), f.key
            assert ctx.written(f.key).tolist() == (folded_col != "").tolist(), f.key
            codes = ctx.folded_codes(f.key)
            keys = folded_col.to_numpy()
            assert all((codes == codes[i]).tolist() == (keys == keys[i]).tolist() for i in range(0, len(keys), 7))
    assert seen_blank > 0  # the examples have empty required cells
    assert ctx.folded_in("categorie", {"deplacement"}).sum() == (text_folded(forms["categorie"]) == "deplacement").sum() > 0
    ctx.release_columns()
    assert "_column_cache" not in ctx.__dict__


def test_folds_to_something_is_fold_not_empty():
    from syndic_batch.context import _folds_to_something
    from syndic_batch.text import fold

    values = VALUES + ["_x000D_", "_x00\u200b0D_", "a_x000D_", "Amélie", "中", "²", "e\u0301", "_x000\x01D_",
                       "\u200b", "œ", "ß", "ﬁ", "  x  "]
    assert [_folds_to_something(v, fold) for v in values] == [fold(v) != "" for v in values]
    assert _folds_to_something("_x000D_", fold) is False and _folds_to_something("Amélie", fold) is True
