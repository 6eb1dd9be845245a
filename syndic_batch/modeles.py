"""The blank workbooks the union hands out, written with XlsxWriter: the release
form (``formulaire-liberations.xlsx``), the register (``registre-des-membres.xlsx``),
the bank and calendar (``banque-et-calendrier.xlsx``) and the employer's statement
(``releve-employeur.xlsx``), plus one form per member of a register
(``syndic-batch modeles``).

A member fills the form alone:

* the header of a required column ends with `` *`` (the reader folds the star away:
  ``read.fields`` recognises « Matricule * » as « Matricule ») and is red; a legend
  says so on the Instructions sheet and at the top of the printed page;
* the treasury's columns (reception, decision, hours granted, decision and deposit
  dates) are grey and locked: the sheet is protected **without a password**
  (« Révision > Ôter la protection » unlocks it), the member's columns are not locked;
* each column carries an input message (shown when the cell is selected) and the
  data rows carry their checks (category and decision lists, dates, hours in
  (0, 24], distance and amounts ≥ 0) on exactly the rows that carry their formats;
* the header row and the identity columns (Matricule, Nom) stay in view;
* the sheet prints on letter paper, landscape, one page wide, header repeated.

``examples/build_inbox.py`` writes the example workbooks with the same functions
(``rows``: the example rows, at the same Excel rows as before).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .config import DEFAULT_PARAMS, Params
from .formatting import hours as fhours
from .read.fields import (BANK_FIELDS, CALENDAR_FIELDS, DATE, FORM_FIELDS, MEMBER_FIELDS, NUMBER,
                          STATEMENT_FIELDS, Field)
from .write.xlsx_print import WORKBOOK_OPTIONS, print_setup, row_height

DATA_ROWS = 500            # rows of the blank template that carry formats and checks
MEMBER_FORM_ROWS = 100     # rows of a member's pre-filled form (``modeles``)
REQUIRED_MARK = " *"
TREASURY = ("date_reception", "decision_ce", "heures_accordees", "date_decision", "date_depot")
IDENTITY = ("matricule", "nom")
CREATED = dt.datetime(2026, 1, 1, 8, 0, 0)   # fixed document date: the same bytes every build
AUTHOR = "syndic-batch"

DATE_FORMAT = "yyyy-mm-dd"
HOURS_FORMAT = "0.0#"
MONEY_FORMAT = '#,##0.00 "$"'
KM_FORMAT = "0"

BLUE, RED, GREY_HEAD, GREY_CELL, IDENTITY_CELL = "#1F4E79", "#9C1C1C", "#595959", "#D9D9D9", "#DDEBF7"
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2199, 12, 31)

FORM_SHEET, INSTRUCTIONS_SHEET = "Formulaire", "Instructions"
LEGEND = "* = colonne obligatoire ; colonnes grises : réservées à la trésorerie"


# ---------------------------------------------------------------- columns

@dataclass(frozen=True)
class Column:
    field: Field | None        # None: an extra column (kept by the reader)
    label: str                 # the header as written
    width: float
    treasury: bool = False

    @property
    def key(self) -> str:
        return self.field.key if self.field else self.label


_WIDTHS = {
    "matricule": 11, "nom": 22, "date_activite": 11, "categorie": 28, "description": 30, "reunion": 20,
    "organisme": 14, "reference_plan": 12, "heures_demandees": 10, "distance_km": 10, "organisme_payeur": 15,
    "montant_organisme_payeur": 14, "taux_declare": 11, "justification": 28, "date_reception": 11,
    "decision_ce": 11, "heures_accordees": 10, "date_decision": 11, "date_depot": 12,
    "debut_contrat": 12, "fin_contrat": 12, "taux_horaire": 12, "date_renouvellement": 16,
    "heures_allouees": 14, "budget_fonds": 20, "date": 12, "instance": 12, "heures": 10, "montant": 12,
    "periode": 16, "numero_facture": 16,
}


def header_label(f: Field, mark_required: bool = True) -> str:
    """The header a template writes: the field's label, with `` *`` when required."""
    return f.label + (REQUIRED_MARK if mark_required and f.required else "")


