"""The journal file: an SQLite database (Python's ``sqlite3``) opened for one run.

* Rollback journal (``PRAGMA journal_mode=DELETE``): no ``-wal`` or ``-shm`` file
  stays beside it (treasurers keep these folders on synced drives).
* One writer at a time: a run writes its record in one ``BEGIN IMMEDIATE``
  transaction; another run writing into the same journal waits (``timeout``).
* Versioned: ``schema_version`` holds the version, ``schema.MIGRATIONS`` takes an
  older journal to the current one when it is opened.
"""
from __future__ import annotations

import json
import sqlite3
from itertools import repeat
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .changes import PreviousRun
from .rows import HASH_SCHEME, NUMBER_FIELDS, REF_COLUMNS, ROW_COLUMNS, row_hashes, typed_from_journal
from .schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 120.0
TERMINEE = "terminee"
# The columns of a row state read back in full, and written (``RowsToRecord.new``).
FULL_COLUMNS = ("identity",) + ROW_COLUMNS + REF_COLUMNS
WRITTEN_COLUMNS = FULL_COLUMNS + ("cle", "empreinte")
# Stored hashes checked against recomputed ones when the previous run is loaded.
HASH_SAMPLE = 32


_PACKED = [("id", "<i8"), ("cle", "<i8"), ("empreinte", "<i8"), ("explicite", "u1")]


def pack_states(ids, cle, empreinte, explicite) -> bytes:
    """A run's states in one value: the ids, then the key hashes, then the state hashes
    (little-endian int64 each), then one byte per state (1: it keeps an explicit
    reference state)."""
    return b"".join(np.asarray(a, dtype=t).tobytes() for a, (_n, t) in zip((ids, cle, empreinte, explicite), _PACKED))


def unpack_states(blob: bytes) -> pd.DataFrame | None:
    n, rest = divmod(len(blob), 25)
    if rest:
        return None
    arrays, at = {}, 0
    for name, t in _PACKED:
        size = np.dtype(t).itemsize * n
        arrays[name] = np.frombuffer(blob, dtype=t, count=n, offset=at).astype("int64" if t != "u1" else bool)
        at += size
    return pd.DataFrame({k: arrays[k] for k in ("cle", "empreinte", "explicite")},
                        index=pd.Index(arrays["id"], name="id"))


@dataclass
class RowsToRecord:
    """What a run writes of its rows (schema 3): the previous run's states it ends
    (``closed``: removed or replaced rows) and the new states, as chunks of columns (one
    list per column of ``WRITTEN_COLUMNS``; an iterable, so that a large run streams
    them), with ``new_states`` (cle, empreinte, explicite: one row per new state, in the
    same order). The previous states neither closed nor replaced (``kept``: index id,
    cle, empreinte, explicite) belong to this run too."""

    closed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    new: Iterable[list[list]] = ()
    new_states: pd.DataFrame | None = None
    kept: pd.DataFrame | None = None


class JournalError(Exception):
    """The journal cannot be used (message in French)."""


