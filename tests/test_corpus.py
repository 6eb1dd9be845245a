"""Every .xlsx/.xlsm of the shared corpus ends in a clear result.

Either the reader refuses it with exactly one ``fichier-illisible`` finding, or its
annotated copy is written (with made-up findings), reopens with openpyxl and lists
those findings in its *Constats* sheet. The corpus is read only: each file is copied
to tmp_path first, and the original is checked byte for byte afterwards.
"""
from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.model import AVERTISSEMENT, CONTENU_NON_CONSERVE, ERREUR, FICHIER_ILLISIBLE, INFO, Finding
from syndic_batch.read.inbox import read_inbox
from syndic_batch.write.annotate import annotate_workbook

from builders import CORPUS  # noqa: E402
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_is_there():
    assert len(FILES) >= 80


@pytest.mark.parametrize("original", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file_is_read_or_refused_and_annotated(original, tmp_path):
    before = _sha(original)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rel = original.name
    src = inbox / rel
    shutil.copyfile(original, src)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = read_inbox(inbox, DEFAULT_PARAMS)
    [report] = data.files
    if not report.readable:
        refused = [f for f in data.findings if f.rule == FICHIER_ILLISIBLE]
        assert len(refused) == 1 and refused[0].file == rel and refused[0].severity == ERREUR
        assert refused[0].message.startswith("Classeur illisible")
    else:
        first = next(iter(report.sheets), None)  # None for a Strict OOXML file (no sheet read)
        made_up = [
            Finding("4.5", "heures-par-jour", ERREUR, rel, first, 1, "A", "=Ligne inventée", column_index=1),
            Finding(None, "doublon", AVERTISSEMENT, rel, first, 2, None, "Doublon inventé."),
            Finding(None, "feuille-non-reconnue", INFO, rel, None, None, None, "Constat de fichier."),
        ]
        dst = tmp_path / "out" / "annotes" / rel
        dst.parent.mkdir(parents=True)
        extra = annotate_workbook(src, dst, rel, made_up)
        assert all(f.rule == CONTENU_NON_CONSERVE and f.file == rel for f in extra)
        assert not any("n'a pas pu être produite" in f.message for f in extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copy = load_workbook(dst)
        constats = copy[copy.sheetnames[-1]]
        assert constats.title.startswith("Constats")
        messages = [r[6] for r in constats.iter_rows(min_row=2, values_only=True)]
        assert sorted(messages) == sorted([f.message for f in made_up + extra])
        if first in copy.sheetnames and hasattr(copy[first], "iter_rows"):
            ws = copy[first]
            marked = [c for row in ws.iter_rows(max_row=1) for c in row
                      if c.comment and "[ERREUR] Art. 4.5 — =Ligne inventée" in c.comment.text]
            assert len(marked) == 1
        assert not list(dst.parent.glob(".syndic-batch-tmp-*"))
    assert _sha(original) == before
    assert [p.name for p in inbox.iterdir()] == [rel] and _sha(src) == before
