"""HTML report → PDF (``--pdf``): ``rapports/ce.pdf``, ``cs.pdf``, ``ag.pdf`` beside the HTML.

A maintained HTML-to-PDF path, in this order:

1. headless Chromium (``chromium``, ``chromium-browser`` or ``google-chrome`` on the PATH):
   ``--headless --no-sandbox --print-to-pdf --no-pdf-header-footer``, with a timeout. The
   reports' print CSS (letter paper, footer with « page x / y ») is written for it;
2. WeasyPrint, when the Python package is importable;
3. otherwise nothing is converted and a French message says how to get Chromium.

The HTML reports stay the default output: a PDF that cannot be made never changes the
run's exit code (the message is printed on stderr).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update", "--disable-quic",
                  "--no-pdf-header-footer")
HOW_TO_GET = ("installez Chromium (Debian, Ubuntu : « apt-get install chromium » ; ailleurs : "
              "Google Chrome ou Chromium) ou la bibliothèque Python WeasyPrint (« pip install weasyprint »)")


@dataclass
class PdfResult:
    paths: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)   # French, for stderr


def find_chromium() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _weasyprint():
    try:
        import weasyprint  # type: ignore[import-not-found]
    except Exception:  # not installed, or its system libraries (Pango) are missing
        return None
    return weasyprint


def converter_name() -> str | None:
    """« Chromium », « WeasyPrint » or None: what ``html_to_pdf`` would use."""
    if find_chromium():
        return "Chromium"
    if _weasyprint():
        return "WeasyPrint"
    return None


class PdfError(Exception):
    """A PDF could not be made (message in French)."""


def _chromium_pdf(browser: str, html: Path, pdf: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="syndic-batch-chromium-") as profile, \
            atomic_write(pdf) as tmp:
        cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
               html.resolve().as_uri()]
        try:  # its own process group: on a timeout, the browser's helper processes stop too
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env={**os.environ, "LANG": "fr_CA.UTF-8"}, start_new_session=True)
        except OSError as exc:
            raise PdfError(f"Chromium n'a pas pu être lancé ({exc.strerror or exc}).") from None
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            seconds = int(timeout)
            raise PdfError(f"Chromium n'a pas produit « {pdf.name} » en {seconds} seconde"
                           f"{'s' if seconds > 1 else ''}.") from None
        if code != 0 or Path(tmp).stat().st_size == 0:
            raise PdfError(f"Chromium n'a pas produit « {pdf.name} » (code {code}).")


def _stop(proc: subprocess.Popen) -> None:
    """End the browser we started and the processes it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _weasyprint_pdf(module, html: Path, pdf: Path) -> None:
    with atomic_write(pdf) as tmp:
        try:
            module.HTML(filename=str(html)).write_pdf(str(tmp))
        except Exception as exc:  # the library's own errors, in English: name them only
            raise PdfError(f"WeasyPrint n'a pas produit « {pdf.name} » ({type(exc).__name__}).") from None


def html_to_pdf(html: Path, pdf: Path, timeout: float = TIMEOUT_S) -> str:
    """Print ``html`` to ``pdf`` (written atomically); return the converter's name.
    Raises PdfError (French) when no converter is available or it fails."""
    browser = find_chromium()
    if browser:
        _chromium_pdf(browser, Path(html), Path(pdf), timeout)
        return "Chromium"
    module = _weasyprint()
    if module:
        _weasyprint_pdf(module, Path(html), Path(pdf))
        return "WeasyPrint"
    raise PdfError(f"aucun outil pour produire des PDF : {HOW_TO_GET}.")


def write_pdfs(html_files: list[Path], timeout: float = TIMEOUT_S) -> PdfResult:
    """A PDF beside each HTML file (``ce.html`` → ``ce.pdf``). Never raises for a missing
    converter or a failed conversion: the result carries the French message instead."""
    result = PdfResult()
    if not html_files:
        return result
    if converter_name() is None:
        result.messages.append(
            f"syndic-batch : les rapports PDF n'ont pas été produits (--pdf) : {HOW_TO_GET}. "
            "Les rapports HTML sont écrits et s'impriment depuis un navigateur.")
        return result
    for html in html_files:
        pdf = Path(html).with_suffix(".pdf")
        try:
            html_to_pdf(Path(html), pdf, timeout)
        except PdfError as exc:
            result.messages.append(f"syndic-batch : {exc} Le rapport HTML « {Path(html).name} » est écrit.")
            continue
        result.paths.append(pdf)
    return result
