"""Reading and writing stack files: TOML (preferred), YAML and JSON.

Reading reports every problem with the file name in front; writing is atomic (a temporary file renamed into
place), so a failed write leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solidstack.errors import InputError, Problem

if TYPE_CHECKING:
    from solidstack.stack.model import Stack

FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
MAX_FILE_BYTES = 5_000_000


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(Problem(str(path), f"unknown file type {path.suffix!r}; use .toml, .yaml or .json"))
    return fmt


def parse_text(text: str, fmt: str, where: str) -> Any:
    """Parse ``text`` in format ``fmt``; syntax errors become one located problem."""
    try:
        if fmt == "toml":
            return tomllib.loads(text)
        if fmt == "json":
            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(Problem(where, f"malformed TOML: {err}")) from None
    except json.JSONDecodeError as err:
        raise InputError(Problem(where, f"malformed JSON: {err.msg} at line {err.lineno}, column {err.colno}")) from None
    except Exception as err:  # yaml.YAMLError and its many subclasses
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(err, "problem", None) or type(err).__name__
        raise InputError(Problem(where, f"malformed YAML: {reason}{at}")) from None


def read_stack(path: Path) -> Stack:
    from solidstack.stack.model import Stack

    where = str(path)
    fmt = _format_of(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(where, "no such file")) from None
    except IsADirectoryError:
        raise InputError(Problem(where, "is a directory, not a stack file")) from None
    except OSError as err:
        raise InputError(Problem(where, f"cannot be read ({err.strerror})")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(Problem(where, f"is {len(raw)} bytes; a stack file is far smaller (binary file?)"))
    if b"\x00" in raw:
        raise InputError(Problem(where, "is a binary file, not a text stack file"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(Problem(where, f"is not UTF-8 text (byte {err.start}); is it a binary file?")) from None
    data = parse_text(text, fmt, where)
    try:
        return Stack.from_dict(data)
    except InputError as err:
        raise err.located(where) from None


def dump_text(stack: Stack, fmt: str) -> str:
    data = stack.to_dict()
    if fmt == "toml":
        import tomli_w

        return tomli_w.dumps(data)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_stack(stack: Stack, path: Path) -> Path:
    text = dump_text(stack, _format_of(path))
    atomic_write_text(path, text)
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
