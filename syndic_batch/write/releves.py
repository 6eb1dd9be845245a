"""OUT/releves/<matricule>.html: one printable statement per member.

For each member with a form row in the bank year of the run's date (or a row
whose activity date cannot be read): who they are, the bank year, each of their
rows (date, category, hours asked and granted, the CE's decision and its date,
the deposit date, the hours charged to the bank and to the union funds) and
every finding on their rows, in plain French. The totals count what the CE
report counts for the member (adopted rows of the bank year decided by the run's
date, ``reports.shared.granted_rows``), so the two agree. The member's own rate
appears on their own statement (never in the CS or AG reports).

Self-contained like the reports (inline CSS allowed by its hash in a
Content-Security-Policy, no script, every text escaped by Jinja2). File names
come from the matricule, made safe: only letters, digits, ``-`` and ``_`` are
kept; a matricule that needed changing gets a short hash of itself, so that two
matricules never share a file and none can leave the folder.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import formatting as fmt
from ..account.ledger import EPS
from ..account.reference import ADOPTEE, EN_DEPOT, INCONNUE, NON_DECIDEE, REFUSEE
from ..context import Context
from ..model import Finding, sort_findings
from ..resources import templates_dir
from ..text import fold
from .atomic import write_text_atomic
from .reports import content_security_policy
from .reports.shared import (SEVERITY_LABELS, BankYear, _canonical_categories, _formatted, bank_year, granted_rows)

FOLDER = "releves"
_STATE = {ADOPTEE: "Adoptée", REFUSEE: "Refusée", EN_DEPOT: "En dépôt", NON_DECIDEE: "Pas encore décidée",
          INCONNUE: "Décision illisible"}
_SAFE = re.compile(r"[^0-9A-Za-z_-]")


def safe_name(matricule: str) -> str:
    """A file name for the member's statement that stays in its folder."""
    text = str(matricule)
    safe = _SAFE.sub("_", text)[:40]
    if safe.startswith("-"):
        safe = "_" + safe[1:]
    if safe != text or not safe:
        safe = f"{safe or 'membre'}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return f"{safe}.html"


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _hours(value: float) -> str:
    return fmt.hours(value) if value and value > EPS else "—"


def member_rows(ctx: Context, year: BankYear | None) -> pd.DataFrame:
    """Every form row of the statements: in the bank year of the run's date (or, with no such
    year, every dated row), plus the rows whose activity date cannot be read."""
    forms = ctx.forms
    if year is None:
        mask = forms["matricule"].notna()
    else:
        in_year = (forms["date_activite"] >= _ts(year.start)) & (forms["date_activite"] <= _ts(year.end))
        mask = forms["matricule"].notna() & (in_year | forms["date_activite"].isna())
    return forms.loc[mask]


