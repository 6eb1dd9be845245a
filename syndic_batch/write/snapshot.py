"""The output folder as a series of complete snapshots (issue 8).

A run writes everything into a hidden staging folder inside ``OUT``
(``.syndic-batch-en-cours-<pid>/``); only when it has finished are the previous
outputs moved to ``OUT/historique/<AAAA-MM-JJ_HHMMSS>/`` and the staged ones moved up,
so ``OUT``'s top level always holds one run's complete outputs, besides
``historique/``, the journal and hidden entries (the lock, the reading cache
``.cache/``, the folder's identity file ``.syndic-batch``).

The swap is a handful of ``rename`` calls inside one file system. Before the first,
a marker file (``.syndic-batch-bascule.json``) lists them; the run is then recorded
in the journal, the renames done and the marker removed. A run killed at any moment:

* before the marker is written: its staging folder is a leftover, removed by the
  next run; the previous outputs never moved;
* after the marker but before the journal's commit: the next run finds the run
  unknown to the journal, removes the staging folder and the marker;
* after the commit, during the renames: the next run finishes them (they are
  idempotent), since the journal already describes the new outputs.

One run at a time per folder: ``OUT/.syndic-batch.lock`` held with ``flock`` (the
OS releases it when the process dies, so a killed run never blocks the next one).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .atomic import TMP_PREFIX, write_text_atomic

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

LOCK_NAME = ".syndic-batch.lock"
ID_NAME = ".syndic-batch"
STAGING_PREFIX = ".syndic-batch-en-cours-"
SWAP_MARKER = ".syndic-batch-bascule.json"
CACHE_NAME = ".cache"
HISTORIQUE = "historique"
JOURNAL_NAME = "journal.sqlite"
# Names the earlier versions of the tool wrote: a folder holding one is an output folder.
KNOWN_OUTPUTS = frozenset({"constats.json", "constats.xlsx", "annotes", "rapports", "depot-employeur.xlsx",
                           "plan-d-action.xlsx", "changements.json", "releves", HISTORIQUE, JOURNAL_NAME})
STAMP_FORMAT = "%Y-%m-%d_%H%M%S"
STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?$")


class OutputLocked(Exception):
    """Another run is writing into this folder (message in French)."""


class ForeignFolder(Exception):
    """The folder holds files that syndic-batch did not write (message in French)."""


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C waits until the block is done (the swap's renames), then interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda sig, frame: received.append(sig))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OutputFolder:
    """``with OutputFolder(out, keep) as folder:`` lock, recover, stage, swap."""

    def __init__(self, out: str | Path, keep: int | None = None, reserved: Iterable[str | Path] = ()):
        self.out = Path(out)
        self.keep = keep
        # entries of OUT's top level that are never moved: the journal and its rollback file
        self.reserved = {HISTORIQUE, JOURNAL_NAME, JOURNAL_NAME + "-journal"}
        for p in reserved:
            p = Path(p)
            if p.parent.resolve() == self.out.resolve():
                self.reserved |= {p.name, p.name + "-journal"}
        self._fd: int | None = None
        self.staging: Path | None = None
        self.historique: Path | None = None

    @property
    def cache_dir(self) -> Path:
        return self.out / CACHE_NAME

    # ------------------------------------------------------------------ lock

    def __enter__(self) -> "OutputFolder":
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
        if not _try_lock(fd):
            os.close(fd)
            raise OutputLocked(
                f"Un autre traitement écrit déjà dans « {self.out} » : attendez qu'il se termine, puis "
                "relancez (deux traitements à la fois mélangeraient leurs résultats).")
        self._fd = fd
        try:
            self._check_foreign()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        # a staging folder a swap marker names is the next run's to finish or drop
        marker = self._read_marker() if self._fd is not None else None
        if (self.staging is not None and self.staging.exists()
                and not (marker and marker.get("staging") == self.staging.name)):
            shutil.rmtree(self.staging, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    def _visible(self) -> list[str]:
        return sorted(n for n in os.listdir(self.out) if not n.startswith("."))

    def _check_foreign(self) -> None:
        names = self._visible()
        if not names or (self.out / ID_NAME).exists() or KNOWN_OUTPUTS & set(names):
            return
        shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        raise ForeignFolder(
            f"Le dossier de sortie « {self.out} » contient déjà des fichiers qui ne viennent pas de "
            f"syndic-batch ({shown}). À chaque traitement, syndic-batch range le contenu de son dossier de "
            "sortie dans historique/ : choisissez un dossier vide ou un nouveau dossier.")

    # ------------------------------------------------------------------ leftovers

    def recover(self, recorded: Callable[[str], bool]) -> str | None:
        """Finish or undo the swap of a killed run, remove a killed run's leftovers.
        Returns ``"terminee"`` or ``"annulee"`` when a swap marker was found."""
        what = None
        marker = self._read_marker()
        if marker is not None:
            if recorded(marker["jeton"]):
                self._renames(marker)
                self._write_identity(marker["started"])
                what = "terminee"
            else:
                what = "annulee"
            (self.out / SWAP_MARKER).unlink(missing_ok=True)
        for entry in os.listdir(self.out):
            if entry.startswith(STAGING_PREFIX) and (self.out / entry).is_dir():
                shutil.rmtree(self.out / entry, ignore_errors=True)
        for root, dirs, files in os.walk(self.out):
            if Path(root) == self.out:
                dirs[:] = [d for d in dirs if d not in (HISTORIQUE, CACHE_NAME)]
            for f in files:
                if f.startswith(TMP_PREFIX):
                    Path(root, f).unlink(missing_ok=True)
        return what

    def _read_marker(self) -> dict[str, Any] | None:
        path = self.out / SWAP_MARKER
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            # written atomically, so never half-written; unreadable means not ours: drop it
            path.unlink(missing_ok=True)
            return None

    # ------------------------------------------------------------------ staging and swap

    def make_staging(self) -> Path:
        self.staging = self.out / f"{STAGING_PREFIX}{os.getpid()}"
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        return self.staging

    def _stamp(self) -> str:
        """When the outputs now at the top level were made (``AAAA-MM-JJ_HHMMSS``)."""
        try:
            started = json.loads((self.out / ID_NAME).read_text(encoding="utf-8"))["traitement"]
            when = dt.datetime.fromisoformat(started)
        except (OSError, ValueError, KeyError, TypeError):
            mtimes = [(self.out / n).stat().st_mtime for n in self._to_move()]
            when = dt.datetime.fromtimestamp(max(mtimes)) if mtimes else dt.datetime.now()
        base = when.strftime(STAMP_FORMAT)
        name, n = base, 1
        while (self.out / HISTORIQUE / name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    def _to_move(self) -> list[str]:
        return [n for n in self._visible() if n not in self.reserved]

    def prepare_swap(self, jeton: str, started: str) -> dict[str, Any]:
        """Write the marker that lists the swap's renames (the staging folder is complete)."""
        assert self.staging is not None
        old = self._to_move()
        marker = {
            "jeton": jeton,
            "started": started,
            "staging": self.staging.name,
            "historique": f"{HISTORIQUE}/{self._stamp()}" if old else None,
            "anciens": old,
            "nouveaux": sorted(os.listdir(self.staging)),
        }
        # written in the staging folder, then moved up: a run killed while writing it leaves
        # its temporary file there (removed with the folder), not at the top of the output folder
        staged = self.staging / SWAP_MARKER
        write_text_atomic(staged, json.dumps(marker, ensure_ascii=False, indent=1))
        os.replace(staged, self.out / SWAP_MARKER)
        return marker

    def swap(self, marker: dict[str, Any]) -> None:
        """The renames (call it under ``interrupts_deferred``, with the journal's record)."""
        self._renames(marker)
        self._write_identity(marker["started"])
        (self.out / SWAP_MARKER).unlink(missing_ok=True)
        _fsync_dir(self.out)

    def _renames(self, marker: dict[str, Any], up: bool = True) -> None:
        """Idempotent: a second call after a kill does only what is left. ``up=False``
        moves the old outputs only (the first half, for tests)."""
        out = self.out
        hist = out / marker["historique"] if marker["historique"] else None
        if hist is not None:
            self.historique = hist
            hist.mkdir(parents=True, exist_ok=True)
            for name in marker["anciens"]:
                if (out / name).exists() or (out / name).is_symlink():
                    if not (hist / name).exists():
                        os.rename(out / name, hist / name)
        if not up:
            return
        staging = out / marker["staging"]
        for name in marker["nouveaux"]:
            src = staging / name
            if src.exists():
                dst = out / name
                if dst.is_dir() and not dst.is_symlink():  # can only be a leftover: the old one moved
                    shutil.rmtree(dst)
                os.replace(src, dst)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)

    def _write_identity(self, started: str) -> None:
        write_text_atomic(self.out / ID_NAME, json.dumps(
            {"outil": "syndic-batch", "traitement": started,
             "note": "Dossier de sortie de syndic-batch : ne pas supprimer ce fichier."},
            ensure_ascii=False) + "\n")

    def prune(self) -> list[Path]:
        """Keep the last ``keep`` runs under ``historique/`` (all when ``keep`` is None)."""
        if self.keep is None:
            return []
        root = self.out / HISTORIQUE
        if not root.is_dir():
            return []
        runs = sorted((p for p in root.iterdir() if p.is_dir() and STAMP_RE.match(p.name)),
                      key=lambda p: (p.name[:17], int(p.name[18:] or 1) if len(p.name) > 17 else 1))
        gone = runs[:max(0, len(runs) - self.keep)]
        for p in gone:
            shutil.rmtree(p)
        return gone
