"""What the three reports share: the bank year, the rows granted, the formatted
columns, and the sections that more than one report shows (header, summary,
members, categories, months, bank use, findings).

Every view function computes everything and returns plain dicts and lists of
already-formatted French strings (plus the raw figures under ``*_valeur`` keys,
for the tests); the Jinja2 templates of ``templates/rapports/`` only lay them out.

Figures count adopted rows only, as the ledger charges them (``ctx.ledger``),
in the bank year that contains ``ctx.as_of`` ("since the last renewal"), decided
on or before ``ctx.as_of`` (or with no decision date). The CS and AG views never
carry a member's rate or the amount paid to one member.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from ... import formatting as fmt
from ...account.ledger import bank_years
from ...context import Context
from ...model import AVERTISSEMENT, ERREUR, INFO, Finding, count_by_severity
from ...read.fields import BANK, CALENDAR, KINDS, MEMBERS, PLAN
from ...text import fold
from ..charts import Bar, bar_chart, line_chart


SEVERITY_LABELS = {ERREUR: "Erreur", AVERTISSEMENT: "Avertissement", INFO: "Info"}
SEVERITY_PLURALS = {ERREUR: "Erreurs", AVERTISSEMENT: "Avertissements", INFO: "Informations"}
SANS_CATEGORIE = "(catégorie absente)"

# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class BankYear:
    """The bank year containing the report's date: from its renewal to the day
    before the next one (or one year later when the bank sheet has no next one)."""

    start: dt.date
    end: dt.date      # inclusive
    hours: float      # Heures allouées
    budget: float     # Budget des fonds syndicaux ($)

    @property
    def label(self) -> str:
        return f"du {fmt.date(self.start)} au {fmt.date(self.end)}"


def _ts(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)


def _as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def bank_year(ctx: Context) -> BankYear | None:
    """The bank year (as the ledger cuts them, ``account.ledger.bank_years``) that contains
    ``ctx.as_of``, or None. The bank sheet has a few rows: its years are cut here in plain
    Python, the same way (``tests/test_reports_speed.py`` compares the two)."""
    bank = ctx.data.bank
    try:
        starts = bank["date_renouvellement"].to_numpy(dtype="datetime64[ns]").view("int64").tolist()
        hours = bank["heures_allouees"].to_numpy(dtype=float).tolist()
        budget = bank["budget_fonds"].to_numpy(dtype=float).tolist()
    except (KeyError, TypeError, ValueError):   # not the reader's dtypes: the ledger's own way
        return _bank_year_frame(ctx)
    nat = np.iinfo(np.int64).min
    first: dict[int, tuple[float, float]] = {}
    for start, h, b in zip(starts, hours, budget):   # the first row of a renewal date wins
        if start != nat and start not in first:
            first[start] = (0.0 if h != h else h, 0.0 if b != b else b)
    ordered = sorted(first)
    day = _ts(ctx.as_of).value
    hit = None
    for i, start in enumerate(ordered):
        if i + 1 < len(ordered):
            end = pd.Timestamp(ordered[i + 1]) - pd.Timedelta(days=1)
        else:
            end = pd.Timestamp(start) + relativedelta(years=1) - pd.Timedelta(days=1)
        if start <= day <= end.value:
            hit = (start, end)
    if hit is None:
        return None
    h, b = first[hit[0]]
    return BankYear(_as_date(pd.Timestamp(hit[0])), _as_date(hit[1]), float(h), float(b))


def _bank_year_frame(ctx: Context) -> BankYear | None:
    years = bank_years(ctx.data.bank)
    hit = years[(years["debut"] <= _ts(ctx.as_of)) & (years["fin"] >= _ts(ctx.as_of))]
    if hit.empty:
        return None
    y = hit.iloc[-1]
    return BankYear(_as_date(y["debut"]), _as_date(y["fin"]), float(y["heures"]), float(y["budget"]))


def ce_meetings(ctx: Context) -> list[dt.date]:
    """Dates of the CE meetings in the calendar, sorted, without duplicates."""
    return [_as_date(pd.Timestamp(d)) for d in ctx.ce_meetings]


def next_and_previous_ce(ctx: Context) -> tuple[dt.date | None, dt.date | None]:
    """The next CE meeting is the first on or after the report's date; the previous one the last before it."""
    meetings = ce_meetings(ctx)
    nxt = next((d for d in meetings if d >= ctx.as_of), None)
    prev = next((d for d in reversed(meetings) if d < ctx.as_of), None)
    return nxt, prev