def columns_for(fields: Sequence[Field], treasury: Iterable[str] = ()) -> list[Column]:
    treasury = set(treasury)
    return [Column(f, header_label(f), _WIDTHS.get(f.key, max(12, min(len(f.label) + 3, 30))), f.key in treasury)
            for f in fields]


def _number_format(f: Field | None) -> str | None:
    if f is None:
        return None
    if f.kind == DATE:
        return DATE_FORMAT
    if f.kind == NUMBER:
        if "$" in f.label or f.key in ("montant_organisme_payeur", "taux_declare", "taux_horaire", "budget_fonds",
                                       "montant"):
            return MONEY_FORMAT
        return KM_FORMAT if f.key == "distance_km" else HOURS_FORMAT
    return None


# ---------------------------------------------------------------- help texts

def input_messages(params: Params = DEFAULT_PARAMS) -> dict[str, str]:
    """The input message of each form column (Excel shows at most 255 characters)."""
    p = params
    return {
        "matricule": "Obligatoire. Votre matricule d'employé, tel qu'il figure au registre des membres.",
        "nom": "Votre prénom et votre nom (le nom du registre des membres fait foi).",
        "date_activite": "Obligatoire. Date de l'activité, AAAA-MM-JJ (par exemple 2026-09-03). "
                         "Une ligne par jour et par activité.",
        "categorie": "Obligatoire. Choisissez la catégorie dans la liste (art. 4 du Règlement).",
        "description": "Ce que vous avez fait (facultatif, mais utile au CE).",
        "reunion": f"Nom de la réunion, par exemple « CRQCA — 19 septembre 2026 » : au plus "
                   f"{p.max_personnes_reunion} personnes par réunion du CRQCA ou du CRQ-03 (art. 4.1).",
        "organisme": f"Organisme qui organise l'activité ; obligatoire pour un {p.categorie_congres.lower()} "
                     "(art. 4.3).",
        "reference_plan": "Objectif ou action du plan d'action, par exemple 1.2 ou 1.2 b (facultatif).",
        "heures_demandees": f"Obligatoire. Heures en décimales (3,5 = trois heures et demie) : plus de "
                            f"{fhours(p.min_exclu_heures_ligne)} et au plus {fhours(p.max_heures_ligne)} par ligne.",
        "distance_km": f"Distance parcourue ce jour-là, en km. Un déplacement n'est libéré qu'à partir de "
                       f"{p.distance_min_km:g} km dans la journée (art. 4.1).",
        "organisme_payeur": "Autre organisme qui vous paie pour cette activité, s'il y a lieu (art. 4.4).",
        "montant_organisme_payeur": "Montant, en dollars, que cet organisme vous verse. Obligatoire si vous "
                                    "nommez un organisme payeur (art. 4.4).",
        "taux_declare": "Votre taux horaire, en dollars (facultatif : celui du registre fait foi).",
        "justification": f"Obligatoire pour plus de {fhours(p.max_heures_par_jour)} le même jour (art. 4.5) "
                         "et pour une assemblée générale, une assemblée sectorielle ou une activité sociale "
                         "ou militante (art. 4.2).",
        "date_reception": "Réservé à la trésorerie : date à laquelle le formulaire a été reçu.",
        "decision_ce": "Réservé à la trésorerie : " + ", ".join(p.decisions) + " (art. 5.3).",
        "heures_accordees": "Réservé à la trésorerie : heures accordées par le CE (vide : les heures demandées).",
        "date_decision": "Réservé à la trésorerie : date de la décision du CE.",
        "date_depot": "Réservé à la trésorerie : date d'envoi de la libération à l'Employeur (art. 5.4).",
        # register, bank, calendar, statement
        "debut_contrat": "Obligatoire. Premier jour du contrat, AAAA-MM-JJ.",
        "fin_contrat": "Dernier jour du contrat, AAAA-MM-JJ ; vide si le contrat est en cours.",
        "taux_horaire": "Obligatoire. Taux horaire du contrat, en dollars (art. 2).",
        "date_renouvellement": "Obligatoire. Premier jour de l'année de la banque, AAAA-MM-JJ.",
        "heures_allouees": "Obligatoire. Heures de libération de la banque pour cette année (art. 3.1).",
        "budget_fonds": "Obligatoire. Budget des fonds syndicaux pour cette année, en dollars (art. 3.2).",
        "date": "Obligatoire. Date de la réunion, AAAA-MM-JJ.",
        "instance": "Obligatoire. CE, CS ou AG.",
        "heures": "Obligatoire. Heures payées ou facturées par l'Employeur.",
        "montant": "Obligatoire. Montant payé ou facturé, en dollars.",
        "periode": "Période de paie ou de facturation (facultatif).",
        "numero_facture": "Numéro de la facture de l'Employeur (facultatif).",
    }


