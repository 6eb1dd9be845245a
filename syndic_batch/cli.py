"""``syndic-batch run INBOX --out OUT [--date AAAA-MM-JJ] [--config F] [--garder N] [--journal F]``,
``syndic-batch surveiller INBOX --out OUT [same options]`` and
``syndic-batch modeles [--registre FICHIER] --out DOSSIER``.

Exit codes: 0 no erreur found, 1 erreurs found, 2 the batch could not run
(bad arguments, missing or empty inbox, unusable output folder, journal or configuration,
another run writing into the same folder, an error of the operating system, a register
that cannot be read), 130 interrupted (Ctrl-C; the previous outputs stay in place).
Everything printed is in French; no traceback and no library warning reaches
the treasurer.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
import warnings
from pathlib import Path

from . import __version__, oserrors
from .config import ConfigError, load_params
from .model import AVERTISSEMENT, ERREUR, INFO, count_by_severity
from .text import parse_date

# pandas, Babel and the readers are imported by the functions that need them, not here:
# `--help` and argument errors answer without them (benchmarks/startup.py).

EXIT_OK, EXIT_ERREURS, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130
LARGE_INBOX_FILES = 8


class _FrenchFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="Utilisation : ")


_ARGPARSE_FR = {
    "the following arguments are required": "arguments obligatoires manquants",
    "unrecognized arguments": "arguments non reconnus",
    "expected one argument": "une valeur est attendue",
    "invalid choice": "choix invalide",
    "argument ": "argument ",
}


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "Arguments"
        self._optionals.title = "Options"
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")

    def error(self, message: str):
        for en, fr in _ARGPARSE_FR.items():
            message = message.replace(en, fr)
        self.print_usage(sys.stderr)
        self.exit(EXIT_CANNOT_RUN, f"{self.prog} : erreur : {message}\n")


def _date_arg(text: str) -> dt.date:
    d = parse_date(text)
    if d is None:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas une date (format AAAA-MM-JJ)")
    return d


def _count_arg(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier positif ou nul")
    return n


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options of one run, shared by ``run`` and ``surveiller`` (add a run option here)."""
    p.add_argument("inbox", metavar="BOITE", type=Path, help="dossier des classeurs reçus")
    p.add_argument("--out", metavar="SORTIE", type=Path, required=True,
                   help="dossier où écrire les résultats (créé au besoin, hors de la boîte de réception)")
    p.add_argument("--date", metavar="AAAA-MM-JJ", type=_date_arg, default=None,
                   help="date du rapport (par défaut : aujourd'hui)")
    p.add_argument("--config", metavar="FICHIER", type=Path, default=None,
                   help="fichier TOML de paramètres (par défaut : ceux du règlement)")
    p.add_argument("--pdf", action="store_true",
                   help="écrit aussi rapports/ce.pdf, cs.pdf et ag.pdf (avec Chromium ou WeasyPrint)")
    p.add_argument("--garder", metavar="N", type=_count_arg, default=None,
                   help="ne garder dans SORTIE/historique que les N traitements précédents les plus récents "
                        "(par défaut : tous)")
    p.add_argument("--journal", metavar="FICHIER", type=Path, default=None,
                   help="journal des traitements (par défaut : SORTIE/journal.sqlite) ; un même journal peut "
                        "servir à plusieurs dossiers de sortie")
    p.add_argument("--silencieux", "-q", action="store_true",
                   help="n'affiche rien, sauf une ligne quand des erreurs sont constatées")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="syndic-batch",
        description=("Applique le Règlement sur les libérations syndicales aux classeurs du mois "
                     "et produit les constats, les classeurs annotés, le dépôt à l'Employeur et "
                     "les rapports du CE, du CS et de l'AG."),
    )
    parser.add_argument("--version", action="version", version=f"syndic-batch {__version__}",
                        help="affiche la version et quitte")
    sub = parser.add_subparsers(dest="commande", title="Commandes", metavar="COMMANDE", parser_class=_Parser)
    run = sub.add_parser(
        "run", prog="syndic-batch run", help="traite une boîte de réception",
        description=("Lit tous les classeurs .xlsx et .xlsm de la boîte de réception (sous-dossiers "
                     "compris), applique le règlement et écrit dans le dossier de sortie : "
                     "constats.json, changements.json, annotes/, depot-employeur.xlsx, plan-d-action.xlsx et "
                     "rapports/. Les résultats du traitement précédent passent dans historique/ ; le journal "
                     "(journal.sqlite) garde la trace de chaque traitement. "
                     "La boîte de réception n'est jamais modifiée."),
        epilog=("Codes de sortie : 0 aucune erreur, 1 des erreurs ont été constatées, "
                "2 le traitement n'a pas pu être fait, 130 traitement interrompu (Ctrl-C)."),
    )
    add_run_options(run)
    watch = sub.add_parser(
        "surveiller", prog="syndic-batch surveiller", help="traite la boîte de réception à chaque changement",
        description=("Traite la boîte de réception une première fois, puis de nouveau chaque fois qu'un "
                     "classeur y est ajouté, modifié ou retiré, une fois les fichiers complets (aucun "
                     "classeur encore ouvert dans Excel, taille stable). Une ligne par traitement. "
                     "Ctrl-C arrête la surveillance."),
        epilog="Mêmes options que « syndic-batch run ».",
    )
    add_run_options(watch)
    modeles = sub.add_parser(
        "modeles", prog="syndic-batch modeles", help="écrit les formulaires vierges (un par membre avec --registre)",
        description=("Écrit les modèles vierges (formulaire de libérations, registre des membres, banque et "
                     "calendrier, relevé de l'Employeur) dans le dossier de sortie ; avec --registre, écrit "
                     "plutôt un formulaire par membre du registre, matricule et nom déjà remplis et "
                     "verrouillés, prêt à envoyer par courriel."),
        epilog="Codes de sortie : 0 modèles écrits, 2 rien n'a pu être écrit (registre illisible, dossier…).",
    )
    modeles.add_argument("--registre", metavar="FICHIER", type=Path, default=None,
                         help="classeur du registre des membres (un formulaire par membre)")
    modeles.add_argument("--out", metavar="DOSSIER", type=Path, required=True,
                         help="dossier où écrire les formulaires (créé au besoin)")
    modeles.add_argument("--config", metavar="FICHIER", type=Path, default=None,
                         help="fichier TOML de paramètres (catégories, seuils des messages d'aide)")
    return parser


