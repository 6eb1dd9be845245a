"""The Jinja2 templates compiled once per user, not at every run (issue 11: start-up).

Compiling the reports' and statements' templates costs ~0.4 s of a run on the
examples. Jinja2's ``FileSystemBytecodeCache`` keeps the compiled code in a per-user
cache folder (``$XDG_CACHE_HOME/syndic-batch/gabarits``, by default
``~/.cache/syndic-batch/gabarits``; ``%LOCALAPPDATA%\\syndic-batch\\gabarits`` on
Windows), never in the inbox nor in the output folder:

* stale entries cannot be used: Jinja2 compares the template's source checksum (a
  template edited or upgraded is compiled again) and its own and Python's version;
  the key adds the environment's name, this package's version and the bytes of the
  module that defines the environment (its code generator decides the compiled code);
* a read-only install, a home without a cache folder, or a cache folder that cannot
  be written: the templates are compiled at each run as before, silently;
* the folder can be deleted at any time.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

from ... import __version__

CACHE_SUBDIR = ("syndic-batch", "gabarits")


def cache_root() -> Path:
    """The per-user cache folder of the compiled templates (it may not exist yet)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"])
    else:
        base = Path.home() / ".cache"
    return base.joinpath(*CACHE_SUBDIR)


class _UserCache(FileSystemBytecodeCache):
    """``FileSystemBytecodeCache`` whose key carries ``salt``, and which gives up
    silently when the folder cannot be read or written."""

    def __init__(self, directory: Path, salt: str):
        super().__init__(str(directory), "%s.cache")
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        text = f"{self.salt}\0{name}\0{filename or ''}"
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def bytecode_cache(name: str, defined_in: str) -> FileSystemBytecodeCache | None:
    """The cache of the environment ``name`` (``rapports``, ``releves``) defined in the
    module file ``defined_in``; None when no per-user folder can be made."""
    try:
        salt = "\0".join([name, __version__, hashlib.sha1(Path(defined_in).read_bytes()).hexdigest()])
        directory = cache_root()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, RuntimeError):   # RuntimeError: no home folder
        return None
    return _UserCache(directory, salt)
