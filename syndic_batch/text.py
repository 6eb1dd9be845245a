"""Text normalisation and the parsing of values people type into cells.

Used by the readers (typed columns), the rules (forgiving comparison of
categories, bodies and decisions) and the header matcher.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# What the reader puts in a raw cell it cannot give a value for (``CellIssue.kind``).
EXCEL_ERROR = "erreur"            # #DIV/0!, #N/A, #REF! … (a formula that failed)
FORMULA_WITHOUT_VALUE = "formule"  # a formula saved without its computed value

_ERROR_NAMES = {
    "#DIV/0!": "division par zéro", "#N/A": "valeur non disponible", "#REF!": "référence invalide",
    "#VALUE!": "valeur de mauvais type", "#NAME?": "nom inconnu", "#NUM!": "nombre invalide",
    "#NULL!": "plages sans intersection", "#SPILL!": "débordement", "#CALC!": "calcul impossible",
    "#GETTING_DATA": "données en attente",
}


@dataclass(frozen=True)
class CellIssue:
    """A cell that holds something but no value the checks can use: an Excel error
    (``#DIV/0!``) or a formula saved without its computed value. It is not empty
    (``fold`` is not ``""``) and reads as no text, date or number."""

    kind: str        # EXCEL_ERROR or FORMULA_WITHOUT_VALUE
    code: str = ""   # the error as Excel shows it, for EXCEL_ERROR

    def __str__(self) -> str:
        if self.kind == EXCEL_ERROR:
            name = _ERROR_NAMES.get(self.code.upper())
            return f"{self.code} ({name})" if name else self.code
        return "formule sans valeur enregistrée"

    def explain(self, label: str) -> str:
        """French sentence (no final period) for the cell of column ``label``."""
        if self.kind == EXCEL_ERROR:
            return (f"« {label} » contient l'erreur Excel {self}, pas une valeur : corrigez la formule "
                    "ou inscrivez la valeur")
        return (f"« {label} » : formule sans valeur enregistrée : ouvrez le classeur dans Excel ou "
                "LibreOffice et enregistrez-le")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")
# Control characters: invisible, and refused by the XML of an .xlsx when written back.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> str | None:
    """A cell's text as a person means it: NFC, no zero-width or control characters,
    non-breaking spaces as spaces, runs of blanks folded, trimmed. Empty → None.
    Numbers written as whole floats come back without ``.0`` (a matricule 1234.0
    is ``1234``). ``NA`` stays ``NA``: nothing here treats text as missing."""
    if value.__class__ is str:
        # the usual cell: printable ASCII, whose only blank is the space (no NFC, no
        # invisible or control character to remove); the same result as below
        if value.isascii() and value.isprintable() and "_x000D_" not in value:
            s = " ".join(value.split()) if "  " in value else value.strip()
            return s or None
    elif value is None or isinstance(value, CellIssue):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    s = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)
    s = _CONTROL.sub("", s.replace("_x000D_", ""))
    s = _SPACES.sub(" ", s).strip()
    return s or None


# fold of the texts met so far (headers, categories, statuses come back again and
# again in one run); emptied when it grows past _FOLDS_MAX entries.
_FOLDS: dict[str, str] = {}
_FOLDS_MAX = 50_000


def fold(value: Any) -> str:
    """Comparison key: case, accents, punctuation and spacing removed.
    ``"Réunion du CRQ-03"`` and ``"reunion du crq 03"`` fold alike. A ``CellIssue``
    folds to a non-empty key: the cell is not empty."""
    if value.__class__ is str:
        key = _FOLDS.get(value)
        if key is None:
            if len(_FOLDS) >= _FOLDS_MAX:
                _FOLDS.clear()
            key = _FOLDS[value] = fold_clean(clean_text(value) or "")
        return key
    if isinstance(value, CellIssue):
        return f"cellule {value.kind}"
    return fold_clean(clean_text(value) or "")


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


# The accents NFKD puts after a Latin letter (U+0300–U+036F), removed by one translate;
# any other combining character, by the slow path.
_ACCENTS = {c: None for c in range(0x300, 0x370) if unicodedata.combining(chr(c))}


def fold_clean(s: str) -> str:
    """``fold`` of a text already cleaned by ``clean_text``."""
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s).translate(_ACCENTS)
        if not s.isascii():
            s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = s.casefold().replace("œ", "oe").replace("æ", "ae")
    else:
        s = s.lower()
    return _NOT_ALNUM.sub(" ", s).strip()


def folded(series):
    """``fold`` of every value of a pandas Series, computed once per distinct
    value; ``""`` for empty cells (None, NaN, NaT). One factorisation and one
    take: a few pandas operations cost more than the folding on a small inbox."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series)  # empty cells get code -1: the last key, ""
    keys = np.array([fold(v) for v in uniques] + [""], dtype=object)
    return pd.Series(keys[codes], index=series.index, name=series.name, dtype=object)


def xml_escape(data: str) -> str:
    """``xml.sax.saxutils.escape``: ``&``, ``<`` and ``>`` as entities, for XML text.
    Here because importing ``xml.sax.saxutils`` imports ``urllib.request``, ``http``,
    ``ssl`` and ``email`` (~15 ms of a command's start-up)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_quoteattr(data: str) -> str:
    """``xml.sax.saxutils.quoteattr``: ``data`` escaped and quoted as an XML attribute's
    value (tab and line breaks as character references; ``'…'`` when it holds ``"``)."""
    data = xml_escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"{}"'.format(data.replace('"', "&quot;"))
        return f"'{data}'"
    return f'"{data}"'


_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_WORDS = re.compile(r"^(?:[a-z]+ )?(\d{1,2})(?: er)? ([a-z]+) (\d{4})$")


# Dates outside these years are typing errors (``02/03/0226``) or "no end" markers
# (``9999-12-31``); pandas cannot hold them either.
MIN_YEAR, MAX_YEAR = 1900, 2199


def is_no_end_marker(value: Any) -> bool:
    """``9999-12-31`` and the like: a far-future date written to mean "no end"."""
    d = _parse_date(value)
    return d is not None and d.year > MAX_YEAR


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell (see ``_parse_date``), between ``MIN_YEAR`` and ``MAX_YEAR``."""
    d = _parse_date(value)
    return d if d is not None and MIN_YEAR <= d.year <= MAX_YEAR else None


def _parse_date(value: Any) -> dt.date | None:
    """Any date from a cell: a real Excel date, or text ``2026-09-03``,
    ``03/09/2026`` (day first, Québec usage), ``3 septembre 2026``,
    ``1er mars 2026``, ``lundi 3 septembre 2026``. None when it cannot be read."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None  # a bare number is not a date a person typed
    s = clean_text(value)
    if not s:
        return None
    try:
        m = _ISO.match(s.lower())
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(s)
        if m:
            year = int(m[3])
            if year < 100:
                year += 2000
            return dt.date(year, int(m[2]), int(m[1]))
        folded = fold(s).replace("1er", "1 er")
        m = _WORDS.match(folded)
        if m and m[2] in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2]], int(m[1]))
    except ValueError:
        return None
    return None


