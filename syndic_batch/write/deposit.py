"""OUT/depot-employeur.xlsx: the adopted releases for the employer (art. 5.4).

Two sheets, written with XlsxWriter in constant-memory mode (row by row):

« À déposer »      the adopted rows decided on or before the run's date (or with no
                   decision date) that carry no *Date du dépôt à l'Employeur*: what
                   the treasurer sends now. Sorted by member then date; a total per
                   member and an overall total.
« Déjà déposées »  the adopted rows that carry a deposit date, grouped by deposit
                   date (oldest first) with a subtotal per deposit and an overall total.

Adopted rows decided after the run's date and not deposited are in neither sheet
(the title block says how many). Each sheet opens with a title block (the union's
name, « Dépôt de libérations syndicales », the period of the activities, the run's
date, the CE decisions it covers, the employer's surcharge) and prints on letter
paper, landscape, one page wide, the header row repeated, « Page n de N » at the
foot. Each line: member, date, category, hours granted, rate, amount (hours ×
rate, to the cent), the hours charged to the bank and to the union funds and the
funds' dollars (with the surcharge, ``ledger.montant_fonds``), the decision date,
the source file (and sheet) and row. Totals are values computed here, not
formulas. Text typed by members is always written as a string (never a formula,
never a link). This writer decides nothing: the figures are the ledger's.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd
import xlsxwriter

from .. import formatting as fmt
from ..context import Context
from .atomic import atomic_write

SHEET_TODO = "À déposer"
SHEET_DONE = "Déjà déposées"
TITLE = "Dépôt de libérations syndicales"
MONEY_FORMAT = '#,##0.00 "$"'
HOURS_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
# (key, header, width, kind) — kind: text, date, hours, money, int
COLUMNS = (
    ("matricule", "Matricule", 10, "text"),
    ("nom", "Nom", 24, "text"),
    ("date", "Date de l'activité", 11, "date"),
    ("categorie", "Catégorie", 34, "text"),
    ("heures", "Heures accordées", 9, "hours"),
    ("taux", "Taux horaire ($)", 9, "money"),
    ("montant", "Montant ($)", 11, "money"),
    ("heures_banque", "Heures imputées à la banque", 10, "hours"),
    ("heures_fonds", "Heures imputées aux fonds syndicaux", 10, "hours"),
    ("montant_fonds", "Fonds syndicaux ($)", 11, "money"),
    ("decision", "Décision du CE du", 11, "date"),
    ("source", "Fichier source", 30, "text"),
    ("ligne", "Ligne", 6, "int"),
    ("remarque", "Remarque", 34, "text"),
)
DONE_COLUMNS = COLUMNS[:-1] + (("depot", "Déposée le", 11, "date"),) + COLUMNS[-1:]
NO_RATE = "Taux horaire inconnu : membre absent du registre ou sans contrat (art. 2.1)."
NO_YEAR = "Date hors de toute année de la banque (art. 3.1) : imputée à rien."
SUMMED = ("heures", "montant", "heures_banque", "heures_fonds", "montant_fonds")


def _member_key(matricule: pd.Series) -> pd.Series:
    """Sort key: numeric matricules in numeric order (``999`` before ``1001``)."""
    return matricule.fillna("").map(lambda s: re.sub(r"\d+", lambda d: d[0].zfill(12), str(s)))


def deposit_rows(ctx: Context) -> pd.DataFrame:
    """Every adopted row with the deposit's figures, sorted by member, date, file, row.
    Column ``etat``: ``a-deposer``, ``deposee`` or ``apres-la-date`` (decided after the run's date)."""
    led, forms = ctx.ledger, ctx.forms
    ids = led.index[led["adoptee"].to_numpy()]
    f = forms.loc[ids]
    lf = led.loc[ids]
    names = ctx.names
    sheet_count = f.groupby("_file")["_sheet"].transform("nunique") if len(f) else f["_file"]
    source = [file if n == 1 else f"{file} ({sheet})"
              for file, sheet, n in zip(f["_file"], f["_sheet"], sheet_count)]
    remark = pd.Series(None, index=ids, dtype=object)
    remark[lf["annee_banque"].isna() & f["date_activite"].notna()] = NO_YEAR
    remark[lf["taux"].isna()] = NO_RATE
    d = pd.DataFrame({
        "matricule": f["matricule"].astype(object),
        "nom": [names.get(m) or n for m, n in zip(f["matricule"], f["nom"])],
        "date": f["date_activite"],
        "categorie": f["categorie"].astype(object),
        "heures": lf["heures_octroyees"].astype(float),
        "taux": lf["taux"].astype(float),
        "montant": lf["valeur"].astype(float),
        "heures_banque": lf["heures_banque"].astype(float),
        "heures_fonds": lf["heures_fonds"].astype(float),
        "montant_fonds": lf["montant_fonds"].astype(float),
        "decision": f["date_decision"],
        "source": source,
        "ligne": f["_row"].astype(int),
        "remarque": remark,
        "depot": f["date_depot"],
        "fichier": f["_file"],
    }, index=ids)
    as_of = pd.Timestamp(ctx.as_of)
    d["etat"] = "a-deposer"
    d.loc[d["decision"].notna() & (d["decision"] > as_of), "etat"] = "apres-la-date"
    d.loc[d["depot"].notna(), "etat"] = "deposee"
    d["_key"] = _member_key(d["matricule"])
    d = d.sort_values(["_key", "date", "fichier", "ligne"], na_position="last", kind="mergesort")
    return d.drop(columns=["_key", "fichier"])


def _dates_text(dates: pd.Series) -> str:
    uniq = sorted({pd.Timestamp(x).date() for x in dates.dropna()})
    return ", ".join(fmt.date(x) for x in uniq)


def _period(rows: pd.DataFrame) -> str:
    d = rows["date"].dropna()
    if d.empty:
        return "aucune libération"
    return f"activités du {fmt.date(d.min())} au {fmt.date(d.max())}"


class _Sheet:
    """One worksheet of the deposit, written row by row (constant memory)."""

    def __init__(self, wb, name: str, columns, formats: dict, ctx: Context):
        self.ws = wb.add_worksheet(name)
        self.columns = columns
        self.f = formats
        self.row = 0
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(1)                 # letter
        ws.fit_to_pages(1, 0)           # one page wide, as many tall as needed
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&L" + _escape_hf(f"{ctx.params.nom_syndicat} — {TITLE} — {name}")
                      + "&RPage &P de &N")
        for i, (_k, _h, width, _kind) in enumerate(columns):
            ws.set_column(i, i, width)

    def title(self, lines: list[tuple[str, str | None]]) -> None:
        for j, (text, value) in enumerate(lines):
            fmt_ = self.f["title"] if j == 0 else (self.f["subtitle"] if j == 1 else self.f["meta"])
            self.ws.write_string(self.row, 0, text, fmt_)
            if value is not None:
                self.ws.write_string(self.row, 3, value, self.f["meta"])
            self.row += 1
        self.row += 1

    def header(self) -> None:
        self.ws.set_row(self.row, 56)
        for i, (_k, label, _w, _kind) in enumerate(self.columns):
            self.ws.write_string(self.row, i, label, self.f["header"])
        self.ws.repeat_rows(self.row)
        self.ws.freeze_panes(self.row + 1, 0)
        self.row += 1

    def line(self, values: dict, bold: bool = False) -> None:
        for i, (key, _h, _w, kind) in enumerate(self.columns):
            v = values.get(key)
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                if bold:
                    self.ws.write_blank(self.row, i, None, self.f["bold"])
                continue
            style = self.f[(kind, bold)]
            if kind == "text":
                self.ws.write_string(self.row, i, str(v), style)
            elif kind == "date":
                self.ws.write_datetime(self.row, i, pd.Timestamp(v).to_pydatetime(), style)
            elif math.isfinite(float(v)):      # XlsxWriter refuses NaN and infinities
                self.ws.write_number(self.row, i, float(v), style)
        self.row += 1

    def note(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.f["italic"])
        self.row += 1

    def skip(self) -> None:
        self.row += 1


