"""Member statements OUT/releves/<matricule>.html (write/releves.py)."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

from builders import D, context_for, form, inbox
from syndic_batch.account.reference import EN_DEPOT, NON_DECIDEE
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.context import Context
from syndic_batch.pipeline import check_stage, read_stage
from syndic_batch.write.releves import _counted, build_statement_views, safe_name, write_statements
from syndic_batch.write.reports import build_ce_view
from syndic_batch.write.reports.shared import bank_year, granted_rows

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
    # the rows the totals count are the CE report's (granted_rows), computed as a mask
    year = bank_year(ctx)
    assert set(ctx.forms.index[_counted(ctx, year)]) == set(granted_rows(ctx, year).index) != set()
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


# ---------------------------------------------------------------- reuse of unchanged statements (issue 8)


def _counting_renders(monkeypatch) -> list[str]:
    """Replace render_statement by a wrapper that records the matricule of each render."""
    import syndic_batch.write.releves as releves

    rendered: list[str] = []
    real = releves.render_statement

    def counted(view, *a, **kw):
        rendered.append(view["matricule"])
        return real(view, *a, **kw)

    monkeypatch.setattr(releves, "render_statement", counted)
    return rendered


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_each_statement_carries_the_digest_of_its_view(tmp_path):
    ctx, findings = _ctx(tmp_path)
    write_statements(ctx, findings, tmp_path / "out")
    digests = {}
    for path in (tmp_path / "out").iterdir():
        head = path.read_text(encoding="utf-8")[:400]
        found = re.search(r'<meta name="syndic-batch-empreinte" content="([0-9a-f]{64})">', head)
        assert found, path.name
        digests[path.name] = found[1]
    assert len(set(digests.values())) == 4          # one per member: their views differ


def test_an_unchanged_statement_is_copied_not_rendered(tmp_path, monkeypatch):
    ctx, findings = _ctx(tmp_path)
    first = tmp_path / "premier"
    write_statements(ctx, findings, first)
    rendered = _counting_renders(monkeypatch)
    second = tmp_path / "second"
    paths = write_statements(ctx, findings, second, previous=first)
    assert rendered == []
    assert len(paths) == 4 and _files(second) == _files(first)
    # without the previous folder, every statement is rendered again (same bytes)
    write_statements(ctx, findings, tmp_path / "troisieme")
    assert sorted(rendered) == sorted(["1001", "1002", "../../evil", "a/b"])
    assert _files(tmp_path / "troisieme") == _files(first)


def test_a_row_edited_renders_only_its_member_again(tmp_path, monkeypatch):
    ctx, findings = _ctx(tmp_path / "avant")
    first = tmp_path / "premier"
    write_statements(ctx, findings, first)
    edited = [dict(r) for r in ROWS]
    edited[5]["heures_demandees"] = 3.5                                   # 1002's only row: 2 h → 3,5 h
    ctx2 = context_for(tmp_path / "apres", edited, as_of=AS_OF, members=MEMBERS, bank=BANK)
    findings2 = check_stage(ctx2)
    rendered = _counting_renders(monkeypatch)
    second = tmp_path / "second"
    write_statements(ctx2, findings2, second, previous=first)
    assert rendered == ["1002"]
    before, after = _files(first), _files(second)
    assert {n for n in after if after[n] != before[n]} == {"1002.html"}
    old_text, new_text = _text(before["1002.html"].decode()), _text(after["1002.html"].decode())
    assert "3,5 h" in new_text and "3,5 h" not in old_text


def test_a_finding_added_on_a_members_row_renders_it_again(tmp_path, monkeypatch):
    from syndic_batch.model import AVERTISSEMENT, Finding

    ctx, findings = _ctx(tmp_path)
    first = tmp_path / "premier"
    write_statements(ctx, findings, first)
    forms = ctx.forms
    fid = forms.index[(forms["matricule"] == "1001") & (forms["_row"] == 3)][0]
    extra = Finding("3.1", "essai", AVERTISSEMENT, forms.at[fid, "_file"], forms.at[fid, "_sheet"], 3,
                    "Heures demandées", "Constat ajouté entre les deux traitements", form_id=fid)
    rendered = _counting_renders(monkeypatch)
    second = tmp_path / "second"
    write_statements(ctx, findings + [extra], second, previous=first)
    assert rendered == ["1001"]
    before, after = _files(first), _files(second)
    assert {n for n in after if after[n] != before[n]} == {"1001.html"}
    assert "Constat ajouté entre les deux traitements" in after["1001.html"].decode()
    assert "Constat ajouté" not in before["1001.html"].decode()


def test_a_new_tool_version_renders_every_statement_again(tmp_path, monkeypatch):
    import syndic_batch.write.releves as releves

    ctx, findings = _ctx(tmp_path)
    first = tmp_path / "premier"
    write_statements(ctx, findings, first)
    monkeypatch.setattr(releves, "__version__", "99.0")
    rendered = _counting_renders(monkeypatch)
    write_statements(ctx, findings, tmp_path / "second", previous=first)
    assert len(rendered) == 4


def test_a_previous_statement_that_cannot_be_trusted_is_rendered(tmp_path, monkeypatch):
    """Missing, a link, without a digest, unreadable or not a file: rendered again."""
    ctx, findings = _ctx(tmp_path)
    good = tmp_path / "bon"
    write_statements(ctx, findings, good)
    first = tmp_path / "premier"
    write_statements(ctx, findings, first)
    evil, ab = safe_name("../../evil"), safe_name("a/b")
    (first / "1001.html").unlink()                                         # missing
    (first / "1002.html").unlink()
    (first / "1002.html").symlink_to(good / "1002.html")                   # a link (to a valid statement)
    text = (first / evil).read_text(encoding="utf-8")                      # no digest (an older version)
    (first / evil).write_text(re.sub(r'<meta name="syndic-batch-empreinte"[^>]*>\n', "", text), encoding="utf-8")
    (first / ab).unlink()
    (first / ab).mkdir()                                                   # not a file
    rendered = _counting_renders(monkeypatch)
    second = tmp_path / "second"
    write_statements(ctx, findings, second, previous=first)
    assert sorted(rendered) == sorted(["1001", "1002", "../../evil", "a/b"])
    assert _files(second) == _files(good)
    # a previous folder that is a link is not read at all
    (tmp_path / "lien").symlink_to(good, target_is_directory=True)
    rendered.clear()
    write_statements(ctx, findings, tmp_path / "troisieme", previous=tmp_path / "lien")
    assert len(rendered) == 4


def test_a_second_run_into_the_same_folder_copies_the_statements(tmp_path, monkeypatch):
    """Through the pipeline: the second run's statements come from OUT's current ones."""
    from syndic_batch.pipeline import run

    root = inbox(tmp_path, ROWS, members=MEMBERS, bank=BANK)
    out = tmp_path / "sortie"
    run(root, out, AS_OF)
    first = _files(out / "releves")
    rendered = _counting_renders(monkeypatch)
    run(root, out, AS_OF)
    assert rendered == [] and _files(out / "releves") == first
    history = next((out / "historique").iterdir())
    assert _files(history / "releves") == first
    run(root, out, AS_OF + dt.timedelta(days=1))                             # a new date: every view changes
    assert len(rendered) == 4


# ---------------------------------------------------------------- how a statement is put together (issues 8 and 11)


def test_the_css_fills_the_style_block_and_matches_the_csp_whatever_the_names(tmp_path):
    """The CSS is put in as bytes where the template has its mark: a member whose name or
    row text is that mark gets it escaped, and the style block holds the whole CSS, the
    one whose hash the Content-Security-Policy allows."""
    import base64
    import hashlib

    from syndic_batch.write.releves import _CSS_MARK, _css

    members = [dict(MEMBERS[0], nom=f"{_CSS_MARK} Tremblay"), *MEMBERS[1:]]
    rows = [dict(r) for r in ROWS]
    rows[0]["description"] = f"avant {_CSS_MARK} après"
    ctx = context_for(tmp_path, rows, as_of=AS_OF, members=members, bank=BANK)
    out = tmp_path / "out"
    write_statements(ctx, check_stage(ctx), out)
    raw = (out / "1001.html").read_bytes()
    html = raw.decode("utf-8")
    css = _css()
    assert html.count("<style>") == 1 and html.count(_CSS_MARK) == 0
    assert re.search(r"<style>(.*)</style>", html, re.S)[1] == css
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    assert f"style-src 'sha256-{digest}'" in unescape(html)
    assert "&lt;syndic-batch-css/&gt; Tremblay (matricule 1001)" in html
    assert "avant &lt;syndic-batch-css/&gt; après" in html
    # the other statements hold the same CSS, byte for byte
    for path in out.iterdir():
        assert css.encode("utf-8") in path.read_bytes(), path.name


def test_statements_are_written_in_place_without_following_a_link(tmp_path):
    """Each statement is written straight to its name (the folder is the run's staging
    folder): writing again replaces the content, leaves no temporary file, and a link put
    in a statement's place is not followed (what it points to stays as it was)."""
    import pytest

    ctx, findings = _ctx(tmp_path)
    out = tmp_path / "out"
    write_statements(ctx, findings, out)
    first = _files(out)
    (out / "1002.html").write_text("ancien contenu, plus long que rien" * 1000, encoding="utf-8")
    write_statements(ctx, findings, out)
    assert _files(out) == first                              # truncated and rewritten, nothing else left
    victim = tmp_path / "ailleurs.html"
    victim.write_text("à ne pas écraser", encoding="utf-8")
    (out / "1001.html").unlink()
    (out / "1001.html").symlink_to(victim)
    with pytest.raises(OSError):
        write_statements(ctx, findings, out)
    assert victim.read_text(encoding="utf-8") == "à ne pas écraser"


def test_views_read_by_attribute_or_by_key(tmp_path):
    """The views are named tuples that read like the former dicts (tests, callers) and
    attribute by attribute (the template)."""
    ctx, findings = _ctx(tmp_path)
    v = build_statement_views(ctx, findings)["1001"]
    assert v.nom == v["nom"] == "Amélie Tremblay" and v.nombre == v["nombre"] == len(v.lignes) == 5
    line = v.lignes[2]
    assert line.decision == line["decision"] == "Refusée le 10 mars 2026" and line[0] == "4 mars 2026"
    remark = line.constats[0]
    assert remark.severite == remark["severite"] and remark.message == remark["message"] != ""
    assert v.constats == sum(len(i.constats) for i in v.lignes) > 0
    assert v.en_attente == 1 == sum(1 for i in v.lignes if i.etat in (NON_DECIDEE, EN_DEPOT))