# --------------------------------------------------------------------------- column helpers


@functools.lru_cache(maxsize=64)
def _canon(known: tuple[str, ...]) -> dict[str, str]:
    return {fold(c): c for c in known}


def _canonical_categories(ctx: Context, series: pd.Series) -> pd.Series:
    """Each category under the spelling of the parameters when it is a known one."""
    canon = _canon(tuple(ctx.params.categories_connues))
    uniq = series.dropna().unique()
    return series.map({v: canon.get(_fold(v), v) for v in uniq}).fillna(SANS_CATEGORIE)


def _canonical_list(ctx: Context, values: np.ndarray) -> np.ndarray:
    """``_canonical_categories`` of a column's values, in plain Python (an object array)."""
    canon = _canon(tuple(ctx.params.categories_connues))
    memo: dict[Any, Any] = {}
    out = []
    for v, missing in zip(values.tolist(), pd.isna(values).tolist()):
        if missing:
            out.append(SANS_CATEGORIE)
            continue
        c = memo.get(v)
        if c is None:
            c = memo[v] = canon.get(_fold(v), v)
        out.append(c)
    return np.array(out, dtype=object)


_FORM_COLS = ["matricule", "nom", "date_activite", "categorie", "description", "heures_demandees",
              "date_reception", "date_decision", "date_depot", "_file", "_sheet", "_row"]
_LEDGER_COLS = ["heures_octroyees", "taux", "valeur", "heures_banque", "heures_fonds", "montant_fonds"]
_ZERO_WHEN_EMPTY = ("heures_octroyees", "heures_banque", "heures_fonds", "montant_fonds")


class Rows:
    """Some form rows with their ledger columns (``_FORM_COLS``, ``_LEDGER_COLS``), each
    column a numpy array taken when first asked for (``categorie`` under the parameters'
    spelling, ``categorie_saisie`` as typed): what ``_rows`` gives as a DataFrame,
    at a fraction of its cost on a few hundred rows (a DataFrame's ``loc`` and ``join``
    cost milliseconds whatever their size). ``rows[col]`` is an array, ``rows.index``
    the form ids, ``rows.frame`` the DataFrame."""

    def __init__(self, ctx: Context, positions: np.ndarray):
        self.ctx = ctx
        self.positions = positions
        self.index = ctx.forms.index[positions]
        self._cols: dict[str, np.ndarray] = {}
        self._ledger: pd.DataFrame | None = None

    @classmethod
    def where(cls, ctx: Context, mask: Any) -> "Rows":
        return cls(ctx, np.flatnonzero(np.asarray(mask, dtype=bool)))

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, col: str) -> np.ndarray:
        out = self._cols.get(col)
        if out is None:
            if col in _LEDGER_COLS:
                if self._ledger is None:   # the ledger has the forms' index; aligned by label if not in order
                    ledger, forms = self.ctx.ledger, self.ctx.forms
                    self._ledger = ledger if ledger.index.equals(forms.index) else ledger.reindex(forms.index)
                out = self._ledger[col].to_numpy()[self.positions]
                if col in _ZERO_WHEN_EMPTY:
                    out = out.astype(float)
                    out[np.isnan(out)] = 0.0
            elif col == "categorie":   # under the parameters' spelling (``categorie_saisie``: as typed)
                out = _canonical_list(self.ctx, self["categorie_saisie"])
            else:
                out = self.ctx.forms["categorie" if col == "categorie_saisie" else col].to_numpy()[self.positions]
            self._cols[col] = out
        return out

    def take(self, order: Any) -> "Rows":
        """These rows in another order (``order``: positions among them)."""
        return Rows(self.ctx, self.positions[np.asarray(order, dtype=np.intp)])

    @property
    def frame(self) -> pd.DataFrame:
        return _rows(self.ctx, self.ctx.forms.index.isin(self.index))


def _rows(ctx: Context, mask: pd.Series) -> pd.DataFrame:
    forms, ledger = ctx.forms, ctx.ledger
    rows = forms.loc[mask, _FORM_COLS].join(ledger.loc[mask, _LEDGER_COLS])
    for col in _ZERO_WHEN_EMPTY:
        rows[col] = rows[col].astype(float).fillna(0.0)
    rows["categorie"] = _canonical_categories(ctx, rows["categorie"])
    return rows


def _ns(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "ns")


