"""Member statements OUT/releves/<matricule>.html (write/releves.py)."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

from builders import D, context_for, form
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.context import Context
from syndic_batch.pipeline import check_stage, read_stage
from syndic_batch.write.releves import build_statement_views, safe_name, write_statements
from syndic_batch.write.reports import build_ce_view

REPO = Path(__file__).resolve().parent.parent
AS_OF = D(2026, 4, 30)
MEMBERS = [
    {"matricule": "1001", "nom": "Amélie Tremblay", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0},
    {"matricule": "1002", "nom": "<script>alert(1)</script> Benoît", "debut_contrat": D(2021, 1, 1), "fin_contrat": None,
     "taux_horaire": 25.0},
    {"matricule": "../../evil", "nom": "Chemin Relatif", "debut_contrat": D(2021, 1, 1), "fin_contrat": None,
     "taux_horaire": 20.0},
    {"matricule": "a/b", "nom": "Barre Oblique", "debut_contrat": D(2021, 1, 1), "fin_contrat": None, "taux_horaire": 20.0},
]
BANK = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 6.0, "budget_fonds": 5000.0}]
ROWS = [
    form(matricule="1001", date_activite=D(2026, 3, 2), heures_demandees=4.0, date_depot=D(2026, 3, 13)),    # 2: bank
    form(matricule="1001", date_activite=D(2026, 3, 3), heures_demandees=3.0, heures_accordees=2.5),          # 3: split
    form(matricule="1001", date_activite=D(2026, 3, 4), heures_demandees=7.0, decision_ce="Refusée",
         categorie="Colloque"),                                                                                # 4
    form(matricule="1001", date_activite=D(2026, 4, 20), heures_demandees=2.0, decision_ce=None, date_decision=None,
         date_reception=D(2026, 4, 21)),                                                                       # 5
    form(matricule="1001", date_activite=D(2026, 4, 21), heures_demandees=1.0, date_reception=D(2026, 4, 22),
         date_decision=D(2026, 5, 5)),                                                                         # 6: later
    form(matricule="1002", date_activite=D(2026, 3, 5), heures_demandees=2.0,
         description="<img src=x onerror=alert(1)>"),                                                          # 7
    form(matricule="../../evil", date_activite=D(2026, 3, 6), heures_demandees=1.0),                           # 8
    form(matricule="a/b", date_activite=D(2026, 3, 6), heures_demandees=1.0),                                  # 9
    form(matricule="1001", date_activite=D(2025, 12, 1), heures_demandees=3.0, date_reception=D(2026, 1, 5)),  # 10: other year
]


def _ctx(tmp_path):
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, members=MEMBERS, bank=BANK)
    return ctx, check_stage(ctx)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace("\xa0", " ").replace("\u202f", " ")


def test_safe_file_names_stay_in_the_folder():
    assert safe_name("40123") == "40123.html"
    evil = safe_name("../../evil")
    assert "/" not in evil and ".." not in evil and evil.endswith(".html") and evil.startswith("______evil-")
    assert safe_name("a/b") != safe_name("a_b") == "a_b.html"
    assert "/" not in safe_name("/") and safe_name("-rf").startswith("_rf-")


def test_one_statement_per_member_inside_the_folder(tmp_path):
    ctx, findings = _ctx(tmp_path)
    out = tmp_path / "out" / "releves"
    paths = write_statements(ctx, findings, out)
    assert sorted(p.name for p in paths) == sorted(
        ["1001.html", "1002.html", safe_name("../../evil"), safe_name("a/b")])
    assert all(p.parent == out for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert not (tmp_path / "evil.html").exists() and not (tmp_path / "out" / "evil.html").exists()


def test_statement_rows_decisions_charges_and_findings(tmp_path):
    ctx, findings = _ctx(tmp_path)
    v = build_statement_views(ctx, findings)["1001"]
    assert v["nom"] == "Amélie Tremblay" and v["annee"] == "du 1er janvier 2026 au 31 décembre 2026"
    assert [(i["date"], i["decision"]) for i in v["lignes"]] == [
        ("2 mars 2026", "Adoptée le 10 mars 2026"), ("3 mars 2026", "Adoptée le 10 mars 2026"),
        ("4 mars 2026", "Refusée le 10 mars 2026"), ("20 avril 2026", "Pas encore décidée"),
        ("21 avril 2026", "Adoptée le 5 mai 2026")]
    first, split, refused, pending, later = v["lignes"]
    assert (first["accordees"], first["banque"], first["fonds"], first["depot"]) == ("4 h", "4 h", "—", "13 mars 2026")
    # 2,5 h granted: 2 h left in the 6-hour bank, 0,5 h to the funds
    assert (split["demandees"], split["accordees"], split["banque"], split["fonds"]) == ("3 h", "2,5 h", "2 h", "0,5 h")
    assert refused["accordees"] == "—" and any("Colloque" in c["message"] for c in refused["constats"])
    assert any(c["severite"] == "erreur" and c["article"] == "art. 4.1" for c in refused["constats"])
    assert pending["accordees"] == "—"
    assert later["note"] == "décision datée après le 30 avril 2026 : pas encore comptée"
    assert v["total_accordees_valeur"] == 6.5                 # 4 + 2,5; not the later decision
    assert (v["total_banque"], v["total_fonds"]) == ("6 h", "0,5 h")
    assert v["taux"].replace("\xa0", " ") == "30,00 $" and v["en_attente"] == 1
    # the row of the previous bank year is not on this year's statement
    assert "1er décembre 2025" not in [i["date"] for i in v["lignes"]]


def test_statement_hours_match_the_ce_report(tmp_path):
    ctx, findings = _ctx(tmp_path)
    views = build_statement_views(ctx, findings)
    ce = {m["matricule"]: m["heures_valeur"] for m in build_ce_view(ctx, findings)["membres"]["lignes"]}
    assert {k: v["total_accordees_valeur"] for k, v in views.items()} == ce


def test_statement_html_is_escaped_self_contained_with_a_csp(tmp_path):
    ctx, findings = _ctx(tmp_path)
    out = tmp_path / "out"
    write_statements(ctx, findings, out)
    html = (out / "1002.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Benoît" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'sha256-',
                     unescape(html))
    assert "http://" not in html and "https://" not in html and "<link" not in html
    text = _text(html)
    assert "Relevé de libérations syndicales" in text and "matricule 1002" in text and "25,00 $" in text


def test_examples_every_member_statement_matches_the_ce_report(tmp_path):
    inbox = REPO / "examples" / "inbox"
    ctx = Context(read_stage(inbox, DEFAULT_PARAMS), DEFAULT_PARAMS, dt.date(2026, 11, 23))
    findings = check_stage(ctx)
    views = build_statement_views(ctx, findings)
    ce = {m["matricule"]: m["heures_valeur"] for m in build_ce_view(ctx, findings)["membres"]["lignes"]}
    assert len(ce) == 14
    for matricule, hours in ce.items():
        assert views[matricule]["total_accordees_valeur"] == hours, matricule
    # members with rows but nothing granted this year have a statement with 0 h
    assert {k for k, v in views.items() if k not in ce} == {k for k, v in views.items()
                                                            if v["total_accordees_valeur"] == 0}
    paths = write_statements(ctx, findings, tmp_path / "releves")
    assert len(paths) == len(views) >= 15
    html = (tmp_path / "releves" / "40581.html").read_text(encoding="utf-8")
    assert "Audrey Ouellet" in html and "34,85" in html


def test_example_statements_print_on_at_most_two_letter_pages(tmp_path):
    """Chromium prints the longest example statements (and the one with findings) on one or two pages."""
    import subprocess

    from test_reports_browser import chromium, render

    browser = chromium()
    inbox = REPO / "examples" / "inbox"
    ctx = Context(read_stage(inbox, DEFAULT_PARAMS), DEFAULT_PARAMS, dt.date(2026, 11, 23))
    findings = check_stage(ctx)
    write_statements(ctx, findings, tmp_path / "releves")
    views = build_statement_views(ctx, findings)
    longest = max(views, key=lambda m: (views[m]["nombre"], views[m]["constats"]))
    most_findings = max(views, key=lambda m: views[m]["constats"])
    for matricule in {longest, most_findings}:
        pdf = tmp_path / f"{matricule}.pdf"
        done = render(browser, tmp_path / "releves" / safe_name(matricule), f"--print-to-pdf={pdf}",
                      "--no-pdf-header-footer")
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Content Security Policy" not in done.stderr, done.stderr[-2000:]
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
        assert 1 <= pages <= 2, (matricule, pages)
        assert "612 x 792" in info                      # letter, portrait
