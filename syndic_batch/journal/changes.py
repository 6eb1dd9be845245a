"""What changed since the previous run: rows added, removed, modified, decisions taken.

``compare(current, previous)`` pairs this run's rows with the previous run's
(``rows.pair_rows``) and lists, field by field, what differs. It is computed once per
run (``Context.changes``) and read by the rules of ``rules/apres_coup.py``, by
``OUT/changements.json`` and by the CE report.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..text import fold
from .rows import DATE_FIELDS, MONEY_FIELDS, NUMBER_FIELDS, REF_COLUMNS, comparable, pair_rows

AJOUTEE, MODIFIEE, SUPPRIMEE, DECISION = "ajoutee", "modifiee", "supprimee", "decision"
# Fields that change with the CE's decision: reported as kind DECISION when the decision changed.
DECISION_FIELDS = ("decision", "heures_accordees", "date_decision")

# What makes an adopted row's money (domain.md): member, date, category, hours.
ADOPTION_FIELDS = ("matricule", "date_activite", "categorie", "heures_demandees", "heures_accordees")
ADOPTION, DEPOT = "adoption", "depot"

# French labels of the journal's fields (the blank form's headers).
LABELS = {
    "matricule": "Matricule", "date_activite": "Date de l'activité", "categorie": "Catégorie",
    "heures_demandees": "Heures demandées", "heures_accordees": "Heures accordées",
    "decision": "Décision du CE", "date_decision": "Date de la décision",
    "date_depot": "Date du dépôt à l'Employeur",
}


@dataclass
class PreviousRun:
    """The last complete run into the same output folder, as the journal keeps it."""

    id: int
    jeton: str
    started: str                     # ISO date-time with offset
    as_of: str                       # its --date
    tool_version: str
    params_hash: str
    inputs: dict[str, dict[str, Any]]  # path -> size, sha256, findings_hash, writing_findings
    rows: pd.DataFrame               # journal columns + identity; RangeIndex


@dataclass(frozen=True)
class FieldChange:
    kind: str          # MODIFIEE or DECISION
    cur: int           # form id of the current row
    prev: int          # position in previous.rows
    field: str         # journal column (``rows.MONEY_FIELDS``)
    before: Any        # JSON value: ISO date, float, text, None
    after: Any


@dataclass(frozen=True)
class AfterFact:
    """A field of a row that differs from the state the CE adopted (``ADOPTION``) or
    the state deposited with the employer (``DEPOT``)."""

    kind: str          # ADOPTION or DEPOT
    cur: int           # form id
    field: str         # journal column
    before: Any        # JSON value in the reference state
    after: Any         # JSON value now
    since: str         # ISO date-time of the run that first saw the reference state
    reference: dict[str, Any]  # the reference state (money fields + etat)


@dataclass
class RowDiff:
    previous: PreviousRun | None
    current: pd.DataFrame                      # rows.row_states, indexed like the forms
    identity: pd.Series                        # per current row: inherited identity, or None (new)
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    modified: list[FieldChange] = field(default_factory=list)
    # per current row: ``rows.REF_COLUMNS`` (what the journal keeps of the reference states)
    refs: pd.DataFrame | None = None
    after_fact: list[AfterFact] = field(default_factory=list)

    @property
    def first_run(self) -> bool:
        return self.previous is None

    def changes_of(self, cur: int) -> list[FieldChange]:
        return [c for c in self.modified if c.cur == cur]


def json_value(field: str, value: Any) -> Any:
    """A journal value as JSON: dates ISO, hours float, text; None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if field in NUMBER_FIELDS:
        return round(float(value), 4)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    return value


def display(field: str, value: Any) -> str:
    """A journal value as the treasurer reads it: ``12 mars 2026``, ``3,5 h``, « (vide) »."""
    value = json_value(field, value)
    if value is None or value == "":
        return "(vide)"
    if field in DATE_FIELDS:
        return fmt.date(dt.date.fromisoformat(value))
    if field in NUMBER_FIELDS:
        return fmt.hours(value)
    return str(value)


