"""The HTML reports: ``ce.html`` (art. 6.1 and 5.2), ``cs.html`` (6.2), ``ag.html`` (6.3).

One module per report's view (``ce.py``, ``cs.py``, ``ag.py``), beside ``shared.py``
for the sections more than one report shows. Each ``build_*_view(ctx, findings)``
returns plain data; the Jinja2 templates of ``templates/rapports/`` lay it out.
``write_reports`` renders the three files, each self-contained (inline CSS and SVG,
no script, a Content-Security-Policy).

Printing: ``rapport.css`` holds the print rules; ``page_css`` adds, per report, the
footer of every printed page (report name, date, « page x / y ») as CSS ``@page``
margin boxes. Member-typed text: every value printed by a template has its bidi
control characters removed (``finalize``: U+202A–202E, U+2066–2069 would reorder
the text around them) and templates wrap member text in ``<bdi>`` (filter ``bdi``);
``bdi`` and ``coupe`` give a long run without spaces a zero-width break opportunity
every few characters, so that it wraps in its cell instead of widening the table.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
from pathlib import Path
from typing import Any, Iterator

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

from ...context import Context
from ...model import Finding
from ...resources import templates_dir
from ..atomic import atomic_write
from .ag import build_ag_view, plan_view
from .compiled import bytecode_cache
from .ce import build_ce_view
from .cs import build_cs_view
from .shared import Shared

__all__ = ["REPORT_NAMES", "BUILDERS", "CHUNK", "build_ce_view", "build_cs_view", "build_ag_view", "plan_view",
           "environment", "content_security_policy", "render_report", "stream_report", "write_reports"]

REPORT_NAMES = ("ce", "cs", "ag")
CSS_FILE = "rapport.css"

BUILDERS = {"ce": build_ce_view, "cs": build_cs_view, "ag": build_ag_view}


# --------------------------------------------------------------------------- rendering


# Embeddings, overrides and isolates: typed in a cell, they reorder the text around them.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_BIDI_CHARS = tuple(map(chr, BIDI_CONTROLS))


# A run of more than LONG_RUN characters without a space gets a break opportunity (U+200B,
# zero width) every BREAK_EVERY characters: a pasted URL or string wraps in its cell
# instead of widening the table and pushing the numbers off the page.
LONG_RUN, BREAK_EVERY = 40, 20
_LONG_RUN = re.compile(r"\S{%d,}" % (LONG_RUN + 1))
ZWSP = "\u200b"


def _breakable(text: str) -> str:
    if len(text) <= LONG_RUN:
        return text
    return _LONG_RUN.sub(
        lambda m: ZWSP.join(m[0][i:i + BREAK_EVERY] for i in range(0, len(m[0]), BREAK_EVERY)), text)


def strip_bidi(value: Any) -> Any:
    """The value without bidi control characters (Markup stays Markup, other types unchanged).
    Every report passes here whole: nine substring searches (fast scans of the text)
    find the rare text that holds one before ``translate`` copies it."""
    if isinstance(value, str) and any(ch in value for ch in _BIDI_CHARS):
        if isinstance(value, Markup):
            return Markup(str(value).translate(BIDI_CONTROLS))
        return value.translate(BIDI_CONTROLS)
    return value


# Member-typed text repeats (names, matricules, categories, file names): its escaped
# form is computed once per distinct text (a bounded cache: ``surveiller`` lives long).
@functools.lru_cache(maxsize=65536)
def _bdi_text(text: str) -> Markup:
    return Markup("<bdi>" + str(escape(_breakable(strip_bidi(text)))) + "</bdi>")


@functools.lru_cache(maxsize=65536)
def _breakable_text(text: str) -> Markup:
    return escape(_breakable(strip_bidi(text)))


def breakable(value: Any) -> Markup:
    """Text (a finding's message quoting a cell) escaped, with break opportunities in its long runs."""
    if type(value) is str:
        return _breakable_text(value)
    return escape(_breakable(str(strip_bidi(value))))


def bdi(value: Any) -> Markup:
    """Member-typed text, escaped and isolated from its neighbours (``<bdi>``)."""
    if type(value) is str:
        return _bdi_text(value)
    return Markup("<bdi>") + escape(_breakable(str(strip_bidi(value)))) + Markup("</bdi>")


CHUNK = 1 << 16


class _Template(Template):
    """A report template whose output has no bidi control character. Equivalent to
    ``finalize=strip_bidi`` on every printed value (the templates' own text has none,
    escaping leaves them, and no template captures its output with ``set`` or
    ``call``), at one search per chunk instead of one call per printed value."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        return strip_bidi(super().render(*args, **kwargs))

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        """Pieces of about ``CHUNK`` characters (Jinja2 yields one per printed value
        at the top level: tens of thousands of small ones)."""
        pending: list[str] = []
        size = 0
        for chunk in super().generate(*args, **kwargs):
            pending.append(chunk)
            size += len(chunk)
            if size >= CHUNK:
                yield strip_bidi("".join(pending))
                pending, size = [], 0
        if pending:
            yield strip_bidi("".join(pending))


try:   # markupsafe >= 3: the C core of ``escape`` (the text escaped, the same object if nothing to escape)
    from markupsafe import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - older markupsafe
    def _escape_text(text: str) -> str:
        if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
            return str(escape(text))
        return text


def _escape_output(value: Any) -> str:
    """``markupsafe.escape`` for a printed value, without copying what needs no escaping:
    Markup (filters' and macros' output) as it is, an int as its digits, a text escaped
    as ``escape`` does it but left a ``str`` (the output is text: it need not be a Markup)."""
    kind = type(value)
    if kind is Markup:
        return value
    if kind is str:
        return _escape_text(value)
    if kind is int:
        return str(value)
    return escape(value)


class _CodeGenerator(CodeGenerator):
    """Compiles ``{{ value }}`` to ``environment.escape_output(value)`` instead of
    ``escape(value)`` (which copies every Markup into a new one), and ``name.key`` to a
    dict lookup when ``name`` is a dict holding ``key`` (``environment.getattr``
    otherwise): a report prints hundreds of thousands of values from the views' dicts."""

    def visit_Getattr(self, node: Any, frame: Any) -> None:
        if self.environment.is_async or not (isinstance(node.node, nodes.Name) and node.node.ctx == "load"):
            super().visit_Getattr(node, frame)
            return
        self.write("(")
        stream, self.stream = self.stream, io.StringIO()
        try:
            self.visit(node.node, frame)
            ref = self.stream.getvalue()
        finally:
            self.stream = stream
        key = repr(node.attr)
        if ref.isidentifier():   # a plain local: evaluated again at no cost
            self.write(f"{ref}[{key}] if type({ref}) is dict and {key} in {ref} else ")
        self.write(f"environment.getattr({ref}, {key}))")

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)


