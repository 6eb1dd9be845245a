"""The sheet scan's fast path over rows that hold nothing, and the copy calamine reads
without them (a range formatted by mistake: a million rows of cells carrying only a style).

Workbooks are written straight as XML parts (``hostile``), so that the layout of the
rows is known; the thresholds (``QUIET_MIN``, ``CHUNK``) are lowered so that a few
thousand rows exercise what a million rows do.
"""
from __future__ import annotations

import shutil
import zipfile

import pytest

from hostile import cells, col_letter, form_rows, form_values, write_xlsx
from syndic_batch.model import LIGNE_MASQUEE
from syndic_batch.read import package, workbook
from syndic_batch.read.fields import FORM_FIELDS
from syndic_batch.read.inbox import read_inbox
from syndic_batch.read.package import scan_part, trimmed_copy

PART = "xl/worksheets/sheet1.xml"
MERGES = '<mergeCells count="1"><mergeCell ref="N2:N3"/></mergeCells>'


def styled(first: int, last: int, attrs: str = ""):
    """Rows ``first``…``last`` of cells that only carry a style (A…S), as Excel writes a
    formatted range."""
    for r in range(first, last + 1):
        yield r, "".join(f'<c r="{col_letter(c)}{r}" s="1"/>' for c in range(1, 20)), attrs


def form_sheet(tail_rows=()):
    """Header, five form rows (an error cell, a formula saved without value, a hidden
    row), 3 000 styled empty rows (6…3005), then ``tail_rows``."""
    rows = [form_values(), form_values(heures_demandees="#N/A"), form_values(heures_demandees="=1+1"),
            form_values(matricule="1002"), form_values(matricule="1003")]
    yield from form_rows(rows, row_attrs={4: 'hidden="1"'})
    yield from styled(7, 3006, 'spans="1:19" s="1" customFormat="1" ht="15" customHeight="1"')
    yield from tail_rows


def _scan(path):
    with zipfile.ZipFile(path) as z:
        return scan_part(z, PART)


def _summary(scan):
    return (list(scan.hidden_rows), scan.max_row, scan.max_col,
            {r: {c: (i.kind, i.code) for c, i in cols.items()} for r, cols in scan.issues.items()})


FORMS_RAW = [f.key for f in FORM_FIELDS]


def _read(folder):
    data = read_inbox(folder)
    rows = [{k: str(v) for k, v in zip(data.forms.columns, r)} for r in data.forms.values.tolist()]
    for key in FORMS_RAW:  # the cells as written (the reader keeps those that are not their typed value)
        for row, v in zip(rows, data.raw_cells("formulaires", key)):
            row[f"{key}__brut"] = str(v)
    return (rows, [(f.rule, f.row, f.column_index, f.message) for f in data.findings],
            [(r.path, r.readable, r.sheets) for r in data.files])


def test_trailing_styled_rows_are_left_out_of_what_calamine_reads(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "f" / "formates.xlsx", [("Formulaires", form_sheet(), MERGES)])
    with zipfile.ZipFile(path) as z:
        data = z.read(PART)
    monkeypatch.setattr(package, "QUIET_MIN", 10_000)
    scan = _scan(path)
    # what the scan records is found all the same
    assert _summary(scan) == ([4], 6, 26, {3: {9: ("erreur", "#N/A")}, 4: {9: ("formule", "")}})
    q = scan.quiet
    assert q is not None
    assert data[q.start:].startswith(b'<row r="7" ')          # the first row after the last value
    assert data[q.end:].startswith(b"</sheetData>") and q.tail == data[q.end:]
    assert MERGES.encode() in q.tail
    # the copy holds the part without those rows, every other part as it is
    copy = tmp_path / "copie.xlsx"
    with zipfile.ZipFile(path) as z, copy.open("wb") as fh:
        trimmed_copy(z, path, {PART: q}, fh)
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(copy) as b:
        assert b.read(PART) == data[:q.start] + data[q.end:]
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for i in a.infolist():
            if i.filename != PART:
                j = b.getinfo(i.filename)
                assert (j.CRC, j.compress_size, j.compress_type) == (i.CRC, i.compress_size, i.compress_type)
    # and the reader gives the same rows, findings and sheets as from the whole part
    used = []
    real = workbook.trimmed_workbook

    def spy(*args):
        used.append(args[2])
        return real(*args)
    monkeypatch.setattr(workbook, "trimmed_workbook", spy)
    trimmed = _read(path.parent)
    assert len(used) == 1
    monkeypatch.setattr(package, "QUIET_MIN", 10**12)
    whole = _read(path.parent)
    assert len(used) == 1  # not trimmed this time
    assert trimmed == whole
    rows, findings, _ = trimmed
    assert [r["_row"] for r in rows] == ["2", "3", "4", "5", "6"]
    assert [f[0] for f in findings] == [LIGNE_MASQUEE]
    assert "#N/A" in rows[1]["heures_demandees__brut"] and "formule" in rows[2]["heures_demandees__brut"]


