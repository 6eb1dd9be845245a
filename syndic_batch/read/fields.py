"""The fields of each kind of sheet, their headers and synonyms.

A sheet is recognised by its header row (domain.md, *Input workbooks*). Headers
are compared folded (``text.fold``): case, accents, punctuation and spacing do
not matter. Each field lists the folded spellings it accepts.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..text import fold

DATE, NUMBER, TEXT = "date", "number", "text"


@dataclass(frozen=True)
class Field:
    key: str          # canonical name, used as the DataFrame column
    label: str        # header as the blank template writes it (French)
    kind: str         # DATE, NUMBER or TEXT
    required: bool
    synonyms: tuple[str, ...] = ()

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset(fold(s) for s in (self.label, *self.synonyms))


FORM_FIELDS: tuple[Field, ...] = (
    Field("matricule", "Matricule", TEXT, True,
          ("No membre", "N° membre", "Numéro de membre", "Numéro d'employé", "No employé",
           "Numéro d'employée", "Matricule du membre", "No de matricule")),
    Field("nom", "Nom", TEXT, False, ("Nom du membre", "Nom complet", "Membre", "Prénom et nom")),
    Field("date_activite", "Date de l'activité", DATE, True,
          ("Date activité", "Date", "Date de l'implication", "Jour de l'activité")),
    Field("categorie", "Catégorie", TEXT, True, ("Catégorie d'activité", "Type d'activité", "Type")),
    Field("description", "Description", TEXT, False, ("Description de l'activité", "Détails")),
    Field("reunion", "Réunion", TEXT, False, ("Nom de la réunion", "Instance ou réunion")),
    Field("organisme", "Organisme", TEXT, False, ("Organisme organisateur", "Organisé par")),
    Field("reference_plan", "Référence au plan d'action", TEXT, False,
          ("Réf. plan d'action", "Plan d'action", "Référence plan")),
    Field("heures_demandees", "Heures demandées", NUMBER, True,
          ("Heures", "Nb d'heures", "Nombre d'heures", "Heures réclamées", "Heures de libération")),
    Field("distance_km", "Distance (km)", NUMBER, False, ("Distance", "Km", "Kilométrage", "Distance parcourue")),
    Field("organisme_payeur", "Organisme payeur", TEXT, False, ("Autre organisme payeur",)),
    Field("montant_organisme_payeur", "Montant versé par l'organisme payeur ($)", NUMBER, False,
          ("Montant versé par l'organisme payeur", "Montant organisme payeur", "Montant versé")),
    Field("taux_declare", "Taux horaire déclaré ($)", NUMBER, False,
          ("Taux horaire déclaré", "Taux déclaré", "Taux horaire")),
    Field("justification", "Justification", TEXT, False, ("Justification de l'exception", "Motif")),
    Field("date_reception", "Date de réception", DATE, True,
          ("Reçu le", "Date reçue", "Date de réception à la trésorerie")),
    Field("decision_ce", "Décision du CE", TEXT, False, ("Décision", "Décision CE")),
    Field("heures_accordees", "Heures accordées", NUMBER, False, ("Heures octroyées", "Heures adoptées")),
    Field("date_decision", "Date de la décision", DATE, False, ("Date décision", "Décidé le")),
    Field("date_depot", "Date du dépôt à l'Employeur", DATE, False,
          ("Date du dépôt à l'employeur", "Dépôt à l'Employeur", "Date dépôt employeur", "Date du dépôt")),
)

MEMBER_FIELDS: tuple[Field, ...] = (
    Field("matricule", "Matricule", TEXT, True, FORM_FIELDS[0].synonyms),
    Field("nom", "Nom", TEXT, False, FORM_FIELDS[1].synonyms),
    Field("debut_contrat", "Début du contrat", DATE, True, ("Début", "Date de début", "Début contrat")),
    Field("fin_contrat", "Fin du contrat", DATE, False, ("Fin", "Date de fin", "Fin contrat")),
    Field("taux_horaire", "Taux horaire ($)", NUMBER, True, ("Taux horaire", "Taux", "Salaire horaire")),
)

BANK_FIELDS: tuple[Field, ...] = (
    Field("date_renouvellement", "Date de renouvellement", DATE, True, ("Renouvellement", "Date du renouvellement")),
    Field("heures_allouees", "Heures allouées", NUMBER, True, ("Heures de la banque", "Banque (heures)")),
    Field("budget_fonds", "Budget des fonds syndicaux ($)", NUMBER, True,
          ("Budget des fonds syndicaux", "Budget fonds syndicaux", "Fonds du STEP ($)", "Budget")),
)

CALENDAR_FIELDS: tuple[Field, ...] = (
    Field("date", "Date", DATE, True, ("Date de la réunion",)),
    Field("instance", "Instance", TEXT, True, ("Réunion", "Instance (CE, CS ou AG)")),
)

# Relevé de l'Employeur (domain.md, *Input workbooks*): the employer's statement of the
# releases it paid or bills, one row per release; optional in an inbox.
STATEMENT_FIELDS: tuple[Field, ...] = (
    Field("matricule", "Matricule", TEXT, True, FORM_FIELDS[0].synonyms),
    Field("date_activite", "Date de l'activité", DATE, True, FORM_FIELDS[2].synonyms),
    Field("heures", "Heures", NUMBER, True, ("Heures payées", "Heures facturées", "Nb d'heures", "Nombre d'heures")),
    Field("montant", "Montant ($)", NUMBER, True, ("Montant", "Montant facturé", "Montant facturé ($)", "Coût", "Coût ($)")),
    Field("nom", "Nom", TEXT, False, FORM_FIELDS[1].synonyms),
    Field("periode", "Période", TEXT, False, ("Période de paie", "Période facturée")),
    Field("numero_facture", "Numéro de facture", TEXT, False, ("No facture", "N° facture", "Facture")),
)

# Kind of sheet → (French name, fields). The plan is recognised separately
# (its two-level header is not a flat list of fields): see ``read.plan``.
FORMS, MEMBERS, BANK, CALENDAR, PLAN = "formulaires", "registre", "banque", "calendrier", "plan"
STATEMENT = "releve"
KINDS: dict[str, tuple[str, tuple[Field, ...]]] = {
    FORMS: ("formulaire de libérations syndicales", FORM_FIELDS),
    MEMBERS: ("registre des membres", MEMBER_FIELDS),
    BANK: ("banque de libérations", BANK_FIELDS),
    CALENDAR: ("calendrier des instances", CALENDAR_FIELDS),
    STATEMENT: ("relevé de l'Employeur", STATEMENT_FIELDS),
}


def _header_index() -> dict[str, dict[str, tuple[int, ...]]]:
    """Folded header → {kind: indexes of the fields of that kind accepting it}.
    Built once: recognising a header costs one fold and one dict lookup per cell,
    whatever the number of synonyms."""
    index: dict[str, dict[str, list[int]]] = {}
    for kind, (_name, fields) in KINDS.items():
        for j, f in enumerate(fields):
            for spelling in f.accepted:
                index.setdefault(spelling, {}).setdefault(kind, []).append(j)
    return {k: {kind: tuple(js) for kind, js in v.items()} for k, v in index.items()}


HEADER_INDEX: dict[str, dict[str, tuple[int, ...]]] = _header_index()
