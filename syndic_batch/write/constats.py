"""``constats.json``: every finding, exactly the keys of domain.md's *Outputs*.

The text is what ``json.dumps([f.to_json() …], ensure_ascii=False, indent=2)`` writes,
byte for byte, but built from the C string encoder, value by value: an indented dump
goes through ``json``'s pure-Python encoder (0.2 s for 12 500 findings, ten times this).
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from pathlib import Path

from ..model import Finding
from .atomic import write_text_atomic

# One finding, as ``indent=2`` lays it out inside the list.
_RECORD = ('  {{\n    "article": {},\n    "rule": {},\n    "severity": {},\n    "file": {},\n'
           '    "sheet": {},\n    "row": {},\n    "column": {},\n    "message": {}\n  }}')


def _value(v) -> str:
    if type(v) is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if type(v) is int:
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def dumps(findings: list[Finding]) -> str:
    if not findings:
        return "[]"
    e, v, text, rec = encode_basestring, _value, str, _RECORD.format
    return "[\n" + ",\n".join(
        rec(e(a) if type(a := f.article) is text else v(a), e(b) if type(b := f.rule) is text else v(b),
            e(c) if type(c := f.severity) is text else v(c), e(d) if type(d := f.file) is text else v(d),
            e(g) if type(g := f.sheet) is text else v(g), v(f.row),
            e(h) if type(h := f.column) is text else v(h), e(m) if type(m := f.message) is text else v(m))
        for f in findings) + "\n]"


def write_constats(findings: list[Finding], path: Path) -> Path:
    write_text_atomic(path, dumps(findings) + "\n")
    return path
