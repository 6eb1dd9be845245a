"""Reusing a workbook of the previous run when what it shows did not change (issue 8).

A writer whose workbook is rebuilt from every row of the inbox (the employer deposit,
``constats.xlsx``) first computes a *digest* of everything the workbook will show: its
values, the title block, the parameters that change it, and the code that lays it out
(the tool's version, the writer's own source and the modules it lays the workbook out
with, pandas' version and, for a writer that uses it, XlsxWriter's). The
digest is stored in the workbook as a custom document property
(``syndic-batch-empreinte``). On the next run, when the previous run's file (``OUT``'s
current one) carries the same digest and is intact, it is copied instead of being
written again.

« Intact » is checked on the copy, before it is put in place: a regular file (not a
link), a zip package whose every part is dated as XlsxWriter dates them (a workbook
saved again by Excel or LibreOffice keeps the custom property but not those dates),
the digest found in ``docProps/custom.xml`` (a small part, read alone), and every
part's CRC right (``ZipFile.testzip``). Anything else — missing, unreadable, a link,
no digest, another digest, re-saved, damaged — and the workbook is written normally.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from .atomic import atomic_write

PROPERTY = "syndic-batch-empreinte"
CUSTOM_PART = "docProps/custom.xml"
# XlsxWriter (writing its parts from temporary files) dates every part 31 January 1980.
XLSXWRITER_PART_DATE = (1980, 1, 31, 0, 0, 0)
MAX_CUSTOM_PART = 64 * 1024          # bytes: ours is < 1 kB
SHORT = 2048                         # Digest.values: up to this many values hashed as JSON text
# What reading a damaged or foreign package can raise.
_UNREADABLE = (OSError, zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError, NotImplementedError)
_DIGEST_RE = re.compile(r'name="' + re.escape(PROPERTY) + r'"><vt:lpwstr>([0-9a-f]{64})</vt:lpwstr>')


class Digest:
    """A sha256 of what a workbook shows, fed in the order it is written."""

    def __init__(self, kind: str, *modules: ModuleType, versions: tuple[str, ...] = ()):
        from .. import __version__

        self._h = hashlib.sha256()
        self.text(kind, __version__, pd.__version__, *versions)
        for module in modules:              # the code that lays the workbook out
            self._h.update(_source(module))

    def text(self, *values: Any) -> None:
        """Plain values (strings, numbers, None, lists of them)."""
        self._h.update(json.dumps(values, ensure_ascii=False, default=str).encode("utf-8"))
        self._h.update(b"\x00")

    def values(self, values: Any) -> None:
        """A column of values (array, list or Series), in order: a short one as JSON text
        (a pandas hash costs ~0.3 ms per call, most of a small deposit's digest), a long
        one hashed vectorised. The same values always take the same way (their number)."""
        n = len(values)
        if n <= SHORT:
            self._h.update(b"j")
            self.text(values.tolist() if hasattr(values, "tolist") else list(values))
            return
        if not isinstance(values, pd.Series):
            dtype = object if getattr(values, "dtype", None) == object else None
            values = pd.Series(values, dtype=dtype, copy=False)
        s = values
        self._h.update(pd.util.hash_pandas_object(s, index=False).to_numpy().tobytes())
        self._h.update(n.to_bytes(8, "little"))

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def _source(module: ModuleType) -> bytes:
    try:
        return Path(module.__file__).read_bytes()   # type: ignore[arg-type]
    except (OSError, TypeError):
        return (module.__name__ or "").encode("utf-8")


def digest_of(path: Path) -> str | None:
    """The digest stored in the workbook ``path``, when it is a regular file and a zip
    package dated as XlsxWriter dates its parts; None otherwise (CRCs not checked)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with zipfile.ZipFile(path) as z:
            return _digest_in(z)
    except _UNREADABLE:
        return None


def _digest_in(z: zipfile.ZipFile) -> str | None:
    infos = z.infolist()
    if any(i.date_time != XLSXWRITER_PART_DATE for i in infos):
        return None
    custom = [i for i in infos if i.filename == CUSTOM_PART]
    if len(custom) != 1 or custom[0].file_size > MAX_CUSTOM_PART:
        return None
    found = _DIGEST_RE.search(z.read(custom[0]).decode("utf-8", "replace"))
    return found.group(1) if found else None


def reuse_previous(previous: Path | None, digest: str, out_path: Path) -> bool:
    """Copy ``previous`` to ``out_path`` (atomically) when it carries ``digest`` and is
    intact (checked on the copy); False, with nothing written, otherwise."""
    if previous is None or digest_of(Path(previous)) != digest:
        return False
    try:
        with atomic_write(out_path) as tmp:
            shutil.copyfile(previous, tmp)
            if not _intact(tmp, digest):
                raise _NotReusable
    except (_NotReusable, OSError):
        return False
    return True


class _NotReusable(Exception):
    pass


def _intact(path: Path, digest: str) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return _digest_in(z) == digest and z.testzip() is None
    except _UNREADABLE:
        return False