def _granted_mask(ctx: Context, year: BankYear | None) -> np.ndarray:
    forms, ledger = ctx.forms, ctx.ledger
    if year is None or forms.empty:
        return np.zeros(len(forms), dtype=bool)
    dd = forms["date_decision"].to_numpy(dtype="datetime64[ns]")
    decided = np.isnat(dd) | (dd <= _ns(ctx.as_of))
    return (ledger["adoptee"].to_numpy(dtype=bool) & decided
            & (ledger["annee_banque"].to_numpy(dtype="datetime64[ns]") == _ns(year.start)))


def granted_rows(ctx: Context, year: BankYear | None) -> pd.DataFrame:
    """The adopted rows of the bank year of ``ctx.as_of``, decided by that date."""
    return _rows(ctx, _granted_mask(ctx, year))


def granted(ctx: Context, year: BankYear | None) -> Rows:
    """``granted_rows`` as ``Rows``."""
    return Rows.where(ctx, _granted_mask(ctx, year))


def _sum(values: Any) -> float:
    """``Series.sum()`` of a column (NaN skipped), bit for bit: pandas sums the same way."""
    return float(np.nansum(np.asarray(values, dtype=float)))


def _sort_key_columns(rows: Rows, cols: Sequence[str]) -> list[list]:
    """Sort keys of ``rows`` by these columns, as ``DataFrame.sort_values`` orders them
    (an empty date, or text, last)."""
    keys = []
    for col in cols:
        values = rows[col]
        if values.dtype.kind == "M":
            ints = values.astype("int64").tolist()
            keys.append([(True, 0) if n else (False, i) for n, i in zip(np.isnat(values).tolist(), ints)])
        elif values.dtype.kind in "iuf":
            keys.append([(v != v, 0 if v != v else v) for v in values.tolist()])
        else:
            keys.append([(m, "" if m else v) for v, m in zip(values.tolist(), pd.isna(values).tolist())])
    return keys


def _lexsort_order(rows: Rows, cols: Sequence[str]) -> np.ndarray | None:
    """The same order as ``_sort_key_columns`` with numpy (None when a column's values
    cannot be ordered that way: the plain sort then decides)."""
    keys: list[np.ndarray] = []
    for col in cols:
        values = rows[col]
        if values.dtype.kind == "M":
            empty = np.isnat(values)
            keys += [empty, np.where(empty, 0, values.astype("int64"))]
        elif values.dtype.kind in "iu":
            keys.append(values)
        elif values.dtype.kind == "f":
            empty = np.isnan(values)
            keys += [empty, np.where(empty, 0.0, values)]
        else:
            if not all(type(v) is str for v in pd.unique(values[~pd.isna(values)])):
                return None
            codes, _ = pd.factorize(values, sort=True, use_na_sentinel=True)   # code point order
            keys += [codes < 0, codes]
    return np.lexsort(keys[::-1])   # the last key first; stable, as the plain sort


def sorted_rows(rows: Rows, cols: Sequence[str]) -> Rows:
    """``rows`` sorted by ``cols`` (stable, empty values last), as ``sort_values(cols, kind="stable")``."""
    if len(rows) > FACTORIZE_FROM:
        order = _lexsort_order(rows, cols)
        if order is not None:
            return rows.take(order)
    keys = _sort_key_columns(rows, cols)
    order = sorted(range(len(rows)), key=lambda i: tuple(k[i] for k in keys))
    return rows.take(order)


# --------------------------------------------------------------------------- shared sections


def _text(value: Any, default: str = "—") -> str:
    """A text cell for display: the default when it is empty (None, NaN or NA)."""
    if type(value) is str:
        return value
    return default if value is None or pd.isna(value) else str(value)


_ABSENT = object()


def row_names(names: dict[str, str], matricules: Iterable[Any], typed: Iterable[Any]) -> list[str]:
    """Each row's member name: the one ``names`` has for its matricule (``ctx.names``), else
    the name typed on the row (« — » when empty)."""
    out = []
    for m, n in zip(matricules, typed):
        known = names.get(m, _ABSENT)
        out.append(_text(n) if known is _ABSENT else known)
    return out


def plural(n: int, singular: str, plural_form: str) -> str:
    """``1 erreur``, ``2 erreurs``, ``1 234 formulaires`` (French: 0 and 1 are singular)."""
    return f"{fmt.number(n, 0)} {singular if n < 2 else plural_form}"


