"""The HTML reports (ce.html, cs.html, ag.html): figures, agenda, privacy, safety.

Every test goes through real workbooks (tests/builders.py), the real reader,
rules and ledger. Expected figures are computed here from the rows themselves.
"""
from __future__ import annotations

import base64
import hashlib
import re

import pytest

from builders import DEFAULT_MEMBERS, D, context_for, form
from syndic_batch import formatting as fmt
from syndic_batch.rules.registry import run_rules
from syndic_batch.write import reports
from syndic_batch.write.reports import ce as ce_report
from syndic_batch.write.charts import WIDTH, VALUE_ROOM, Bar, axis_steps, bar_chart, line_chart
from syndic_batch.write.reports import (build_ag_view, build_ce_view, build_cs_view, render_report,
                                        write_reports)

XSS = "<script>alert(1)</script>"
MEMBERS = [dict(m) for m in DEFAULT_MEMBERS]
MEMBERS[1]["nom"] = XSS                      # the register's name of 1002
RATES = {m["matricule"]: m["taux_horaire"] for m in MEMBERS}
BANK = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 20.0, "budget_fonds": 500.0}]
AS_OF = D(2026, 4, 10)                       # next CE 14 April, previous CE 10 March

# name -> row; the comment says what each row is there for
ROWS = {
    "A": form(matricule="1001", date_activite=D(2026, 1, 15), categorie="Réunion du Conseil exécutif",
              heures_demandees=6, date_reception=D(2026, 1, 20), date_decision=D(2026, 2, 10)),
    "B": form(matricule="1002", nom="Benoît (formulaire)", date_activite=D(2026, 2, 3),
              categorie="Formation syndicale", heures_demandees=8, date_reception=D(2026, 2, 5),
              date_decision=D(2026, 2, 10)),
    # adopted with fewer hours than asked; crosses the bank (6 h bank, 3 h funds)
    "C": form(matricule="1003", date_activite=D(2026, 3, 2), categorie="Représentation",
              heures_demandees=10, heures_accordees=9, date_reception=D(2026, 3, 4),
              date_decision=D(2026, 3, 10)),
    # written with another spelling of its category: counted under the canonical one
    "D": form(matricule="1001", date_activite=D(2026, 3, 5), categorie="comite (preparation ou rencontre)",
              heures_demandees=2, date_reception=D(2026, 3, 6), date_decision=D(2026, 3, 10)),
    # undecided, received before the next CE, avertissement 4.2: agenda and CE decision
    "E": form(matricule="1004", date_activite=D(2026, 3, 25), categorie="Assemblée générale",
              heures_demandees=4, date_reception=D(2026, 3, 28), decision_ce=None, date_decision=None),
    # undecided but received after the next CE: not on its agenda
    "F": form(matricule="1005", date_activite=D(2026, 4, 2), categorie="Réunion du Conseil syndical",
              heures_demandees=3, date_reception=D(2026, 4, 15), decision_ce=None, date_decision=None),
    # refused: counts nowhere
    "G": form(matricule="1003", date_activite=D(2026, 3, 12), categorie="Formation syndicale",
              heures_demandees=5, date_reception=D(2026, 3, 13), decision_ce="Refusée",
              date_decision=D(2026, 3, 10)),
    # adopted after the report's date: not yet in the figures
    "H": form(matricule="1001", date_activite=D(2026, 4, 1), categorie="Réunion du Conseil exécutif",
              heures_demandees=4, date_reception=D(2026, 4, 2), date_decision=D(2026, 4, 14)),
    # Déplacement under 300 km, put en dépôt: an erreur of art. 4.1, on the agenda
    "I": form(matricule="1005", date_activite=D(2026, 3, 30), categorie="Déplacement", distance_km=120,
              heures_demandees=2, date_reception=D(2026, 4, 1), decision_ce="En dépôt",
              date_decision=D(2026, 4, 1)),
}
NAMES = list(ROWS)


def excel_row(name: str) -> int:
    return NAMES.index(name) + 2            # header on row 1


@pytest.fixture
def ctx(tmp_path):
    return context_for(tmp_path, ROWS.values(), as_of=AS_OF, members=MEMBERS, bank=BANK)


@pytest.fixture
def findings(ctx):
    return list(ctx.data.findings) + run_rules(ctx)


