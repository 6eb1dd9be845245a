"""Reconciliation with the employer's statement (account/reconciliation.py, rules/rapprochement.py)."""
from __future__ import annotations

from dataclasses import replace

from builders import D, context_for, form
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.rules.rapprochement import (ECART_RULE, NON_AUTORISE_RULE, NON_FACTURE_RULE,
                                              regle_rapprochement_ecart, regle_rapprochement_non_autorise,
                                              regle_rapprochement_non_facture)
from syndic_batch.rules.registry import run_rules

AS_OF = D(2026, 6, 30)
# 1001 at 30 $/h, 1002 at 25 $/h (builders.DEFAULT_MEMBERS)
ROWS = [
    form(matricule="1001", date_activite=D(2026, 3, 2), heures_demandees=3.5, date_depot=D(2026, 3, 12)),  # row 2
    form(matricule="1002", date_activite=D(2026, 3, 3), heures_demandees=2.0, date_depot=D(2026, 3, 12)),  # row 3
    form(matricule="1001", date_activite=D(2026, 3, 4), heures_demandees=7.0, decision_ce="Refusée"),      # row 4
    form(matricule="1002", date_activite=D(2026, 4, 20), heures_demandees=4.0, date_decision=D(2026, 4, 21),
         date_depot=D(2026, 5, 20)),                                                                        # row 5
]


def line(mat, day, hours, amount, **kw):
    return {"matricule": mat, "date_activite": day, "heures": hours, "montant": amount, **kw}


CLEAN = [line("1001", D(2026, 3, 2), 3.5, 105.0), line("1002", D(2026, 3, 3), 2.0, 50.0)]


def _findings(ctx, rule=None):
    """The reconciliation findings, their messages with ordinary spaces (Babel writes no-break ones)."""
    found = run_rules(ctx, [regle_rapprochement_non_autorise, regle_rapprochement_ecart,
                            regle_rapprochement_non_facture])
    return [replace(f, message=f.message.replace("\xa0", " ").replace("\u202f", " "))
            for f in found if rule is None or f.rule == rule]


def test_clean_statement_draws_no_finding(tmp_path):
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=CLEAN)
    assert _findings(ctx) == []
    rec = ctx.reconciliation
    assert rec.has_statement
    assert list(rec.lines["statut"]) == ["concorde", "concorde"]
    assert list(rec.lines["form_id"]) == [0, 1]


def test_no_statement_sheet_means_no_reconciliation_finding(tmp_path):
    ctx = context_for(tmp_path, ROWS, as_of=D(2026, 12, 31))
    assert not ctx.reconciliation.has_statement
    assert _findings(ctx) == []


def test_unauthorised_line_is_an_error_on_the_statement_line(tmp_path):
    st = CLEAN + [line("1001", D(2026, 3, 4), 7.0, 210.0, numero_facture="F-17"),
                  line("1003", D(2026, 3, 9), 2.0, 80.0)]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st)
    found = _findings(ctx, NON_AUTORISE_RULE)
    assert [(f.file, f.sheet, f.row, f.column, f.severity, f.article) for f in found] == [
        ("releve.xlsx", "Relevé", 4, "Montant ($)", "erreur", None),
        ("releve.xlsx", "Relevé", 5, "Montant ($)", "erreur", None)]
    assert "7 h (210,00 $)" in found[0].message and "Amélie Tremblay (1001)" in found[0].message
    assert "4 mars 2026" in found[0].message and "sans l'autorisation du CE" in found[0].message
    assert "n'est pas adopté" in found[0].message and "« Refusée »" in found[0].message
    assert "Demandez à l'Employeur" in found[1].message
    assert _findings(ctx, ECART_RULE) == []


def test_the_same_release_billed_twice(tmp_path):
    st = CLEAN + [line("1001", D(2026, 3, 2), 3.5, 105.0)]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st)
    found = _findings(ctx)
    assert [(f.rule, f.row) for f in found] == [(NON_AUTORISE_RULE, 4)]
    assert "facturée deux fois" in found[0].message