def form_instructions(params: Params = DEFAULT_PARAMS) -> list[str]:
    p = params
    return [
        "Formulaire de libérations syndicales — mode d'emploi",
        "",
        "Une ligne par activité. Remplissez une ligne par jour et par activité, même si plusieurs "
        "activités ont lieu le même jour.",
        "Les colonnes marquées d'un astérisque (*) sont obligatoires (art. 5.1 du Règlement sur les "
        "libérations syndicales) : vous remplissez celles à en-tête rouge, « Matricule », « Date de "
        "l'activité », « Catégorie » et « Heures demandées » ; la trésorerie inscrit la « Date de "
        "réception ». Quand vous sélectionnez une cellule, un message dit quoi y écrire.",
        f"Les dates s'écrivent AAAA-MM-JJ (par exemple 2026-09-03) ; les heures en décimales (3,5 pour "
        f"trois heures et demie), au plus {fhours(p.max_heures_ligne)} par ligne.",
        f"Un déplacement n'est libéré que s'il atteint {p.distance_min_km:g} km ou plus dans la même journée "
        "(art. 4.1) : indiquez la distance parcourue.",
        f"Au plus {p.max_personnes_reunion} personnes sont libérées pour une même réunion du CRQCA ou du CRQ-03 "
        "(art. 4.1) : nommez la réunion dans la colonne « Réunion ».",
        "Assemblée générale, assemblée sectorielle, activité sociale ou militante : libérées seulement "
        "par octroi exceptionnel du CE ; expliquez la participation active dans « Justification » (art. 4.2).",
        "Les congrès de " + _join_fr(p.organismes_congres) + " sont payés par l'allocation de congrès, pas par "
        "des libérations (art. 4.3) : nommez l'organisme du congrès.",
        "Si un autre organisme vous paie pour l'activité, nommez-le et indiquez le montant versé (art. 4.4).",
        f"Plus de {fhours(p.max_heures_par_jour)} le même jour (tous formulaires confondus) : une justification "
        "de l'urgence est exigée (art. 4.5).",
        f"Faites parvenir le formulaire à la trésorerie dans les {_months_fr(p.mois_max_reception)} suivant "
        "l'activité (art. 5.5).",
        "Les colonnes grises « Date de réception », « Décision du CE », « Heures accordées », « Date de la "
        "décision » et « Date du dépôt à l'Employeur » sont remplies par la trésorerie : elles sont "
        "verrouillées. La feuille est protégée sans mot de passe : la trésorerie la déverrouille par "
        "« Révision > Ôter la protection » (LibreOffice : « Outils > Protéger la feuille »), sans mot de passe.",
        "",
        "Listes de valeurs (utilisées par les menus déroulants de la feuille « Formulaire ») :",
    ]