# ---------------------------------------------------------------- independent computation


def granted(r) -> float:
    return float(r.get("heures_accordees") or r["heures_demandees"])


def counted(as_of=AS_OF) -> list[dict]:
    """Adopted rows of the 2026 bank year decided by ``as_of``, in the order they are charged."""
    rows = [r for r in ROWS.values() if r.get("decision_ce") == "Adoptée" and r["date_decision"] <= as_of]
    return sorted(rows, key=lambda r: (r["date_decision"], r["date_activite"]))


def charges(rows, bank_hours=20.0):
    """(bank hours, funds hours, funds $) of each row, charged in order."""
    left, out = bank_hours, []
    for r in rows:
        h = granted(r)
        b = min(h, left)
        left -= b
        out.append((b, h - b, (h - b) * RATES[r["matricule"]]))
    return out


# ---------------------------------------------------------------- CE report


def test_ce_summary_equals_the_rows(ctx, findings):
    rows = counted()
    ch = charges(rows)
    view = build_ce_view(ctx, findings)
    s = view["sommaire"]
    assert s["heures_octroyees_valeur"] == pytest.approx(sum(granted(r) for r in rows)) == 25
    assert s["solde_heures_valeur"] == pytest.approx(20 - sum(b for b, _, _ in ch)) == 0
    assert s["heures_fonds_valeur"] == pytest.approx(sum(f for _, f, _ in ch)) == 5
    assert s["fonds_depenses_valeur"] == pytest.approx(sum(d for _, _, d in ch)) == 3 * 40 + 2 * 30
    assert s["fonds_restants"] == fmt.money(500 - 180)
    assert s["solde_heures"] == fmt.hours(0)
    assert s["annee"] == f"du {fmt.date(D(2026, 1, 1))} au {fmt.date(D(2026, 12, 31))}"
    assert view["rapport"]["date"] == fmt.date(AS_OF)
    assert fmt.date(D(2026, 1, 1)) in view["rapport"]["periode"]


def test_ce_hours_and_amounts_per_member_use_the_registers_name(ctx, findings):
    rows = counted()
    members = build_ce_view(ctx, findings)["membres"]
    by_id = {m["matricule"]: m for m in members["lignes"]}
    assert set(by_id) == {r["matricule"] for r in rows} == {"1001", "1002", "1003"}
    for mid, m in by_id.items():
        mine = [r for r in rows if r["matricule"] == mid]
        assert m["heures_valeur"] == pytest.approx(sum(granted(r) for r in mine))
        assert m["montant_valeur"] == pytest.approx(sum(granted(r) * RATES[mid] for r in mine))
        assert m["lignes"] == len(mine)
    assert by_id["1002"]["nom"] == XSS                  # the register's name, not the form's
    assert by_id["1001"]["heures"] == fmt.hours(8) and by_id["1001"]["montant"] == fmt.money(240)
    assert members["total"]["heures_valeur"] == pytest.approx(25)


def test_ce_agenda_lists_undecided_forms_received_before_the_next_meeting(ctx, findings):
    agenda = build_ce_view(ctx, findings)["ordre_du_jour"]
    assert agenda["reunion"] == fmt.date(D(2026, 4, 14))
    rows_on_it = [int(re.search(r"ligne (\d+)", f["source"])[1]) for f in agenda["formulaires"]]
    assert rows_on_it == [excel_row("E"), excel_row("I")]       # F came after the meeting
    e, i = agenda["formulaires"]
    assert (e["nom"], e["etat"], e["heures_demandees"]) == ("David Côté", "Non décidé", fmt.hours(4))
    assert e["valeur_demandee"] == fmt.money(4 * 28)
    assert any(c["article"] == "art. 4.2" and c["severite"] == "avertissement" for c in e["constats"])
    assert i["etat"] == "En dépôt"
    assert any(c["article"] == "art. 4.1" and c["severite"] == "erreur" for c in i["constats"])
    assert agenda["heures_demandees"] == fmt.hours(6)


def test_ce_decisions_are_the_pending_forms_with_a_4_2_4_4_or_4_5_warning(ctx, findings):
    decisions = build_ce_view(ctx, findings)["decisions"]
    assert [d["nom"] for d in decisions] == ["David Côté"]
    assert [m["article"] for m in decisions[0]["motifs"]] == ["art. 4.2"]


