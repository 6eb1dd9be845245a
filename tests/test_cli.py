"""The command line: French help and messages, exit codes, summary, progress bar."""
from __future__ import annotations

import errno
import io
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from builders import D, form, inbox
from syndic_batch import cli, oserrors


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


def test_an_erreur_exits_1_and_quiet_still_prints_the_count(tmp_path, capsys):
    root = inbox(tmp_path, [form(heures_demandees=25)])
    code, text, err = run(["run", str(root), "--out", str(tmp_path / "o"), "--date", "2026-03-31", "-q"], capsys)
    assert code == 1 and err == ""
    assert text == (f"syndic-batch : 1 erreur(s), 0 avertissement(s), 0 info(s) — voir "
                    f"{tmp_path / 'o' / 'constats.xlsx'}\n")


def test_quiet_prints_nothing_without_erreur(tmp_path, capsys):
    root = inbox(tmp_path, [form()])
    code, text, err = run(["run", str(root), "--out", str(tmp_path / "o"), "--date", "2026-03-31", "-q"], capsys)
    assert code == 0 and text == "" and err == ""


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


# ---------------------------------------------------------------- the treasurer's mistakes (subprocess runs)

REPO = Path(__file__).resolve().parent.parent


def cli_proc(*args):
    return subprocess.run([sys.executable, "-m", "syndic_batch", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_empty_inbox_exits_2_with_a_french_message(tmp_path):
    (tmp_path / "vide").mkdir()
    proc = cli_proc("run", tmp_path / "vide", "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "rien à traiter" in proc.stderr and "elle est vide" in proc.stderr
    assert "aucune erreur" not in proc.stdout + proc.stderr and not (tmp_path / "o").exists()


def test_a_folder_without_workbook_exits_2(tmp_path):
    wrong = tmp_path / "documents"
    (wrong / "sous").mkdir(parents=True)
    (wrong / "lettre.pdf").write_bytes(b"%PDF-1.4")
    (wrong / "sous" / "notes.txt").write_text("x", encoding="utf-8")
    (wrong / "~$2026-09.xlsx").write_bytes(b"lock")      # a lock file is not a workbook
    proc = cli_proc("run", wrong, "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "contient 2 fichier(s), mais aucun classeur Excel" in proc.stderr, proc.stderr


def _with_unknown_extension(path: Path) -> Path:
    """Add to the first sheet an extension openpyxl does not know (as Excel 2010+ writes them)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</worksheet>", b'<extLst><ext uri="{DEADBEEF-1234-4321-ABCD-000000000000}" xmlns:x="urn:x">'
                         b"<x:y/></ext></extLst></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return path


def test_no_library_warning_reaches_stderr(tmp_path):
    root = inbox(tmp_path, [form(), form(heures_demandees=25, date_activite=D(2026, 3, 3))])
    book = _with_unknown_extension(root / "formulaires-2026-03.xlsx")
    with warnings.catch_warnings(record=True) as caught:   # the file does make openpyxl warn…
        warnings.simplefilter("always")
        load_workbook(book)
    assert any("extension is not supported" in str(w.message) for w in caught)
    proc = cli_proc("run", root, "--out", tmp_path / "o", "--date", "2026-03-31")
    assert proc.returncode == 1
    assert proc.stderr == ""                                 # …but the treasurer sees nothing of it
    assert "1 erreur(s)" in proc.stdout
    assert "releves/ (un relevé par membre)" in proc.stdout  # the summary names every output


def test_an_output_path_through_a_file_is_a_french_os_error_with_the_path(tmp_path):
    root = inbox(tmp_path, [form()])
    blocker = tmp_path / "sortie.txt"
    blocker.write_text("x", encoding="utf-8")
    proc = cli_proc("run", root, "--out", blocker / "rapports")
    assert proc.returncode == 2
    assert "n'est pas un dossier" in proc.stderr and str(blocker) in proc.stderr
    assert "Errno" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_path_too_long_is_a_french_os_error_with_the_path(tmp_path):
    root = inbox(tmp_path, [form()])
    proc = cli_proc("run", root, "--out", tmp_path / ("s" * 300))
    assert proc.returncode == 2
    assert "Chemin trop long" in proc.stderr and "s" * 300 in proc.stderr
    assert "File name too long" not in proc.stderr


def test_a_full_disk_is_said_in_french_with_the_path(tmp_path, capsys, monkeypatch):
    import syndic_batch.write.constats as constats

    def full(findings, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(constats, "write_constats", full)
    root = inbox(tmp_path, [form()])
    code, _out, err = run(["run", str(root), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert f"Plus d'espace libre sur le disque : « {tmp_path / 'o' / 'constats.json'} »" in err
    assert "No space" not in err


@pytest.mark.parametrize("exc, fragment", [
    (OSError(errno.EROFS, "Read-only file system", "/media/cle/sortie"), "lecture seule : « /media/cle/sortie »"),
    (PermissionError(errno.EACCES, "Permission denied", "C:/sortie/depot.xlsx"),
     "Permission refusée : « C:/sortie/depot.xlsx »"),
    (OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b"), "« /a » → « /b »"),
    (OSError(errno.ENOSPC, "No space left on device"), "Plus d'espace libre sur le disque : « /défaut »"),
    (OSError(12345, "Weird"), "Erreur du système"),
])
def test_os_errors_in_french(exc, fragment):
    text = oserrors.describe(exc, "/défaut")
    assert fragment in text
    assert exc.strerror not in text


def test_os_error_wrapped_by_xlsxwriter_is_found():
    from xlsxwriter.exceptions import FileCreateError

    inner = OSError(errno.ENOSPC, "No space left on device", "/x.xlsx")
    assert oserrors.unwrap(FileCreateError(inner)) is inner
    assert oserrors.unwrap(ValueError("x")) is None


def test_a_toml_typo_is_answered_in_french_with_the_line_and_the_closest_key(tmp_path):
    root = inbox(tmp_path, [form()])
    cfg = tmp_path / "syndicat.toml"
    cfg.write_text("# paramètres\n[heures]\nmax_par_jour = 7.5\nmax_par_jou = 8\n", encoding="utf-8")
    proc = cli_proc("run", root, "--out", tmp_path / "o", "--config", cfg)
    assert proc.returncode == 2
    assert "Clé inconnue « heures.max_par_jou »" in proc.stderr and "(ligne 4)" in proc.stderr
    assert "Vouliez-vous dire « heures.max_par_jour » ?" in proc.stderr
    cfg.write_text("[heures]\nmax_par_jour = 7,5\n", encoding="utf-8")
    proc = cli_proc("run", root, "--out", tmp_path / "o", "--config", cfg)
    assert proc.returncode == 2 and "ligne 2" in proc.stderr and "Expected" not in proc.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX file-size limit")
def test_a_write_that_the_system_refuses_is_one_french_line_naming_the_file(tmp_path):
    """A real OS error in a real run: the process may not write files above 20 kB (as a full disk
    would refuse them). stderr holds one French line naming the file, no library traceback."""
    import resource
    import signal

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # the write fails instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    out = tmp_path / "sortie"
    proc = subprocess.run([sys.executable, "-m", "syndic_batch", "run", str(REPO / "examples" / "inbox"),
                           "--out", str(out), "--date", "2026-11-23"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, preexec_fn=limit)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("syndic-batch : Fichier trop gros pour ce disque : « " + str(out))
    assert "Errno" not in proc.stderr and "Traceback" not in proc.stderr
    assert not [p for p in out.rglob(".syndic-batch-tmp-*")]     # no half-written file left