REGISTER_INSTRUCTIONS = [
    "Registre des membres — mode d'emploi",
    "",
    "Une ligne par contrat : un membre qui a eu plusieurs contrats a plusieurs lignes, avec le même matricule.",
    "Les colonnes marquées d'un astérisque (*) sont obligatoires : « Matricule », « Début du contrat » et "
    "« Taux horaire ($) ».",
    "« Fin du contrat » reste vide pour un contrat en cours. Le taux d'une libération est celui du contrat "
    "qui couvre la date de l'activité ; de plusieurs, le plus élevé (art. 2.2) ; d'aucun, celui du dernier "
    "contrat terminé (art. 2.3).",
    "Le matricule doit être écrit comme sur les formulaires des membres. Le nom écrit ici est celui qui "
    "paraît dans les rapports et le dépôt à l'Employeur.",
    "La commande « syndic-batch modeles --registre registre-des-membres.xlsx --out DOSSIER » écrit un "
    "formulaire par membre, matricule et nom déjà remplis, prêt à envoyer par courriel.",
    "Les dates s'écrivent AAAA-MM-JJ (par exemple 2026-09-03) ; les taux en dollars (38,42).",
]

BANK_INSTRUCTIONS = [
    "Banque de libérations et calendrier des instances — mode d'emploi",
    "",
    "Feuille « Banque » : une ligne par année de banque. « Date de renouvellement » est le premier jour de "
    "l'année ; « Heures allouées », les heures de libération de la banque (art. 3.1) ; « Budget des fonds "
    "syndicaux ($) », ce que les fonds du syndicat peuvent payer au-delà de la banque (art. 3.2).",
    "Feuille « Calendrier » : une ligne par réunion, avec sa date et son instance (CE, CS ou AG). Les "
    "réunions du CE décident des formulaires (art. 5.2) ; les rapports sont préparés pour le premier CE du "
    "mois (art. 6.1), chaque CS (art. 6.2) et l'AG de fin d'année (art. 6.3).",
    "Les colonnes marquées d'un astérisque (*) sont obligatoires. Les dates s'écrivent AAAA-MM-JJ.",
    "Sans banque ni calendrier dans la boîte de réception, les soldes et l'ordre du jour des rapports ne "
    "peuvent pas être calculés.",
]

STATEMENT_INSTRUCTIONS = [
    "Relevé de l'Employeur — mode d'emploi",
    "",
    "Recopiez ici, une ligne par libération, ce que l'Employeur a payé ou facture au syndicat. "
    "syndic-batch rapproche chaque ligne d'une libération adoptée par le CE (même membre, même date).",
    "Les colonnes marquées d'un astérisque (*) sont obligatoires : « Matricule », « Date de l'activité », "
    "« Heures » et « Montant ($) ». « Nom », « Période » et « Numéro de facture » sont facultatives.",
    "Les dates s'écrivent AAAA-MM-JJ ; les heures en décimales (3,5) ; les montants en dollars.",
]


