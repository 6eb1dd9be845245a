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
from ..journal.rows import MONEY_FIELDS, form_key
from .atomic import write_text_atomic

KIND_ORDER = {SUPPRIMEE: 0, AJOUTEE: 1, DECISION: 2, MODIFIEE: 3}


def _money(row) -> dict[str, Any]:
    return {form_key(f): json_value(f, row[f]) for f in MONEY_FIELDS}


def change_records(diff: RowDiff) -> list[dict[str, Any]]:
    if diff.previous is None:
        return []
    prev, cur = diff.previous.rows, diff.current
    when = diff.previous.started
    out: list[dict[str, Any]] = []

    def record(kind, row, field, before, after):
        out.append({
            "kind": kind, "file": row["file"], "sheet": row["sheet"], "row": int(row["row"]),
            "matricule": row["matricule"], "date": json_value("date_activite", row["date_activite"]),
            "field": form_key(field) if field else None, "before": before, "after": after,
            "previous_run": when,
        })

    for pos in diff.removed:
        p = prev.loc[pos]
        record(SUPPRIMEE, p, None, _money(p), None)
    for i in diff.added:
        c = cur.loc[i]
        record(AJOUTEE, c, None, None, _money(c))
    for ch in diff.modified:
        record(ch.kind, cur.loc[ch.cur], ch.field, ch.before, ch.after)
    order = {form_key(f): i for i, f in enumerate(MONEY_FIELDS)}
    out.sort(key=lambda r: (r["matricule"] or "", r["date"] or "", r["file"], r["sheet"], r["row"],
                            KIND_ORDER[r["kind"]], order.get(r["field"], -1)))
    return out


def write_changements(ctx: Context, path: Path) -> Path:
    text = json.dumps(change_records(ctx.changes), ensure_ascii=False, indent=2)
    write_text_atomic(path, text + "\n")
    return path
