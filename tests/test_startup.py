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


# ---------------------------------------------------------------- what the start-up work changed

def test_a_run_imports_neither_xml_sax_nor_urllib_request(tmp_path):
    """xml.sax.saxutils imports urllib.request, http.client, ssl and email (~15 ms): the
    Constats sheet escapes its XML with text.xml_escape / xml_quoteattr instead."""
    from pathlib import Path

    probe = PROBE.replace("{heavy!r}", repr(("xml.sax", "urllib.request", "http.client", "ssl", "pandas")))
    inbox = Path(__file__).resolve().parent.parent / "examples" / "inbox"
    proc = subprocess.run([sys.executable, "-c", probe, "run", str(inbox), "--out", str(tmp_path / "sortie"),
                           "--date", "2026-11-23", "-q"], capture_output=True, text=True, timeout=120)
    marks = [line for line in proc.stdout.splitlines() if line.startswith("CHARGES:")]
    assert marks and marks[-1] == "CHARGES:pandas", proc.stdout + proc.stderr


def test_xml_escaping_is_the_standard_librarys():
    import itertools
    from xml.sax.saxutils import escape, quoteattr

    from syndic_batch.text import xml_escape, xml_quoteattr

    pieces = ["a", "&", "<", ">", '"', "'", "\n", "\r", "\t", "é", "&amp;", "]]>"]
    for n in range(4):
        for combo in itertools.product(pieces, repeat=n):
            s = "".join(combo)
            assert xml_escape(s) == escape(s)
            assert xml_quoteattr(s) == quoteattr(s)
    assert xml_quoteattr("l'« Ordre » \"du\" jour") == '"l\'« Ordre » &quot;du&quot; jour"'


def test_folded_keeps_index_and_name_and_empties_missing_cells():
    import numpy as np
    import pandas as pd

    from syndic_batch.text import fold, folded

    values = ["Réunion CRQ-03", None, np.nan, pd.NaT, "  réunion crq 03 ", "—", 1234.0, "Congrès FTQ"]
    s = pd.Series(values, index=[10, 11, 12, 13, 14, 15, 16, 17], name="reunion", dtype=object)
    out = folded(s)
    assert out.name == "reunion" and list(out.index) == list(s.index) and out.dtype == object
    assert list(out) == ["reunion crq 03", "", "", "", "reunion crq 03", "", "1234", "congres ftq"]
    assert list(out) == [fold(v) if not pd.isna(v) else "" for v in values]
    strings = pd.Series(["Déplacement", None, "déplacement"], dtype="str")
    assert list(folded(strings)) == ["deplacement", "", "deplacement"]
    assert folded(pd.Series([], dtype=object)).empty


def test_formatting_caches_nothing_that_changes_a_text():
    from syndic_batch import formatting as fmt

    assert fmt.number(-0.0) == "-0" and fmt.number(0.0) == "0" and fmt.number(-0.0) == "-0"
    assert fmt.money(0.0) == "0,00\xa0$" and fmt.money(-0.0) == "-0,00\xa0$"
    assert fmt.money(1234.5) == fmt.money(1234.5) == "1\xa0234,50\xa0$"
    assert fmt.number(1234.5678, 2) == "1\xa0234,57" and fmt.number(1234.5678, 0) == "1\xa0235"
    assert fmt.hours(3.5) == "3,5 h" and fmt.date(__import__("datetime").date(2026, 5, 1)) == "1er mai 2026"


def test_the_command_frees_the_collector_after_its_imports():
    """cli.command pauses the cyclic collector during the imports; _imports_done freezes what
    they created and starts it again (never for main() alone: the tests' process)."""
    import gc

    from syndic_batch import cli

    assert not cli._collector_paused
    cli._imports_done()                      # main() alone: nothing happens
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    cli._collector_paused = True
    try:
        cli._imports_done()
        assert gc.isenabled() and gc.get_freeze_count() > 0 and not cli._collector_paused
    finally:
        gc.unfreeze()
        gc.enable()
        cli._collector_paused = False


def test_the_command_prints_everything_before_it_ends(tmp_path):
    """python -m syndic_batch ends with os._exit: stdout is flushed first, even into a pipe."""
    from pathlib import Path

    inbox = Path(__file__).resolve().parent.parent / "examples" / "inbox"
    proc = subprocess.run([sys.executable, "-m", "syndic_batch", "run", str(inbox), "--out", str(tmp_path / "s"),
                           "--date", "2026-11-23"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("syndic-batch — traitement au 23 novembre 2026")
    assert proc.stdout.rstrip().endswith("releves/ (un relevé par membre)")
    assert (tmp_path / "s" / "constats.json").is_file() and (tmp_path / "s" / "journal.sqlite").is_file()