def _join_fr(items: Sequence[str]) -> str:
    items = [f"la {x}" if x.isupper() else f"l'{x}" if x[:1] in "AEIOUÉ" else x for x in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _months_fr(n: int) -> str:
    words = {1: "un mois", 2: "deux mois", 3: "trois mois", 4: "quatre mois", 6: "six mois"}
    return words.get(n, f"{n} mois")


# ---------------------------------------------------------------- styles

class _Styles:
    """The workbook's formats, made once each."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": BLUE})
        self.bold = wb.add_format({"bold": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    def header(self, col: Column) -> Any:
        colour = GREY_HEAD if col.treasury else RED if (col.field and col.field.required) else BLUE
        return self._get(("h", colour), {"bold": True, "font_color": "#FFFFFF", "bg_color": colour,
                                         "text_wrap": True, "valign": "vcenter", "border": 1,
                                         "border_color": "#BFBFBF"})

    def cell(self, col: Column, locked: bool, fill: str | None) -> Any:
        num = _number_format(col.field)
        props: dict[str, Any] = {"locked": locked, "valign": "top"}
        if num:
            props["num_format"] = num
        if fill:
            props["bg_color"] = fill
            props["border"] = 1
            props["border_color"] = "#BFBFBF"
        return self._get(("c", num, locked, fill), props)

    def _get(self, key: tuple, props: dict) -> Any:
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


def _new_workbook(path: Path) -> tuple[Workbook, _Styles]:
    wb = Workbook(str(path), WORKBOOK_OPTIONS)
    wb.set_properties({"author": AUTHOR, "created": CREATED, "company": "",
                       "comments": "Écrit par syndic-batch"})
    return wb, _Styles(wb)


def _write_value(ws, r: int, c: int, value: Any, fmt) -> None:
    """A value as its type: text stays text (never a formula), dates are dates."""
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (dt.datetime, dt.date)):
        ws.write_datetime(r, c, value if isinstance(value, dt.datetime)
                          else dt.datetime(value.year, value.month, value.day), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


# ---------------------------------------------------------------- one table

def write_table(wb: Workbook, st: _Styles, ws, columns: list[Column], rows: Sequence[dict[str, Any]] = (),
                *, title_rows: Sequence[str] = (), data_rows: int = DATA_ROWS,
                messages: dict[str, str] | None = None, validations: dict[str, dict] | None = None,
                identity: dict[str, str] | None = None, protect: bool = False,
                freeze_cols: int = 0, print_title: str = "", header_note: str | None = LEGEND) -> int:
    """Title rows, the header, then the data rows (``rows``, then empty rows up to
    ``data_rows`` rows, or ``len(rows) + 50`` when more): every data cell carries
    its column's format and lock, every column its input message and check, on
    the same rows. Returns the header's 0-based row index."""
    for i, t in enumerate(title_rows):
        ws.write_string(i, 0, t, st.title)
    header = len(title_rows) + 1 if title_rows else 0
    first, last = header + 1, header + max(data_rows, len(rows) + 50 if rows else data_rows)
    for c, col in enumerate(columns):
        ws.write_string(header, c, col.label, st.header(col))
        ws.set_column(c, c, col.width)
    ws.set_row(header, row_height([(col.label, col.width) for col in columns]))
    identity = identity or {}
    for r in range(first, last + 1):
        values = rows[r - first] if r - first < len(rows) else {}
        for c, col in enumerate(columns):
            key = col.key
            if key in identity:
                value, locked, fill = identity[key], True, IDENTITY_CELL
            elif col.treasury:
                value, locked, fill = values.get(key), True, GREY_CELL
            else:   # a member's cell: unlocked on a protected sheet
                value, locked, fill = values.get(key), not protect, None
            _write_value(ws, r, c, value, st.cell(col, locked, fill))
    messages = messages or {}
    validations = validations or {}
    for c, col in enumerate(columns):
        dv: dict[str, Any] = dict(validations.get(col.key) or {"validate": "any"})
        msg = messages.get(col.key)
        if col.key in identity:
            msg = "Rempli d'avance pour vous : ne le changez pas."
        if msg:
            dv["input_title"] = col.label[:32]
            dv["input_message"] = msg[:255]
        if dv.get("validate") == "any" and not msg:
            continue
        if "value" in dv and isinstance(dv["value"], str) and "{cell}" in dv["value"]:
            dv["value"] = dv["value"].format(cell=xl_rowcol_to_cell(first, c))
        ws.data_validation(first, c, last, c, dv)
    ws.freeze_panes(header + 1, freeze_cols)
    if protect:
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                        "select_unlocked_cells": True})
    print_setup(ws, print_title or ws.name, repeat_header_row=header, header_note=header_note)
    return header


def _list_ranges(lines: Sequence[str], lists: Sequence[tuple[str, list[str]]]) -> dict[str, str]:
    """Where ``_instructions_sheet`` puts each list (an absolute range)."""
    first = len(lines) + 1
    return {title: f"={INSTRUCTIONS_SHEET}!${xl_col_to_name(c)}${first + 1}:${xl_col_to_name(c)}${first + len(values)}"
            for c, (title, values) in enumerate(lists)}


