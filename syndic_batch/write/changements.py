"""``OUT/changements.json``: what changed since the previous run into this folder.

A JSON list of objects with exactly the keys of domain.md (*Outputs*): ``kind``
(``ajoutee``, ``modifiee``, ``supprimee``, ``decision``), ``file``, ``sheet``, ``row``
(where the row is now; where it was for ``supprimee``), ``matricule``, ``date`` (date
of the activity, ISO), ``field`` (the form field's key, or null for a whole row),
``before``, ``after`` (ISO dates, hours as numbers, text; for a whole row added or
removed, an object of its money fields), ``previous_run`` (ISO date-time of the run
that saw the earlier state). A first run writes an empty list.
"""
from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from ..context import Context
from ..journal.changes import AJOUTEE, DECISION, MODIFIEE, SUPPRIMEE, RowDiff, json_value
from ..journal.rows import MONEY_FIELDS, NUMBER_FIELDS, form_key
from .atomic import write_text_atomic

KIND_ORDER = {SUPPRIMEE: 0, AJOUTEE: 1, DECISION: 2, MODIFIEE: 3}


def _column(frame, field: str) -> list[Any]:
    """A journal column as JSON values (``json_value``), for many rows at once."""
    values = frame[field].tolist()
    if field in NUMBER_FIELDS:
        return [None if v is None or v != v else round(float(v), 4) for v in values]
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values]


def _text(v: Any) -> str:
    """``v`` as ``json.dumps(v, ensure_ascii=False)`` writes it (strings, ``None`` and
    finite floats by the fast way)."""
    if type(v) is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if type(v) is float and math.isfinite(v):
        return float.__repr__(v)
    return json.dumps(v, ensure_ascii=False)


def _texts(values: list[Any]) -> list[str]:
    """``_text`` of each value (the usual cases inline: no call per value)."""
    e, t, r, inf = encode_basestring, _text, float.__repr__, math.inf
    return [e(v) if type(v) is str else "null" if v is None else r(v) if type(v) is float and -inf < v < inf
            else t(v) for v in values]


def _whole_rows(kind: str, frame, when: str) -> list[tuple[tuple, str]]:
    """(sort key, JSON text) of each whole row added or removed (``before``/``after``
    its money fields), built a column at a time: the text ``json.dumps`` would write."""
    if frame.empty:
        return []
    money = [_column(frame, f) for f in MONEY_FIELDS]
    # each money field as ``"key": value`` (the first without its leading ", ")
    parts = [[key + v for v in _texts(col)]
             for key, col in zip([f", {_text(form_key(f))}: " for f in MONEY_FIELDS], money)]
    parts[0] = [v[2:] for v in parts[0]]
    wholes = [f"{{{w}}}" for w in map("".join, zip(*parts))]
    dates = money[MONEY_FIELDS.index("date_activite")]
    files, sheets = frame["file"].tolist(), frame["sheet"].tolist()
    rows, members = [int(r) for r in frame["row"].tolist()], frame["matricule"].tolist()
    head = f'{{"kind": {_text(kind)}, "file": '
    tail = f', "previous_run": {_text(when)}}}'
    removed, order = kind == SUPPRIMEE, KIND_ORDER[kind]
    out = []
    for file, sheet, row, mat, date, file_t, sheet_t, mat_t, date_t, whole in zip(
            files, sheets, rows, members, dates, _texts(files), _texts(sheets), _texts(members), _texts(dates),
            wholes):
        before, after = (whole, "null") if removed else ("null", whole)
        out.append(((mat or "", date or "", file, sheet, row, order, -1),
                    f'{head}{file_t}, "sheet": {sheet_t}, "row": {row}, "matricule": {mat_t}, "date": {date_t}, '
                    f'"field": null, "before": {before}, "after": {after}{tail}'))
    return out


def _sorted_records(diff: RowDiff) -> list[tuple[tuple, str]]:
    """(sort key, JSON text) of every change, in the order of ``changements.json``: by
    member, date, file, sheet, row, kind, field."""
    if diff.previous is None:
        return []
    prev, cur = diff.previous.rows, diff.current
    when = diff.previous.started
    out = _whole_rows(SUPPRIMEE, prev.loc[diff.removed], when) + _whole_rows(AJOUTEE, cur.loc[diff.added], when)
    order = {form_key(f): i for i, f in enumerate(MONEY_FIELDS)}
    for ch in diff.modified:
        row = cur.loc[ch.cur]
        r = {
            "kind": ch.kind, "file": row["file"], "sheet": row["sheet"], "row": int(row["row"]),
            "matricule": row["matricule"], "date": json_value("date_activite", row["date_activite"]),
            "field": form_key(ch.field), "before": ch.before, "after": ch.after, "previous_run": when,
        }
        out.append(((r["matricule"] or "", r["date"] or "", r["file"], r["sheet"], r["row"], KIND_ORDER[r["kind"]],
                     order.get(r["field"], -1)), json.dumps(r, ensure_ascii=False)))
    out.sort(key=lambda kt: kt[0])
    return out


def change_records(diff: RowDiff) -> list[dict[str, Any]]:
    """The changes as JSON objects, in the file's order."""
    return [json.loads(text) for _key, text in _sorted_records(diff)]


def dumps(records: list[str]) -> str:
    """A JSON list, one change (its JSON text) per line."""
    if not records:
        return "[]"
    return "[\n" + ",\n".join(records) + "\n]"


def write_changements(ctx: Context, path: Path) -> Path:
    write_text_atomic(path, dumps([text for _key, text in _sorted_records(ctx.changes)]) + "\n")
    return path
