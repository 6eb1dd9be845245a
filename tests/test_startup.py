"""Start-up: `--help`, `--version` and argument errors answer without loading pandas,
Babel or the readers (issue 11: lazy imports where the start-up costs)."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "numpy", "babel", "jinja2", "lxml", "xlsxwriter", "python_calamine", "openpyxl")

PROBE = """
import sys
from syndic_batch.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("CHARGES:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _loaded(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, timeout=60)
    marks = [line for line in proc.stdout.splitlines() if line.startswith("CHARGES:")]
    assert marks, proc.stderr
    return marks[-1][len("CHARGES:"):]


def test_help_loads_no_heavy_library():
    assert _loaded("--help") == ""
    assert _loaded("run", "--help") == ""


def test_argument_error_loads_no_heavy_library():
    assert _loaded("run") == ""        # missing BOITE and --out: French usage error, exit 2


def test_a_run_does_load_what_it_needs(tmp_path):
    # the probe itself can fail: a real run imports pandas (the check above means something)
    from pathlib import Path

    inbox = Path(__file__).resolve().parent.parent / "examples" / "inbox"
    loaded = _loaded("run", str(inbox), "--out", str(tmp_path / "sortie"), "--date", "2026-11-23", "-q")
    assert "pandas" in loaded.split(",")