class ProgressBar:
    """A one-line French progress bar on stderr, shown only for a large inbox on a terminal."""

    def __init__(self, label: str, enabled: bool):
        self.label, self.enabled = label, enabled

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled or total == 0:
            return
        width = 30
        filled = int(width * done / total)
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total} {name[:40]:<40}{end}")
        sys.stderr.flush()


def _count_workbooks(inbox: Path) -> int:
    from .read.inbox import discover

    try:
        return len(discover(inbox)[0])
    except OSError:
        return 0


def _summary(result, out: Path) -> str:
    from .formatting import date as fdate
    from .formatting import number

    data = result.ctx.data
    counts = count_by_severity(result.findings)
    readable = sum(1 for f in data.files if f.readable)
    unreadable = len(data.files) - readable
    lines = [
        f"syndic-batch — traitement au {fdate(result.ctx.as_of)}",
        f"  Classeurs : {len(data.files)} ({readable} lu(s)"
        + (f", {unreadable} illisible(s) : voir constats.json)" if unreadable else ")"),
        f"  Lignes de formulaires : {number(len(data.forms), 0)} ; membres au registre : "
        f"{number(data.members['matricule'].nunique(), 0)}",
        f"  Constats : {number(counts[ERREUR], 0)} erreur(s), {number(counts[AVERTISSEMENT], 0)} "
        f"avertissement(s), {number(counts[INFO], 0)} info(s)",
        f"  {_changes_line(result)}",
        f"  Résultats dans {out} :",
        "    constats.json, constats.xlsx, changements.json, annotes/, depot-employeur.xlsx"
        + (", plan-d-action.xlsx" if data.plan is not None else "")
        + ", rapports/ce.html, rapports/cs.html, rapports/ag.html"
        + (" (et leurs PDF)" if any(p.suffix == ".pdf" for p in result.outputs) else "")
        + (", releves/ (un relevé par membre)" if any(p.parent.name == "releves" for p in result.outputs) else ""),
    ]
    return "\n".join(lines)


