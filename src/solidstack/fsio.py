"""Safe output files: every file solidstack writes goes through :func:`atomic_open`, :func:`atomic_write` or
:func:`atomic_path`.

A file is written to a uniquely named temporary file in its target folder (``tempfile.mkstemp``: created
exclusively, so a symlink planted at a temporary name is never followed), then renamed over the target
(``os.replace`` replaces a symlink planted at the target instead of following it), so a reader never sees half a
file. A temporary file is removed when its write fails or is interrupted (KeyboardInterrupt, or SIGTERM, which
the CLI turns into an exception), and any left at exit are removed too. Output folders and files are checked with
:func:`prepare_out_dir` and :func:`prepare_out_file` *before* any long work starts.
"""

from __future__ import annotations

import atexit
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from solidstack.errors import InputError, Problem

#: Temporary files being written now (removed at exit if a write could not clean up after itself).
_LIVE: set[str] = set()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_temporary_files() -> None:
    """Remove every temporary file still being written (called at exit and on a handled signal)."""
    for tmp in list(_LIVE):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _LIVE.discard(tmp)


atexit.register(remove_temporary_files)


def _temporary(path: Path) -> tuple[int, str]:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    _LIVE.add(tmp)
    return fd, tmp


def _publish(tmp: str, path: Path, expected: os.stat_result) -> None:
    """Give ``tmp`` the mode of any new file and rename it to ``path``, if it is still the file created."""
    now = os.lstat(tmp)
    if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (expected.st_dev, expected.st_ino):
        raise OSError(f"temporary file {tmp!r} was replaced while being written; nothing written to {str(path)!r}")
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    finally:
        _LIVE.discard(tmp)


@contextmanager
def atomic_open(path: str | Path, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """Yield a file object (``mode`` "wb" or "w"; ``kwargs`` as for :func:`open`, e.g. ``encoding``) writing a new
    temporary file in ``path``'s folder; on success it is renamed to ``path``, on error or interruption removed.
    The file is written through the descriptor that created it, never reopened by name."""
    path = Path(path)
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    fd, tmp = _temporary(path)
    try:
        created = os.fstat(fd)
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        _publish(tmp, path, created)
    finally:
        _discard(tmp)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder for a writer that needs a file name; on success it is renamed
    to ``path`` (only if it is still the regular file created), on error or interruption removed. Prefer
    :func:`atomic_open`."""
    path = Path(path)
    fd, tmp = _temporary(path)
    try:
        created = os.fstat(fd)
        os.close(fd)
        yield Path(tmp)
        _publish(tmp, path, created)
    finally:
        _discard(tmp)


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; return the path."""
    path = Path(path)
    with atomic_open(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _writable_folder(path: Path, where: str) -> None:
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        raise InputError(Problem(where, f"cannot write in folder {str(path)!r}: {e.strerror or e}")) from None


def prepare_out_dir(path: str | Path, where: str = "--out") -> Path:
    """Create ``path`` (and parents) if needed and check it is a folder one can write in (by writing a temporary
    file); else raise a one-line :class:`InputError` naming ``where``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(Problem(where, f"{str(path)!r} exists and is not a folder"))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(Problem(where, f"cannot create folder {str(path)!r}: {e.strerror or e}")) from None
    if not path.is_dir():
        raise InputError(Problem(where, f"{str(path)!r} is not a folder"))
    _writable_folder(path, where)
    return path


def prepare_out_file(path: str | Path, where: str = "--json") -> Path:
    """Check that ``path`` can be written atomically: its folder is created if needed and writable, and ``path``
    is not a folder, a device or a pipe (an existing regular file or symlink is replaced); else raise a one-line
    :class:`InputError` naming ``where``."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise InputError(Problem(where, f"{str(path)!r} is not a file name"))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise InputError(Problem(where, f"cannot use {str(path)!r}: {e.strerror or e}")) from None
    if st is not None and not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError(Problem(where, f"{str(path)!r} is {kind}; give a file name"))
    prepare_out_dir(path.parent if str(path.parent) else Path("."), where)
    return path