# Above this many values, ``_formatted`` finds the distinct ones with pandas (C speed);
# below, a plain loop costs less than the call.
FACTORIZE_FROM = 1024


def _formatted(values: Any, to_text) -> list[str]:
    """``to_text`` of every value of a column, computed once per distinct value (an empty
    cell, None, NaN or NaT, as ``to_text(None)``): dates and amounts repeat a lot."""
    values = np.asarray(values)
    if len(values) > FACTORIZE_FROM:
        codes, uniq = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
        texts = np.array([to_text(v) for v in uniq] + [to_text(None)], dtype=object)
        return texts[codes].tolist()   # code -1 (empty): the last text
    if values.dtype.kind == "M":
        values = values.astype("datetime64[us]")   # .tolist(): datetime (ns would give int)
    empty = pd.isna(values).tolist()
    memo: dict[Any, str] = {}
    out = []
    none = None
    for v, missing in zip(values.tolist(), empty):
        if missing:
            if none is None:
                none = to_text(None)
            out.append(none)
            continue
        text = memo.get(v)
        if text is None:
            text = memo[v] = to_text(v)
        out.append(text)
    return out


def _sources(frame: Any) -> list[str]:
    return [_source(f, sh, int(r)) for f, sh, r in zip(frame["_file"].tolist(), frame["_sheet"].tolist(),
                                                       frame["_row"].tolist())]


@functools.lru_cache(maxsize=4096)
def _source_head(file: str, sheet: str | None) -> str:
    return f"{file}, feuille « {sheet} »" if sheet else f"{file}"


def _source(file: str, sheet: str | None, row: int | None, column: str | None = None) -> str:
    """``fichier.xlsx, feuille « Formulaire », ligne 12, colonne « Heures »`` (each part when known)."""
    try:
        text = _source_head(file, sheet)
    except TypeError:   # an unhashable value: not from the reader, formatted all the same
        text = f"{file}, feuille « {sheet} »" if sheet else f"{file}"
    if row:
        text = f"{text}, ligne {row}"
    if column:
        text = f"{text}, colonne « {column} »"
    return text


def _plan_rows_by_file(ctx: Context) -> dict[str, int]:
    """Rows of the action plan's grid read in each file (axis, goal, objective and action
    rows; a row counted once), since the form reader counts only its own sheets."""
    plan = ctx.data.plan
    seen: set[tuple[str, str, int]] = set()
    if plan is not None:
        for axis in plan.axes:
            seen.add((axis.cell.file, axis.cell.sheet, axis.cell.row))
            for goal in axis.goals:
                seen.add((goal.cell.file, goal.cell.sheet, goal.cell.row))
                for obj in goal.objectives:
                    seen.add((obj.cell.file, obj.cell.sheet, obj.cell.row))
                    for action in obj.actions:
                        seen.add((action.cell.file, action.cell.sheet, action.cell.row))
    counts: dict[str, int] = {}
    for file, _sheet, _row in seen:
        counts[file] = counts.get(file, 0) + 1
    return counts


def files_view(ctx: Context) -> list[dict[str, Any]]:
    """The files the report was built from, with what each held (rows of forms, register,
    bank and calendar sheets, plus the rows of the action plan's grid)."""
    out = []
    plan_rows = _plan_rows_by_file(ctx)
    for fr in sorted(ctx.data.files, key=lambda f: f.path):
        sheets = []
        for name, kind in fr.sheets.items():
            what = KINDS[kind][0] if kind in KINDS else ("plan d'action" if kind == PLAN else "non reconnue")
            sheets.append(f"{name} ({what})")
        out.append({
            "chemin": fr.path,
            "etat": "lu" if fr.readable else "illisible",
            "feuilles": ", ".join(sheets) if sheets else "—",
            "lignes": fmt.number(fr.rows + plan_rows.get(fr.path, 0), 0),
        })
    return out


def scope(ctx: Context, year: BankYear | None) -> str:
    """What the bank-year figures cover, said in words (every total of the reports cites it):
    « du 1er septembre 2026 au 23 novembre 2026 (année de banque en cours) »."""
    if year is None:
        return f"au {fmt.date(ctx.as_of)} (aucune année de banque ouverte)"
    if ctx.as_of >= year.end:
        return f"du {fmt.date(year.start)} au {fmt.date(year.end)} (année de banque terminée)"
    return f"du {fmt.date(year.start)} au {fmt.date(ctx.as_of)} (année de banque en cours)"


