"""``--pdf``: rapports/ce.pdf, cs.pdf, ag.pdf beside the HTML (write/pdf.py).

With Chromium: three real PDFs (letter paper). Without Chromium or WeasyPrint: a French
message saying how to get one, the HTML still written, the exit code unchanged.
A browser that hangs is stopped by the timeout.
"""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from builders import form, inbox
from syndic_batch import cli
from syndic_batch.write import pdf as pdfmod


def chromium_or_skip() -> str:
    found = pdfmod.find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium est introuvable : .ci/run doit l'installer (apt-get install chromium).")
        pytest.skip("Chromium n'est pas installé")
    return found


def clean_inbox(tmp_path: Path) -> Path:
    return inbox(tmp_path, [form(), form(matricule="1002", heures_demandees=2.0)])


def test_pdf_option_writes_three_letter_pdfs_beside_the_html(tmp_path, capsys):
    chromium_or_skip()
    out = tmp_path / "out"
    code = cli.main(["run", str(clean_inbox(tmp_path)), "--out", str(out), "--date", "2026-04-10", "--pdf"])
    printed = capsys.readouterr()
    assert code == 0 and printed.err == ""
    assert "rapports/ce.html, rapports/cs.html, rapports/ag.html (et leurs PDF)" in printed.out
    for name in ("ce", "cs", "ag"):
        html, pdf = out / "rapports" / f"{name}.html", out / "rapports" / f"{name}.pdf"
        assert html.exists()
        data = pdf.read_bytes()
        assert data[:5] == b"%PDF-" and len(data) > 10_000
        assert b"/MediaBox [0 0 612 792]" in data                          # letter: 8,5 × 11 po
    assert not list((out / "rapports").glob(".syndic-batch-tmp-*"))     # no temporary file left


def test_without_the_option_no_pdf_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["run", str(clean_inbox(tmp_path)), "--out", str(out), "--date", "2026-04-10", "-q"]) == 0
    assert sorted(p.name for p in (out / "rapports").iterdir()) == ["ag.html", "ce.html", "cs.html"]


def _no_converter(monkeypatch, tmp_path):
    empty = tmp_path / "vide"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))               # no chromium, chromium-browser, google-chrome
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # « import weasyprint » fails


def test_without_a_converter_a_french_message_and_the_html_and_the_same_exit_code(tmp_path, monkeypatch, capsys):
    _no_converter(monkeypatch, tmp_path)
    assert pdfmod.converter_name() is None
    # a clean inbox: exit 0 with or without --pdf
    out = tmp_path / "out"
    code = cli.main(["run", str(clean_inbox(tmp_path)), "--out", str(out), "--date", "2026-04-10", "--pdf", "-q"])
    err = capsys.readouterr().err
    assert code == 0
    assert "les rapports PDF n'ont pas été produits (--pdf)" in err
    assert "apt-get install chromium" in err and "pip install weasyprint" in err
    assert "Les rapports HTML sont écrits" in err and "Traceback" not in err
    assert sorted(p.name for p in (out / "rapports").iterdir()) == ["ag.html", "ce.html", "cs.html"]
    assert cli.main(["run", str(clean_inbox(tmp_path)), "--out", str(out), "--date", "2026-04-10", "--pdf"]) == 0
    assert "(et leurs PDF)" not in capsys.readouterr().out
    # an inbox with erreurs: still exit 1
    bad = tmp_path / "mauvais"
    bad.mkdir()
    root = inbox(bad, [form(categorie="Colloque")])
    assert cli.main(["run", str(root), "--out", str(tmp_path / "out2"), "--date", "2026-04-10", "--pdf", "-q"]) == 1
    assert "apt-get install chromium" in capsys.readouterr().err


def test_html_to_pdf_names_what_to_install_when_nothing_is_there(tmp_path, monkeypatch):
    _no_converter(monkeypatch, tmp_path)
    page = tmp_path / "r.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(pdfmod.PdfError, match="apt-get install chromium"):
        pdfmod.html_to_pdf(page, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_a_browser_that_hangs_is_stopped_by_the_timeout(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "chromium"
    fake.write_text("#!/bin/sh\n/bin/sleep 30 &\nexec /bin/sleep 30\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    page = tmp_path / "ce.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    result = pdfmod.write_pdfs([page], timeout=1)
    assert result.paths == []
    assert result.messages == ["syndic-batch : Chromium n'a pas produit « ce.pdf » en 1 seconde. "
                               "Le rapport HTML « ce.html » est écrit."]
    assert not (tmp_path / "ce.pdf").exists() and not list(tmp_path.glob(".syndic-batch-tmp-*"))


def test_the_browsers_looked_for_in_order(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("google-chrome", "chromium-browser"):
        exe = bin_dir / name
        exe.write_text("#!/bin/sh\n", encoding="utf-8")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert pdfmod.find_chromium() == str(bin_dir / "chromium-browser")
    assert pdfmod.converter_name() == "Chromium"
