"""``constats.json``: every finding, exactly the keys of domain.md's *Outputs*."""
from __future__ import annotations

import json
from pathlib import Path

from ..model import Finding
from .atomic import write_text_atomic


def write_constats(findings: list[Finding], path: Path) -> Path:
    text = json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2)
    write_text_atomic(path, text + "\n")
    return path