def test_difference_in_hours_and_amount_with_both_figures(tmp_path):
    st = [line("1001", D(2026, 3, 2), 4.0, 105.0), line("1002", D(2026, 3, 3), 2.0, 55.5)]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st)
    found = _findings(ctx)
    assert [(f.rule, f.row, f.column, f.severity) for f in found] == [
        (ECART_RULE, 2, "Heures", "avertissement"), (ECART_RULE, 3, "Montant ($)", "avertissement")]
    assert "4 h" in found[0].message and "3,5 h" in found[0].message and "+0,5 h" in found[0].message
    assert "55,50 $" in found[1].message and "50,00 $" in found[1].message and "+5,50 $" in found[1].message
    assert "2 h × 25,00 $" in found[1].message


def test_differences_within_tolerance_are_silent_and_tolerances_are_parameters(tmp_path):
    st = [line("1001", D(2026, 3, 2), 3.5, 105.01), line("1002", D(2026, 3, 3), 2.0, 50.0)]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st)
    assert _findings(ctx) == []
    strict = replace(DEFAULT_PARAMS, tolerance_rapprochement_montant=0.0)
    ctx = context_for(tmp_path / "b", ROWS, as_of=AS_OF, statement=st, params=strict)
    found = _findings(ctx)
    assert [(f.rule, f.row) for f in found] == [(ECART_RULE, 2)] and "+0,01 $" in found[0].message


def test_a_line_matches_one_of_two_releases_of_the_same_day(tmp_path):
    rows = ROWS + [form(matricule="1001", date_activite=D(2026, 3, 2), categorie="Formation syndicale",
                        heures_demandees=2.0, date_depot=D(2026, 3, 12))]          # row 6, same day as row 2
    st = [line("1001", D(2026, 3, 2), 2.0, 60.0), line("1002", D(2026, 3, 3), 2.0, 50.0)]
    ctx = context_for(tmp_path, rows, as_of=AS_OF, statement=st)
    rec = ctx.reconciliation
    assert list(rec.lines["form_id"]) == [4, 1]          # the 2-hour release, not the first one of the day
    assert list(rec.lines["statut"]) == ["concorde", "concorde"]
    found = _findings(ctx)
    # the 3.5-hour release of that day is not billed: it is the only finding
    assert [(f.rule, f.file, f.row, f.column) for f in found] == [
        (NON_FACTURE_RULE, "formulaires-2026-03.xlsx", 2, "Date du dépôt à l'Employeur")]


def test_two_lines_two_releases_same_day_each_matched_once(tmp_path):
    rows = ROWS + [form(matricule="1001", date_activite=D(2026, 3, 2), heures_demandees=2.0,
                        date_depot=D(2026, 3, 12))]
    st = [line("1001", D(2026, 3, 2), 3.5, 105.0), line("1001", D(2026, 3, 2), 2.5, 60.0),
          line("1002", D(2026, 3, 3), 2.0, 50.0)]
    ctx = context_for(tmp_path, rows, as_of=AS_OF, statement=st)
    rec = ctx.reconciliation
    assert list(rec.lines["form_id"]) == [0, 4, 1]
    found = _findings(ctx)
    assert [(f.rule, f.row, f.column) for f in found] == [(ECART_RULE, 3, "Heures")]
    assert "2,5 h" in found[0].message and "2 h" in found[0].message and "+0,5 h" in found[0].message


def test_release_deposited_long_ago_and_never_billed_is_an_info(tmp_path):
    # row 3 (deposited 12 March) is not on the statement; row 5 (deposited 20 May) is recent
    st = [line("1001", D(2026, 3, 2), 3.5, 105.0)]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st)
    found = _findings(ctx)
    assert [(f.rule, f.row, f.column, f.severity) for f in found] == [
        (NON_FACTURE_RULE, 3, "Date du dépôt à l'Employeur", "info")]
    assert "12 mars 2026" in found[0].message and "110 jours" in found[0].message and "plus de 60" in found[0].message
    assert found[0].form_id == 1
    # 41 days after row 5's deposit, still within the delay; with a 30-day delay it is flagged too
    short = replace(DEFAULT_PARAMS, delai_rapprochement_jours=30)
    ctx = context_for(tmp_path / "b", ROWS, as_of=AS_OF, statement=st, params=short)
    assert [f.row for f in _findings(ctx, NON_FACTURE_RULE)] == [3, 5]


