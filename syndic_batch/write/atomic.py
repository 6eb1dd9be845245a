"""Atomic writes: a reader (or the treasurer's Excel) never sees half a file.

Write to a temporary file in the destination folder (same file system), then
``os.replace`` it onto the destination; on failure the temporary file is
removed and the destination is left as it was. Temporary names start with
``.syndic-batch-tmp-`` so that the inbox reader skips them.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

TMP_PREFIX = ".syndic-batch-tmp-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        _name_the_file(exc, path)
        raise


def _name_the_file(exc: BaseException, path: Path) -> None:
    """An OS error raised while writing (a full disk: ``write()`` names no file)
    names the file being written, so that the French message can say which."""
    from ..oserrors import unwrap

    os_error = unwrap(exc)
    if os_error is not None and not os_error.filename:
        try:
            os_error.filename = str(path)
        except (AttributeError, TypeError):
            pass


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