def _escape_hf(text: str) -> str:
    """Header/footer text: a literal ``&`` is written ``&&``."""
    return text.replace("&", "&&")


def _totals(rows: pd.DataFrame) -> dict:
    return {k: (rows[k].sum(min_count=1) if k in ("montant", "montant_fonds") else float(rows[k].sum()))
            for k in SUMMED}


def _formats(wb) -> dict:
    base = {"font_size": 10, "valign": "top"}
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79"}),
        "subtitle": wb.add_format({"bold": True, "font_size": 12}),
        "meta": wb.add_format({"font_size": 10}),
        "italic": wb.add_format({"italic": True, "font_size": 10}),
        "bold": wb.add_format({**base, "bold": True, "top": 1}),
        "header": wb.add_format({**base, "bold": True, "text_wrap": True, "valign": "bottom",
                                 "font_color": "#FFFFFF", "bg_color": "#1F4E79", "border": 1}),
        "group": wb.add_format({**base, "bold": True, "font_color": "#1F4E79"}),
    }
    number_formats = {"text": None, "date": DATE_FORMAT, "hours": HOURS_FORMAT, "money": MONEY_FORMAT, "int": "0"}
    for kind, nf in number_formats.items():
        for bold in (False, True):
            spec = dict(base)
            if nf:
                spec["num_format"] = nf
            if bold:
                spec.update(bold=True, top=1)
            f[(kind, bold)] = wb.add_format(spec)
    return f