@pytest.mark.parametrize("last", [
    [(3007, cells(3007, ["fin"]), "")],                              # a value after the styled rows
    [(3007, '<c r="B3007"><f>1+1</f></c>', "")],                    # a formula saved without value
    [(3007, '<c r="C3007" s="1"/>', 'hidden="1"')],                  # a hidden row
    [(3007, '<c r="C3007" t="e"><v>#REF!</v></c>', "")],             # an error cell
    [(3007, '<c r="C3007" t="e"/>', "")],                            # an error cell without its code
    [(3007, '<c r="C3007" t="inlineStr"><is><t>x</t></is></c>', "")],  # an inline string
], ids=["valeur", "formule", "masquee", "erreur", "erreur-sans-code", "texte"])
def test_styled_rows_followed_by_something_are_kept(tmp_path, monkeypatch, last):
    path = write_xlsx(tmp_path / "f" / "formates.xlsx", [("Formulaires", form_sheet(last), "")])
    monkeypatch.setattr(package, "QUIET_MIN", 10_000)
    assert _scan(path).quiet is None


def test_quiet_rows_before_the_last_value_are_not_cut(tmp_path, monkeypatch):
    """Styled rows between values are skipped by the scan but stay in what calamine reads."""
    sheet = list(form_sheet([(3007, cells(3007, form_values(matricule="1004")), "")]))
    path = write_xlsx(tmp_path / "f" / "f.xlsx", [("Formulaires", sheet, "")])
    monkeypatch.setattr(package, "QUIET_MIN", 10_000)
    monkeypatch.setattr(package, "CHUNK", 4096)
    scan = _scan(path)
    assert scan.quiet is None and scan.max_row == 3007
    rows, _, _ = _read(path.parent)
    assert [r["_row"] for r in rows] == ["2", "3", "4", "5", "6", "3007"]


def test_the_scan_finds_the_same_in_any_chunk_size(tmp_path, monkeypatch):
    """Quiet stretches between the rows the scan records, read in chunks of a few rows
    or of the whole part: the same hidden rows, error cells, formulas and extent."""
    def sheet():
        yield from form_rows([form_values()])
        r = 3
        for kind in ("hidden", "error", "formula", "wide", "hidden", "inline", "error"):
            yield from styled(r, r + 199)
            r += 200
            if kind == "hidden":
                yield r, '<c r="A%d" s="1"/>' % r, 'hidden="1"'
            elif kind == "error":
                yield r, f'<c r="E{r}" t="e"><v>#DIV/0!</v></c>', ""
            elif kind == "formula":
                yield r, f'<c r="G{r}"><f>SUM(A1:A2)</f></c>', ""
            elif kind == "wide":
                yield r, f'<c r="AB{r}"><v>1</v></c>', ""
            else:
                yield r, cells(r, ["texte"], 3), ""
            r += 1
        yield from styled(r, r + 499)
    path = write_xlsx(tmp_path / "f.xlsx", [("F", sheet(), "")])
    whole = _summary(_scan(path))
    assert whole == ([203, 1007], 1409, 28, {404: {5: ("erreur", "#DIV/0!")}, 605: {7: ("formule", "")},
                                              1409: {5: ("erreur", "#DIV/0!")}})
    for size in (300, 4096, 65536):
        monkeypatch.setattr(package, "CHUNK", size)
        assert _summary(_scan(path)) == whole


def test_styled_rows_past_the_real_threshold_are_cut(tmp_path):
    """At the real threshold (8 MB of quiet rows): the form's three rows are read."""
    root = tmp_path / "inbox"

    def rows():
        yield from form_rows([form_values(), form_values(matricule="1002"), form_values(matricule="1003")])
        yield from styled(5, 40_000)
    path = write_xlsx(root / "formates.xlsx", [("Formulaires", rows(), MERGES)])
    scan = _scan(path)
    assert scan.quiet is not None and scan.max_row == 4
    rows_read, _, reports = _read(root)
    assert [r["_row"] for r in rows_read] == ["2", "3", "4"]
    assert reports == [("formates.xlsx", True, {"Formulaires": "formulaires"})]
    shutil.rmtree(root)
