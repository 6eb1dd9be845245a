"""The journal's schema and its migrations, from the first version on.

``MIGRATIONS[n]`` takes a journal from version ``n`` to ``n + 1`` (``MIGRATIONS[0]``
creates the first schema in an empty file). Each runs in one transaction with the
``schema_version`` update, so a journal is always at one version. Never edit a
migration that has shipped: add the next one.
"""
from __future__ import annotations

# Version 1: runs, their inputs, the state of every form row.
V1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (0);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    jeton TEXT NOT NULL UNIQUE,          -- the run's token (the swap marker names it)
    out_dir TEXT NOT NULL,               -- resolved output folder: one journal may serve several
    started TEXT NOT NULL,               -- ISO date-time with offset
    finished TEXT,
    as_of TEXT NOT NULL,                 -- --date
    tool_version TEXT NOT NULL,
    params_hash TEXT NOT NULL,
    status TEXT NOT NULL                 -- 'terminee' (only complete runs are committed)
);
CREATE INDEX runs_by_out ON runs (out_dir, status, id);
CREATE TABLE inputs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path TEXT NOT NULL,                  -- relative to the inbox, with /
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
);
CREATE TABLE rows (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    identity TEXT NOT NULL,              -- stable across runs (docs/decisions.md, « Identité d'une ligne »)
    file TEXT NOT NULL,
    sheet TEXT NOT NULL,
    row INTEGER NOT NULL,
    matricule TEXT,
    date_activite TEXT,                  -- ISO dates
    categorie TEXT,
    heures_demandees REAL,
    heures_accordees REAL,
    decision TEXT,                       -- as written
    date_decision TEXT,
    date_depot TEXT,
    date_reception TEXT,
    libelle TEXT,                        -- Réunion, else Description (part of the identity key)
    etat TEXT NOT NULL                   -- adoptee, refusee, en-depot, non-decidee, inconnue
);
CREATE INDEX rows_by_run ON rows (run_id);
"""

# Version 2: what an incremental run needs to reuse an annotated copy, and the state of a
# row when the CE adopted it and when it went to the employer (the changes after the fact
# are measured against them, run after run, until the row is restored or decided again).
V2 = """
ALTER TABLE inputs ADD COLUMN findings_hash TEXT;     -- hash of the findings the copy shows
ALTER TABLE inputs ADD COLUMN writing_findings TEXT;  -- JSON: findings the copy's writing added
ALTER TABLE rows ADD COLUMN adoptee_depuis TEXT;      -- run (ISO) that first saw the adopted state
ALTER TABLE rows ADD COLUMN etat_adopte TEXT;         -- JSON of that state; NULL: the row's own values
ALTER TABLE rows ADD COLUMN deposee_depuis TEXT;      -- run (ISO) that first saw it deposited
ALTER TABLE rows ADD COLUMN etat_depose TEXT          -- JSON of that state; NULL: the row's own values
"""

MIGRATIONS: list[str] = [V1, V2]
SCHEMA_VERSION = len(MIGRATIONS)