_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_UNITS = re.compile(r"\s*(?:h|hres?|heures?|km|kilom[eè]tres?|\$|\$ ?ca|ca\$)\.?$", re.IGNORECASE)


def parse_number(value: Any) -> float | None:
    """A number from a cell: a real number, or text with a decimal comma
    (``3,5``), spaces as thousands separators (``1 234,50``), and a unit
    (``3,5 h``, ``320 km``, ``25,75 $``). ``7h30`` and a time cell 7:30 are 7.5.
    None when unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.time):  # 3:30 typed in a cell formatted as a time
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) and abs(f) < MAX_NUMBER else None
    if isinstance(value, (dt.date, dt.datetime)):
        return None
    s = clean_text(value)
    if not s:
        return None
    m = re.fullmatch(r"(\d{1,2})\s*h\s*(\d{2})", s, re.IGNORECASE)
    if m:
        return int(m[1]) + int(m[2]) / 60
    s = _UNITS.sub("", s).replace(" ", "")
    if s.count(",") == 1 and s.count(".") == 0:
        s = s.replace(",", ".")
    elif s.count(",") >= 1 and s.count(".") == 1 and s.rfind(".") > s.rfind(","):
        s = s.replace(",", "")  # 1,234.50
    if not _NUMBER.match(s):
        return None
    f = float(s)
    return f if abs(f) < MAX_NUMBER else None


# Hours, distances, rates and amounts all stay far below this; a number beyond it
# (1E+26 typed by mistake, or a date pasted into a number column) is unreadable.
MAX_NUMBER = 1e12


def shown(value: Any) -> str:
    """A raw cell value as a person would see it in Excel: ``VRAI``/``FAUX``,
    ``1E+26``, dates as ``2026-09-03``."""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if abs(value) >= MAX_NUMBER:
            return f"{value:.4G}"
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


def unreadable(value: Any, kind: str, label: str) -> str:
    """Why the non-empty cell ``value`` of column ``label`` gives no date (``kind``
    ``"date"``) or number (``"number"``): a French sentence, no final period."""
    if isinstance(value, CellIssue):
        return value.explain(label)
    what = "une date lisible (ex. 2026-09-03 ou 3 septembre 2026)" if kind == "date" \
        else "un nombre lisible (ex. 3,5)"
    if isinstance(value, bool):
        return (f"« {shown(value)} » dans « {label} » est une valeur logique (case à cocher), pas "
                f"{'une date' if kind == 'date' else 'un nombre'}")
    if kind == "date":
        d = _parse_date(value)
        if d is not None and not MIN_YEAR <= d.year <= MAX_YEAR:
            return f"« {shown(value)} » dans « {label} » : date hors de la plage {MIN_YEAR}–{MAX_YEAR}"
    elif isinstance(value, (int, float)):
        return (f"« {shown(value)} » dans « {label} » n'est pas un nombre plausible (hors de la plage "
                "lisible)")
    return f"« {shown(value)} » dans « {label} » n'est pas {what}"


@lru_cache(maxsize=1024)
def column_letters(col: int) -> str:
    """A spreadsheet column's letters from its number: 1 → ``A``, 28 → ``AB``, 16384 → ``XFD``."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out
