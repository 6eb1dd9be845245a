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
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..text import fold
from .rows import (DATE_FIELDS, MONEY_FIELDS, NUMBER_FIELDS, REF_COLUMNS, comparable,
                   journal_shape, pair_rows, pass2_hash, row_hashes,
                   typed_from_journal)

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
    """The last complete run into the same output folder, as the journal keeps it.

    ``states`` lists every row state of that run, compactly (no Python object per row):
    index the state's id, columns ``cle`` and ``empreinte`` (``rows.key_hash``,
    ``rows.state_hash``, int64) and ``explicite`` (it keeps a reference state that
    differs from its values). ``rows`` holds the rows loaded in full (journal columns,
    ``identity`` and ``rows.REF_COLUMNS``), indexed by state id: ``compare`` loads those
    it needs (the rows not found unchanged: removed, edited, moved) through ``fetch``.
    ``trusted``: the stored hashes were checked; False (a migrated journal, another hash
    scheme) makes ``compare`` rewrite every row."""

    id: int
    jeton: str
    started: str                     # ISO date-time with offset
    as_of: str                       # its --date
    tool_version: str
    params_hash: str
    inputs: dict[str, dict[str, Any]]  # path -> size, sha256, findings_hash, writing_findings
    rows: pd.DataFrame               # rows loaded in full, indexed by state id
    states: pd.DataFrame | None = None
    loader: Callable[[Any], pd.DataFrame] | None = field(default=None, repr=False)
    trusted: bool = False

    def fetch(self, ids) -> pd.DataFrame:
        """The full rows of these state ids (loaded once)."""
        ids = pd.Index(ids)
        missing = ids.difference(self.rows.index)
        if len(missing) and self.loader is not None:
            loaded = self.loader(missing)
            self.rows = loaded if self.rows.empty else pd.concat([self.rows, loaded])
        return self.rows.loc[ids]


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
    """This run's rows against the previous run's.

    ``typed`` is every current row (``rows.typed_rows``, indexed like the forms) and
    ``key``/``state`` their hashes (positional). ``current`` holds, in the journal's
    shape, the current rows that are listed (added, or paired with a previous row that
    was loaded: modified, moved, decided…), indexed by form id. ``insert`` is the form
    ids whose state this run writes to the journal, with ``identity`` (inherited, or
    None for a new row) and ``refs`` (``rows.REF_COLUMNS``) on that index; ``carried``
    the previous states kept as they are (unchanged rows) and ``closed`` the previous
    states this run ends (removed or replaced)."""

    previous: PreviousRun | None
    current: pd.DataFrame
    identity: pd.Series
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    modified: list[FieldChange] = field(default_factory=list)
    refs: pd.DataFrame | None = None
    after_fact: list[AfterFact] = field(default_factory=list)
    typed: pd.DataFrame | None = None
    key: np.ndarray | None = None
    state: np.ndarray | None = None
    insert: pd.Index | None = None
    carried: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    closed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

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


def _refs(typed: pd.DataFrame, ids: pd.Index, started: str) -> pd.DataFrame:
    """The reference states of rows seen for the first time: adopted / deposited now."""
    pos = typed.index.get_indexer(ids)
    adopted = typed["etat"].to_numpy(dtype=object)[pos] == "adoptee"
    deposited = typed["date_depot"].notna().to_numpy()[pos]
    columns = {c: np.full(len(ids), None, dtype=object) for c in REF_COLUMNS}
    columns["adoptee_depuis"][adopted] = started
    columns["deposee_depuis"][deposited] = started
    # object columns (pandas would make a column of str a string column)
    return pd.DataFrame({c: pd.Series(v, index=ids, dtype=object) for c, v in columns.items()}, index=ids)


def _empty_shape(typed: pd.DataFrame) -> pd.DataFrame:
    """``journal_shape`` of no row (the ``current`` of a first run), made once per set of
    columns and dtypes: a copy of it."""
    sig = (tuple(typed.columns), tuple(repr(t) for t in typed.dtypes), type(typed.index).__name__)
    hit = _EMPTY_SHAPES.get(sig)
    if hit is None:
        hit = _EMPTY_SHAPES[sig] = journal_shape(typed.iloc[:0])
    return hit.copy()


_EMPTY_SHAPES: dict[tuple, pd.DataFrame] = {}


def _fast_pairs(prev_key: pd.Series, cur_key: pd.Series, prev_state: pd.Series,
                cur_state: pd.Series) -> pd.DataFrame:
    """Pass 1 where the answer is known without reading the rows (``prev``, ``cur``):
    a key hash found once on each side; or a key found several times whose rows have,
    on both sides, the same state hashes (same places, same values): pass 1 pairs equal
    rows in the order of their place, so each with the one at its place. Other keys
    found several times are left to ``rows.pair_rows``."""
    pk, ck = prev_key.to_numpy(), cur_key.to_numpy()
    p_dup = pd.Index(pk).duplicated(keep=False)
    c_dup = pd.Index(ck).duplicated(keep=False)
    # the keys found once on each side, in the previous rows' order (a merge's order)
    p_once, c_once = np.flatnonzero(~p_dup), np.flatnonzero(~c_dup)
    at = pd.Index(ck[c_once]).get_indexer(pk[p_once])
    found = at >= 0
    unique = pd.DataFrame({"prev": prev_key.index.to_numpy()[p_once[found]],
                           "cur": cur_key.index.to_numpy()[c_once[at[found]]]})
    if not p_dup.any() or not c_dup.any():
        return unique
    sides = []
    for key, state, name, dup in ((prev_key, prev_state, "prev", p_dup), (cur_key, cur_state, "cur", c_dup)):
        side = pd.DataFrame({"k": key.to_numpy()[dup], "s": state.to_numpy()[dup], name: key.index.to_numpy()[dup]})
        side["n"] = side.groupby(["k", "s"]).cumcount()
        side["size"] = side.groupby("k")["k"].transform("size")
        sides.append(side)
    m = sides[0].merge(sides[1], on=["k", "s", "n"], suffixes=("", "_c"))
    if m.empty:
        return unique
    matched = m.groupby("k")["k"].transform("size")
    whole = (matched == m["size"]) & (matched == m["size_c"])
    return pd.concat([unique, m.loc[whole, ["prev", "cur"]]], ignore_index=True)