def run_label(started: str) -> str:
    """``2026-11-25T14:05:03-05:00`` → ``25 novembre 2026 à 14 h 05``."""
    when = dt.datetime.fromisoformat(started)
    return f"{fmt.date(when.date())} à {when.hour} h {when.minute:02d}"


def _values(frame: pd.DataFrame, k: int) -> dict[str, Any]:
    """One row's money fields (JSON values) and decision state."""
    out = {f: json_value(f, frame.at[k, f]) for f in MONEY_FIELDS}
    out["etat"] = frame.at[k, "etat"]
    return out


def _differ(ref: dict[str, Any], now: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """The fields that differ, compared as ``rows.comparable`` does."""
    out = []
    for f in fields:
        a, b = ref.get(f), now.get(f)
        if f == "categorie":
            same = fold(a) == fold(b)
        elif f == "decision":
            ea, eb = ref.get("etat"), now.get("etat")
            same = (ea == eb) if "inconnue" not in (ea, eb) else fold(a) == fold(b)
        elif f in NUMBER_FIELDS:
            same = (a is None and b is None) or (a is not None and b is not None and round(a, 4) == round(b, 4))
        else:
            same = a == b
        if not same:
            out.append(f)
    return out


def _loaded(text: Any) -> dict[str, Any] | None:
    return json.loads(text) if isinstance(text, str) and text else None


def compare(current: pd.DataFrame, previous: PreviousRun | None, started: str | None = None) -> RowDiff:
    """This run's rows (``rows.row_states``) against the previous run's. ``started`` is
    this run's ISO date-time (the reference states it sees for the first time)."""
    started = started or dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    identity = pd.Series([None] * len(current), index=current.index, dtype=object)
    refs = pd.DataFrame({c: pd.Series([None] * len(current), index=current.index, dtype=object)
                         for c in REF_COLUMNS})
    adopted_now = (current["etat"] == "adoptee").to_numpy()
    deposited_now = current["date_depot"].notna().to_numpy()
    refs.loc[adopted_now, "adoptee_depuis"] = started
    refs.loc[deposited_now, "deposee_depuis"] = started
    if previous is None:
        return RowDiff(None, current, identity, refs=refs)
    prev = previous.rows
    pairs = pair_rows(prev[list(current.columns)], current)
    identity.loc[pairs["cur"].to_numpy()] = prev.loc[pairs["prev"].to_numpy(), "identity"].to_numpy()
    added = [int(i) for i in current.index.difference(pd.Index(pairs["cur"]))]
    removed = [int(i) for i in prev.index.difference(pd.Index(pairs["prev"]))]
    modified: list[FieldChange] = []
    after_fact: list[AfterFact] = []
    if len(pairs):
        p = prev.loc[pairs["prev"].to_numpy()].reset_index(drop=True)
        c = current.loc[pairs["cur"].to_numpy()].reset_index(drop=True)
        changed = {f: (comparable(p, f).to_numpy() != comparable(c, f).to_numpy()) for f in MONEY_FIELDS}
        decided = changed["decision"]
        for f in MONEY_FIELDS:
            for k in changed[f].nonzero()[0]:
                kind = DECISION if (f in DECISION_FIELDS and decided[k]) else MODIFIEE
                modified.append(FieldChange(kind, int(pairs.at[k, "cur"]), int(pairs.at[k, "prev"]), f,
                                            json_value(f, p.at[k, f]), json_value(f, c.at[k, f])))
        order = {f: i for i, f in enumerate(MONEY_FIELDS)}
        modified.sort(key=lambda ch: (ch.cur, order[ch.field]))
        after_fact = _carry_references(p, c, pairs["cur"].to_numpy(), changed, previous.started, started, refs)
    return RowDiff(previous, current, identity, added, removed, modified, refs, after_fact)


def _carry_references(p: pd.DataFrame, c: pd.DataFrame, cur_ids, changed: dict, prev_started: str,
                      started: str, refs: pd.DataFrame) -> list[AfterFact]:
    """Carry each paired row's reference states (adopted, deposited) from the previous run
    into ``refs`` and list the fields that differ from them now.

    The adopted state is the one of the first run that saw the row adopted; a new *Date
    de la décision* (the CE decided again) or a decision other than adopted ends it. The
    deposited state is the one of the first run that saw a deposit date; it never ends
    while the row exists. A reference equal to the row's own values is stored as NULL."""
    none = pd.Series([None] * len(p), dtype=object)
    adopt_since = p["adoptee_depuis"] if "adoptee_depuis" in p else none
    dep_since = p["deposee_depuis"] if "deposee_depuis" in p else none
    adopt_since = adopt_since.where(adopt_since.notna(), pd.Series(
        [prev_started if e == "adoptee" else None for e in p["etat"]], dtype=object))
    dep_since = dep_since.where(dep_since.notna(), pd.Series(
        [prev_started if d is not None else None for d in p["date_depot"]], dtype=object))
    explicit_a = p["etat_adopte"].notna() if "etat_adopte" in p else pd.Series(False, index=p.index)
    explicit_d = p["etat_depose"].notna() if "etat_depose" in p else pd.Series(False, index=p.index)
    any_change = pd.Series(False, index=p.index)
    for f in MONEY_FIELDS:
        any_change |= changed[f]
    has_ref = adopt_since.notna() | dep_since.notna()
    # Unchanged rows with references equal to their values: carry the dates as they are.
    simple = (has_ref & ~any_change & ~explicit_a & ~explicit_d).to_numpy()
    ids = cur_ids[simple]
    refs.loc[ids, "adoptee_depuis"] = adopt_since[simple].to_numpy()
    refs.loc[ids, "deposee_depuis"] = dep_since[simple].to_numpy()
    out: list[AfterFact] = []
    for k in np.nonzero((has_ref & ~pd.Series(simple)).to_numpy())[0]:
        i = int(cur_ids[k])
        now = _values(c, k)
        refs.at[i, "adoptee_depuis"] = refs.at[i, "deposee_depuis"] = None
        refs.at[i, "etat_adopte"] = refs.at[i, "etat_depose"] = None
        deposited = dep_since[k] is not None
        if deposited:
            ref = _loaded(p.at[k, "etat_depose"] if "etat_depose" in p else None) or _values(p, k)
            diffs = _differ(ref, now, MONEY_FIELDS)
            refs.at[i, "deposee_depuis"] = dep_since[k]
            refs.at[i, "etat_depose"] = json.dumps(ref, ensure_ascii=False) if diffs else None
            out += [AfterFact(DEPOT, i, f, ref.get(f), now.get(f), dep_since[k], ref) for f in diffs]
        elif now["date_depot"] is not None:
            refs.at[i, "deposee_depuis"] = started
        if adopt_since[k] is not None:
            ref = _loaded(p.at[k, "etat_adopte"] if "etat_adopte" in p else None) or _values(p, k)
            if now["etat"] == "adoptee" and now["date_decision"] == ref.get("date_decision"):
                diffs = _differ(ref, now, ADOPTION_FIELDS)
                refs.at[i, "adoptee_depuis"] = adopt_since[k]
                refs.at[i, "etat_adopte"] = json.dumps(ref, ensure_ascii=False) if diffs else None
                if not deposited:  # a deposited row's changes are the deposit's (erreur)
                    out += [AfterFact(ADOPTION, i, f, ref.get(f), now.get(f), adopt_since[k], ref)
                            for f in diffs]
            elif now["etat"] == "adoptee":  # decided again: the new state is the adopted one
                refs.at[i, "adoptee_depuis"] = started
        elif now["etat"] == "adoptee":
            refs.at[i, "adoptee_depuis"] = started
    order = {f: n for n, f in enumerate(MONEY_FIELDS)}
    out.sort(key=lambda a: (a.cur, order[a.field]))
    return out
