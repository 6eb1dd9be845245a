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


def _whole_rows(kind: str, frame, when: str) -> list[dict[str, Any]]:
    """Records of whole rows added or removed (``before``/``after`` their money fields)."""
    if frame.empty:
        return []
    money = [(form_key(f), _column(frame, f)) for f in MONEY_FIELDS]
    dates = _column(frame, "date_activite")
    out = []
    for k, (file, sheet, row, mat) in enumerate(zip(frame["file"].tolist(), frame["sheet"].tolist(),
                                                    frame["row"].tolist(), frame["matricule"].tolist())):
        whole = {key: col[k] for key, col in money}
        out.append({"kind": kind, "file": file, "sheet": sheet, "row": int(row), "matricule": mat,
                    "date": dates[k], "field": None,
                    "before": whole if kind == SUPPRIMEE else None, "after": whole if kind == AJOUTEE else None,
                    "previous_run": when})
    return out


def change_records(diff: RowDiff) -> list[dict[str, Any]]:
    if diff.previous is None:
        return []
    prev, cur = diff.previous.rows, diff.current
    when = diff.previous.started
    out = _whole_rows(SUPPRIMEE, prev.loc[diff.removed], when) + _whole_rows(AJOUTEE, cur.loc[diff.added], when)
    for ch in diff.modified:
        row = cur.loc[ch.cur]
        out.append({
            "kind": ch.kind, "file": row["file"], "sheet": row["sheet"], "row": int(row["row"]),
            "matricule": row["matricule"], "date": json_value("date_activite", row["date_activite"]),
            "field": form_key(ch.field), "before": ch.before, "after": ch.after, "previous_run": when,
        })
    order = {form_key(f): i for i, f in enumerate(MONEY_FIELDS)}
    out.sort(key=lambda r: (r["matricule"] or "", r["date"] or "", r["file"], r["sheet"], r["row"],
                            KIND_ORDER[r["kind"]], order.get(r["field"], -1)))
    return out


def dumps(records: list[dict[str, Any]]) -> str:
    """A JSON list, one change per line. One call of ``json``'s C encoder (an indented
    dump goes through the pure-Python one, ten times slower on 8 000 added rows), then a
    line break before each record: ``{"kind": `` cannot occur inside a JSON string (its
    quotes would be escaped), and every record starts with it."""
    if not records:
        return "[]"
    text = json.dumps(records, ensure_ascii=False)
    return "[\n" + text[1:-1].replace('}, {"kind": ', '},\n{"kind": ') + "\n]"


def write_changements(ctx: Context, path: Path) -> Path:
    write_text_atomic(path, dumps(change_records(ctx.changes)) + "\n")
    return path