def _instructions_sheet(wb: Workbook, st: _Styles, lines: Sequence[str], lists: Sequence[tuple[str, list[str]]] = ()
                        ) -> None:
    """An Instructions sheet: wrapped lines with explicit heights (LibreOffice
    prints them without overlap), then the value lists side by side (at
    ``_list_ranges``)."""
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    width = 80
    ws.set_column(0, 0, width)
    ws.set_column(1, 1, 20)
    for i, line in enumerate(lines):
        if not line:
            continue
        if i == 0:
            ws.write_string(i, 0, line, st.title)
            ws.set_row(i, 22)
        else:
            ws.write_string(i, 0, line, st.wrap)
            ws.set_row(i, row_height([(line, width)]))
    first = len(lines) + 1
    for c, (title, values) in enumerate(lists):
        ws.write_string(first - 1, c, title, st.bold)
        for i, v in enumerate(values):
            ws.write_string(first + i, c, v)
    last_row = first + max((len(v) for _t, v in lists), default=0) - 1 if lists else len(lines) - 1
    ws.print_area(0, 0, last_row, max(len(lists), 1) - 1)
    print_setup(ws, "Mode d'emploi", landscape=False, repeat_header_row=None)


# ---------------------------------------------------------------- the workbooks

def _date_check(label: str) -> dict:
    return {"validate": "date", "criteria": "between", "minimum": FIRST_DATE, "maximum": LAST_DATE,
            "error_title": label[:32], "error_message": "Entrez une date, par exemple 2026-09-03 (AAAA-MM-JJ)."}


def _at_least_zero(label: str, what: str) -> dict:
    return {"validate": "decimal", "criteria": ">=", "value": 0, "error_title": label[:32],
            "error_message": f"Entrez {what} : un nombre positif ou nul."}


def _hours_check(label: str, params: Params) -> dict:
    lo, hi = params.min_exclu_heures_ligne, params.max_heures_ligne
    return {"validate": "custom",
            "value": f"=AND(ISNUMBER({{cell}}),{{cell}}>{lo:g},{{cell}}<={hi:g})",
            "error_title": label[:32],
            "error_message": f"Entrez des heures en décimales, plus de {fhours(lo)} et au plus {fhours(hi)} "
                             "(3,5 = trois heures et demie)."}


