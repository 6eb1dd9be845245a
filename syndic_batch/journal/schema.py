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

# Version 3: a row state is stored once and kept while it does not change. ``rows`` holds
# row states; a state belongs to every run of its output folder from ``depuis`` (the run
# that first recorded it, the former ``run_id``) up to ``jusqu_a`` excluded (the first run
# of that folder that no longer had it; NULL: the last run still has it). A re-run that
# changes 1 row in 100 000 writes 1 row, not 100 000. ``cle`` and ``empreinte`` are the
# row's key hash and state hash (``rows.key_hash``, ``rows.state_hash``); NULL for the
# rows migrated from version 2, which the next run pairs on their stored values. The
# table is rebuilt (an ``id INTEGER PRIMARY KEY`` that VACUUM never renumbers). The view
# ``run_rows`` gives every run's rows as version 2 stored them (``run_id``). The
# reference dates a version-1 journal left empty are filled as ``changes.compare``
# filled them (the run that saw the row adopted / deposited). ``runs.etats`` packs the
# last run's list of states (id, cle, empreinte, explicit reference) so that the next
# run reads it in one value instead of one row per state.
V3 = """
CREATE TABLE rows_v3 (
    id INTEGER PRIMARY KEY,              -- the state's id
    depuis INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,  -- first run with this state
    jusqu_a INTEGER REFERENCES runs (id),  -- first run of the folder without it; NULL: still current
    identity TEXT NOT NULL,
    file TEXT NOT NULL,
    sheet TEXT NOT NULL,
    row INTEGER NOT NULL,
    matricule TEXT,
    date_activite TEXT,
    categorie TEXT,
    heures_demandees REAL,
    heures_accordees REAL,
    decision TEXT,
    date_decision TEXT,
    date_depot TEXT,
    date_reception TEXT,
    libelle TEXT,
    etat TEXT NOT NULL,
    adoptee_depuis TEXT,
    etat_adopte TEXT,
    deposee_depuis TEXT,
    etat_depose TEXT,
    cle INTEGER,                         -- rows.key_hash (NULL: migrated, hashed by the next run)
    empreinte INTEGER                    -- rows.state_hash
);
INSERT INTO rows_v3 (depuis, jusqu_a, identity, file, sheet, row, matricule, date_activite, categorie,
                     heures_demandees, heures_accordees, decision, date_decision, date_depot, date_reception,
                     libelle, etat, adoptee_depuis, etat_adopte, deposee_depuis, etat_depose)
    SELECT run_id,
           (SELECT min(n.id) FROM runs r JOIN runs n ON n.out_dir = r.out_dir AND n.id > r.id
            WHERE r.id = rows.run_id),
           identity, file, sheet, row, matricule, date_activite, categorie, heures_demandees,
           heures_accordees, decision, date_decision, date_depot, date_reception, libelle, etat,
           coalesce(adoptee_depuis, CASE WHEN etat = 'adoptee'
                    THEN (SELECT started FROM runs WHERE runs.id = rows.run_id) END),
           etat_adopte,
           coalesce(deposee_depuis, CASE WHEN date_depot IS NOT NULL
                    THEN (SELECT started FROM runs WHERE runs.id = rows.run_id) END),
           etat_depose
    FROM rows ORDER BY rowid;
DROP TABLE rows;
ALTER TABLE rows_v3 RENAME TO rows;
CREATE INDEX rows_current ON rows (depuis) WHERE jusqu_a IS NULL;
CREATE INDEX rows_until ON rows (jusqu_a) WHERE jusqu_a IS NOT NULL;
ALTER TABLE runs ADD COLUMN hash_scheme TEXT;   -- rows.HASH_SCHEME of the run's cle / empreinte
ALTER TABLE runs ADD COLUMN etats BLOB;         -- the run's states packed (store.pack_states); NULL but
                                                -- for the last run of each folder
CREATE VIEW run_rows AS
    SELECT runs.id AS run_id, rows.* FROM runs
    JOIN rows ON rows.depuis <= runs.id AND (rows.jusqu_a IS NULL OR rows.jusqu_a > runs.id)
    JOIN runs AS first ON first.id = rows.depuis AND first.out_dir = runs.out_dir
"""

MIGRATIONS: list[str] = [V1, V2, V3]
SCHEMA_VERSION = len(MIGRATIONS)