def _may_pair(prev: pd.DataFrame, cur: pd.DataFrame, prev_typed: pd.DataFrame,
              cur_typed: pd.DataFrame) -> np.ndarray:
    """The current rows ``rows.pair_rows`` could pair with one of ``prev``: same key
    (passes 1 and 2), same member and file (pass 3) or same place (pass 4). The others
    are added rows whatever the passes do: leaving them out changes no pair and spares
    comparing a new month's rows one by one. (``*_typed``: the same rows, typed.)"""
    if prev.empty or cur.empty:
        return np.zeros(len(cur), dtype=bool)

    def keys(frame, cols):
        return pd.MultiIndex.from_frame(pd.DataFrame({c: frame[c].astype(object).where(frame[c].notna(), "")
                                                       for c in cols}))
    out = np.zeros(len(cur), dtype=bool)
    for cols in (("matricule", "file"), ("file", "sheet", "row")):
        out |= keys(cur, cols).isin(keys(prev, cols))
    return out | np.isin(pass2_hash(cur_typed), pass2_hash(prev_typed))


def compare(typed: pd.DataFrame, previous: PreviousRun | None, started: str | None = None) -> RowDiff:
    """This run's rows (``rows.typed_rows``) against the previous run's. ``started`` is
    this run's ISO date-time (the reference states it sees for the first time).

    The rows whose key hash is found once in each run are paired without loading the
    previous row; when the stored state is the same too (place, values), it is carried
    as it is. Only the other rows are loaded, converted and compared field by field."""
    started = started or dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    key, state = row_hashes(typed)
    ids = typed.index
    if previous is None:
        return RowDiff(None, _empty_shape(typed), pd.Series([None] * len(ids), index=ids, dtype=object),
                       refs=_refs(typed, ids, started), typed=typed, key=key, state=state, insert=ids)
    states = previous.states
    fast = _fast_pairs(states["cle"], pd.Series(key, index=ids), states["empreinte"], pd.Series(state, index=ids))
    cur_state = state[ids.get_indexer(fast["cur"].to_numpy())]
    prev_at = states.index.get_indexer(fast["prev"].to_numpy())
    keep = ((states["empreinte"].to_numpy()[prev_at] == cur_state) & ~states["explicite"].to_numpy()[prev_at]
            & previous.trusted)
    carried = fast[keep]
    loaded = fast[~keep]
    left_p = states.index.difference(pd.Index(fast["prev"]))
    left_c = ids.difference(pd.Index(fast["cur"]))
    prev_rows = previous.fetch(left_p.append(pd.Index(loaded["prev"])))
    listed = left_c.append(pd.Index(loaded["cur"])).sort_values()
    current = journal_shape(typed.loc[listed])
    candidates = left_c[_may_pair(prev_rows.loc[left_p], current.loc[left_c],
                                  typed_from_journal(prev_rows.loc[left_p]), typed.loc[left_c])]
    slow = pair_rows(prev_rows.loc[left_p, list(current.columns)], current.loc[candidates])
    pairs = pd.concat([loaded, slow], ignore_index=True).sort_values("cur", kind="stable").reset_index(drop=True)
    added = [int(i) for i in left_c.difference(pd.Index(slow["cur"]))]
    removed = [int(i) for i in left_p.difference(pd.Index(slow["prev"]))]
    insert = pd.Index(added).append(pd.Index(pairs["cur"])).sort_values()
    identity = pd.Series([None] * len(insert), index=insert, dtype=object)
    identity.loc[pairs["cur"].to_numpy()] = prev_rows.loc[pairs["prev"].to_numpy(), "identity"].to_numpy()
    refs = _refs(typed, insert, started)
    modified: list[FieldChange] = []
    after_fact: list[AfterFact] = []
    if len(pairs):
        p = prev_rows.loc[pairs["prev"].to_numpy()].reset_index(drop=True)
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
    carried_ids = carried["prev"].to_numpy(dtype=np.int64)
    open_ = np.ones(len(states), dtype=bool)
    open_[states.index.get_indexer(carried_ids)] = False
    closed = states.index.to_numpy(dtype=np.int64)[open_]
    return RowDiff(previous, current, identity, added, removed, modified, refs, after_fact,
                   typed=typed, key=key, state=state, insert=insert, carried=carried_ids, closed=closed)


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
