"""The command line: French help and messages, exit codes, summary, progress bar."""
from __future__ import annotations

import io
import json

import pytest

from builders import form, inbox
from syndic_batch import cli


def run(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_is_in_french(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "Utilisation : syndic-batch run" in text
    assert "dossier où écrire les résultats" in text
    assert "Codes de sortie : 0 aucune erreur" in text
    assert "usage:" not in text and "show this help" not in text


def test_bad_arguments_exit_2_in_french(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "arguments obligatoires manquants" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "x", "--out", "y", "--date", "2026-13-45"])
    assert exc.value.code == 2
    assert "n'est pas une date" in capsys.readouterr().err


def test_missing_inbox_and_bad_config_exit_2(tmp_path, capsys):
    code, _, err = run(["run", str(tmp_path / "nulle-part"), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "n'existe pas" in err and "Traceback" not in err
    root = inbox(tmp_path, [form()])
    bad = tmp_path / "c.toml"
    bad.write_text("[heures]\nmax_par_jour = 'huit'\n", encoding="utf-8")
    code, _, err = run(["run", str(root), "--out", str(tmp_path / "o"), "--config", str(bad)], capsys)
    assert code == 2 and "type inattendu" in err


def test_clean_inbox_exits_0_and_prints_a_french_summary(tmp_path, capsys):
    root = inbox(tmp_path, [form(), form(matricule="1002", nom="Benoît Gagnon")])
    out = tmp_path / "sortie"
    code, text, _ = run(["run", str(root), "--out", str(out), "--date", "2026-03-31"], capsys)
    assert code == 0, json.loads((out / "constats.json").read_text(encoding="utf-8"))
    assert "traitement au 31 mars 2026" in text
    assert "Classeurs : 2 (2 lu(s))" in text
    assert "Lignes de formulaires : 2" in text
    assert "0 erreur(s)" in text


def test_an_erreur_exits_1(tmp_path, capsys):
    root = inbox(tmp_path, [form(heures_demandees=25)])
    code, text, _ = run(["run", str(root), "--out", str(tmp_path / "o"), "--date", "2026-03-31", "-q"], capsys)
    assert code == 1 and text == ""


def test_progress_bar_draws_and_finishes_the_line(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", buf)
    bar = cli.ProgressBar("Lecture  ", enabled=True)
    bar(0, 4, "formulaires/2026-09.xlsx")
    bar(2, 4, "formulaires/2026-10.xlsx")
    bar(4, 4, "")
    text = buf.getvalue()
    assert "0/4 formulaires/2026-09.xlsx" in text and "2/4" in text
    assert "█" * 30 in text and text.endswith("\n")
    buf.truncate(0)
    cli.ProgressBar("x", enabled=False)(1, 2, "a")
    assert buf.getvalue() == ""


def test_hostile_member_text_stays_text_everywhere(tmp_path, capsys):
    """A category typed as a formula with a zero-width space, a name that is a script tag:
    the batch runs, the annotated copy keeps text as text, the reports escape it."""
    from openpyxl import load_workbook

    root = inbox(tmp_path, [form(), form(categorie='=HYPERLINK("http://x")\u200b', nom="<script>alert(1)</script>",
                                     matricule="1002", description="+33 6 12 34 56 78")])
    out = tmp_path / "o"
    code, _, err = run(["run", str(root), "--out", str(out), "--date", "2026-03-31"], capsys)
    assert code == 1, err
    constats = json.loads((out / "constats.json").read_text(encoding="utf-8"))
    cat = [c for c in constats if c["rule"] == "categorie-inconnue"]
    assert len(cat) == 1 and '« =HYPERLINK("http://x") »' in cat[0]["message"]
    ws = load_workbook(out / "annotes" / "formulaires-2026-03.xlsx")["Formulaires"]
    assert ws["D3"].data_type == "s" and ws["D3"].value.startswith("=HYPERLINK")
    assert ws["E3"].data_type == "s" and ws["E3"].value == "+33 6 12 34 56 78"
    ce = (out / "rapports" / "ce.html").read_text(encoding="utf-8")
    assert "<script>" not in ce
    assert "=HYPERLINK(&#34;http://x&#34;)" in ce or "=HYPERLINK(&quot;http://x&quot;)" in ce