def _member_total(group: pd.DataFrame) -> dict:
    """The member's total line; its label (in the first column) runs over the empty name cell."""
    first = group.iloc[0]
    who = " — ".join(str(x) for x in (first["matricule"], first["nom"]) if x is not None and not pd.isna(x))
    return {"matricule": f"Total {who}".strip(), **_totals(group)}


def _plural(n: int) -> str:
    return f"{n} libération" + ("s" if n > 1 else "")


def write_deposit(ctx: Context, out_path: str | Path) -> Path:
    """Write the deposit workbook (atomically) and return its path."""
    out_path = Path(out_path)
    rows = deposit_rows(ctx)
    todo = rows[rows["etat"] == "a-deposer"]
    done = rows[rows["etat"] == "deposee"]
    later = rows[rows["etat"] == "apres-la-date"]
    union = ctx.params.nom_syndicat
    run_date = fmt.date(ctx.as_of)
    surcharge = (f"Majoration de l'Employeur sur les heures imputées aux fonds syndicaux : "
                 f"{fmt.number(ctx.params.majoration_pct)} % (art. 3.2)")

    with atomic_write(out_path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
        wb.set_properties({"title": f"{union} — {TITLE}", "created": dt.datetime(2000, 1, 1)})
        f = _formats(wb)

        s = _Sheet(wb, SHEET_TODO, COLUMNS, f, ctx)
        decisions = _dates_text(todo["decision"])
        if todo["decision"].isna().any():
            undated = f"{todo['decision'].isna().sum()} sans date de décision"
            decisions = f"{decisions}, {undated}" if decisions else undated
        lines = [(union, None), (f"{TITLE} — à déposer à l'Employeur (art. 5.4)", None),
                 ("Période :", _period(todo)),
                 ("Date du traitement :", run_date),
                 ("Décisions du CE couvertes :", decisions or "aucune"),
                 (f"Adoptées par une décision datée après le {run_date} (hors de ce dépôt) :",
                  _plural(len(later)) if len(later) else "aucune"),
                 (surcharge, None)]
        s.title(lines)
        s.header()
        if todo.empty:
            s.note("Aucune libération adoptée à déposer : toutes ont déjà une date de dépôt à l'Employeur.")
        for _m, group in todo.groupby(todo["matricule"].fillna(""), sort=False):
            for r in group.to_dict("records"):
                s.line(r)
            s.line(_member_total(group), bold=True)
        s.skip()
        s.line({"matricule": f"Total général — {_plural(len(todo))}", **_totals(todo)}, bold=True)

        s = _Sheet(wb, SHEET_DONE, DONE_COLUMNS, f, ctx)
        s.title([(union, None), (f"{TITLE} — déjà déposées à l'Employeur", None),
                 ("Période :", _period(done)),
                 ("Date du traitement :", run_date),
                 ("Dépôts :", _dates_text(done["depot"]) or "aucun"),
                 ("Libérations déjà déposées :", _plural(len(done)) if len(done) else "aucune"),
                 (surcharge, None)])
        s.header()
        if done.empty:
            s.note("Aucune libération n'a encore de date de dépôt à l'Employeur.")
        done = done.sort_values("depot", kind="mergesort")
        for day, group in done.groupby("depot", sort=True):
            label = f"Dépôt du {fmt.date(day)}"
            s.ws.write_string(s.row, 0, label, f["group"])
            s.skip()
            for r in group.to_dict("records"):
                s.line(r)
            s.line({"matricule": f"Sous-total du dépôt du {fmt.date(day)} — {_plural(len(group))}",
                    **_totals(group)}, bold=True)
        s.skip()
        s.line({"matricule": f"Total général — {_plural(len(done))}", **_totals(done)}, bold=True)
        wb.close()
    return out_path