def test_ce_errors_grouped_by_article_point_to_their_cell(ctx, findings):
    groups = build_ce_view(ctx, findings)["erreurs"]
    g41 = next(g for g in groups if g["article"] == "4.1")
    assert g41["nombre"] == 1 and g41["nombre_texte"] == "1 erreur"
    assert g41["constats"][0]["source"] == (
        f"formulaires-2026-03.xlsx, feuille « Formulaires », ligne {excel_row('I')}, colonne « Distance (km) »")
    articles = [g["article"] for g in groups]
    assert articles == sorted(articles, key=ce_report._article_key)
    assert all(c["severite"] == "erreur" for g in groups for c in g["constats"])


def test_ce_errors_beyond_the_cap_are_counted_not_listed(ctx, findings, monkeypatch):
    monkeypatch.setattr(ce_report, "MAX_ERREURS_PAR_ARTICLE", 1)
    extra = [f for f in findings if f.article == "4.1"]
    extra = extra + [type(extra[0])(**{**extra[0].to_json(), "row": 99})]
    groups = ce_report.errors_view(extra)
    assert groups[0]["nombre"] == 2 and len(groups[0]["constats"]) == 1
    assert groups[0]["autres_texte"] == "1 autre erreur"


def test_ce_adoptions_since_the_previous_meeting(ctx, findings):
    adopted = build_ce_view(ctx, findings)["adoptions"]
    since = [r for r in counted() if r["date_decision"] >= D(2026, 3, 10)]
    assert adopted["depuis"] == fmt.date(D(2026, 3, 10))
    assert adopted["total_heures_valeur"] == pytest.approx(sum(granted(r) for r in since)) == 11
    assert adopted["total_montant_valeur"] == pytest.approx(
        sum(granted(r) * RATES[r["matricule"]] for r in since)) == 9 * 40 + 2 * 30
    assert [(a["nom"], a["taux"], a["imputation"]) for a in adopted["lignes"]] == [
        ("Chloé Roy", fmt.money(40), f"banque {fmt.hours(6)}, fonds syndicaux {fmt.hours(3)}"),
        ("Amélie Tremblay", fmt.money(30), "fonds syndicaux"),
    ]


def test_ce_without_a_next_meeting_says_so_and_lists_every_pending_form(ctx, findings):
    ctx.as_of = D(2026, 4, 20)                 # after the last CE of the calendar
    agenda = build_ce_view(ctx, findings)["ordre_du_jour"]
    assert agenda["reunion"] is None
    assert "aucune réunion du Conseil exécutif" in agenda["note"]
    assert len(agenda["formulaires"]) == 3     # E, F and I


# ---------------------------------------------------------------- CS and AG reports


def test_cs_hours_by_category_and_month(ctx, findings):
    rows = counted()
    view = build_cs_view(ctx, findings)
    cats = {c["categorie"]: c["heures_valeur"] for c in view["categories"]["lignes"]}
    assert cats == {"Représentation": 9, "Formation syndicale": 8, "Réunion du Conseil exécutif": 6,
                    "Comité (préparation ou rencontre)": 2}
    assert [c["heures_valeur"] for c in view["categories"]["lignes"]] == [9, 8, 6, 2]
    months = [(m["mois"], m["heures_valeur"]) for m in view["mois"]["lignes"]]
    expected = [(fmt.month(D(2026, k, 1)), sum(granted(r) for r in rows if r["date_activite"].month == k))
                for k in (1, 2, 3, 4)]
    assert months == expected == [(fmt.month(D(2026, 1, 1)), 6), (fmt.month(D(2026, 2, 1)), 8),
                                  (fmt.month(D(2026, 3, 1)), 11), (fmt.month(D(2026, 4, 1)), 0)]
    assert view["sommaire"]["solde_heures_valeur"] == 0