def _statements(script: str) -> list[str]:
    lines = [ln.split("--", 1)[0] for ln in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class Journal:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"Le journal « {self.path} » ne peut pas être ouvert ({exc}).") from exc
        try:
            mode = self.con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if str(mode).lower() != "delete":
                raise sqlite3.DatabaseError(f"journal_mode {mode}")
            self.con.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            self.con.close()
            raise JournalError(
                f"Le journal « {self.path} » est illisible : ce n'est pas un journal de syndic-batch ou il "
                f"est endommagé ({exc}). Déplacez-le (il sera recréé, sans l'historique des traitements) ou "
                "indiquez-en un autre avec --journal.") from exc
        except BaseException:
            self.con.close()
            raise

    # ------------------------------------------------------------------ schema

    def version(self) -> int:
        has = self.con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
        if not has:
            others = self.con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if others:
                raise sqlite3.DatabaseError("aucune table schema_version")
            return 0
        return int(self.con.execute("SELECT version FROM schema_version").fetchone()[0])

    def migrate(self) -> None:
        while True:
            self.con.execute("BEGIN IMMEDIATE")
            try:
                v = self.version()
                if v > SCHEMA_VERSION:
                    raise JournalError(
                        f"Le journal « {self.path} » a été écrit par une version plus récente de syndic-batch "
                        f"(schéma {v}, cette version connaît le schéma {SCHEMA_VERSION}) : mettez l'outil à jour.")
                if v == SCHEMA_VERSION:
                    self.con.execute("COMMIT")
                    return
                for stmt in _statements(MIGRATIONS[v]):
                    self.con.execute(stmt)
                self.con.execute("UPDATE schema_version SET version = ?", (v + 1,))
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ reading

    def previous(self, out_dir: str) -> PreviousRun | None:
        """The last complete run into ``out_dir`` (a resolved path), or None. Its rows
        are listed by state id and hashes only (``PreviousRun.states``); the full rows
        are read when ``compare`` asks for them (``PreviousRun.fetch``), while this
        journal is open."""
        row = self.con.execute(
            "SELECT id, jeton, started, as_of, tool_version, params_hash, hash_scheme, etats FROM runs "
            "WHERE out_dir = ? AND status = ? ORDER BY id DESC LIMIT 1", (out_dir, TERMINEE)).fetchone()
        if row is None:
            return None
        run_id = row[0]
        inputs = {}
        for path, size, sha, fhash, wf in self.con.execute(
                "SELECT path, size, sha256, findings_hash, writing_findings FROM inputs WHERE run_id = ?",
                (run_id,)):
            inputs[path] = {"size": size, "sha256": sha, "findings_hash": fhash,
                            "writing_findings": json.loads(wf) if wf else []}
        current = "jusqu_a IS NULL AND depuis IN (SELECT id FROM runs WHERE out_dir = ?)"
        states = unpack_states(row[7]) if row[7] is not None else None
        if states is not None and len(states) != self.con.execute(
                f"SELECT count(*) FROM rows WHERE {current}", (out_dir,)).fetchone()[0]:
            states = None
        absent = False
        if states is None:  # a migrated journal: one row per state
            cur = self.con.execute(
                "SELECT id, coalesce(cle, 0), coalesce(empreinte, 0), cle IS NULL OR empreinte IS NULL, "
                f"etat_adopte IS NOT NULL OR etat_depose IS NOT NULL FROM rows WHERE {current} ORDER BY id",
                (out_dir,))
            arr = np.fromiter(cur, dtype=[("id", "i8"), ("cle", "i8"), ("empreinte", "i8"), ("absent", "?"),
                                          ("explicite", "?")])
            states = pd.DataFrame({"cle": arr["cle"], "empreinte": arr["empreinte"], "explicite": arr["explicite"]},
                                  index=pd.Index(arr["id"], name="id"))
            absent = bool(arr["absent"].any())
        prev = PreviousRun(row[0], row[1], row[2], row[3], row[4], row[5], inputs, self._empty_rows(),
                           states, self._load_rows, trusted=False)
        trusted = row[6] == HASH_SCHEME and not absent
        if trusted and len(states):
            sample = states.index[np.linspace(0, len(states) - 1, min(HASH_SAMPLE, len(states))).astype(int)]
            full = prev.fetch(sample.unique())
            typed = typed_from_journal(full)
            key, state = row_hashes(typed)
            trusted = bool((key == states.loc[full.index, "cle"].to_numpy()).all()
                           and (state == states.loc[full.index, "empreinte"].to_numpy()).all())
        if not trusted and len(states):  # pair on the stored values: hash them now
            full = prev.fetch(states.index)
            typed = typed_from_journal(full)
            states["cle"], states["empreinte"] = row_hashes(typed)
        prev.trusted = trusted
        return prev

    @staticmethod
    def _empty_rows() -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series([], dtype="float64" if c in NUMBER_FIELDS else
                                          "int64" if c == "row" else object) for c in FULL_COLUMNS},
                            index=pd.Index([], dtype="int64", name="id"))

    def _load_rows(self, ids) -> pd.DataFrame:
        """The full rows of these state ids, indexed by id, in the journal's shape."""
        ids = [int(i) for i in ids]
        fetched: list[tuple] = []
        for start in range(0, len(ids), 50_000):
            fetched += self.con.execute(
                f"SELECT id, {', '.join(FULL_COLUMNS)} FROM rows WHERE id IN (SELECT value FROM json_each(?)) "
                "ORDER BY id", (json.dumps(ids[start:start + 50_000]),)).fetchall()
        if not fetched:
            return self._empty_rows()
        columns = list(zip(*fetched))
        out = {}
        for name, values in zip(FULL_COLUMNS, columns[1:]):
            if name in NUMBER_FIELDS:
                out[name] = np.array([np.nan if v is None else v for v in values], dtype="float64")
            elif name == "row":
                out[name] = np.array(values, dtype="int64")
            else:
                out[name] = pd.Series(values, dtype=object)  # None stays None (not a str dtype's NaN)
        index = pd.Index(np.array(columns[0], dtype="int64"), name="id")
        for name, values in out.items():
            if isinstance(values, pd.Series):
                values.index = index
        return pd.DataFrame(out, index=pd.Index(np.array(columns[0], dtype="int64"), name="id"))

    def is_recorded(self, jeton: str) -> bool:
        return self.con.execute("SELECT 1 FROM runs WHERE jeton = ? AND status = ?",
                                (jeton, TERMINEE)).fetchone() is not None

    def runs(self, out_dir: str | None = None) -> list[dict[str, Any]]:
        q = "SELECT id, jeton, out_dir, started, finished, as_of, tool_version, params_hash, status FROM runs"
        cur = self.con.execute(q + (" WHERE out_dir = ?" if out_dir else "") + " ORDER BY id",
                               (out_dir,) if out_dir else ())
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur]

    # ------------------------------------------------------------------ writing

    def record(self, run: dict[str, Any], inputs: Iterable[dict[str, Any]], rows: RowsToRecord) -> int:
        """Write one complete run in one transaction; return its id: the run, its
        inputs, the previous states it ends and its new row states."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            cur = self.con.execute(
                "INSERT INTO runs (jeton, out_dir, started, finished, as_of, tool_version, params_hash, status, "
                "hash_scheme) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run["jeton"], run["out_dir"], run["started"], run["finished"], run["as_of"],
                 run["tool_version"], run["params_hash"], TERMINEE, HASH_SCHEME))
            run_id = cur.lastrowid
            self.con.executemany(
                "INSERT INTO inputs (run_id, path, size, sha256, findings_hash, writing_findings) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, i["path"], i["size"], i["sha256"], i.get("findings_hash"),
                  json.dumps(i.get("writing_findings") or [], ensure_ascii=False)) for i in inputs])
            self.con.executemany("UPDATE rows SET jusqu_a = ? WHERE id = ? AND jusqu_a IS NULL",
                                 ((run_id, int(i)) for i in rows.closed))
            # Ids given here (not left to SQLite) so that the packed list names them.
            first = self.con.execute("SELECT coalesce(max(id), 0) + 1 FROM rows").fetchone()[0]
            sql = (f"INSERT INTO rows (id, depuis, {', '.join(WRITTEN_COLUMNS)}) "
                   f"VALUES (?, ?{', ?' * len(WRITTEN_COLUMNS)})")
            n = 0
            for columns in rows.new:  # C iterators only: no Python frame per row
                k = len(columns[0])
                self.con.executemany(sql, zip(range(first + n, first + n + k), repeat(run_id, k), *columns))
                n += k
            empty = pd.DataFrame({"cle": np.zeros(0, np.int64), "empreinte": np.zeros(0, np.int64),
                                  "explicite": np.zeros(0, bool)}, index=pd.Index([], dtype="int64"))
            kept = rows.kept if rows.kept is not None else empty
            new = rows.new_states if rows.new_states is not None else empty
            if len(new) != n:
                raise ValueError(f"{n} new row states, {len(new)} hashes")
            new = new.set_axis(pd.Index(np.arange(first, first + n, dtype=np.int64)))
            blob = pack_states(np.concatenate([kept.index.to_numpy(dtype=np.int64), new.index.to_numpy()]),
                               *(np.concatenate([kept[c].to_numpy(dtype=t), new[c].to_numpy(dtype=t)])
                                 for c, t in (("cle", np.int64), ("empreinte", np.int64), ("explicite", bool))))
            self.con.execute("UPDATE runs SET etats = NULL WHERE out_dir = ? AND etats IS NOT NULL",
                             (run["out_dir"],))
            self.con.execute("UPDATE runs SET etats = ? WHERE id = ?", (blob, run_id))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return run_id

    def run_rows(self, run_id: int) -> pd.DataFrame:
        """Every row of one run as it was then (the view ``run_rows``), in the journal's shape."""
        ids = [r[0] for r in self.con.execute("SELECT id FROM run_rows WHERE run_id = ? ORDER BY id", (run_id,))]
        return self._load_rows(ids)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