def _changes_line(result) -> str:
    from .formatting import number
    from .journal import run_label

    diff = result.changes
    if diff.previous is None:
        return "Premier traitement dans ce dossier de sortie (rien à comparer)."
    rows = {c.cur for c in diff.modified}
    return (f"Depuis le traitement du {run_label(diff.previous.started)} : {number(len(diff.added), 0)} ligne(s) "
            f"ajoutée(s), {number(len(diff.removed), 0)} supprimée(s), {number(len(rows), 0)} modifiée(s) ou "
            "décidée(s) (changements.json).")


def _quiet_line(result, out: Path) -> str:
    from .formatting import number

    counts = count_by_severity(result.findings)
    return (f"syndic-batch : {number(counts[ERREUR], 0)} erreur(s), {number(counts[AVERTISSEMENT], 0)} "
            f"avertissement(s), {number(counts[INFO], 0)} info(s) — voir {out / 'constats.xlsx'}")


def _empty_inbox_message(inbox: Path) -> str | None:
    """Why there is nothing to process (no workbook at all), or None."""
    from .read.inbox import discover

    workbooks, others = discover(inbox)
    if workbooks or others:
        return None
    files = sum(1 for p in inbox.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
    found = (f"elle contient {files} fichier(s), mais aucun classeur Excel (.xlsx, .xlsm)" if files
             else "elle est vide")
    return (f"rien à traiter dans la boîte de réception « {inbox} » : {found}. Vérifiez le dossier "
            "(les formulaires du mois y sont-ils bien enregistrés ?).")


def failure_message(exc: BaseException, out: Path | None, kept: bool = False) -> str:
    """What went wrong, in French, for an exception that ended a run or a command
    (``kept``: a run, whose output folder keeps the previous outputs)."""
    os_error = oserrors.unwrap(exc)
    if os_error is not None:
        return oserrors.describe(os_error, out)
    if isinstance(exc, MemoryError):
        return ("mémoire insuffisante ; fermez d'autres programmes ou traitez la boîte de réception en "
                "plusieurs fois.")
    # a bug: say so in French; details only when asked for
    if os.environ.get("SYNDIC_BATCH_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    outcome = ("le traitement n'a pas abouti et le dossier de sortie garde les résultats du traitement "
               "précédent" if kept else "les résultats sont incomplets et ne doivent pas être utilisés")
    return (f"erreur interne ({type(exc).__name__}) ; {outcome}. Relancez avec SYNDIC_BATCH_DEBUG=1 pour les "
            "détails à transmettre à l'équipe de développement.")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.commande not in ("run", "surveiller", "modeles"):
        parser.print_help()
        return EXIT_CANNOT_RUN
    debug = bool(os.environ.get("SYNDIC_BATCH_DEBUG"))
    hook = sys.unraisablehook
    code = EXIT_CANNOT_RUN
    with warnings.catch_warnings():
        if not debug:
            warnings.simplefilter("ignore")  # library warnings mean nothing to a treasurer
            # nor do the « Exception ignored in … » tracebacks a library's generator leaves
            # behind when the disk is full: the error itself is told below, in French
            sys.unraisablehook = lambda _unraisable: None
        try:
            code = _modeles(args) if args.commande == "modeles" else _run(args)
            return code
        except KeyboardInterrupt:
            print("syndic-batch : interrompu (Ctrl-C).", file=sys.stderr)
            code = EXIT_INTERRUPTED
            return code
        except Exception as exc:
            print(f"syndic-batch : {failure_message(exc, getattr(args, 'out', None))}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        finally:
            # let those generators go while the hook is silent; only a command that did not
            # complete leaves them (a full collection costs ~0.05 s after a run: not for nothing)
            if not debug and (code not in (EXIT_OK, EXIT_ERREURS) or args.commande == "surveiller"):
                import gc
                gc.collect()
            sys.unraisablehook = hook


# Set by ``command``: the cyclic garbage collector is paused while the command imports
# pandas, NumPy and the readers (it would scan their ~10^5 long-lived objects again and
# again: ~0.06 s of a small run); ``_imports_done`` freezes them and starts it again.
_collector_paused = False


def _imports_done() -> None:
    """Called once the run's heavy modules are imported: what they created is kept for the
    life of the process (``gc.freeze``: never scanned again) and the collector works as usual
    for the run itself. Nothing to do unless ``command`` paused the collector."""
    global _collector_paused
    if _collector_paused:
        import gc

        _collector_paused = False
        gc.freeze()
        gc.enable()


def command() -> None:
    """The program (``python -m syndic_batch``, the ``syndic-batch`` script): ``main``, then the
    process ends at once. Every output is written, closed and in place when ``main`` returns;
    what the interpreter would do next (free every object of pandas, NumPy… one by one: ~0.1 s)
    is skipped. ``main`` itself returns, for the tests and any other caller."""
    global _collector_paused
    import gc

    # NumPy's OpenBLAS starts a pool of threads that spin after each call into it: the run
    # multiplies no matrix, so one thread is enough (about 0.1 s of CPU on examples/inbox:
    # docs/decisions.md, *Start-up of a small run*). Set before NumPy is first imported; a
    # value given by the user's environment is kept.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    gc.disable()
    _collector_paused = True
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        # Under a profiler, a debugger or coverage (``python -m cProfile -m syndic_batch``):
        # a normal exit, so that they can write what they measured.
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``): nothing more can be told
            pass
    os._exit(code)


def execute(args, params, progress=None, write_progress=None):
    """One run with the options of ``add_run_options``: (result or None, exit code, French
    message). Never raises: ``surveiller`` goes on after a failed run."""
    from .journal import JournalError
    from .pipeline import OutputError, run
    from .read.inbox import InboxError

    _imports_done()
    try:
        result = run(args.inbox, args.out, args.date, params, progress=progress, write_progress=write_progress,
                     pdf=args.pdf, journal=args.journal, keep=args.garder)
    except (OutputError, InboxError, JournalError) as exc:
        return None, EXIT_CANNOT_RUN, f"{exc}"
    except KeyboardInterrupt:
        return None, EXIT_INTERRUPTED, ("traitement interrompu (Ctrl-C) : rien n'a été remplacé, le dossier de "
                                        "sortie garde les résultats du traitement précédent.")
    except Exception as exc:
        if oserrors.unwrap(exc) is None:
            return None, EXIT_CANNOT_RUN, failure_message(exc, args.out, kept=True)
        return None, EXIT_CANNOT_RUN, (f"{failure_message(exc, args.out)} Le dossier de sortie garde les "
                                       "résultats du traitement précédent.")
    code = EXIT_ERREURS if any(f.severity == ERREUR for f in result.findings) else EXIT_OK
    return result, code, None


def _run(args) -> int:
    try:
        params = load_params(args.config)
    except ConfigError as exc:
        print(f"syndic-batch : {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if not args.inbox.is_dir():
        print(f"syndic-batch : la boîte de réception « {args.inbox} » n'existe pas ou n'est pas un dossier.",
              file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.commande == "surveiller":
        from .surveiller import surveiller

        return surveiller(args, params)
    empty = _empty_inbox_message(args.inbox)
    if empty:
        print(f"syndic-batch : {empty}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    large = sys.stderr.isatty() and _count_workbooks(args.inbox) >= LARGE_INBOX_FILES
    result, code, message = execute(args, params, progress=ProgressBar("Lecture  ", large),
                                    write_progress=ProgressBar("Écriture ", large))
    if result is None:
        print(f"syndic-batch : {message}", file=sys.stderr)
        return code
    if not args.silencieux:
        print(_summary(result, args.out))
    elif code == EXIT_ERREURS:
        print(_quiet_line(result, args.out))
    for message in result.messages:  # e.g. --pdf without Chromium: said, exit code unchanged
        print(message, file=sys.stderr)
    return code


def _modeles(args) -> int:
    from . import modeles

    _imports_done()
    try:
        params = load_params(args.config)
    except ConfigError as exc:
        print(f"syndic-batch : {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.out.exists() and not args.out.is_dir():
        print(f"syndic-batch : « {args.out} » existe déjà et n'est pas un dossier : choisissez un dossier de sortie.",
              file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.registre is None:
        paths = modeles.build_templates(args.out, params)
        print(f"syndic-batch : {len(paths)} modèles vierges écrits dans {args.out} : "
              + ", ".join(p.name for p in paths))
        return EXIT_OK
    try:
        members, notes = modeles.members_of_register(args.registre, params)
    except modeles.RegisterError as exc:
        print(f"syndic-batch : {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    paths = modeles.write_member_forms(members, args.out, params)
    print(f"syndic-batch : {len(paths)} formulaire(s) écrit(s) dans {args.out}, un par membre du registre, "
          "matricule et nom remplis et verrouillés :")
    for p in paths:
        print(f"  {p.name}")
    for note in notes:
        print(f"  Attention : {note}")
    return EXIT_OK


if __name__ == "__main__":
    command()