def test_ag_use_of_the_bank_month_by_month(ctx, findings):
    ctx.as_of = D(2026, 12, 31)                # end of the bank year: H counts now
    view = build_ag_view(ctx, findings)
    rows = counted(D(2026, 12, 31))
    ch = charges(rows)
    assert view["annee_terminee"] is True
    bank = view["banque"]["lignes"]
    assert len(bank) == 12
    by_month = {m["mois"]: m for m in bank}
    for k in range(1, 13):
        in_month = [(r, c) for r, c in zip(rows, ch) if r["date_decision"].month <= k]
        m = by_month[fmt.month(D(2026, k, 1))]
        assert m["cumul_valeur"] == pytest.approx(sum(granted(r) for r, _ in in_month))
        assert m["solde_valeur"] == pytest.approx(20 - sum(c[0] for _, c in in_month))
        assert m["fonds_depenses_valeur"] == pytest.approx(sum(c[2] for _, c in in_month))
    assert by_month[fmt.month(D(2026, 4, 1))]["fonds_depenses"] == fmt.money(120 + 60 + 4 * 30)
    assert view["sommaire"]["heures_octroyees_valeur"] == 29
    assert view["plan"] is None               # no plan in this inbox


def test_cs_and_ag_views_carry_no_rate_and_no_amount_per_member(ctx, findings):
    for view in (build_cs_view(ctx, findings), build_ag_view(ctx, findings)):
        for m in view["membres"]["lignes"]:
            assert set(m) == {"matricule", "nom", "heures", "heures_valeur", "lignes"}


# ---------------------------------------------------------------- the HTML files


@pytest.fixture
def html(ctx, findings, tmp_path):
    paths = write_reports(ctx, findings, tmp_path / "out" / "rapports")
    assert [p.name for p in paths] == ["ce.html", "cs.html", "ag.html"]
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


def test_no_rate_or_member_amount_in_the_cs_and_ag_files(html):
    per_member_amounts = [fmt.money(240), fmt.money(8 * 25), fmt.money(9 * 40)]
    rates = [fmt.money(RATES["1001"]), fmt.money(RATES["1003"])]  # shown in the CE's adoptions
    for needle in per_member_amounts + rates:
        assert needle in html["ce"]                        # the CE report may show them
        assert needle not in html["cs"] and needle not in html["ag"]
    for name in ("cs", "ag"):
        assert "taux" not in html[name].lower()
        assert fmt.money(180) in html[name]              # union funds spent: a total is fine


def test_a_member_named_script_is_shown_as_text(html):
    for text in html.values():
        assert "<script" not in text.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_self_contained_with_a_content_security_policy(html):
    for text in html.values():
        assert not re.search(r"https?:|//[a-z]", text, re.IGNORECASE)
        assert not re.search(r"\s(src|href)=\"(?!#)", text)           # only in-page links
        assert "<link" not in text and "<img" not in text
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)[1]
        csp = csp.replace("&#39;", "'")
        assert "default-src 'none'" in csp
        style = re.search(r"<style>(.*?)</style>", text, re.DOTALL)[1]
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in csp
        assert " style=" not in text                                   # the CSP would block it


def test_reports_say_their_date_period_and_files(html):
    for text in html.values():
        assert '<html lang="fr-CA">' in text
        assert fmt.date(AS_OF) in text
        assert "formulaires-2026-03.xlsx" in text and "registre.xlsx" in text
        assert re.search(r"<h1>[^<]+</h1>", text)


def test_charts_are_labelled_images_with_a_text_equivalent(html):
    assert html["cs"].count('role="img"') == 2 and html["ag"].count('role="img"') == 3
    for text in html.values():
        for labels in re.findall(r'<svg [^>]*aria-labelledby="([^"]+)"', text):
            for ident in labels.split():
                assert re.search(rf'<(title|desc) id="{ident}">', text)
    assert "équivalent texte du graphique" in html["cs"]


def test_ag_without_a_plan_says_so(html):
    assert "Aucun plan d'action dans la boîte de réception." in html["ag"]


def test_empty_inbox_gives_readable_reports(tmp_path):
    from syndic_batch.config import DEFAULT_PARAMS
    from syndic_batch.context import Context
    from syndic_batch.read.inbox import read_inbox

    (tmp_path / "inbox").mkdir()
    ctx = Context(read_inbox(tmp_path / "inbox", DEFAULT_PARAMS), DEFAULT_PARAMS, AS_OF)
    paths = write_reports(ctx, [], tmp_path / "rapports")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    for text in texts.values():
        assert "La boîte de réception ne contenait aucun classeur" in text
        assert "Aucune année de banque n'est ouverte" in text
    assert "Aucun formulaire en attente d'une décision" in texts["ce"]
    assert "Aucune erreur." in texts["ce"]


