"""Every workbook of the shared corpus ends in a clear result.

Every file (.xlsx, .xlsm, .xls, .xlsb, .ods) is read in bounded time, or refused with
exactly one French ``fichier-illisible`` finding. For .xlsx/.xlsm, the annotated copy
is written (with made-up findings) and lists those findings in its *Constats* sheet; it
reopens with openpyxl whenever the original does (the copy is a patched original, so a
file beyond openpyxl stays so). The corpus is
read only: each file is copied to tmp_path first, and the original is checked byte
for byte afterwards.
"""
from __future__ import annotations

import hashlib
import shutil
import time
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
ALL = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_is_there():
    assert len(FILES) >= 80
    assert len(ALL) > len(FILES) + 30


def test_every_corpus_workbook_is_read_or_refused_in_french_in_bounded_time(tmp_path):
    """All formats, one inbox per file: a readable report, or one fichier-illisible."""
    readable, refused = [], []
    for i, original in enumerate(ALL):
        before = _sha(original)
        box = tmp_path / str(i)
        box.mkdir()
        shutil.copyfile(original, box / original.name)
        t = time.perf_counter()
        data = read_inbox(box, DEFAULT_PARAMS)
        assert time.perf_counter() - t < 10, original.name
        [report] = data.files
        if report.readable:
            readable.append(original.name)
            assert not [f for f in data.findings if f.rule == FICHIER_ILLISIBLE]
        else:
            refused.append(original.name)
            [bad] = [f for f in data.findings if f.rule == FICHIER_ILLISIBLE]
            assert bad.message.startswith("Classeur illisible : ") and bad.severity == ERREUR
            assert "Error" not in bad.message and "error" not in bad.message  # French, no library text
        assert _sha(original) == before
    # the encrypted and damaged files of the corpus are refused; the other formats are read
    assert {"pass_protected.xlsx", "pass_protected.xlsb", "pass_protected.ods", "issue252.xlsx",
            "too_small.xls", "issue_594_dos.ods"} <= set(refused)
    assert {"merge_cells.xls", "date_1904.xlsb", "merged_cells.ods", "biff5_write.xls",
            "sheet_visibility_strict.xlsx"} <= set(readable)
    assert len(readable) >= 120


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
        from python_calamine import CalamineWorkbook
        try:
            book = CalamineWorkbook.from_path(str(dst))
        except Exception:  # calamine knows no macro sheet: openpyxl reads this one
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = load_workbook(dst)
            names, rows = wb.sheetnames, list(wb[wb.sheetnames[-1]].iter_rows(values_only=True))
        else:
            names = book.sheet_names
            rows = book.get_sheet_by_name(names[-1]).to_python()
            book.close()
        assert names[-1].startswith("Constats")
        messages = [r[8] for r in rows[1:]]
        assert sorted(messages) == sorted([f.message for f in made_up + extra])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                load_workbook(src)
            except Exception:  # beyond openpyxl (the copy keeps the original as it is)
                copy = None
            else:
                copy = load_workbook(dst)
        if copy is not None and first in copy.sheetnames and hasattr(copy[first], "iter_rows"):
            ws = copy[first]
            marked = [c for row in ws.iter_rows(max_row=1) for c in row
                      if c.comment and "[ERREUR] Art. 4.5 — =Ligne inventée" in c.comment.text]
            assert len(marked) == 1
        assert not list(dst.parent.glob(".syndic-batch-tmp-*"))
    assert _sha(original) == before
    assert [p.name for p in inbox.iterdir()] == [rel] and _sha(src) == before
