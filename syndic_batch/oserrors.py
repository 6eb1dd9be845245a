"""Operating-system errors in French, with the path they are about.

``describe(exc)`` turns an ``OSError`` (full disk, permission refused, read-only
file system, path too long, file open in another program…) into one sentence a
treasurer can act on: what happened, on which file or folder, what to do. The
command line's top-level handler uses it for every ``OSError`` that reaches it.
"""
from __future__ import annotations

import errno
from pathlib import Path

# errno → (what happened, what to do)
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("plus d'espace libre sur le disque",
                   "libérez de l'espace (ou choisissez un autre dossier de sortie) puis relancez"),
    errno.EACCES: ("permission refusée",
                   "vérifiez vos droits sur ce fichier ou ce dossier, et fermez-le s'il est ouvert dans "
                   "Excel ou LibreOffice"),
    errno.EPERM: ("opération non permise",
                  "vérifiez vos droits sur ce fichier ou ce dossier"),
    errno.EROFS: ("le disque est en lecture seule",
                  "choisissez un dossier de sortie sur un disque où vous pouvez écrire"),
    errno.ENAMETOOLONG: ("chemin trop long",
                         "choisissez un dossier moins profond ou des noms de fichiers plus courts"),
    errno.ENOENT: ("fichier ou dossier introuvable",
                   "vérifiez le chemin (un disque réseau ou une clé USB a-t-il été débranché ?)"),
    errno.ENOTDIR: ("un élément du chemin n'est pas un dossier", "vérifiez le chemin"),
    errno.EISDIR: ("c'est un dossier, pas un fichier", "vérifiez le chemin"),
    errno.EEXIST: ("le fichier existe déjà", "choisissez un autre nom ou supprimez l'ancien fichier"),
    errno.ENOTEMPTY: ("le dossier n'est pas vide", "choisissez un autre dossier"),
    errno.EBUSY: ("le fichier est occupé par un autre programme",
                  "fermez-le (Excel, LibreOffice, antivirus, synchronisation) puis relancez"),
    errno.ETXTBSY: ("le fichier est occupé par un autre programme", "fermez-le puis relancez"),
    errno.EMFILE: ("trop de fichiers ouverts à la fois", "fermez des programmes puis relancez"),
    errno.ENFILE: ("trop de fichiers ouverts sur l'ordinateur", "fermez des programmes puis relancez"),
    errno.EIO: ("erreur de lecture ou d'écriture du disque",
                "vérifiez le disque ou la connexion réseau, puis relancez"),
    errno.ELOOP: ("trop de liens symboliques (une boucle ?)", "vérifiez les liens du dossier"),
    errno.EFBIG: ("fichier trop gros pour ce disque", "choisissez un autre dossier de sortie"),
    errno.EXDEV: ("déplacement impossible d'un disque à l'autre", "choisissez un dossier de sortie sur le même disque"),
    errno.ENODEV: ("périphérique absent (disque débranché ?)", "rebranchez-le ou choisissez un autre dossier"),
    errno.ENXIO: ("périphérique absent (disque débranché ?)", "rebranchez-le ou choisissez un autre dossier"),
}
for _name, _reason in (("EDQUOT", ("quota de disque dépassé", "libérez de l'espace puis relancez")),
                       ("ESTALE", ("le disque réseau ne répond plus", "reconnectez-le puis relancez")),
                       ("ETIMEDOUT", ("le disque réseau ne répond pas", "vérifiez la connexion puis relancez")),
                       ("ENETDOWN", ("le réseau est coupé", "vérifiez la connexion puis relancez")),
                       ("EHOSTDOWN", ("le serveur de fichiers ne répond pas", "vérifiez la connexion puis relancez"))):
    if hasattr(errno, _name):
        _REASONS[getattr(errno, _name)] = _reason

# Windows' own codes (``OSError.winerror``), when they say more than errno does.
_WINERROR: dict[int, tuple[str, str]] = {
    32: ("le fichier est ouvert dans un autre programme",
         "fermez-le (Excel, LibreOffice) puis relancez"),
    33: ("une partie du fichier est verrouillée par un autre programme", "fermez-le puis relancez"),
    112: _REASONS[errno.ENOSPC],
    206: _REASONS[errno.ENAMETOOLONG],
}


def unwrap(exc: BaseException) -> OSError | None:
    """The ``OSError`` behind ``exc`` (XlsxWriter wraps it in ``FileCreateError``)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError):
            return exc
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


TMP_PREFIX = ".syndic-batch-tmp-"   # write/atomic.py's temporary files


STAGING_PREFIX = ".syndic-batch-en-cours-"  # write/snapshot.py's staging folder


def _shown(path) -> str:
    """The path as the treasurer knows it: our temporary file is shown as its folder, a
    path inside a run's staging folder as the output it was becoming."""
    p = Path(str(path))
    if p.name.startswith(TMP_PREFIX):
        p = p.parent
    elif not any(part.startswith(STAGING_PREFIX) for part in p.parts):
        return str(path)
    return str(Path(*[part for part in p.parts if not part.startswith(STAGING_PREFIX)]))


def describe(exc: OSError, default_path: str | Path | None = None) -> str:
    """One French sentence: what happened, on which path, what to do."""
    reason = None
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR:
        reason = _WINERROR[winerror]
    elif exc.errno in _REASONS:
        reason = _REASONS[exc.errno]
    if reason is None:
        code = errno.errorcode.get(exc.errno or 0, "")
        reason = (f"erreur du système{f' ({code})' if code else ''}",
                  "vérifiez le disque et le chemin, puis relancez")
    what, todo = reason
    paths = [_shown(p) for p in (exc.filename, getattr(exc, "filename2", None)) if p]
    if not paths and default_path is not None:
        paths = [default_path]
    where = " → ".join(f"« {p} »" for p in paths) if paths else "(chemin inconnu)"
    return f"{what[0].upper()}{what[1:]} : {where}. {todo[0].upper()}{todo[1:]}."