# What a missing register, bank or calendar makes untrustworthy, per report (the CS and AG
# reports never speak of rates). Shown as a banner when the run has the finding
# ``donnees-reference-absentes`` (rules/donnees_reference.py), one line per missing kind.
_BANNER = {
    MEMBERS: {"ce": "Registre des membres absent : les montants en dollars (taux horaires, valeur des "
                    "libérations, fonds syndicaux dépensés et restants) et les noms des membres ne sont pas fiables.",
              "": "Registre des membres absent : les fonds syndicaux dépensés et restants et les noms des "
                  "membres ne sont pas fiables."},
    BANK: {"": "Banque de libérations absente : le solde de la banque, les heures imputées aux fonds "
               "syndicaux et le budget ne sont pas établis ; les heures par membre, par catégorie et par "
               "mois ne peuvent pas être rattachées à une année de banque."},
    CALENDAR: {"ce": "Calendrier des instances absent : l'ordre du jour de la prochaine réunion du Conseil "
                     "exécutif (art. 5.2) et les adoptions depuis la réunion précédente ne sont pas établis.",
               "": "Calendrier des instances absent : les chiffres de ce rapport n'en dépendent pas, mais "
                   "l'ordre du jour du Conseil exécutif ne peut pas être établi."},
}


def banner_view(ctx: Context, findings: Iterable[Finding], report: str, missing: bool | None = None) -> list[str]:
    """One line per missing kind of reference data (register, bank, calendar), when the
    run found them missing (``missing``: whether it did, when already known); empty otherwise."""
    from ...rules.donnees_reference import ABSENTES, missing_reference

    if missing is None:
        missing = any(f.rule == ABSENTES for f in findings)
    if not missing:
        return []
    return [_BANNER[kind].get(report, _BANNER[kind][""]) for kind in missing_reference(ctx.data)]


def header_view(ctx: Context, title: str, articles: str, year: BankYear | None,
                findings: Iterable[Finding] = (), report: str = "", short: str = "",
                shared: "Shared | None" = None) -> dict[str, Any]:
    """The report's head: title, date, period, files; ``alertes`` (the banner of missing
    reference data), ``portee`` (what the year's totals cover), ``pied`` (printed footer).
    ``shared``: the run's ``Shared`` (files and banner computed once for the three reports)."""
    if year is None:
        period = (f"aucune année de la feuille « Banque » ne contient le {fmt.date(ctx.as_of)} "
                  "(date de renouvellement absente ou trop ancienne)")
    else:
        period = f"du {fmt.date(year.start)} (dernier renouvellement de la banque) au {fmt.date(ctx.as_of)}"
    return {
        "titre": title,
        "articles": articles,
        "date": fmt.date(ctx.as_of),
        "date_iso": ctx.as_of.isoformat(),
        "periode": period,
        "annee_banque": year.label if year else None,
        "fichiers": shared.files if shared is not None else files_view(ctx),
        "portee": scope(ctx, year),
        "alertes": banner_view(ctx, findings, report, shared.reference_missing if shared is not None else None),
        "pied": f"{short or title} — {fmt.date(ctx.as_of)}",
    }


def summary_view(year: BankYear | None, rows: pd.DataFrame) -> dict[str, Any] | None:
    """The bank's balance in hours, union funds spent and left in dollars (totals only)."""
    if year is None:
        return None
    used = _sum(rows["heures_banque"])
    in_funds = _sum(rows["heures_fonds"])
    spent = _sum(rows["montant_fonds"])
    granted = _sum(rows["heures_octroyees"])
    balance = year.hours - used
    left = year.budget - spent
    return {
        "annee": year.label,
        "heures_allouees": fmt.hours(year.hours),
        "heures_banque": fmt.hours(used),
        "solde_heures": fmt.hours(balance),
        "solde_heures_valeur": balance,
        "part_utilisee": fmt.percent(used / year.hours) if year.hours > 0 else "—",
        "heures_octroyees": fmt.hours(granted),
        "heures_octroyees_valeur": granted,
        "heures_fonds": fmt.hours(in_funds),
        "heures_fonds_valeur": in_funds,
        "budget": fmt.money(year.budget),
        "fonds_depenses": fmt.money(spent),
        "fonds_depenses_valeur": spent,
        "fonds_restants": fmt.money(left),
        "fonds_restants_valeur": left,
        "budget_depasse": bool(left < 0),
        "lignes": len(rows),
    }


