"""Every check, in the order they run: ``ALL_RULES``.

To find the rule of an article, open ``rules/art_<article with _>.py``:
article 4.5 is ``rules/art_4_5.py:regle_4_5_huit_heures_par_jour``.
"""
from __future__ import annotations

from ..context import Context
from ..model import Finding
from . import (apres_coup, art_2, art_3, art_4_1, art_4_2, art_4_3, art_4_4, art_4_5, art_5_1, art_5_2,
               art_5_3, art_5_4, art_5_5, doublon, donnees_reference, plan, rapprochement, reference_plan)

MODULES = (art_5_1, donnees_reference, art_2, art_3, art_4_1, art_4_2, art_4_3, art_4_4, art_4_5,
           art_5_2, art_5_3, art_5_4, art_5_5, doublon, reference_plan, plan, rapprochement,
           apres_coup)
ALL_RULES = [rule for module in MODULES for rule in module.RULES]


def run_rules(ctx: Context, rules=None) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules or ALL_RULES:
        findings.extend(rule(ctx))
    # the columns the rules shared (folded text, masks) are not kept through the writing:
    # at a million rows they weigh tens of MB
    ctx.release_columns()
    return findings
