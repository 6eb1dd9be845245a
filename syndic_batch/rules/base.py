"""Helpers every rule uses to turn a mask over the forms frame into findings.

A rule is a function ``(ctx: Context) -> list[Finding]``, named after its
article (``regle_4_5_huit_heures_par_jour``), in a module named after the
article (``rules/art_4_5.py``). It works on whole columns and only builds
``Finding`` objects for the rows it flags.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..context import Context
from ..model import SEVERITIES, Finding, finding_fast
from ..text import fold, folded  # noqa: F401 (folded: re-exported for the rules and tests)


def form_finding(ctx: Context, form_id: int, key: str | None, article: str | None,
                 rule: str, severity: str, message: str) -> Finding:
    """A finding on one form row, on the cell of field ``key`` (or the row when
    the sheet has no such column, or ``key`` is None)."""
    return form_findings(ctx, [form_id], key, article, rule, severity, message)[0]


def form_findings(ctx: Context, flagged: pd.Series | np.ndarray | Iterable[int], key: str | None,
                  article: str | None, rule: str, severity: str,
                  message: str | pd.Series | list) -> list[Finding]:
    """Findings for every flagged form row. ``flagged`` is a boolean mask over the
    forms frame (a Series, or a numpy array by position), or the ids of the rows.
    ``message`` is one text for all, a Series of texts indexed like the forms frame,
    or a list of texts, one per flagged row in order."""
    return frame_findings(ctx, ctx.forms, flagged, key, article, rule, severity, message, forms=True)


def frame_findings(ctx: Context, frame: pd.DataFrame, flagged: pd.Series | np.ndarray | Iterable[int],
                   key: str | None, article: str | None, rule: str, severity: str,
                   message: str | pd.Series | list, forms: bool = False) -> list[Finding]:
    """Like ``form_findings`` for any frame of the read stage (members, bank, calendar).
    A finding on a form row carries its member (matricule, and the register's name, else
    the form's) as ``pipeline.attach_members`` would give it."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    pos = None
    if isinstance(flagged, np.ndarray) and flagged.dtype == bool:
        pos = np.flatnonzero(flagged)
        ids = frame.index[pos] if not _is_range(frame.index) else pos
    elif isinstance(flagged, pd.Series) and flagged.dtype == bool:
        ids = flagged.index[flagged.to_numpy()]
    else:
        ids = flagged if isinstance(flagged, (np.ndarray, pd.Index)) else list(flagged)
    if len(ids) == 0:
        return []
    # by position, one column at a time: a ``.loc`` of rows and columns costs ~1 ms
    # however few the rows, and a rule may call this several times
    if pos is None:
        pos = _positions(frame.index, ids)
    if pos is None:  # an id the frame does not hold (``.loc`` says which), or a repeated label
        sub = frame.loc[ids, list(_PROVENANCE)]
        columns = [sub[c].tolist() for c in _PROVENANCE]
    else:
        columns = [frame[c].to_numpy()[pos].tolist() for c in _PROVENANCE]
    if isinstance(message, str):
        texts = None
    elif isinstance(message, pd.Series):
        mpos = _positions(message.index, ids)
        texts = message.to_numpy()[mpos].tolist() if mpos is not None else [message.loc[i] for i in ids]
    else:
        texts = list(message)
    members = _members(ctx, frame, ids, pos) if forms else None
    ids = ids.tolist() if isinstance(ids, (np.ndarray, pd.Index)) else ids
    by_src: dict[Any, Any] = {}  # the sheet's column of ``key``, looked up once per sheet
    out = []
    for n, (row_id, file, sheet, row, src) in enumerate(zip(ids, *columns)):
        if key:
            col = by_src.get(src, False)
            if col is False:
                col = by_src[src] = ctx.data.column_of(int(src), key)
        else:
            col = None
        mat, nom = members[n] if members is not None else (None, None)
        out.append(finding_fast(article, rule, severity, file, sheet, int(row),
                                col[1] if col else None, message if texts is None else texts[n],
                                col[0] if col else None, int(row_id) if forms else None, mat, nom))
    return out


_PROVENANCE = ("_file", "_sheet", "_row", "_src")


def _is_range(index: pd.Index) -> bool:
    """The index is 0, 1, 2 … (a label is its position)."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _positions(index: pd.Index, ids) -> np.ndarray | None:
    """Positions of the labels ``ids`` in ``index``; None when one is missing or the index
    repeats a label (the caller then asks ``.loc``, which raises or answers as before)."""
    if _is_range(index):
        pos = np.asarray(ids)
        if pos.dtype.kind in "iu" and pos.ndim == 1 and (len(pos) == 0 or (pos.min() >= 0 and pos.max() < len(index))):
            return pos.astype(np.intp, copy=False)
    if not index.is_unique:
        return None
    pos = index.get_indexer(ids)
    return None if (pos < 0).any() else pos


def _members(ctx: Context, forms: pd.DataFrame, ids, pos: np.ndarray | None) -> list[tuple[Any, Any]]:
    """(matricule, name) of these form rows; (None, None) without a matricule."""
    if pos is None:
        mats, noms = forms.loc[ids, "matricule"].tolist(), forms.loc[ids, "nom"].tolist()
    else:
        mats, noms = forms["matricule"].to_numpy()[pos].tolist(), forms["nom"].to_numpy()[pos].tolist()
    names = ctx.names
    return [(None, None) if m is None else (m, names.get(m) or n) for m, n in zip(mats, noms)]


def group_codes(*columns: np.ndarray) -> np.ndarray:
    """One int64 code per row for the tuple of its values in ``columns`` (equal tuples,
    equal codes): each column factorised, the codes combined two at a time. Rows with a
    missing value get a code too (-1 in that column): mask them out first."""
    code = None
    for col in columns:
        c = pd.factorize(col)[0].astype(np.int64) + 1
        code = c if code is None else pd.factorize(code * (int(c.max(initial=0)) + 1) + c)[0].astype(np.int64)
    return code


def dates(values: np.ndarray) -> list:
    """datetime64 values as ``datetime`` objects (None for NaT), for ``formatting.date``."""
    return values.astype("datetime64[us]").tolist()


def folded_form(ctx: Context, column: str) -> pd.Series:
    """``folded(ctx.forms[column])`` as a Series (``Context.folded`` is the array, computed
    once per run). Do not modify the result."""
    return pd.Series(ctx.folded(column), index=ctx.forms.index, name=column, dtype=object)


def has_column(ctx: Context, frame: pd.DataFrame, key: str) -> pd.Series:
    """Boolean per row: the row's sheet has a column for ``key`` (``Context.with_column``
    for the forms)."""
    with_col = [src for src, s in ctx.data.sources.items() if key in s.columns]
    return frame["_src"].isin(with_col)


def blank(raw: pd.Series) -> pd.Series:
    """Per row: nothing was written in the cell (empty, spaces, or a lone dash or
    mark such as ``-``, ``—``, ``?``). Every rule treats such a cell as empty.
    (``folded(raw) == ""``, folding each distinct value once.)"""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    empty = np.array([fold(u) == "" for u in np.asarray(uniques, dtype=object)] + [True], dtype=bool)
    return pd.Series(empty[codes], index=raw.index)