# --------------------------------------------------------------------------- group sums

# Below this many rows, the sums by group are plain Python loops: a pandas groupby costs
# a millisecond or more whatever the rows, and a run on a few hundred rows makes a dozen.
SMALL_GROUPS = 4096


def _kahan_groups(keys: list, columns: list[list[float]]) -> dict[Any, tuple[int, list[float]]]:
    """pandas' ``groupby(...).sum()`` in plain Python, bit for bit: per group, in row order,
    Kahan's compensated sum of the non-NaN values (a NaN compensation, from an infinite
    value, reset to 0), 0.0 for a group without values; rows whose key is None dropped;
    groups in the order of their first row."""
    width = len(columns)
    acc: dict[Any, list] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        g = acc.get(key)
        if g is None:
            g = acc[key] = [0, [0.0] * width, [0.0] * width]
        g[0] += 1
        sums, comp = g[1], g[2]
        for j in range(width):
            val = columns[j][i]
            if val == val:
                y = val - comp[j]
                t = sums[j] + y
                c = t - sums[j] - y
                comp[j] = c if c == c else 0.0
                sums[j] = t
    return {key: (g[0], g[1]) for key, g in acc.items()}


def group_sums(keys: Sequence, columns: Sequence[Any]) -> dict[Any, tuple[int, list[float]]]:
    """Per distinct key (None: no group), in the order of its first row: the number of
    rows and the sum of each column (NaN skipped), exactly as pandas' ``groupby(sort=False)``
    computes it (``tests/test_reports_speed.py``). Few rows: plain Python; many: pandas."""
    keys = list(keys)
    if len(keys) <= SMALL_GROUPS:
        return _kahan_groups(keys, [np.asarray(c, dtype=float).tolist() for c in columns])
    codes, uniques = pd.factorize(np.array(keys, dtype=object), use_na_sentinel=True)
    keep = codes >= 0
    frame = pd.DataFrame({j: np.asarray(c, dtype=float)[keep] for j, c in enumerate(columns)})
    grouped = frame.groupby(codes[keep], sort=True)
    sums, sizes = grouped.sum().to_numpy(dtype=float), grouped.size().to_numpy()
    return {uniques[code]: (int(sizes[i]), sums[i].tolist()) for i, code in enumerate(np.unique(codes[keep]).tolist())}


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return fold(text)


