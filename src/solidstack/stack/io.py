"""Reading and writing stack files: TOML (preferred), YAML and JSON.

Reading reports every problem with the file name in front; writing is atomic (a temporary file renamed into
place), so a failed write leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solidstack.errors import InputError, Problem
from solidstack.stack.limits import MAX_FILE_BYTES, MAX_FILE_VALUES

if TYPE_CHECKING:
    from solidstack.stack.model import Stack

FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(Problem(str(path), f"unknown file type {path.suffix!r}; use .toml, .yaml or .json"))
    return fmt


class _DuplicateKey(ValueError):
    pass


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _yaml_loader():
    """PyYAML's safe loader, refusing a key given twice in one mapping (as TOML does)."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    dup = key in seen
                except TypeError:  # an unhashable key: let PyYAML report it
                    break
                if dup:
                    mark = key_node.start_mark
                    raise _DuplicateKey(f"{key} (line {mark.line + 1}, column {mark.column + 1})")
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


def parse_text(text: str, fmt: str, where: str) -> Any:
    """Parse ``text`` in format ``fmt``; syntax errors, keys given twice and structures too large or too deeply
    nested become one located problem."""
    text = text.removeprefix("\ufeff")  # a UTF-8 byte-order mark (Windows editors write one)
    try:
        if fmt == "toml":
            data = tomllib.loads(text)
        elif fmt == "json":
            data = json.loads(text, object_pairs_hook=_json_pairs)
        else:
            import yaml

            data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as err:
        raise InputError(Problem(where, f"key {str(err)} is given twice")) from None
    except RecursionError:
        raise InputError(Problem(where, "nested too deeply for a stack file")) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(Problem(where, f"malformed TOML: {err}")) from None
    except json.JSONDecodeError as err:
        raise InputError(Problem(where, f"malformed JSON: {err.msg} at line {err.lineno}, column {err.colno}")) from None
    except Exception as err:  # yaml.YAMLError and its many subclasses
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(err, "problem", None) or type(err).__name__
        raise InputError(Problem(where, f"malformed YAML: {reason}{at}")) from None
    _check_size(data, where)
    return data


def _check_size(data: Any, where: str) -> None:
    """Refuse more than MAX_FILE_VALUES values (counted as used: a YAML alias counts each time)."""
    todo, n = [data], 0
    while todo:
        item = todo.pop()
        n += 1
        if n > MAX_FILE_VALUES:
            raise InputError(Problem(where, f"holds more than {MAX_FILE_VALUES} values; a stack file is far smaller"))
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)


def read_bytes_bounded(path: Path, where: str) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most MAX_FILE_BYTES; a FIFO, a device (``/dev/zero``),
    a socket or a folder is refused without reading (or blocking on) it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(Problem(where, "no such file")) from None
    except OSError as err:
        raise InputError(Problem(where, f"cannot be read ({err.strerror})")) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(Problem(where, "is a directory, not a stack file"))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(Problem(where, "is not a regular file (a device, pipe or socket); give a stack file"))
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(Problem(where, f"is {st.st_size} bytes; a stack file is at most {MAX_FILE_BYTES} bytes"))
    try:
        # O_NONBLOCK: a FIFO put in the file's place after the check above must not block the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError(Problem(where, "is not a regular file; give a stack file"))
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError(Problem(where, f"cannot be read ({err.strerror})")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(Problem(where, f"is more than {MAX_FILE_BYTES} bytes; a stack file is far smaller"))
    return raw


def read_stack(path: Path) -> Stack:
    from solidstack.stack.model import Stack

    where = str(path)
    raw = read_bytes_bounded(path, where)
    fmt = _format_of(path)
    if b"\x00" in raw:
        raise InputError(Problem(where, "is a binary file, not a text stack file"))
    try:
        text = raw.decode("utf-8-sig")
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
    """Write ``text`` to ``path`` atomically (see :func:`solidstack.fsio.atomic_write`), creating its folder."""
    from solidstack.fsio import atomic_write

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