def build_statement_views(ctx: Context, findings: list[Finding]) -> dict[str, dict[str, Any]]:
    """Matricule → the view of that member's statement."""
    year = bank_year(ctx)
    rows = member_rows(ctx, year)
    if rows.empty:
        return {}
    led = ctx.ledger
    counted = set(granted_rows(ctx, year).index)
    by_form: dict[int, list[Finding]] = {}
    for f in findings:
        if f.form_id is not None:
            by_form.setdefault(f.form_id, []).append(f)
    union = ctx.params.nom_syndicat
    as_of = _ts(ctx.as_of)
    frame = rows[["matricule", "nom", "date_activite", "categorie", "description", "heures_demandees",
                  "date_decision", "date_depot", "_file", "_sheet", "_row"]].join(
        led.loc[rows.index, ["heures_octroyees", "heures_banque", "heures_fonds", "valeur", "taux"]])
    frame["categorie"] = _canonical_categories(ctx, frame["categorie"])
    frame["etat"] = ctx.decisions.loc[rows.index]
    frame["fid"] = frame.index
    frame = frame.sort_values(["matricule", "date_activite", "_file", "_row"], na_position="last", kind="mergesort")
    # Every text formatted once per distinct value (Babel is slow; dates and hours repeat a lot).
    adopted = frame["etat"] == ADOPTEE
    texts = pd.DataFrame({
        "t_date": _formatted(frame["date_activite"], lambda v: "date illisible" if v is None else fmt.date(v)),
        "t_demandees": _formatted(frame["heures_demandees"], lambda v: "—" if v is None else fmt.hours(v)),
        "t_accordees": _formatted(frame["heures_octroyees"].where(adopted), lambda v: "—" if v is None else fmt.hours(v)),
        "t_banque": _formatted(frame["heures_banque"].where(adopted), lambda v: "—" if v is None else _hours(v)),
        "t_fonds": _formatted(frame["heures_fonds"].where(adopted), lambda v: "—" if v is None else _hours(v)),
        "t_decidee": _formatted(frame["date_decision"], lambda v: "" if v is None else f" le {fmt.date(v)}"),
        "t_depot": _formatted(frame["date_depot"], lambda v: "—" if v is None else fmt.date(v)),
    }, index=frame.index)
    frame = frame.join(texts)
    records = frame.to_dict("records")
    views = {}
    start = 0
    while start < len(records):
        matricule = records[start]["matricule"]
        stop = start
        while stop < len(records) and records[stop]["matricule"] == matricule:
            stop += 1
        group_records = records[start:stop]
        group = frame.iloc[start:stop]
        start = stop
        items = []
        tot = {"demandees": 0.0, "accordees": 0.0, "banque": 0.0, "fonds": 0.0, "valeur": 0.0}
        for r in group_records:
            fid, st = r["fid"], r["etat"]
            in_total = fid in counted
            decided = pd.notna(r["date_decision"])
            decision = _STATE[st] + (r["t_decidee"] if st != NON_DECIDEE else "")
            note = None
            if st == ADOPTEE and not in_total:
                note = (f"décision datée après le {fmt.date(ctx.as_of)} : pas encore comptée"
                        if decided and r["date_decision"] > as_of else "hors de l'année de la banque : pas comptée")
            asked = r["heures_demandees"]
            if pd.notna(asked):
                tot["demandees"] += float(asked)
            if in_total:
                tot["accordees"] += float(r["heures_octroyees"])
                tot["banque"] += float(r["heures_banque"])
                tot["fonds"] += float(r["heures_fonds"])
                tot["valeur"] += 0.0 if pd.isna(r["valeur"]) else float(r["valeur"])
            items.append({
                "date": r["t_date"],
                "categorie": r["categorie"],
                "description": r["description"] or "",
                "demandees": r["t_demandees"],
                "accordees": r["t_accordees"],
                "decision": decision,
                "etat": st,
                "note": note,
                "depot": r["t_depot"],
                "banque": r["t_banque"],
                "fonds": r["t_fonds"],
                "source": f"{r['_file']}, ligne {int(r['_row'])}",
                "constats": [{"severite": f.severity, "libelle": SEVERITY_LABELS[f.severity],
                              "article": f"art. {f.article}" if f.article else "", "message": f.message,
                              "colonne": f.column or ""}
                             for f in sort_findings(by_form.get(fid, []))],
            })
        rates = sorted({float(x) for x in group["taux"].dropna()})
        name = ctx.names.get(matricule) or next((n for n in group["nom"] if n), None) or "—"
        views[matricule] = {
            "syndicat": union,
            "matricule": matricule,
            "nom": name,
            "date": fmt.date(ctx.as_of),
            "date_iso": ctx.as_of.isoformat(),
            "annee": year.label if year else (f"aucune année de la banque ne contient le {fmt.date(ctx.as_of)} : "
                                              "toutes vos lignes sont présentées"),
            "taux": " ; ".join(fmt.money(x) for x in rates) if rates else "inconnu (absent du registre ?)",
            "lignes": items,
            "nombre": len(items),
            "total_demandees": fmt.hours(tot["demandees"]),
            "total_accordees": fmt.hours(tot["accordees"]),
            "total_accordees_valeur": tot["accordees"],
            "total_banque": fmt.hours(tot["banque"]),
            "total_fonds": fmt.hours(tot["fonds"]),
            "total_valeur": fmt.money(tot["valeur"]),
            "en_attente": sum(1 for i in items if i["etat"] in (NON_DECIDEE, EN_DEPOT)),
            "constats": sum(len(i["constats"]) for i in items),
        }
    return dict(sorted(views.items(), key=lambda kv: (fold(kv[1]["nom"]), kv[0])))


def environment() -> Environment:
    root = templates_dir()
    return Environment(loader=FileSystemLoader([str(root / "releves"), str(root / "rapports")]),
                       autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def _css() -> str:
    root = templates_dir()
    return ((root / "rapports" / "rapport.css").read_text(encoding="utf-8") + "\n"
            + (root / "releves" / "releve.css").read_text(encoding="utf-8"))


def render_statement(view: dict[str, Any], env: Environment | None = None, css: str | None = None) -> str:
    env = env or environment()
    css = css if css is not None else _css()
    return env.get_template("releve.html").render(r=view, css=Markup(css), csp=content_security_policy(css))


def write_statements(ctx: Context, findings: list[Finding], out_dir: str | Path) -> list[Path]:
    """Write ``out_dir/<matricule>.html`` for every member; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env, css = environment(), _css()
    paths = []
    for matricule, view in build_statement_views(ctx, findings).items():
        path = out_dir / safe_name(matricule)
        write_text_atomic(path, render_statement(view, env, css))
        paths.append(path)
    return paths
