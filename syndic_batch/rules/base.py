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
from ..model import Finding
from ..text import fold, folded


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
    """Like ``form_findings`` for any frame of the read stage (members, bank, calendar).
    A finding on a form row carries its member (matricule, and the register's name, else
    the form's) as ``pipeline.attach_members`` would give it."""
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
    members = _members(ctx, frame, ids, pos) if forms else None
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
        out.append(Finding(article, rule, severity, file, sheet, int(row),
                           col[1] if col else None, message if texts is None else texts[n],
                           column_index=col[0] if col else None,
                           form_id=int(row_id) if forms else None, matricule=mat, nom=nom))
    return out


_PROVENANCE = ("_file", "_sheet", "_row", "_src")


def _positions(index: pd.Index, ids) -> np.ndarray | None:
    """Positions of the labels ``ids`` in ``index``; None when one is missing or the index
    repeats a label (the caller then asks ``.loc``, which raises or answers as before)."""
    if not index.is_unique:
        return None
    pos = index.get_indexer(ids)
    return None if (pos < 0).any() else pos


def _members(ctx: Context, forms: pd.DataFrame, ids, pos: np.ndarray | None) -> list[tuple[Any, Any]]:
    """(matricule, name) of these form rows; (None, None) without a matricule."""
    if pos is None:
        mats, noms = forms.loc[ids, "matricule"].tolist(), forms.loc[ids, "nom"].tolist()
    else:
        mats, noms = list(forms["matricule"].array.take(pos)), list(forms["nom"].array.take(pos))
    names = ctx.names
    return [(None, None) if m is None else (m, names.get(m) or n) for m, n in zip(mats, noms)]


def folded_form(ctx: Context, column: str) -> pd.Series:
    """``folded(ctx.forms[column])``, computed once per run: several rules compare the
    category, the Réunion or the justification folded. Do not modify the result."""
    forms = ctx.forms
    cache = ctx.__dict__.setdefault("_folded_forms", {})
    key = (column, id(forms))
    hit = cache.get(key)
    if hit is None or hit[0] is not forms:
        hit = cache[key] = (forms, folded(forms[column]))
    return hit[1]


def has_column(ctx: Context, frame: pd.DataFrame, key: str) -> pd.Series:
    """Boolean per row: the row's sheet has a column for ``key``."""
    with_col = [src for src, s in ctx.data.sources.items() if key in s.columns]
    return frame["_src"].isin(with_col)


def blank(raw: pd.Series) -> pd.Series:
    """Per row: nothing was written in the cell (empty, spaces, or a lone dash or
    mark such as ``-``, ``—``, ``?``). Every rule treats such a cell as empty.
    (``folded(raw) == ""``, folding each distinct value once.)"""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    empty = np.array([fold(u) == "" for u in np.asarray(uniques, dtype=object)] + [True], dtype=bool)
    return pd.Series(empty[codes], index=raw.index)
