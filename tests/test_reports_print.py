"""Each report printed to PDF by headless Chromium (letter paper), read back page by page.

``pdftotext -layout`` (poppler) gives the text of each page; ``pdftotext -bbox`` the
position of each word. On the examples' reports and on a fixture whose tables span
several pages, every page must be numbered « page x / y » with the report's name and
date; each total line must be printed exactly once (a ``<tfoot>`` is repeated on every
page by Chromium); no table row may be split across two pages; no heading or caption
may be the last line of a page; no word may fall outside the page (a clipped column).

Skipped when Chromium or pdftotext is missing, except in CI (env CI set), where their
absence is a failure: ``.ci/run`` installs chromium and poppler-utils.
"""
from __future__ import annotations

import html as htmllib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builders import D, form, inbox
from syndic_batch.pipeline import run
from syndic_batch.write.pdf import find_chromium, html_to_pdf

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "inbox"
ZWSP = "\u200b"


def _need(tool: str | None, what: str, package: str) -> None:
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} est introuvable : .ci/run doit l'installer (apt-get install {package}).")
        pytest.skip(f"{what} n'est pas installé (apt-get install {package})")


@pytest.fixture(scope="module")
def tools():
    _need(find_chromium(), "Chromium", "chromium")
    _need(shutil.which("pdftotext"), "pdftotext", "poppler-utils")


def print_reports(out: Path) -> dict[str, Path]:
    pdfs = {}
    for name in ("ce", "cs", "ag"):
        page = out / "rapports" / f"{name}.html"
        pdf = out / "imprime" / f"{name}.pdf"
        assert html_to_pdf(page, pdf) == "Chromium"
        pdfs[name] = pdf
    return pdfs


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout.replace(ZWSP, "")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def text_of(pdf: Path) -> str:
    """The whole text in reading order without the page footers, spaces normalised
    (for sentences that wrap, or continue on the next page)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout.replace(ZWSP, "")
    text = re.sub(r"Rapport [^\n]* — \d+e?r? \w+ \d{4}\s+page \d+ / \d+", " ", text)
    return " ".join(text.split())


def hours_re(value: float) -> str:
    """The regex of ``fmt.hours(value)`` as pdftotext prints it (« 1,25 h », sometimes « 1,25h »)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return re.escape(text) + r"\s?h\b"