def test_an_empty_statement_sheet_still_reconciles(tmp_path):
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=[])
    assert ctx.reconciliation.has_statement
    assert [f.row for f in _findings(ctx, NON_FACTURE_RULE)] == [2, 3]


def test_expected_amount_includes_the_surcharge_on_the_funds_part(tmp_path):
    bank = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 4.0, "budget_fonds": 5000.0}]
    # charged in order: row 2 (3.5 h, bank), row 3 (2 h: 0.5 bank + 1.5 funds at 25 $), row 5 (4 h funds)
    params = replace(DEFAULT_PARAMS, majoration_pct=20.0)
    st = [line("1001", D(2026, 3, 2), 3.5, 105.0), line("1002", D(2026, 3, 3), 2.0, 57.5),
          line("1002", D(2026, 4, 20), 4.0, 100.0)]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st, params=params, bank=bank)
    led = ctx.ledger
    assert led.loc[1, "montant_fonds"] == 45.0 and led.loc[1, "majoration"] == 7.5
    assert led.loc[1, "montant_employeur"] == 57.5
    found = _findings(ctx)
    # 4 h × 25 $ = 100 $ + 20 % = 120 $ expected
    assert [(f.rule, f.row, f.column) for f in found] == [(ECART_RULE, 4, "Montant ($)")]
    assert "120,00 $" in found[0].message and "-20,00 $" in found[0].message
    assert "majoration de 20 %" in found[0].message


# ---------------------------------------------------------------- the CE report's section

def test_ce_report_section_without_a_statement_says_so(tmp_path):
    from syndic_batch.write.reports import build_ce_view, render_report

    ctx = context_for(tmp_path, ROWS, as_of=AS_OF)
    view = build_ce_view(ctx, [])
    rp = view["rapprochement"]
    assert rp["releve"] is False and "Aucun relevé de l'Employeur" in rp["note"]
    assert "aucune libération n'est signalée comme non facturée" in rp["note"]
    html = render_report("ce", view)
    assert "Rapprochement avec le relevé de l'Employeur" in html and "Aucun relevé de l&#39;Employeur" in html


def test_ce_report_section_billed_matched_differences_unauthorised(tmp_path):
    from syndic_batch.write.reports import build_ce_view, render_report

    st = [line("1001", D(2026, 3, 2), 4.0, 120.0), line("1002", D(2026, 3, 3), 2.0, 50.0),
          line("1003", D(2026, 3, 9), 2.0, 80.0, nom="<b>Inconnu</b>")]
    ctx = context_for(tmp_path, ROWS, as_of=AS_OF, statement=st)
    view = build_ce_view(ctx, [])
    rp = view["rapprochement"]
    nb = lambda s: s.replace("\xa0", " ").replace("\u202f", " ")  # noqa: E731
    assert rp["releve"] is True and rp["fichiers"] == "releve.xlsx"
    assert (rp["facture"]["lignes"], nb(rp["facture"]["montant"]), rp["facture"]["montant_valeur"]) == (3, "250,00 $", 250.0)
    assert (rp["concordantes"]["lignes"], nb(rp["concordantes"]["montant"])) == (1, "50,00 $")
    [e] = rp["ecarts"]
    assert (e["membre"], e["heures"], e["heures_attendues"], e["ecart_heures"]) == (
        "Amélie Tremblay (1001)", "4 h", "3,5 h", "+0,5 h")
    assert (nb(e["montant"]), nb(e["montant_attendu"]), nb(e["ecart_montant"])) == ("120,00 $", "105,00 $", "+15,00 $")
    [u] = rp["non_autorisees"]
    assert u["membre"] == "Chloé Roy (1003)" and nb(rp["non_autorisees_montant"]) == "80,00 $"
    assert rp["non_facturees"] == []
    html = render_report("ce", view)
    assert 'href="#t-rapprochement"' in html and "<b>Inconnu</b>" not in html
