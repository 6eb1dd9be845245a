"""A real browser (headless Chromium) renders every report to PDF and PNG.

Skipped when Chromium is not installed, except in CI (env var CI set), where
its absence is a failure: ``.ci/run`` installs it with the system's package manager.
The browser's console must not report a Content-Security-Policy violation (the
report's own style block must be allowed by its hash, nothing else loads).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from builders import D, context_for, form
from syndic_batch.rules.registry import run_rules
from syndic_batch.write.reports import write_reports

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from make_plan import EXAMPLE_STATUSES, write_seed_plan  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium est introuvable : .ci/run doit l'installer (apt-get install chromium).")
        pytest.skip("Chromium n'est pas installé")
    return found


def render(browser: str, page: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rapports")
    rows = [form(),
            form(matricule="1002", date_activite=D(2026, 2, 3), categorie="Formation syndicale",
                 heures_demandees=8, reference_plan="1.2 a", date_decision=D(2026, 2, 10)),
            form(matricule="1003", date_activite=D(2026, 3, 20), categorie="Déplacement", distance_km=50,
                 heures_demandees=5, date_reception=D(2026, 3, 25), decision_ce=None, date_decision=None)]
    write_seed_plan(tmp / "inbox" / "plan" / "plan-d-action.xlsx", EXAMPLE_STATUSES)
    ctx = context_for(tmp, rows, as_of=D(2026, 3, 9))
    findings = list(ctx.data.findings) + run_rules(ctx)
    return write_reports(ctx, findings, tmp / "out" / "rapports")


def test_the_seed_plan_reached_the_ag_report(report_files):
    ag = next(p for p in report_files if p.name == "ag.html").read_text(encoding="utf-8")
    assert "Aucun plan d'action" not in ag and "Le plan d'action complet" in ag


@pytest.mark.parametrize("name", ["ce", "cs", "ag"])
def test_chromium_prints_the_report_to_pdf(report_files, name, tmp_path):
    browser = chromium()
    page = next(p for p in report_files if p.stem == name)
    pdf = tmp_path / f"{name}.pdf"
    done = render(browser, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert done.returncode == 0, done.stderr[-2000:]
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    assert "Content Security Policy" not in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize("width", [1200, 390])
def test_chromium_screenshots_the_ce_report_at_desktop_and_phone_width(report_files, width, tmp_path):
    browser = chromium()
    page = next(p for p in report_files if p.stem == "ce")
    png = tmp_path / f"ce-{width}.png"
    done = render(browser, page, f"--screenshot={png}", f"--window-size={width},2000", "--hide-scrollbars")
    assert done.returncode == 0, done.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == width          # the PNG's width
    assert "Content Security Policy" not in done.stderr