def words_outside(pdf: Path) -> list[str]:
    """Words whose box goes past the right edge of their page (or starts left of it)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    bad = []
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xml, re.S):
        width = float(page[1])
        for w in re.finditer(r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)" yMax="[\d.-]+">([^<]*)</word>',
                             page[2]):
            if float(w[1]) < 0 or float(w[2]) > width:
                bad.append(w[3])
    return bad


def _plain(fragment: str) -> str:
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace(ZWSP, "")
    return " ".join(text.split())


def total_rows(page_html: str) -> list[str]:
    """The label (first cell with text) of every total row of the report's tables."""
    rows = re.findall(r'<(?:tbody class="total"|tfoot)><tr>(.*?)</tr></(?:tbody|tfoot)>', page_html, re.S)
    labels = []
    for row in rows:
        cells = [_plain(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        labels.append(next(c for c in cells if c))
    return labels


def headings(page_html: str) -> list[str]:
    return [_plain(h) for h in re.findall(r'<(?:h[1-4]|caption|p class="legende")[^>]*>(.*?)</(?:h[1-4]|caption|p)>',
                                           page_html, re.S)]


def content_lines(page: str) -> list[str]:
    """The page's non-empty lines, without its footer line (« … page x / y »)."""
    lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
    return [line for line in lines if not re.search(r"page \d+ / \d+$", line)]


FOOTERS = {"ce": "Rapport au Conseil exécutif", "cs": "Rapport au Conseil syndical",
           "ag": "Rapport annuel à l'Assemblée générale"}


def check_printed(name: str, page_html: str, pdf: Path, date_text: str) -> list[str]:
    """Every assertion on one printed report; returns its pages' text for further checks."""
    pages = pages_of(pdf)
    n = len(pages)
    assert n >= 1
    # numbered pages, with the report's name and date on each
    for i, page in enumerate(pages, start=1):
        footer = [line for line in page.splitlines() if re.search(r"page \d+ / \d+\s*$", line)]
        assert len(footer) == 1, f"{name} page {i}: pas de pied de page numéroté"
        assert footer[0].rstrip().endswith(f"page {i} / {n}")
        assert f"{FOOTERS[name]} — {date_text}" in footer[0]
    # each total line exactly once, at the end of its table
    labels = total_rows(page_html)
    assert labels, f"{name}: aucune ligne de total"
    lines = [line for page in pages for line in content_lines(page)]
    for prefix in {" ".join(label.split()[:2]) for label in labels}:
        expected = sum(1 for label in labels if label.startswith(prefix))
        printed = sum(1 for line in lines if line.startswith(prefix))
        assert printed == expected, f"{name}: « {prefix} » imprimé {printed} fois, {expected} attendue(s)"
    # no heading or caption as the last line of a page
    heads = headings(page_html)
    for i, page in enumerate(pages, start=1):
        body = content_lines(page)
        if i < n and body:
            last = body[-1]
            # a heading (or its first line, when it wraps) left alone at the bottom of the page
            assert not any(h == last or (len(last) >= 12 and h.startswith(last)) for h in heads), \
                f"{name} page {i} finit par un titre : « {last} »"
    # nothing printed beyond the page's edges
    assert words_outside(pdf) == []
    return pages


def page_of(pages: list[str], needle: str) -> list[int]:
    return [i for i, page in enumerate(pages, start=1) if needle in " ".join(page.split())]


# ---------------------------------------------------------------- the examples


@pytest.fixture(scope="module")
def examples(tools, tmp_path_factory):
    out = tmp_path_factory.mktemp("exemples")
    run(EXAMPLES, out, D(2026, 11, 23))
    return out, print_reports(out)


@pytest.mark.parametrize("name", ["ce", "cs", "ag"])
def test_the_examples_print_cleanly(examples, name):
    out, pdfs = examples
    page_html = (out / "rapports" / f"{name}.html").read_text(encoding="utf-8")
    pages = check_printed(name, page_html, pdfs[name], "23 novembre 2026")
    assert len(pages) >= 3


def test_the_ag_plan_hours_agree_with_the_year_and_its_files_table_counts_the_plan(examples):
    out, pdfs = examples
    text = text_of(pdfs["ag"])
    # the plan's total is the report's total (397,5 h), not every adopted row of the inbox (409,5 h)
    assert "sur 397,5 h accordées (le même total que le reste de ce rapport)" in text
    assert "409,5 h" not in text
    page_html = (out / "rapports" / "ag.html").read_text(encoding="utf-8")
    row = re.search(r"plan-d-action-2018-2021\.xlsx.*?<td class=\"nombre\">([\d\s\u202f\xa0]+)</td></tr>", page_html)
    assert int(re.sub(r"\D", "", row[1])) > 0                            # the plan's rows, not 0


def test_the_ce_decision_sheet_comes_before_the_cards_with_empty_columns(examples):
    out, pdfs = examples
    text = text_of(pdfs["ce"])
    sheet = text.index("Fiche de décision")
    assert sheet < text.index("Détail des formulaires de l'ordre du jour")
    page_html = (out / "rapports" / "ce.html").read_text(encoding="utf-8")
    rows = re.findall(r'<table class="fiche"[^>]*>.*?</table>', page_html, re.S)[0].split("<tr>")[2:]
    assert len(rows) == 17                                          # the 17 forms of the agenda
    assert all(r.count('<td class="a-remplir"></td>') == 2 for r in rows)
    assert "E 5.1" in text and "A 4.2" in text


# ---------------------------------------------------------------- tables that span pages

MEMBERS = 45
RLO_NAME = "Zoé \u202eGagnon"              # a right-to-left override typed in the register
LONG = "https://exemple.org/" + "x" * 160  # a long unbroken text typed in a form


def _hours(k: int) -> float:
    return 1.0 + k * 0.25                   # every member's hours differ: a row is found by its hours


@pytest.fixture(scope="module")
def long_run(tools, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("long")
    members = [{"matricule": f"{2000 + k}", "nom": RLO_NAME if k == 7 else ("L" * 90 if k == 9 else f"Membre {k:03d}"),
                "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0} for k in range(MEMBERS)]
    rows = []
    for k in range(MEMBERS):
        rows.append(form(matricule=f"{2000 + k}", date_activite=D(2026, 2, 2 + k % 20), heures_demandees=_hours(k),
                         description=LONG if k == 3 else "Réunion régulière", date_decision=D(2026, 3, 10)))
        # undecided, received before the next CE (14 April): on the agenda and its decision sheet
        rows.append(form(matricule=f"{2000 + k}", date_activite=D(2026, 3, 20), heures_demandees=_hours(k) + 0.5,
                         date_reception=D(2026, 3, 25), decision_ce=None, date_decision=None,
                         description=LONG if k == 3 else None))
    bank = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 2000.0, "budget_fonds": 5000.0}]
    root = inbox(tmp, rows, members=members, bank=bank)
    out = tmp / "out"
    run(root, out, D(2026, 4, 10))
    return out, print_reports(out)


@pytest.mark.parametrize("name", ["ce", "cs", "ag"])
def test_long_tables_print_cleanly(long_run, name):
    out, pdfs = long_run
    page_html = (out / "rapports" / f"{name}.html").read_text(encoding="utf-8")
    pages = check_printed(name, page_html, pdfs[name], "10 avril 2026")
    assert len(pages) >= 2


def test_a_member_row_is_never_split_across_pages(long_run):
    out, pdfs = long_run
    for name in ("ce", "cs", "ag"):
        pages = pages_of(pdfs[name])
        members_pages = set()
        for k in range(MEMBERS):
            if k in (7, 9):
                continue
            label = f"Membre {k:03d} ({2000 + k})"
            found = [line for page in pages for line in page.splitlines() if label in line]
            # in the members table, the name and its hours are on one line (one page)
            assert any(re.search(rf"{re.escape(label)}\s+1\s+{hours_re(_hours(k))}", line) for line in found), \
                (name, label)
            members_pages |= set(page_of(pages, label))
        assert len(members_pages) >= 2 or name == "cs"             # the table does span pages


def test_the_decision_sheet_spans_pages_and_keeps_each_row_whole(long_run):
    out, pdfs = long_run
    pages = pages_of(pdfs["ce"])
    sheet_pages = set()
    for k in range(MEMBERS):
        if k in (7, 9):
            continue
        label = f"Membre {k:03d}"
        lines = [(i, line) for i, page in enumerate(pages, start=1) for line in page.splitlines()
                 if re.search(rf"^\s*{k + 1}\s+{re.escape(label)}\b", line)]
        assert len(lines) == 1, (label, lines)           # numbered once in the sheet
        i, line = lines[0]
        assert re.search(hours_re(_hours(k) + 0.5), line)  # its hours asked on the same line
        sheet_pages.add(i)
    assert len(sheet_pages) >= 2


def test_member_text_cannot_reorder_the_report(long_run):
    out, pdfs = long_run
    for name in ("ce", "cs", "ag"):
        page_html = (out / "rapports" / f"{name}.html").read_text(encoding="utf-8")
        assert "\u202e" not in page_html                   # the override is removed from display
        assert "<bdi>Zoé Gagnon</bdi>" in page_html          # and the name isolated from its neighbours
        text = text_of(pdfs[name])
        assert "Zoé Gagnon (2007)" in text and "nongaG" not in text


def test_long_unbroken_text_wraps_inside_the_page(long_run):
    out, pdfs = long_run
    pages = pages_of(pdfs["ce"])
    # the 90-letter name keeps its row's figures on the page (words_outside is checked for every report)
    assert any("(2009)" in page and re.search(rf"\s1\s+{hours_re(_hours(9))}", page) for page in pages)
    text = "".join("".join(pages).split())
    assert LONG in text                                      # all of it printed, wrapped
    for pdf in pdfs.values():
        assert words_outside(pdf) == []
