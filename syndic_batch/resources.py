"""Where the top-level ``templates/`` folder is, installed or in a checkout.

In a source checkout (and an editable install) it sits beside the package; a
regular install copies it to ``<prefix>/share/syndic-batch/templates``
(``[tool.setuptools.data-files]`` in ``pyproject.toml``).
"""
from __future__ import annotations

import sys
import sysconfig
from pathlib import Path


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "templates"
    candidates = [
        here,
        Path(sys.prefix) / "share" / "syndic-batch" / "templates",
        Path(sysconfig.get_path("data")) / "share" / "syndic-batch" / "templates",
    ]
    for c in candidates:
        if (c / "rapports").is_dir():
            return c
    raise FileNotFoundError("Dossier « templates » de syndic-batch introuvable : réinstallez le paquet.")
