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
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .changes import PreviousRun
from .rows import REF_COLUMNS, ROW_COLUMNS
from .schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 120.0
TERMINEE = "terminee"


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
        """The last complete run into ``out_dir`` (a resolved path), or None."""
        row = self.con.execute(
            "SELECT id, jeton, started, as_of, tool_version, params_hash FROM runs "
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
        cols = ("identity",) + ROW_COLUMNS + REF_COLUMNS
        rows = pd.read_sql_query(f"SELECT {', '.join(cols)} FROM rows WHERE run_id = ? ORDER BY rowid",
                                 self.con, params=(run_id,))
        for f in ("heures_demandees", "heures_accordees"):
            rows[f] = rows[f].astype("float64")
        for f in cols:
            if f not in ("heures_demandees", "heures_accordees", "row"):
                rows[f] = rows[f].astype(object).where(rows[f].notna(), None)
        return PreviousRun(row[0], row[1], row[2], row[3], row[4], row[5], inputs, rows)

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

    def record(self, run: dict[str, Any], inputs: Iterable[dict[str, Any]], rows: pd.DataFrame) -> int:
        """Write one complete run in one transaction; return its id. ``rows`` has the
        columns ``identity`` + ``rows.ROW_COLUMNS`` + ``rows.REF_COLUMNS``."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            cur = self.con.execute(
                "INSERT INTO runs (jeton, out_dir, started, finished, as_of, tool_version, params_hash, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run["jeton"], run["out_dir"], run["started"], run["finished"], run["as_of"],
                 run["tool_version"], run["params_hash"], TERMINEE))
            run_id = cur.lastrowid
            self.con.executemany(
                "INSERT INTO inputs (run_id, path, size, sha256, findings_hash, writing_findings) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, i["path"], i["size"], i["sha256"], i.get("findings_hash"),
                  json.dumps(i.get("writing_findings") or [], ensure_ascii=False)) for i in inputs])
            cols = ("identity",) + ROW_COLUMNS + REF_COLUMNS
            frame = rows[list(cols)].astype(object)
            frame = frame.where(frame.notna(), None)
            self.con.executemany(
                f"INSERT INTO rows (run_id, {', '.join(cols)}) VALUES (?{', ?' * len(cols)})",
                ((run_id, *(None if v is None else (int(v) if k == 3 else v) for k, v in enumerate(t)))
                 for t in frame.itertuples(index=False, name=None)))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return run_id

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
