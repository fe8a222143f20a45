"""The literature cases as data: the published numbers, the runs that compute them, and their reader
(``data/literature.toml``; the stack files under ``data/literature/<case id>/``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from solidstack.errors import InputError, Problem

F_C_MOL = 96485.33212  # Faraday constant, C/mol

#: Fields of a number that describe it; every other field is a parameter of its kind.
_META = ("id", "quantity", "value", "value_max", "unit", "qualifier", "where", "confidence", "basis", "note", "kind",
         "reason", "used_as", "model_note", "kb_fitted")
#: Grades that count in the targets (README of the validation set: C is recalled, not confirmed, and not carried).
COUNTED_GRADES = ("A", "B")


class CannotRun(Exception):
    """A number cannot be computed on this installation; the message says why (the lookup's own words)."""


class NotReached(Exception):
    """The simulated run never reached the condition the number is read at (a model result, not a gap)."""


# --------------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Run:
    """A simulation of a case: a stack file of the case plus visible overrides (``set``: dotted stack fields)."""

    id: str
    stack: str
    set: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Number:
    """One published number (or a derived trend row) and how solidstack computes its counterpart."""

    case: str
    id: str
    quantity: str
    value: float | None
    unit: str
    kind: str
    confidence: str
    basis: str
    where: str = ""
    qualifier: str = ""
    value_max: float | None = None
    note: str = ""
    reason: str = ""
    used_as: str = ""
    model_note: str = ""
    #: the knowledge-base value that was set from this number (e.g. a practical capacity): compared, marked fitted
    kb_fitted: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    derived: bool = False

    @property
    def runs(self) -> list[str]:
        p = self.params
        out = list(p.get("runs", [])) or ([p["run"]] if "run" in p else [])
        return out + ([p["ref_run"]] if "ref_run" in p else [])

    @property
    def published_text(self) -> str:
        if self.derived:
            return f"{self.params.get('direction', '')} ({self.params.get('from_numbers', '')})"
        q = self.qualifier
        if q == "range":
            return f"{self.value:g}-{self.value_max:g}"
        return f"{q if q in ('>', '<', '~') else ''}{self.value:g}"


@dataclass(frozen=True)
class Case:
    """A published experiment: its citation and sources, its runs and its numbers."""

    id: str
    citation: str
    doi: str
    source_read: str
    overall_confidence: str
    assumptions: tuple[str, ...]
    runs: dict[str, Run]
    numbers: tuple[Number, ...]
    stack_dir: Path
    kb_source_keys: tuple[str, ...] = ()
    notes: str = ""
    origin: str = "validation set"


def default_path() -> Path:
    return Path(str(resources.files("solidstack.studies") / "data" / "literature.toml"))


def load_cases(path: str | Path | None = None) -> list[Case]:
    """The cases of ``path`` (default: the shipped ``literature.toml``), in file order. Stack files of case ``X`` are
    read from ``<folder of path>/<stem of path>/X/``."""
    path = Path(path) if path is not None else default_path()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    stack_root = path.parent / path.stem
    cases = []
    for i, c in enumerate(data.get("case", [])):
        where = f"{path.name}: case[{i}]"
        for key in ("id", "citation", "number"):
            if key not in c:
                raise InputError(Problem(where, f"missing {key!r}"))
        runs = {r["id"]: Run(id=r["id"], stack=r["stack"], set=dict(r.get("set", {})), note=r.get("note", ""))
                for r in c.get("run", [])}
        numbers = [_number(c["id"], n, f"{where}.number[{j}]") for j, n in enumerate(c["number"])]
        numbers += [_trend(c["id"], t) for t in c.get("trend", [])]
        for n in numbers:
            missing = [r for r in n.runs if r not in runs]
            if missing:
                raise InputError(Problem(f"{where} ({c['id']}) {n.id}", f"unknown run {missing[0]!r}"))
        cases.append(Case(id=c["id"], citation=c["citation"], doi=c.get("doi", ""), source_read=c.get("source_read", ""),
                          overall_confidence=c.get("overall_confidence", ""), assumptions=tuple(c.get("assumptions", [])),
                          runs=runs, numbers=tuple(numbers), stack_dir=stack_root / c["id"],
                          kb_source_keys=tuple(c.get("kb_source_keys", [])), notes=c.get("notes", ""),
                          origin=c.get("origin", "validation set")))
    return cases


def _number(case: str, n: dict[str, Any], where: str) -> Number:
    for key in ("id", "quantity", "value", "unit", "kind", "where", "confidence", "basis"):
        if key not in n:
            raise InputError(Problem(where, f"missing {key!r}"))
    from solidstack.studies.literature.measures import MEASURES  # the kinds (measures read this module's Number)

    kind = n["kind"]
    if kind not in MEASURES and kind not in ("not modelled", "input"):
        raise InputError(Problem(where, f"unknown kind {kind!r}"))
    return Number(case=case, id=n["id"], quantity=n["quantity"], value=float(n["value"]), unit=n["unit"], kind=kind,
                  confidence=n["confidence"], basis=n["basis"], where=n["where"], qualifier=n.get("qualifier", ""),
                  value_max=n.get("value_max"), note=n.get("note", ""), reason=n.get("reason", ""),
                  used_as=n.get("used_as", ""), model_note=n.get("model_note", ""), kb_fitted=n.get("kb_fitted", ""),
                  params={k: v for k, v in n.items() if k not in _META})


def _trend(case: str, t: dict[str, Any]) -> Number:
    params = {k: v for k, v in t.items() if k not in ("id", "quantity", "confidence", "basis")}
    return Number(case=case, id=t["id"], quantity=t["quantity"], value=None, unit="", kind="pressure_trend",
                  confidence=t["confidence"], basis=t["basis"], where="derived from the case's printed numbers",
                  params=params, derived=True)
