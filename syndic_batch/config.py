"""Parameters of the regulation, read from TOML (defaults: ``defaults.toml``).

Every threshold a rule uses comes from here, so another union can adapt the
tool with ``--config`` without touching code. A user file only needs the keys it
changes: it is merged over the defaults, section by section.
"""
from __future__ import annotations

import difflib
import re
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
    # [lecture] limits checked before a workbook is parsed (read/package.py)
    taille_max_mo: int = 1024
    taux_compression_max: float = 200.0
    taux_a_partir_de_mo: float = 5.0
    parties_max: int = 10000
    cellules_max: int = 10_000_000

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


_TYPES_FR = {bool: "vrai ou faux (true, false)", int: "un nombre entier", float: "un nombre",
             str: "du texte entre guillemets", list: "une liste [\"…\", \"…\"]", dict: "une section"}

# tomllib's messages (Python 3.11–3.13), in French.
_TOML_FR = [
    (r"Expected newline or end of document after a statement",
     "fin de ligne attendue après la valeur (une valeur par ligne ; texte entre guillemets ?)"),
    (r"Invalid statement", "ligne incompréhensible (attendu : [section] ou clé = valeur)"),
    (r"Expected '=' after a key in a key/value pair", "« = » attendu après le nom de la clé"),
    (r"Expected ']' at the end of a table declaration", "« ] » attendu à la fin du nom de section"),
    (r"Expected ']]' at the end of an array declaration", "« ]] » attendu à la fin du nom de section"),
    (r"Invalid value", "valeur illisible (texte entre guillemets, nombre avec un point décimal, "
                       "true ou false, ou liste [ … ])"),
    (r"Invalid initial character for a key part", "nom de clé invalide (lettres, chiffres, _ et -)"),
    (r"Unclosed array", "liste non fermée : « ] » manquant"),
    (r"Unclosed inline table", "accolade non fermée : « } » manquant"),
    (r"Unterminated string", "guillemet fermant manquant"),
    (r"Unescaped '\\' in a string", "barre oblique inverse « \\ » à doubler dans le texte"),
    (r"Invalid date or datetime", "date invalide"),
    (r"Invalid hex value|Escaped character is not a Unicode scalar value", "caractère échappé invalide"),
    (r"Cannot declare (.+) twice", "la section « \\1 » est déclarée deux fois"),
    (r"Cannot overwrite a value", "une clé est donnée deux fois"),
    (r"Duplicate inline table key '(.+)'", "la clé « \\1 » est donnée deux fois"),
    (r"Cannot (?:mutate immutable namespace|redefine namespace) (.+)", "la section « \\1 » est redéfinie"),
    (r"Illegal character '\\n'", "guillemet fermant manquant avant la fin de la ligne"),
    (r"Illegal character '(.+)'", "caractère interdit \\1"),
    (r"Found invalid character '(.+)'", "caractère interdit \\1"),
    (r"Expected '(.+)'", "« \\1 » attendu"),
]
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _toml_error(exc: tomllib.TOMLDecodeError, text: str, path: Path) -> ConfigError:
    """The decoder's error in French, with the line (and the line's text)."""
    message = str(exc)
    line = getattr(exc, "lineno", None)      # Python 3.14+
    col = getattr(exc, "colno", None)
    at = _AT.search(message)
    if at:
        message = message[:at.start()]
        if line is None:
            if at.group(1):
                line, col = int(at.group(1)), int(at.group(2))
            else:
                line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    message = getattr(exc, "msg", None) or message
    fr = None
    for pattern, french in _TOML_FR:
        m = re.fullmatch(pattern, message)
        if m:
            fr = m.expand(french)
            break
    fr = fr or f"syntaxe TOML invalide ({message})"
    where = f", ligne {line}" + (f", colonne {col}" if col else "") if line else ""
    lines = text.splitlines()
    quoted = f" : « {lines[line - 1].strip()} »" if line and 0 < line <= len(lines) and lines[line - 1].strip() else ""
    return ConfigError(f"Fichier de configuration illisible ({path}{where}) : {fr}{quoted}.")


