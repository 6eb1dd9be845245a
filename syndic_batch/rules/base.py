"""Helpers every rule uses to turn a mask over the forms frame into findings.

A rule is a function ``(ctx: Context) -> list[Finding]``, named after its
article (``regle_4_5_huit_heures_par_jour``), in a module named after the
article (``rules/art_4_5.py``). It works on whole columns and only builds
``Finding`` objects for the rows it flags.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ..context import Context
from ..model import Finding
from ..text import folded


def form_finding(ctx: Context, form_id: int, key: str | None, article: str | None,
                 rule: str, severity: str, message: str) -> Finding:
    """A finding on one form row, on the cell of field ``key`` (or the row when
    the sheet has no such column, or ``key`` is None)."""
    return form_findings(ctx, [form_id], key, article, rule, severity, message)[0]


def form_findings(ctx: Context, flagged: pd.Series | Iterable[int], key: str | None,
                  article: str | None, rule: str, severity: str,
                  message: str | pd.Series) -> list[Finding]:
    """Findings for every flagged form row. ``flagged`` is a boolean mask over the
    forms frame, or the ids of the rows. ``message`` is one text for all, or a
    Series of texts indexed like the forms frame."""
    return frame_findings(ctx, ctx.forms, flagged, key, article, rule, severity, message, forms=True)


def frame_findings(ctx: Context, frame: pd.DataFrame, flagged: pd.Series | Iterable[int],
                   key: str | None, article: str | None, rule: str, severity: str,
                   message: str | pd.Series, forms: bool = False) -> list[Finding]:
    """Like ``form_findings`` for any frame of the read stage (members, bank, calendar)."""
    if isinstance(flagged, pd.Series) and flagged.dtype == bool:
        ids = flagged.index[flagged.to_numpy()]
    else:
        ids = list(flagged)
    if len(ids) == 0:
        return []
    # by position, one column at a time: a ``.loc`` of rows and columns costs ~1 ms
    # however few the rows, and a rule may call this several times
    pos = _positions(frame.index, ids)
    if pos is None:  # an id the frame does not hold (``.loc`` says which), or a repeated label
        sub = frame.loc[ids, list(_PROVENANCE)]
        columns = [sub[c] for c in _PROVENANCE]
    else:
        columns = [frame[c].array.take(pos) for c in _PROVENANCE]
    texts = None
    if not isinstance(message, str):
        mpos = _positions(message.index, ids)
        texts = list(message.array.take(mpos)) if mpos is not None else [message.loc[i] for i in ids]
    out = []
    for n, (row_id, file, sheet, row, src) in enumerate(zip(ids, *columns)):
        col = ctx.data.column_of(int(src), key) if key else None
        text = message if texts is None else texts[n]
        out.append(Finding(article, rule, severity, file, sheet, int(row),
                           col[1] if col else None, text,
                           column_index=col[0] if col else None,
                           form_id=int(row_id) if forms else None))
    return out


_PROVENANCE = ("_file", "_sheet", "_row", "_src")


def _positions(index: pd.Index, ids) -> np.ndarray | None:
    """Positions of the labels ``ids`` in ``index``; None when one is missing or the index
    repeats a label (the caller then asks ``.loc``, which raises or answers as before)."""
    if not index.is_unique:
        return None
    pos = index.get_indexer(ids)
    return None if (pos < 0).any() else pos


def has_column(ctx: Context, frame: pd.DataFrame, key: str) -> pd.Series:
    """Boolean per row: the row's sheet has a column for ``key``."""
    with_col = [src for src, s in ctx.data.sources.items() if key in s.columns]
    return frame["_src"].isin(with_col)


def blank(raw: pd.Series) -> pd.Series:
    """Per row: nothing was written in the cell (empty, spaces, or a lone dash or
    mark such as ``-``, ``—``, ``?``). Every rule treats such a cell as empty."""
    return folded(raw) == ""
