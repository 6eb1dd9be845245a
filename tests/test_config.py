"""config.py / defaults.toml: the regulation's values, and a --config file that changes them."""
from __future__ import annotations

import json

import pytest

from builders import D, form, inbox
from syndic_batch.config import DEFAULT_PARAMS, ConfigError, load_params
from syndic_batch.context import Context
from syndic_batch.pipeline import check_stage, read_stage, run


def test_defaults_are_the_regulations_values():
    p = load_params()
    assert p == DEFAULT_PARAMS
    assert p.max_heures_par_jour == 8.0                                  # 4.5
    assert (p.min_exclu_heures_ligne, p.max_heures_ligne) == (0.0, 24.0)  # 5.1
    assert p.distance_min_km == 300.0 and p.categorie_deplacement == "Déplacement"   # 4.1
    assert p.mois_max_reception == 3                                     # 5.5
    assert p.max_personnes_reunion == 3                                  # 4.1
    assert p.categories_reunions_regionales == ("Réunion du CRQCA", "Réunion du CRQ-03")
    assert p.tolerance_taux == 0.005                                     # 2 (domain.md)
    assert p.categorie_congres == "Congrès"
    assert p.organismes_congres == ("AFPC", "AFPC-Québec", "FTQ", "CQSU")  # 4.3
    assert p.categories_liberables == (
        "Fonctions du Conseil exécutif", "Mandat d'une instance", "Réunion du Conseil exécutif",
        "Réunion du Conseil syndical", "Réunion du Comité de vérification interne",
        "Réunion d'un comité de négociation", "Comité (préparation ou rencontre)", "Représentation",
        "Formation syndicale", "Déplacement", "Réunion du CRQCA", "Réunion du CRQ-03")
    assert p.categories_exceptionnelles == ("Assemblée générale", "Assemblée sectorielle",
                                            "Activité sociale ou militante")
    assert p.decisions == ("Adoptée", "Refusée", "En dépôt")              # 5.3


def _rate_findings(root, params):
    ctx = Context(read_stage(root, params), params, D(2026, 4, 30))
    return [f for f in check_stage(ctx) if f.rule == "taux-declare-different"]


def test_a_config_file_changes_a_rule_end_to_end(tmp_path):
    root = inbox(tmp_path, [form(taux_declare=30.5), form(taux_declare=32.0)])   # register: 30 $/h
    assert [f.row for f in _rate_findings(root, DEFAULT_PARAMS)] == [2, 3]
    cfg = tmp_path / "syndicat.toml"
    cfg.write_text("[taux]\ntolerance = 1\n", encoding="utf-8")   # an integer for a float key is accepted
    params = load_params(cfg)
    assert params.tolerance_taux == 1.0
    assert params.max_heures_par_jour == 8.0                       # the other keys keep their defaults
    assert [f.row for f in _rate_findings(root, params)] == [3]


def test_a_config_file_changes_constats_json(tmp_path):
    root = inbox(tmp_path, [form(heures_demandees=9.0)])   # 9 h on one day, no justification: art. 4.5
    cfg = tmp_path / "syndicat.toml"
    cfg.write_text("[heures]\nmax_par_jour = 10.0\n", encoding="utf-8")

    def rules_4_5(out, params):
        run(root, out, D(2026, 4, 30), params)
        return [c for c in json.loads((out / "constats.json").read_text(encoding="utf-8")) if c["article"] == "4.5"]

    assert [c["severity"] for c in rules_4_5(tmp_path / "out1", DEFAULT_PARAMS)] == ["erreur"]
    assert rules_4_5(tmp_path / "out2", load_params(cfg)) == []


@pytest.mark.parametrize("text, fragments", [
    ("[taux]\ntolerence = 0.01\n",
     ["Clé inconnue « taux.tolerence »", "(ligne 2)", "Vouliez-vous dire « taux.tolerance » ?"]),
    ("[deplacements]\ndistance_min_km = 250\n",
     ["Clé inconnue « deplacements »", "(ligne 1)", "Vouliez-vous dire « deplacement » ?"]),
    ("[heures]\ndistance_min_km = 250\n",       # the right key in the wrong section
     ["Clé inconnue « heures.distance_min_km »", "Vouliez-vous dire « deplacement.distance_min_km » ?"]),
    ("[banque]\nheures = 3\n", ["Clé inconnue « banque »", "Clés connues : « heures »"]),
    ("[taux]\ntolerance = \"beaucoup\"\n",
     ["« taux.tolerance » (ligne 2) : valeur de type inattendu", "attendu : un nombre"]),
    ("[heures]\nmax_par_jour = true\n", ["« heures.max_par_jour » (ligne 2)", "attendu : un nombre"]),
    ("[categories]\nliberables = [1, 2]\n", ["« categories.liberables »", "une liste"]),
    ("taux = 3\n", ["« taux » doit être une section [taux]", "(ligne 1)"]),
    ("[taux\n", ["Fichier de configuration illisible", "ligne 1, colonne 6", "« ] » attendu", "« [taux »"]),
    ("[heures]\n\nmax_par_jour = 7,5\n",
     ["ligne 3, colonne 17", "fin de ligne attendue", "« max_par_jour = 7,5 »"]),
    ("[heures]\nmax_par_jour = huit\n", ["ligne 2", "valeur illisible"]),
    ("[heures]\nmax_par_jour = \"8\n", ["ligne 2", "guillemet fermant manquant"]),
    ("[heures]\nmax_par_jour = 7.5\nmax_par_jour = 8.0\n", ["ligne 3", "une clé est donnée deux fois"]),
])
def test_bad_config_files_give_a_french_error(tmp_path, text, fragments):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_params(cfg)
    message = str(exc.value)
    for fragment in fragments:
        assert fragment in message, message
    for english in ("Expected", "Invalid", "line ", "column", "Cannot", "Illegal"):
        assert english not in message, message


def test_a_clean_config_file_with_comments_is_accepted(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("# STEP\n[heures]\nmax_par_jour = 7.5   # art. 4.5\n[decisions]\nadoptee = \"Adopté\"\n",
                   encoding="utf-8")
    p = load_params(cfg)
    assert (p.max_heures_par_jour, p.decision_adoptee) == (7.5, "Adopté")


def test_config_not_in_utf8(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes("[decisions]\nadoptee = \"Adoptée\"\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_params(cfg)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="Fichier de configuration introuvable"):
        load_params(tmp_path / "absent.toml")