def _line_of(text: str, dotted: str) -> int | None:
    """The line where ``dotted`` (``section.key`` or ``section``) is written."""
    parts = dotted.split(".")
    section = None
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = re.match(r"^\[\s*([^\]]+?)\s*\]", line)
        if m:
            section = m.group(1).strip().strip('"')
            if len(parts) == 1 and section.split(".")[0] == parts[0]:
                return i
            if ".".join(parts[:-1]) and section == ".".join(parts[:-1]) and len(parts) > 1:
                continue
            continue
        m = re.match(r"^([A-Za-z0-9_.\-\"' ]+?)\s*=", line)
        if not m:
            continue
        key = m.group(1).strip().strip('"')
        full = f"{section}.{key}" if section else key
        if full == dotted or (len(parts) == 1 and full.split(".")[0] == dotted):
            return i
    return None


def _all_keys(base: dict[str, Any], where: str = "") -> list[str]:
    out = []
    for k, v in base.items():
        out.append(f"{where}{k}")
        if isinstance(v, dict):
            out += _all_keys(v, f"{where}{k}.")
    return out


def _suggest(key: str, base: dict[str, Any], where: str) -> str:
    """« Vouliez-vous dire … ? », from the keys of the same section, else from every key."""
    close = difflib.get_close_matches(key, list(base), n=1, cutoff=0.6)
    if close:
        return f" Vouliez-vous dire « {where}{close[0]} » ?"
    everywhere = _all_keys(_load_defaults())
    leaf = {k.split(".")[-1]: k for k in everywhere}
    close = difflib.get_close_matches(key, list(leaf), n=1, cutoff=0.75)
    if close:
        return f" Vouliez-vous dire « {leaf[close[0]]} » ?"
    known = ", ".join(f"« {where}{k} »" for k in base)
    return f" Clés connues{' de la section [' + where.rstrip('.') + ']' if where else ''} : {known}."


def _merge(base: dict[str, Any], over: dict[str, Any], where: str, text: str = "") -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        line = _line_of(text, f"{where}{key}") if text else None
        at = f" (ligne {line})" if line else ""
        if key not in base:
            raise ConfigError(f"Clé inconnue « {where}{key} » dans le fichier de configuration{at}."
                              + _suggest(key, base, where))
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"« {where}{key} » doit être une section [{key}]{at}.")
            out[key] = _merge(base[key], value, f"{where}{key}.", text)
        else:
            expected = type(base[key])
            ok = type(value) is expected or (expected is float and type(value) is int)
            if ok and expected is list:
                ok = all(isinstance(v, str) for v in value)
            if not ok:
                raise ConfigError(
                    f"« {where}{key} »{at} : valeur de type inattendu ({value!r}) ; "
                    f"attendu : {_TYPES_FR.get(expected, expected.__name__)}, comme la valeur par défaut "
                    f"{_toml_repr(base[key])}."
                )
            out[key] = value
    return out


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        inner = ", ".join(_toml_repr(v) for v in value[:2])
        return f"[{inner}{', …' if len(value) > 2 else ''}]"
    return repr(value)


def load_params(path: str | Path | None = None) -> Params:
    raw = _load_defaults()
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"Fichier de configuration introuvable : {p}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"Fichier de configuration illisible ({p}) : il n'est pas enregistré en UTF-8 ; "
                              "enregistrez-le en UTF-8 (« Enregistrer sous… », encodage UTF-8).") from None
        except OSError as exc:
            from .oserrors import describe
            raise ConfigError(f"Fichier de configuration illisible : {describe(exc, p)}") from None
        try:
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(exc, text, p) from None
        raw = _merge(raw, user, "", text)
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
        taille_max_mo=int(raw["lecture"]["taille_max_mo"]),
        taux_compression_max=float(raw["lecture"]["taux_compression_max"]),
        taux_a_partir_de_mo=float(raw["lecture"]["taux_a_partir_de_mo"]),
        parties_max=int(raw["lecture"]["parties_max"]),
        cellules_max=int(raw["lecture"]["cellules_max"]),
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


def params_hash(params: Params) -> str:
    """A stable digest of every parameter (same values → same digest, across runs
    and machines): part of the key of the read cache (``read.inbox``)."""
    import dataclasses
    import hashlib
    import json

    payload = json.dumps(dataclasses.asdict(params), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


DEFAULT_PARAMS = load_params()