def _checks(columns: list[Column], params: Params, lists: dict[str, str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for col in columns:
        f = col.field
        if f is None:
            continue
        if f.kind == DATE:
            out[f.key] = _date_check(col.label)
        elif f.key in ("heures_demandees", "heures_accordees"):
            out[f.key] = _hours_check(col.label, params)
        elif f.key == "distance_km":
            out[f.key] = _at_least_zero(col.label, "la distance en km")
        elif f.kind == NUMBER:
            out[f.key] = _at_least_zero(col.label, "un montant ou des heures")
    if "categorie" in lists:
        out["categorie"] = {"validate": "list", "source": lists["categorie"], "error_title": "Catégorie",
                            "error_message": "Choisissez une catégorie de la liste (feuille « Instructions »)."}
    if "decision_ce" in lists:
        out["decision_ce"] = {"validate": "list", "source": lists["decision_ce"], "error_type": "warning",
                              "error_title": "Décision du CE",
                              "error_message": "Choisissez une décision de la liste (feuille « Instructions »)."}
    if "instance" in lists:
        out["instance"] = {"validate": "list", "source": lists["instance"], "error_title": "Instance",
                           "error_message": "CE, CS ou AG."}
    return out


def write_form_workbook(path: Path, rows: Sequence[dict[str, Any]] = (), *, params: Params = DEFAULT_PARAMS,
                        identity: dict[str, str] | None = None, data_rows: int = DATA_ROWS,
                        sheet: str = FORM_SHEET) -> Path:
    """The release form: header on row 1, ``rows`` from row 2 (keyed by field key),
    then empty rows up to ``data_rows``; an Instructions sheet with the lists.
    ``identity`` ({"matricule": …, "nom": …}) fills and locks those two columns on
    every data row (a member's own form)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, st = _new_workbook(path)
    ws = wb.add_worksheet(sheet)
    columns = columns_for(FORM_FIELDS, TREASURY)
    lines = form_instructions(params)
    value_lists = [("Catégories d'activité", list(params.categories_connues)),
                   ("Décisions du CE", list(params.decisions))]
    ranges = _list_ranges(lines, value_lists)
    lists = {"categorie": ranges["Catégories d'activité"], "decision_ce": ranges["Décisions du CE"]}
    title = "Formulaire de libérations syndicales"
    if identity:
        title += f" — {identity.get('matricule', '')} {identity.get('nom') or ''}".rstrip()
    write_table(wb, st, ws, columns, rows, data_rows=data_rows, messages=input_messages(params),
                validations=_checks(columns, params, lists), identity=identity, protect=True,
                freeze_cols=2, print_title=title)
    _instructions_sheet(wb, st, lines, value_lists)
    wb.close()
    return path


def write_register_workbook(path: Path, members: Sequence[dict[str, Any]] = (), *, title: str | None = None,
                            instructions: bool = True, params: Params = DEFAULT_PARAMS) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, st = _new_workbook(path)
    ws = wb.add_worksheet("Membres")
    columns = columns_for(MEMBER_FIELDS)
    write_table(wb, st, ws, columns, members, title_rows=[title] if title else [],
                messages=input_messages(params), validations=_checks(columns, params, {}),
                freeze_cols=2, print_title="Registre des membres", header_note="* = colonne obligatoire")
    if instructions:
        _instructions_sheet(wb, st, REGISTER_INSTRUCTIONS)
    wb.close()
    return path


def write_bank_calendar_workbook(path: Path, bank: Sequence[dict[str, Any]] = (),
                                 calendar: Sequence[dict[str, Any]] = (), *, instructions: bool = True,
                                 params: Params = DEFAULT_PARAMS) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, st = _new_workbook(path)
    ws = wb.add_worksheet("Banque")
    columns = columns_for(BANK_FIELDS)
    write_table(wb, st, ws, columns, bank, data_rows=20, messages=input_messages(params),
                validations=_checks(columns, params, {}), print_title="Banque de libérations",
                header_note="* = colonne obligatoire")
    cal = wb.add_worksheet("Calendrier")
    columns = columns_for(CALENDAR_FIELDS)
    write_table(wb, st, cal, columns, calendar, data_rows=200, messages=input_messages(params),
                validations=_checks(columns, params, {"instance": ["CE", "CS", "AG"]}),
                print_title="Calendrier des instances", header_note="* = colonne obligatoire")
    if instructions:
        _instructions_sheet(wb, st, BANK_INSTRUCTIONS)
    wb.close()
    return path


def write_statement_workbook(path: Path, rows: Sequence[dict[str, Any]] = (), *, instructions: bool = True,
                             params: Params = DEFAULT_PARAMS) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, st = _new_workbook(path)
    ws = wb.add_worksheet("Relevé")
    columns = columns_for(STATEMENT_FIELDS)
    write_table(wb, st, ws, columns, rows, messages=input_messages(params),
                validations=_checks(columns, params, {}), freeze_cols=1,
                print_title="Relevé de l'Employeur", header_note="* = colonne obligatoire")
    if instructions:
        _instructions_sheet(wb, st, STATEMENT_INSTRUCTIONS)
    wb.close()
    return path


TEMPLATE_NAMES = ("formulaire-liberations.xlsx", "registre-des-membres.xlsx", "banque-et-calendrier.xlsx",
                  "releve-employeur.xlsx")


def build_templates(folder: Path, params: Params = DEFAULT_PARAMS) -> list[Path]:
    """The four blank templates (``templates/formulaires/``), each written atomically."""
    from .write.atomic import atomic_write

    folder = Path(folder)
    writers = (write_form_workbook, write_register_workbook, write_bank_calendar_workbook, write_statement_workbook)
    out = []
    for name, write in zip(TEMPLATE_NAMES, writers):
        with atomic_write(folder / name) as tmp:
            write(tmp, params=params)
        out.append(folder / name)
    return out


# ---------------------------------------------------------------- one form per member

def slug(text: str) -> str:
    """« Geneviève Tremblay » → ``genevieve-tremblay`` (a file name any mail client keeps)."""
    s = unicodedata.normalize("NFKD", text or "")
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:60].rstrip("-") or "membre"


def member_form_name(matricule: str, nom: str | None) -> str:
    return f"formulaire-{slug(matricule)}-{slug(nom or '')}.xlsx"


class RegisterError(Exception):
    """The register given to ``syndic-batch modeles`` cannot be used (message in French)."""


def members_of_register(path: Path, params: Params = DEFAULT_PARAMS) -> tuple[list[dict[str, str]], list[str]]:
    """The members of a register workbook, one per matricule (``{"matricule", "nom"}``,
    the name of its last contract that has one), read by the batch's own reader on
    a folder that holds only this file; and notes about rows left out."""
    import shutil
    import tempfile

    from .read.fields import MEMBERS
    from .read.inbox import WORKBOOK_SUFFIXES, read_inbox

    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"le registre « {path} » n'existe pas ou n'est pas un fichier.")
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise RegisterError(f"« {path} » n'est pas un classeur Excel ({', '.join(sorted(WORKBOOK_SUFFIXES))}) : "
                            "donnez le classeur du registre des membres.")
    with tempfile.TemporaryDirectory(prefix="syndic-batch-registre-") as tmp:
        copy = Path(tmp) / ("registre" + path.suffix.lower())   # a ~$ or hidden name would be skipped
        shutil.copyfile(path, copy)
        data = read_inbox(tmp, params)
    unreadable = [f for f in data.findings if f.rule == "fichier-illisible"]
    if unreadable:
        reason = unreadable[0].message.split(" Le reste de la boîte")[0]   # the inbox's words, not ours
        raise RegisterError(f"le registre « {path} » est illisible : {reason}")
    sheets = {name for r in data.files for name, kind in r.sheets.items() if kind == MEMBERS}
    if not sheets:
        raise RegisterError(
            f"aucune feuille de « {path} » n'est un registre des membres : il faut une ligne d'en-tête avec "
            "« Matricule », « Nom », « Début du contrat » et « Taux horaire ($) » dans les "
            f"{params.lignes_en_tete} premières lignes.")
    missing = [f.message for f in data.findings if f.rule == "colonne-absente" and f.sheet in sheets]
    frame = data.members
    if frame.empty or frame["matricule"].isna().all():
        raise RegisterError(f"le registre « {path} » n'a aucun membre (aucun matricule)"
                            + (f" : {missing[0]}" if missing else "."))
    notes = []
    no_id = frame[frame["matricule"].isna()]
    if len(no_id):
        rows = ", ".join(str(int(r)) for r in no_id["_row"].head(5))
        notes.append(f"{len(no_id)} ligne(s) du registre sans matricule laissée(s) de côté (ligne(s) {rows}"
                     + ("…" if len(no_id) > 5 else "") + ").")
    members: dict[str, str] = {}
    for mat, nom in zip(frame["matricule"], frame["nom"]):
        if mat is None:
            continue
        if mat not in members or nom:
            members[mat] = nom or members.get(mat) or ""
    return [{"matricule": m, "nom": n} for m, n in members.items()], notes


def write_member_forms(members: Sequence[dict[str, str]], folder: Path, params: Params = DEFAULT_PARAMS,
                       data_rows: int = MEMBER_FORM_ROWS) -> list[Path]:
    """One form per member, Matricule and Nom filled in and locked on every data row."""
    from .write.atomic import atomic_write

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out, used = [], set()
    for m in members:
        name = member_form_name(m["matricule"], m.get("nom"))
        if name in used:   # two matricules that slug alike
            name = name[:-5] + f"-{len(used)}.xlsx"
        used.add(name)
        target = folder / name
        with atomic_write(target) as tmp:
            write_form_workbook(tmp, params=params, identity={"matricule": m["matricule"], "nom": m.get("nom") or ""},
                                data_rows=data_rows)
        out.append(target)
    return out
