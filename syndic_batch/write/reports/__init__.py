"""The HTML reports: ``ce.html`` (art. 6.1 and 5.2), ``cs.html`` (6.2), ``ag.html`` (6.3).

One module per report's view (``ce.py``, ``cs.py``, ``ag.py``), beside ``shared.py``
for the sections more than one report shows. Each ``build_*_view(ctx, findings)``
returns plain data; the Jinja2 templates of ``templates/rapports/`` lay it out.
``write_reports`` renders the three files, each self-contained (inline CSS and SVG,
no script, a Content-Security-Policy).
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ...context import Context
from ...model import Finding
from ...resources import templates_dir
from ..atomic import write_text_atomic
from .ag import build_ag_view, plan_view
from .ce import build_ce_view
from .cs import build_cs_view

__all__ = ["REPORT_NAMES", "BUILDERS", "build_ce_view", "build_cs_view", "build_ag_view", "plan_view",
           "environment", "content_security_policy", "render_report", "write_reports"]

REPORT_NAMES = ("ce", "cs", "ag")
CSS_FILE = "rapport.css"

BUILDERS = {"ce": build_ce_view, "cs": build_cs_view, "ag": build_ag_view}


# --------------------------------------------------------------------------- rendering


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir() / "rapports")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def content_security_policy(css: str) -> str:
    """Nothing may load; only the report's own inline style block (by its hash) applies."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def render_report(name: str, view: dict[str, Any], env: Environment | None = None) -> str:
    env = env or environment()
    css = (templates_dir() / "rapports" / CSS_FILE).read_text(encoding="utf-8")
    return env.get_template(f"{name}.html").render(
        **view, css=Markup(css), csp=content_security_policy(css))


def write_reports(ctx: Context, findings: list[Finding], out_dir: Path) -> list[Path]:
    """Write ``out_dir/ce.html``, ``cs.html`` and ``ag.html``; return their paths."""
    out_dir = Path(out_dir)
    env = environment()
    paths = []
    for name in REPORT_NAMES:
        html = render_report(name, BUILDERS[name](ctx, findings), env)
        path = out_dir / f"{name}.html"
        write_text_atomic(path, html)
        paths.append(path)
    return paths