def test_a_year_with_no_release_says_so(tmp_path):
    rows = [form(decision_ce=None, date_decision=None)]
    ctx = context_for(tmp_path, rows, as_of=AS_OF, bank=BANK)
    view = build_cs_view(ctx, [])
    assert view["sommaire"]["solde_heures"] == fmt.hours(20)
    assert view["membres"]["lignes"] == [] and view["categories"]["graphique"] is None
    text = render_report("cs", view)
    assert "Aucune heure n'a été accordée depuis le renouvellement" in text
    assert "Aucune libération n'a été adoptée" in text


# ---------------------------------------------------------------- charts


def test_bar_chart_scales_to_the_largest_value_and_escapes_labels():
    svg = str(bar_chart("c", "Titre", "Desc", [Bar("<b>", 10, "10 h"), Bar("B", 5, "5 h")]))
    widths = [float(w) for w in re.findall(r'<rect class="barre"[^>]* width="([\d.]+)"', svg)]
    assert widths == [WIDTH - VALUE_ROOM, (WIDTH - VALUE_ROOM) / 2]
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert bar_chart("c", "T", "D", []) is None


def test_line_chart_draws_the_limit_and_one_point_per_month():
    svg = str(line_chart("l", "T", "D", ["janvier 2026", "février 2026", "mars 2026"], [0, 50, 120],
                         100, "Banque : 100 h", fmt.hours, "Cumul"))
    assert svg.count('<circle class="point"') == 3
    assert 'class="limite"' in svg and "Banque : 100 h" in svg
    ys = [float(y) for y in re.findall(r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[0] > ys[1] > ys[2]                      # higher values drawn higher


def test_axis_steps_are_round_numbers():
    assert axis_steps(247_000) == (50_000, 5)
    assert axis_steps(174.5) == (50, 4)
    assert axis_steps(8) == (2, 4)


# ---------------------------------------------------------------- printing, scopes, member text


def test_every_printed_page_has_a_footer_and_totals_are_printed_once(html):
    for name, label in (("ce", "Rapport au Conseil exécutif"), ("cs", "Rapport au Conseil syndical"),
                        ("ag", "Rapport annuel à l'Assemblée générale")):
        style = re.search(r"<style>(.*?)</style>", html[name], re.DOTALL)[1]
        assert f'@bottom-left {{ content: "{label} — {fmt.date(AS_OF)}";' in style
        assert '@bottom-right { content: "page " counter(page) " / " counter(pages);' in style
        body = html[name][html[name].index("<body>"):]
        assert "<tfoot" not in body                        # Chromium repeats a tfoot on every page
        assert "tfoot { display: table-row-group; }" in style


def test_every_total_says_what_it_covers(html):
    scope = f"du {fmt.date(D(2026, 1, 1))} au {fmt.date(AS_OF)} (année de banque en cours)"
    for name in ("ce", "cs", "ag"):
        totals = re.findall(r'<tbody class="total"><tr><th scope="row"[^>]*>([^<]+)</th>', html[name])
        assert totals and all(t.startswith(("Total", "Ensemble")) for t in totals)
        assert f"Total {scope}" in totals
    # the CE's adoptions are chosen by decision date: said, and their total is named so
    assert f"Total des décisions du {fmt.date(D(2026, 3, 10))} au {fmt.date(AS_OF)}" in html["ce"]
    assert "choisies par la date de la décision, quelle que soit l'année de banque" in html["ce"]
    # the AG's two monthly tables: activity date vs decision date, in one sentence
    assert "suit la date de la décision du Conseil exécutif" in html["ag"]
    assert "suit la date de l'activité" in html["ag"]


def test_the_ce_decision_sheet_lists_the_agenda_with_findings_in_a_word(ctx, findings):
    view = build_ce_view(ctx, findings)
    forms = view["ordre_du_jour"]["formulaires"]
    by_name = {f["nom"]: f for f in forms}
    assert [w["mot"] for w in by_name["David Côté"]["mots"]] == ["4.2"]          # row E: avertissement 4.2
    assert by_name["David Côté"]["mots"][0]["lettre"] == "A"
    assert [w["mot"] for w in by_name["Élise Bouchard"]["mots"]][0] == "4.1"      # row I: erreur 4.1
    text = render_report("ce", view)
    sheet = re.search(r'<table class="fiche"[^>]*>(.*?)</table>', text, re.DOTALL)[1]
    assert sheet.count('<td class="a-remplir"></td>') == 2 * len(forms)
    assert text.index("<table class=\"fiche\"") < text.index('id="t-odj-detail"')


def test_bidi_controls_are_removed_and_member_text_isolated(tmp_path):
    members = [dict(m) for m in DEFAULT_MEMBERS]
    members[0]["nom"] = "Amélie \u202eTremblay\u202c"
    long_text = "a" * 100
    rows = [form(), form(description=long_text, decision_ce=None, date_decision=None, date_reception=D(2026, 4, 1))]
    ctx = context_for(tmp_path, rows, as_of=AS_OF, members=members)
    for name, build in (("ce", build_ce_view), ("cs", build_cs_view), ("ag", build_ag_view)):
        text = render_report(name, build(ctx, []))
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", text)
        assert "<bdi>Amélie Tremblay</bdi>" in text
    ce = render_report("ce", build_ce_view(ctx, []))
    # a long run without spaces gets a zero-width break opportunity every 20 characters
    assert f"<bdi>{'a' * 20}\u200b{'a' * 20}\u200b" in ce and long_text not in ce


# ---------------------------------------------------------------- missing register, bank or calendar


def _inbox_without_reference(tmp_path, rows):
    from builders import write_forms
    root = tmp_path / "inbox"
    write_forms(root / "formulaires.xlsx", rows)
    return root


def test_a_missing_register_bank_and_calendar_give_one_finding_each_and_a_banner(tmp_path):
    from syndic_batch.config import DEFAULT_PARAMS
    from syndic_batch.context import Context
    from syndic_batch.read.inbox import read_inbox

    rows = [form(matricule=str(9000 + i)) for i in range(12)]
    ctx = Context(read_inbox(_inbox_without_reference(tmp_path, rows), DEFAULT_PARAMS), DEFAULT_PARAMS, AS_OF)
    found = list(ctx.data.findings) + run_rules(ctx)
    missing = [f for f in found if f.rule == "donnees-reference-absentes"]
    assert [(f.severity, f.file, f.row) for f in missing] == [("erreur", "", None)] * 3
    assert missing[0].message.startswith("Aucun registre des membres dans la boîte de réception : les taux horaires")
    assert missing[1].message.startswith("Aucune banque de libérations (feuille « Banque »)")
    assert "Ajoutez-la à la boîte de réception" in missing[1].message
    assert missing[2].message.startswith("Aucun calendrier des instances")
    # no flood: not one membre-inconnu or aucune-banque per row
    assert not [f for f in found if f.rule in ("membre-inconnu", "aucune-banque")]
    texts = {name: render_report(name, build(ctx, found))
             for name, build in (("ce", build_ce_view), ("cs", build_cs_view), ("ag", build_ag_view))}
    for name, text in texts.items():
        banner = re.search(r'<div class="bandeau" role="alert".*?</div>', text, re.DOTALL)[0]
        assert text.index(banner) < text.index("<header")                  # at the top
        assert "Registre des membres absent" in banner and "Banque de libérations absente" in banner
        assert "Calendrier des instances absent" in banner
    assert "taux horaires" in texts["ce"] and "taux" not in texts["cs"].lower() + texts["ag"].lower()


def test_an_empty_bank_sheet_is_missing_too_and_a_complete_inbox_has_no_banner(tmp_path, ctx, findings):
    assert not [f for f in findings if f.rule == "donnees-reference-absentes"]
    assert 'class="bandeau"' not in render_report("ce", build_ce_view(ctx, findings))
    other = context_for(tmp_path / "b", [form(matricule="9999")], as_of=AS_OF, bank=[])
    found = run_rules(other)
    [missing] = [f for f in found if f.rule == "donnees-reference-absentes"]
    assert missing.message.startswith("Aucune banque de libérations (feuille « Banque ») (la feuille reconnue est vide)")
    assert [f.rule for f in found if f.rule == "membre-inconnu"] == ["membre-inconnu"]   # the register is there
    assert "Banque de libérations absente" in render_report("cs", build_cs_view(other, found))