class _Environment(Environment):
    """The views are dicts: ``row.nom`` looks the key up first (Jinja tries the
    attribute first, an exception per lookup), as ``row["nom"]`` would."""

    template_class = _Template
    code_generator_class = _CodeGenerator
    escape_output = staticmethod(_escape_output)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment() -> Environment:
    env = _Environment(
        loader=FileSystemLoader(str(templates_dir() / "rapports")),
        bytecode_cache=bytecode_cache("rapports", __file__),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["bdi"] = bdi
    env.filters["coupe"] = breakable
    return env


def _css_string(text: str) -> str:
    """A CSS string literal (quotes, backslashes and line breaks escaped)."""
    out = strip_bidi(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + " ".join(out.split()) + '"'


def page_css(footer: str) -> str:
    """The footer of every printed page: the report's name and date on the left,
    « page x / y » on the right (CSS paged media margin boxes: Chromium 131+, WeasyPrint)."""
    return ("\n@page {\n"
            f"  @bottom-left {{ content: {_css_string(footer)}; font: 8pt system-ui, \"DejaVu Sans\", sans-serif; color: #5a6472; }}\n"
            '  @bottom-right { content: "page " counter(page) " / " counter(pages); '
            'font: 8pt system-ui, "DejaVu Sans", sans-serif; color: #5a6472; }\n'
            "}\n")


def content_security_policy(css: str) -> str:
    """Nothing may load; only the report's own inline style block (by its hash) applies."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def stream_report(name: str, view: dict[str, Any], env: Environment | None = None,
                  base_css: str | None = None) -> Iterator[str]:
    """The report's HTML, piece by piece (``Template.generate``): written as it comes,
    a large report is never one string in memory. ``base_css``: ``rapport.css``'s text,
    when already read."""
    env = env or environment()
    if base_css is None:
        base_css = (templates_dir() / "rapports" / CSS_FILE).read_text(encoding="utf-8")
    css = base_css + page_css(view["rapport"]["pied"])
    return env.get_template(f"{name}.html").generate(
        **view, css=Markup(css), csp=content_security_policy(css))


def render_report(name: str, view: dict[str, Any], env: Environment | None = None) -> str:
    return "".join(stream_report(name, view, env))


def write_reports(ctx: Context, findings: list[Finding], out_dir: Path) -> list[Path]:
    """Write ``out_dir/ce.html``, ``cs.html`` and ``ag.html``; return their paths."""
    out_dir = Path(out_dir)
    env = environment()
    shared = Shared(ctx, findings)   # what the three reports compute alike, once
    base_css = (templates_dir() / "rapports" / CSS_FILE).read_text(encoding="utf-8")
    paths = []
    for name in REPORT_NAMES:
        path = out_dir / f"{name}.html"
        chunks = stream_report(name, BUILDERS[name](ctx, findings, shared), env, base_css)
        with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.writelines(chunks)
        paths.append(path)
    return paths
