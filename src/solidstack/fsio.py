"""Safe output files: every file solidstack writes goes through :func:`atomic_write` (or :func:`atomic_path`).

A file is written to a uniquely named temporary file in its target folder, then renamed over the target, so a
reader never sees half a file and an interrupted run leaves no partial output. Output folders are checked with
:func:`prepare_out_dir` *before* any long work starts.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from solidstack.errors import InputError, Problem


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success it is renamed to ``path`` (mode as any new file
    under the user's umask), on error it is removed. A symlink at ``path`` is replaced, never followed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return path


def prepare_out_dir(path: str | Path, where: str = "--out") -> Path:
    """Create ``path`` (and parents) if needed and check it is a writable folder; else raise a one-line
    :class:`InputError` naming ``where``."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(Problem(where, f"cannot create folder {str(path)!r}: {e.strerror or e}")) from None
    if not path.is_dir():
        raise InputError(Problem(where, f"{str(path)!r} is not a folder"))
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(Problem(where, f"folder {str(path)!r} is not writable"))
    return path
