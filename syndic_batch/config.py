"""Parameters of the regulation, read from TOML (defaults: ``defaults.toml``).

Every threshold a rule uses comes from here, so another union can adapt the
tool with ``--config`` without touching code. A user file only needs the keys it
changes: it is merged over the defaults, section by section.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration file that cannot be used (message in French)."""


def _load_defaults() -> dict[str, Any]:
    text = resources.files("syndic_batch").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Params:
    max_heures_par_jour: float
    min_exclu_heures_ligne: float
    max_heures_ligne: float
    distance_min_km: float
    categorie_deplacement: str
    mois_max_reception: int
    max_personnes_reunion: int
    categories_reunions_regionales: tuple[str, ...]
    tolerance_taux: float
    categorie_congres: str
    organismes_congres: tuple[str, ...]
    categories_liberables: tuple[str, ...]
    categories_exceptionnelles: tuple[str, ...]
    decision_adoptee: str
    decision_refusee: str
    decision_en_depot: str
    lignes_en_tete: int
    plan_mois_debut_annee: int
    nom_syndicat: str = "STEP"
    majoration_pct: float = 0.0
    delai_rapprochement_jours: int = 60
    tolerance_rapprochement_heures: float = 0.01
    tolerance_rapprochement_montant: float = 0.01

    @property
    def facteur_majoration(self) -> float:
        """1 + majoration_pct / 100: what the employer bills per dollar of union-funds hours."""
        return 1.0 + self.majoration_pct / 100.0

    @property
    def decisions(self) -> tuple[str, str, str]:
        return (self.decision_adoptee, self.decision_refusee, self.decision_en_depot)

    @property
    def categories_connues(self) -> tuple[str, ...]:
        return self.categories_liberables + self.categories_exceptionnelles + (self.categorie_congres,)


def _merge(base: dict[str, Any], over: dict[str, Any], where: str) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key not in base:
            raise ConfigError(f"Clé inconnue « {where}{key} » dans le fichier de configuration.")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"« {where}{key} » doit être une section [{key}].")
            out[key] = _merge(base[key], value, f"{where}{key}.")
        else:
            if type(value) is not type(base[key]) and not (
                isinstance(base[key], float) and isinstance(value, int)
            ):
                raise ConfigError(
                    f"« {where}{key} » : valeur de type inattendu ({value!r})."
                )
            out[key] = value
    return out


def load_params(path: str | Path | None = None) -> Params:
    raw = _load_defaults()
    if path is not None:
        p = Path(path)
        try:
            user = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"Fichier de configuration introuvable : {p}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Fichier de configuration illisible ({p}) : {exc}") from None
        raw = _merge(raw, user, "")
    h, d, dl = raw["heures"], raw["deplacement"], raw["delais"]
    rr, t, c, cat, dec = (
        raw["reunions_regionales"], raw["taux"], raw["congres"], raw["categories"], raw["decisions"],
    )
    return Params(
        max_heures_par_jour=float(h["max_par_jour"]),
        min_exclu_heures_ligne=float(h["min_exclu_par_ligne"]),
        max_heures_ligne=float(h["max_par_ligne"]),
        distance_min_km=float(d["distance_min_km"]),
        categorie_deplacement=d["categorie"],
        mois_max_reception=int(dl["mois_max_reception"]),
        max_personnes_reunion=int(rr["max_personnes"]),
        categories_reunions_regionales=tuple(rr["categories"]),
        tolerance_taux=float(t["tolerance"]),
        categorie_congres=c["categorie"],
        organismes_congres=tuple(c["organismes"]),
        categories_liberables=tuple(cat["liberables"]),
        categories_exceptionnelles=tuple(cat["exceptionnelles"]),
        decision_adoptee=dec["adoptee"],
        decision_refusee=dec["refusee"],
        decision_en_depot=dec["en_depot"],
        lignes_en_tete=int(raw["lecture"]["lignes_en_tete"]),
        plan_mois_debut_annee=int(raw["plan"]["mois_debut_annee"]),
        nom_syndicat=str(raw["syndicat"]["nom"]),
        majoration_pct=_non_negative(raw["remboursement"]["majoration_pct"], "remboursement.majoration_pct"),
        delai_rapprochement_jours=int(_non_negative(raw["rapprochement"]["delai_jours"], "rapprochement.delai_jours")),
        tolerance_rapprochement_heures=_non_negative(raw["rapprochement"]["tolerance_heures"],
                                                     "rapprochement.tolerance_heures"),
        tolerance_rapprochement_montant=_non_negative(raw["rapprochement"]["tolerance_montant"],
                                                      "rapprochement.tolerance_montant"),
    )


def _non_negative(value, key: str) -> float:
    if value < 0 or value != value:
        raise ConfigError(f"« {key} » doit être positif ou nul (valeur lue : {value!r}).")
    return float(value)


DEFAULT_PARAMS = load_params()
