"""Art. 4.1: the activities that may be released.

* ``categorie-inconnue``: a category that is not in the regulation's list;
* ``deplacement-moins-de-300-km``: travel time released only at ``distance_min_km`` or more that day;
* ``trois-par-reunion``: at most ``max_personnes_reunion`` members at one CRQCA / CRQ-03 meeting.
"""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from ..context import Context
from ..model import ERREUR, Finding
from ..text import fold
from ..read.fields import FORMS
from .base import folded_form, form_findings

ARTICLE = "4.1"


def regle_4_1_categorie(ctx: Context) -> list[Finding]:
    """A category not in the list (a *Congrès* of any body is a known category: see 4.3).
    An empty category is art. 5.1's."""
    p = ctx.params
    cat = folded_form(ctx, "categorie")
    known = {fold(c) for c in p.categories_connues}
    flagged = (cat != "") & ~cat.isin(known)
    if not flagged.any():
        return []
    listing = ", ".join(p.categories_connues)
    message = ctx.forms["categorie"][flagged].map(
        lambda c: f"Catégorie « {c} » inconnue (art. 4.1) : elle n'est pas dans la liste des activités "
                  f"susceptibles d'être libérées. Choisissez l'une des catégories du règlement : {listing}.",
        na_action="ignore")
    return form_findings(ctx, flagged, "categorie", ARTICLE, "categorie-inconnue", ERREUR, message)


def regle_4_1_deplacement_300_km(ctx: Context) -> list[Finding]:
    """A *Déplacement* under ``distance_min_km`` or with no distance. A distance that
    was written but cannot be read is art. 5.1's."""
    p = ctx.params
    forms = ctx.forms
    travel = folded_form(ctx, "categorie") == fold(p.categorie_deplacement)
    dist = forms["distance_km"]
    empty = ctx.data.blank_cells(FORMS, "distance_km")  # nothing (or a dash) written
    short = dist.notna() & (dist < p.distance_min_km)
    flagged = travel & (empty | short)
    if not flagged.any():
        return []
    minimum = fmt.km(p.distance_min_km)
    message = pd.Series(
        f"Aucune distance indiquée pour ce déplacement : le temps de déplacement n'est libéré que si "
        f"la distance parcourue dans la même journée est d'au moins {minimum} (art. 4.1). "
        f"Indiquez la distance (km).", index=forms.index, dtype=object)
    message[short] = dist[short].map(
        lambda d: f"Déplacement de {fmt.km(d)} : le temps de déplacement n'est libéré que si la distance "
                  f"parcourue dans la même journée est d'au moins {minimum} (art. 4.1).")
    return form_findings(ctx, flagged, "distance_km", ARTICLE, "deplacement-moins-de-300-km", ERREUR, message)


def _meetings(cat: pd.Series, date: pd.Series, meeting: pd.Series) -> pd.Series:
    """Meeting id of each row: rows with the same category and date, or the same
    (folded, non-empty) Réunion text, are one meeting, transitively."""
    idx = cat.index
    # -1: no date, the row is linked by its Réunion only
    by_day = pd.DataFrame({"c": cat, "d": date}).groupby(["c", "d"]).ngroup().fillna(-1).astype("int64")
    by_name = pd.Series(pd.factorize(meeting)[0], index=idx)
    by_name[meeting == ""] = -1
    label = pd.Series(range(len(idx)), index=idx)
    while True:  # propagate the smallest label through both links until stable
        new = label
        for key in (by_day, by_name):
            linked = key >= 0
            new = new.where(~linked, new.groupby(key).transform("min"))
        if new.equals(label):
            return label
        label = new


def _people(ctx: Context, ids) -> str:
    """« Amélie Tremblay (1001), Benoît Gagnon (1002) et … » from the register's names."""
    names, forms = ctx.names, ctx.forms
    parts = []
    for i in ids:
        m = forms.at[i, "matricule"]
        nom = names.get(m) or forms.at[i, "nom"]
        parts.append(f"{nom} ({m})" if nom else str(m))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def regle_4_1_trois_par_reunion(ctx: Context) -> list[Finding]:
    """The fourth and later member at one CRQCA / CRQ-03 meeting. The first
    ``max_personnes_reunion`` members by reception date (then file, row) keep their
    place; a member on several rows of one meeting counts once."""
    p = ctx.params
    forms = ctx.forms
    cat = folded_form(ctx, "categorie")
    regional = cat.isin({fold(c) for c in p.categories_reunions_regionales})
    meeting = folded_form(ctx, "reunion")
    usable = regional & forms["matricule"].notna() & (forms["date_activite"].notna() | (meeting != ""))
    if usable.sum() <= p.max_personnes_reunion:
        return []
    sub = forms.loc[usable, ["matricule", "date_activite", "date_reception", "_file", "_row"]].copy()
    sub["reunion_id"] = _meetings(cat[usable], sub["date_activite"], meeting[usable])
    sub = sub.sort_values(["date_reception", "_file", "_row"], na_position="last", kind="stable")
    firsts = sub.drop_duplicates(["reunion_id", "matricule"])
    rank = firsts.groupby("reunion_id").cumcount() + 1
    rank = pd.Series(rank.to_numpy(), index=pd.MultiIndex.from_frame(firsts[["reunion_id", "matricule"]]))
    sub["rang"] = rank.reindex(pd.MultiIndex.from_frame(sub[["reunion_id", "matricule"]])).to_numpy()
    over = sub[sub["rang"] > p.max_personnes_reunion]
    if over.empty:
        return []
    max_n = p.max_personnes_reunion
    kept = {rid: list(g.index) for rid, g in firsts[rank.to_numpy() <= max_n].groupby("reunion_id")}
    messages = {}
    for reunion_id, rows in over.groupby("reunion_id"):
        first = rows.index[0]
        name = forms.at[first, "reunion"]
        category = forms.at[first, "categorie"]
        what = (f"la réunion « {name} »" if name else
                f"la {category[0].lower()}{category[1:]} du {fmt.date(forms.at[first, 'date_activite'])}")
        people = _people(ctx, kept[reunion_id])
        for i, r in zip(rows.index, rows["rang"]):
            messages[i] = (
                f"{int(r)}e personne à {what} : au plus {max_n} personnes peuvent être libérées pour "
                f"une même réunion (art. 4.1). Premières demandes reçues : {people}. "
                f"Cette libération ne peut pas être accordée.")
    message = pd.Series(messages, dtype=object)
    return form_findings(ctx, list(over.index), "categorie", ARTICLE, "trois-par-reunion", ERREUR, message)


RULES = [regle_4_1_categorie, regle_4_1_deplacement_300_km, regle_4_1_trois_par_reunion]
