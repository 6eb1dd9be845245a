"""Art. 4.1: the activities that may be released.

* ``categorie-inconnue``: a category that is not in the regulation's list;
* ``deplacement-moins-de-300-km``: travel time released only at ``distance_min_km`` or more that day;
* ``trois-par-reunion``: at most ``max_personnes_reunion`` members at one CRQCA / CRQ-03 meeting.
"""
from __future__ import annotations

import numpy as np

from .. import formatting as fmt
from ..account.ledger import date_sort_key
from ..context import Context
from ..model import ERREUR, Finding
from ..text import fold
from .base import form_findings

ARTICLE = "4.1"


def regle_4_1_categorie(ctx: Context) -> list[Finding]:
    """A category not in the list (a *Congrès* of any body is a known category: see 4.3).
    An empty category is art. 5.1's."""
    p = ctx.params
    known = {fold(c) for c in p.categories_connues}
    flagged = ctx.written("categorie") & ~ctx.folded_in("categorie", known)
    if not flagged.any():
        return []
    listing = ", ".join(p.categories_connues)
    message = [f"Catégorie « {c} » inconnue (art. 4.1) : elle n'est pas dans la liste des activités "
               f"susceptibles d'être libérées. Choisissez l'une des catégories du règlement : {listing}."
               for c in ctx.values("categorie")[flagged].tolist()]
    return form_findings(ctx, flagged, "categorie", ARTICLE, "categorie-inconnue", ERREUR, message)


def regle_4_1_deplacement_300_km(ctx: Context) -> list[Finding]:
    """A *Déplacement* under ``distance_min_km`` or with no distance. A distance that
    was written but cannot be read is art. 5.1's."""
    p = ctx.params
    travel = ctx.folded_in("categorie", (fold(p.categorie_deplacement),))
    if not travel.any():
        return []
    dist = ctx.values("distance_km")
    empty = ctx.blank("distance_km")  # nothing (or a dash) written
    short = dist < p.distance_min_km  # NaN compares False
    flagged = travel & (empty | short)
    if not flagged.any():
        return []
    minimum = fmt.km(p.distance_min_km)
    none = (f"Aucune distance indiquée pour ce déplacement : le temps de déplacement n'est libéré que si "
            f"la distance parcourue dans la même journée est d'au moins {minimum} (art. 4.1). "
            f"Indiquez la distance (km).")
    message = [f"Déplacement de {fmt.km(d)} : le temps de déplacement n'est libéré que si la distance "
               f"parcourue dans la même journée est d'au moins {minimum} (art. 4.1)." if is_short else none
               for d, is_short in zip(dist[flagged].tolist(), short[flagged].tolist())]
    return form_findings(ctx, flagged, "distance_km", ARTICLE, "deplacement-moins-de-300-km", ERREUR, message)


def _meetings(category: np.ndarray, day: np.ndarray, meeting: np.ndarray) -> np.ndarray:
    """Meeting id of each row: rows with the same category and date, or the same
    (folded, non-empty) Réunion text, are one meeting, transitively (the id is the
    position of the meeting's first row). ``day``: int64, NaT's value when no date
    (the row is then linked by its Réunion only)."""
    n = len(category)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    nat = np.iinfo(np.int64).min
    first: dict = {}
    for i, (c, d, m) in enumerate(zip(category.tolist(), day.tolist(), meeting.tolist())):
        for key in (("d", c, d) if d != nat else None, ("r", m) if m else None):
            if key is None:
                continue
            j = first.setdefault(key, i)
            if j != i:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return np.array([root(i) for i in range(n)], dtype=np.int64)


def _people(ctx: Context, ids) -> str:
    """« Amélie Tremblay (1001), Benoît Gagnon (1002) et … » from the register's names."""
    names, mats, noms = ctx.names, ctx.values("matricule"), ctx.values("nom")
    parts = []
    for i in ids:
        m = mats[i]
        nom = names.get(m) or noms[i]
        parts.append(f"{nom} ({m})" if nom else str(m))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def regle_4_1_trois_par_reunion(ctx: Context) -> list[Finding]:
    """The fourth and later member at one CRQCA / CRQ-03 meeting. The first
    ``max_personnes_reunion`` members by reception date (then file, row) keep their
    place; a member on several rows of one meeting counts once."""
    p = ctx.params
    regional = ctx.folded_in("categorie", {fold(c) for c in p.categories_reunions_regionales})
    usable = regional & ctx.present("matricule") & (ctx.present("date_activite") | ctx.written("reunion"))
    if usable.sum() <= p.max_personnes_reunion:
        return []
    pos = np.flatnonzero(usable)
    rid = pos[_meetings(ctx.folded("categorie")[pos], ctx.values("date_activite")[pos].view("i8"),
                        ctx.folded("reunion")[pos])]
    # by reception date (empty last), file, row
    order = np.lexsort((ctx.values("_row")[pos], ctx.sort_rank("_file")[pos],
                        date_sort_key(ctx.values("date_reception")[pos])))
    max_n = p.max_personnes_reunion
    rank_of: dict = {}
    count: dict = {}
    kept: dict = {}
    over = []
    mats = ctx.values("matricule")
    for i, r in zip(pos[order].tolist(), rid[order].tolist()):
        k = (r, mats[i])
        rank = rank_of.get(k)
        if rank is None:
            rank = rank_of[k] = count[r] = count.get(r, 0) + 1
            if rank <= max_n:
                kept.setdefault(r, []).append(i)
        if rank > max_n:
            over.append((i, r, rank))
    if not over:
        return []
    forms = ctx.forms
    head: dict = {}
    messages = []
    for i, r, rank in over:
        if r not in head:
            first = i
            name = forms["reunion"].iat[first]
            category = forms["categorie"].iat[first]
            what = (f"la réunion « {name} »" if name else
                    f"la {category[0].lower()}{category[1:]} du {fmt.date(forms['date_activite'].iat[first])}")
            head[r] = (what, _people(ctx, kept[r]))
        what, people = head[r]
        messages.append(
            f"{int(rank)}e personne à {what} : au plus {max_n} personnes peuvent être libérées pour "
            f"une même réunion (art. 4.1). Premières demandes reçues : {people}. "
            f"Cette libération ne peut pas être accordée.")
    return form_findings(ctx, forms.index[[i for i, _r, _k in over]], "categorie", ARTICLE, "trois-par-reunion", ERREUR,
                         messages)


RULES = [regle_4_1_categorie, regle_4_1_deplacement_300_km, regle_4_1_trois_par_reunion]
