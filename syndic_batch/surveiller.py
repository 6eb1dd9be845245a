"""``syndic-batch surveiller BOITE --out SORTIE``: run once, then each time the inbox changes.

The drop folder is watched with ``watchfiles`` (inotify, FSEvents or
ReadDirectoryChangesW, polling where none works). After a change, the run waits until
the files are complete: no Excel lock file (``~$…``) in the inbox and every
workbook's size and modification time stable over ``DELAI`` seconds (1 s; the
environment variable ``SYNDIC_BATCH_SURVEILLER_DELAI`` changes it, for tests). One
French line per run; Ctrl-C stops cleanly (a run under way is abandoned and the
output folder keeps the previous outputs).
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from .formatting import date as fdate
from .formatting import number
from .model import AVERTISSEMENT, ERREUR, INFO, count_by_severity
from .read.inbox import OTHER_SPREADSHEETS, WORKBOOK_SUFFIXES

DELAY_ENV = "SYNDIC_BATCH_SURVEILLER_DELAI"
DEFAULT_DELAY_S = 1.0


def _delay() -> float:
    try:
        return max(0.05, float(os.environ.get(DELAY_ENV, DEFAULT_DELAY_S)))
    except ValueError:
        return DEFAULT_DELAY_S


def _now() -> str:
    now = dt.datetime.now()
    return f"[{fdate(now.date())} {now.hour} h {now.minute:02d} min {now.second:02d} s]"


def _relevant(inbox: Path, path: str) -> bool:
    """A change the batch cares about: a spreadsheet or a folder, not hidden, not a lock file."""
    try:
        rel = Path(path).resolve().relative_to(inbox)
    except ValueError:
        rel = Path(Path(path).name)
    if any(part.startswith((".", "~$")) for part in rel.parts):
        return False
    suffix = rel.suffix.lower()
    return suffix in WORKBOOK_SUFFIXES or suffix in OTHER_SPREADSHEETS or suffix == ""


def _state(inbox: Path) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """(Excel lock files, {workbook: (size, mtime)}) of the inbox now."""
    locks, sizes = [], {}
    for p in inbox.rglob("*"):
        try:
            rel = p.relative_to(inbox)
            if any(part.startswith(".") for part in rel.parts) or not p.is_file():
                continue
            if p.name.startswith("~$"):
                locks.append(rel.as_posix())
            elif p.suffix.lower() in WORKBOOK_SUFFIXES | OTHER_SPREADSHEETS:
                st = p.stat()
                sizes[rel.as_posix()] = (st.st_size, st.st_mtime_ns)
        except OSError:  # removed while we looked: look again next time
            continue
    return sorted(locks), sizes


def wait_until_complete(inbox: Path, delay: float, echo) -> None:
    """Return once no workbook is open in Excel and nothing changed for ``delay`` seconds."""
    said = None
    locks, before = _state(inbox)
    while True:
        time.sleep(delay)
        locks, now = _state(inbox)
        if locks:
            if said != locks:
                echo(f"{_now()} En attente : « {locks[0]} » indique un classeur encore ouvert (Excel) ; le "
                     "traitement partira quand il sera fermé.")
                said = locks
        elif now == before:
            return
        before = now


def _line(result, out: Path) -> str:
    counts = count_by_severity(result.findings)
    diff = result.changes
    if diff.previous is None:
        changes = "premier traitement dans ce dossier"
    else:
        n = len(diff.added) + len(diff.removed) + len({c.cur for c in diff.modified})
        changes = f"{number(n, 0)} ligne(s) changée(s) depuis le traitement précédent"
    return (f"{_now()} Traitement terminé : {number(len(result.data.files), 0)} classeur(s), "
            f"{number(counts[ERREUR], 0)} erreur(s), {number(counts[AVERTISSEMENT], 0)} avertissement(s), "
            f"{number(counts[INFO], 0)} info(s) ; {changes}. Résultats dans {out}")


def surveiller(args, params) -> int:
    import watchfiles

    from .cli import EXIT_INTERRUPTED, execute

    def echo(text: str) -> None:
        print(text, flush=True)

    inbox = args.inbox.resolve()
    delay = _delay()

    def once() -> None:
        result, code, message = execute(args, params)
        if code == EXIT_INTERRUPTED:
            echo(f"{_now()} Traitement en cours abandonné : les résultats précédents sont conservés.")
            raise KeyboardInterrupt
        if result is None:
            echo(f"{_now()} Traitement impossible : {message}")
        elif not args.silencieux or any(f.severity == ERREUR for f in result.findings):
            echo(_line(result, args.out))
            for note in result.messages:  # e.g. --pdf without Chromium
                echo(f"  {note}")

    try:
        echo(f"{_now()} Surveillance de « {args.inbox} » (Ctrl-C pour arrêter).")
        once()
        for _changes in watchfiles.watch(inbox, watch_filter=lambda _c, p: _relevant(inbox, p),
                                         debounce=int(delay * 1000), step=50, raise_interrupt=True):
            wait_until_complete(inbox, delay, echo)
            once()
    except KeyboardInterrupt:
        echo(f"{_now()} Surveillance arrêtée.")
        return 0
    except OSError as exc:  # the inbox itself went away
        print(f"syndic-batch : surveillance impossible de « {args.inbox} » ({exc.strerror or exc}).",
              file=sys.stderr)
        return 2
    return 0
