"""Exceptions raised by solidstack.

Every error a user can cause by their input is an :class:`InputError`: it carries one or more
:class:`Problem` lines, each saying *where* (file, field) and *what*. The CLI prints one line per problem
and exits with code 2; Python users catch :class:`InputError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# control characters and lone surrogates: shown as escapes in problem lines (a key or a value of a file may hold them)
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_WHERE_CHARS, MAX_WHAT_CHARS = 300, 1000


def visible(text: str, limit: int | None = None) -> str:
    """``text`` on one line with control characters and lone surrogates written as escapes (``\\n``, ``\\x1b``),
    cut to ``limit`` characters (with an ellipsis) if given."""
    s = _INVISIBLE.sub(lambda m: repr(m.group())[1:-1], str(text))
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: ``where`` (file and/or field path) and ``what``."""

    where: str
    what: str

    def __str__(self) -> str:
        what = visible(self.what, MAX_WHAT_CHARS)
        return f"{visible(self.where, MAX_WHERE_CHARS)}: {what}" if self.where else what


class SolidstackError(Exception):
    """Base class of every solidstack error."""


class InputError(SolidstackError, ValueError):
    """Bad user input: a file, a field, a name. Holds one or more :class:`Problem`."""

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def located(self, prefix: str) -> InputError:
        """The same problems with ``prefix`` (e.g. a file name) put in front of each location."""
        return InputError(
            Problem(f"{prefix}: {p.where}" if p.where else prefix, p.what) for p in self.problems
        )


class UnknownNameError(InputError, KeyError):
    """A material or preset name that is not known; the message lists the closest known names."""

    def __init__(self, kind: str, name: str, known: Iterable[str], where: str = ""):
        known = sorted(set(known), key=str.lower)
        close = suggestions(name, known)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        self.kind, self.name, self.suggestions = kind, name, close
        super().__init__(Problem(where, f"unknown {kind} {name!r}{hint}"))

    def with_hint(self, what: str) -> UnknownNameError:
        """The same error with its message replaced by ``what`` (a more specific explanation)."""
        self.problems = [Problem(p.where, what) for p in self.problems]
        self.args = ("\n".join(str(p) for p in self.problems),)
        return self

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return "\n".join(str(p) for p in self.problems)


def suggestions(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` known names closest to ``name`` (case-insensitive)."""
    known = list(known)
    by_lower = {k.lower(): k for k in known}
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.5)
    prefix = [k for k in known if k.lower().startswith(name.lower()[:2]) and name]
    out = [by_lower[h] for h in hits]
    for k in prefix:
        if k not in out and len(out) < n:
            out.append(k)
    return out


_CONTROL: dict[int, str | None] = {c: None for c in range(0x20)} | {0x09: " ", 0x7F: None} | {c: None for c in range(0x80, 0xA0)}


def terminal_safe(text: object, limit: int | None = None) -> str:
    """``text`` made safe to print to a terminal: control characters (ANSI escapes, newlines, carriage returns)
    and lone surrogates removed, tabs as spaces, and cut to ``limit`` characters (with an ellipsis) if given.
    Rich markup is not escaped here: print it with ``markup=False`` or through :func:`rich.markup.escape`."""
    s = str(text).translate(_CONTROL)
    s = s.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "\u2026"
    return s