def member_groups(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Per member (matricule, « — » when absent): rows, hours granted, their value; raw figures."""
    matricules = np.asarray(rows["matricule"])
    keys = ["—" if m else v for v, m in zip(matricules.tolist(), pd.isna(matricules).tolist())]
    groups = group_sums(keys, [rows["heures_octroyees"], rows["valeur"]])
    return [{"matricule": m, "lignes": n, "heures": h, "valeur": v} for m, (n, (h, v)) in groups.items()]


def members_view(rows: pd.DataFrame, names: dict[str, str], with_money: bool,
                 groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Hours granted to each member (and, for the CE only, what they are worth).
    ``groups``: ``member_groups(rows)`` when already computed."""
    items = []
    for g in (member_groups(rows) if groups is None else groups):
        matricule = g["matricule"]
        item = {
            "matricule": matricule,
            "nom": names.get(matricule, "—"),
            "heures": fmt.hours(g["heures"]),
            "heures_valeur": float(g["heures"]),
            "lignes": g["lignes"],
        }
        if with_money:
            item["montant"] = fmt.money(g["valeur"])
            item["montant_valeur"] = float(g["valeur"])
        items.append(item)
    items.sort(key=lambda i: (_fold(i["nom"]), i["matricule"]))
    total_h = _sum(rows["heures_octroyees"])
    total = {"heures": fmt.hours(total_h), "heures_valeur": float(total_h), "lignes": len(rows)}
    if with_money:
        total_v = _sum(rows["valeur"])
        total["montant"] = fmt.money(total_v)
        total["montant_valeur"] = float(total_v)
    return {"lignes": items, "total": total}


def hours_total(rows: pd.DataFrame) -> dict[str, Any]:
    """The total line of an hours table: every row granted, its hours."""
    total = _sum(rows["heures_octroyees"])
    return {"heures": fmt.hours(total), "heures_valeur": total, "lignes": len(rows)}


def category_items(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Hours granted per category, the largest first (ties in the order of their first row)."""
    groups = group_sums(np.asarray(rows["categorie"]).tolist(), [rows["heures_octroyees"]])
    ordered = sorted(groups.items(), key=lambda kv: -kv[1][1][0])   # stable: ties keep their order
    return [{"categorie": c, "heures": fmt.hours(h), "heures_valeur": float(h), "lignes": n}
            for c, (n, (h,)) in ordered]


def categories_view(rows: pd.DataFrame, chart_id: str, items: list[dict[str, Any]] | None = None,
                    total: dict[str, Any] | None = None) -> dict[str, Any]:
    """``items``, ``total``: ``category_items(rows)``, ``hours_total(rows)`` when already computed."""
    items = category_items(rows) if items is None else items
    chart = bar_chart(chart_id, "Heures accordées par catégorie d'activité",
                      "Barres horizontales, une par catégorie, de la plus grande à la plus petite. "
                      "Le tableau qui suit donne les mêmes chiffres.",
                      [Bar(i["categorie"], i["heures_valeur"], i["heures"]) for i in items])
    return {"lignes": items, "graphique": chart, "total": hours_total(rows) if total is None else total}


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from ``start``'s to ``end``'s (``start``'s alone when ``end`` is before)."""
    if end < start:
        end = start
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_keys(values: np.ndarray) -> list:
    """The first day of each value's month (``datetime.date``), None for NaT."""
    return values.astype("datetime64[M]").tolist()


def _latest(values: np.ndarray) -> dt.date | None:
    """The latest date of a datetime64 column (NaT skipped), None when there is none."""
    known = values[~np.isnat(values)]
    return _as_date(known.max()) if len(known) else None


def _earliest(values: np.ndarray) -> dt.date | None:
    known = values[~np.isnat(values)]
    return _as_date(known.min()) if len(known) else None


def month_items(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date) -> list[dict[str, Any]]:
    """Hours granted by month of activity, every month of the period (zero included)."""
    if year is None:
        return []
    activity = np.asarray(rows["date_activite"], dtype="datetime64[ns]")
    last = as_of
    latest = _latest(activity)
    if latest is not None:
        last = max(last, latest)
    per = group_sums(_month_keys(activity), [rows["heures_octroyees"]])
    items = []
    for m in _months(year.start, min(last, year.end)):
        n, (h,) = per.get(m, (0, [0.0]))
        h = float(h)
        items.append({"mois": fmt.month(m), "heures": fmt.hours(h), "heures_valeur": h, "lignes": int(n)})
    return items


def months_view(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date, chart_id: str,
                items: list[dict[str, Any]] | None = None, total: dict[str, Any] | None = None) -> dict[str, Any]:
    """Hours granted by month of activity, every month of the period (zero included).
    ``items``, ``total``: ``month_items(...)``, ``hours_total(rows)`` when already computed."""
    if year is None:
        return {"lignes": [], "graphique": None, "total": None}
    items = month_items(rows, year, as_of) if items is None else items
    total = hours_total(rows) if total is None else total
    chart = None
    if total["heures_valeur"] > 0:
        chart = bar_chart(chart_id, "Heures accordées par mois d'activité",
                          "Barres horizontales, une par mois de la période, dans l'ordre du calendrier. "
                          "Le tableau qui suit donne les mêmes chiffres.",
                          [Bar(i["mois"], i["heures_valeur"], i["heures"]) for i in items])
    return {"lignes": items, "graphique": chart, "total": total}


def bank_use_view(rows: pd.DataFrame, year: BankYear | None, as_of: dt.date, chart_id: str) -> dict[str, Any]:
    """The bank and union funds month by month (by decision date, the order the ledger
    charges them; the activity date when a row has no decision date), with cumulative totals."""
    if year is None:
        return {"lignes": [], "graphique": None, "total": None}
    decided = np.asarray(rows["date_decision"], dtype="datetime64[ns]")
    when = np.where(np.isnat(decided), np.asarray(rows["date_activite"], dtype="datetime64[ns]"), decided)
    first, last = year.start, min(as_of, year.end)
    earliest = _earliest(when)
    if earliest is not None:  # a row decided before the renewal or after the year's end keeps its month
        first, last = min(first, earliest), max(last, _latest(when))
    per = group_sums(_month_keys(when), [rows["heures_octroyees"], rows["heures_banque"], rows["montant_fonds"]])
    items, cum_h, cum_bank, cum_funds = [], 0.0, 0.0, 0.0
    for m in _months(first, last):
        _n, (h, bank, funds) = per.get(m, (0, [0.0, 0.0, 0.0]))
        h = float(h)
        cum_h += h
        cum_bank += float(bank)
        cum_funds += float(funds)
        items.append({
            "mois": fmt.month(m),
            "heures": fmt.hours(h), "heures_valeur": h,
            "cumul": fmt.hours(cum_h), "cumul_valeur": cum_h,
            "solde": fmt.hours(year.hours - cum_bank), "solde_valeur": year.hours - cum_bank,
            "fonds_depenses": fmt.money(cum_funds), "fonds_depenses_valeur": cum_funds,
        })
    chart = line_chart(
        chart_id, "Utilisation de la banque au fil de l'année",
        f"Courbe du cumul des heures accordées à la fin de chaque mois, de {items[0]['mois']} "
        f"à {items[-1]['mois']}, comparée à la taille de la banque ({fmt.hours(year.hours)}, ligne "
        "pointillée). Au-delà de cette ligne, les heures sont payées par les fonds syndicaux. "
        "Le tableau qui suit donne les mêmes chiffres.",
        [i["mois"] for i in items], [i["cumul_valeur"] for i in items],
        year.hours if year.hours == year.hours else None, f"Banque : {fmt.hours(year.hours)}",
        fmt.hours, "Cumul des heures accordées",
    )
    total = _sum(rows["heures_octroyees"])
    return {"lignes": items, "graphique": chart,
            "total": {"heures": fmt.hours(total), "heures_valeur": total,
                      "solde": items[-1]["solde"] if items else fmt.hours(year.hours),
                      "fonds_depenses": items[-1]["fonds_depenses"] if items else fmt.money(0)}}


def _finding_view(f: Finding) -> dict[str, Any]:
    return {
        "severite": f.severity,
        "libelle": SEVERITY_LABELS[f.severity],
        "article": f"art. {f.article}" if f.article else "",
        "regle": f.rule,
        "message": f.message,
        "source": _source(f.file, f.sheet, f.row, f.column),
    }


def severity_counts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    counts = count_by_severity(list(findings))
    return [{"severite": s, "libelle": SEVERITY_PLURALS[s], "nombre": n, "nombre_texte": fmt.number(n, 0)}
            for s, n in counts.items()]


# --------------------------------------------------------------------------- computed once for the three reports


class Shared:
    """What the three reports compute alike, computed once per run (``write_reports``):
    the bank year, its rows granted, the files, the per-member, per-category and
    per-month figures. The sections built from it are read-only for the templates, so
    the CS and AG reports share theirs."""

    def __init__(self, ctx: Context, findings: list[Finding]):
        self.ctx = ctx
        self.findings = findings
        self._members: dict[bool, dict[str, Any]] = {}

    @cached_property
    def year(self) -> BankYear | None:
        return bank_year(self.ctx)

    @cached_property
    def rows(self) -> Rows:
        return granted(self.ctx, self.year)

    @cached_property
    def files(self) -> list[dict[str, Any]]:
        return files_view(self.ctx)

    @cached_property
    def reference_missing(self) -> bool:
        from ...rules.donnees_reference import ABSENTES

        return any(f.rule == ABSENTES for f in self.findings)

    def header(self, title: str, articles: str, report: str, short: str) -> dict[str, Any]:
        return header_view(self.ctx, title, articles, self.year, self.findings, report, short, shared=self)

    @cached_property
    def summary(self) -> dict[str, Any] | None:
        return summary_view(self.year, self.rows)

    @cached_property
    def member_groups(self) -> list[dict[str, Any]]:
        return member_groups(self.rows)

    def members(self, with_money: bool) -> dict[str, Any]:
        if with_money not in self._members:
            self._members[with_money] = members_view(self.rows, self.ctx.names, with_money, self.member_groups)
        return self._members[with_money]

    @cached_property
    def hours_total(self) -> dict[str, Any]:
        return hours_total(self.rows)

    @cached_property
    def category_items(self) -> list[dict[str, Any]]:
        return category_items(self.rows)

    def categories(self, chart_id: str) -> dict[str, Any]:
        return categories_view(self.rows, chart_id, self.category_items, self.hours_total)

    @cached_property
    def month_items(self) -> list[dict[str, Any]]:
        return month_items(self.rows, self.year, self.ctx.as_of)

    def months(self, chart_id: str) -> dict[str, Any]:
        return months_view(self.rows, self.year, self.ctx.as_of, chart_id, self.month_items, self.hours_total)
