"""The claim chart: claims 2-13 of US 2016/0233553 A1 (and the first aspect of [0015]) evaluated on a stack.

Claims are data (``data/claims.toml``): each has limitations, each limitation an evaluator
(:mod:`solidstack.rules.limitations`). A dependent claim carries its parent's limitations. Three-valued logic:
a claim is ``met`` when every whole-stack limitation is met, every side it requires (dependent claims naming
the anode or the cathode) meets all its side limitations, and at least one side does (the claims' "and/or");
``not met`` when any of these fails for certain; else ``undetermined``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from solidstack.materials import Catalog, default_catalog
from solidstack.rules.limitations import CHECKS, MET, NOT_MET, UNDETERMINED, ClaimContext, Finding
from solidstack.rules.windows import WindowInfo, stack_windows
from solidstack.stack import Stack

SIDES = ("anode", "cathode")
VERDICTS = (MET, NOT_MET, UNDETERMINED)


@dataclass(frozen=True, slots=True)
class Limitation:
    """One limitation of a claim as encoded in the data file."""

    id: str
    text: str
    check: str
    side: str = ""
    required: bool = False
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim: ``number`` (int, or "[0015]" for the first aspect), its parent (0 = independent), text, limitations."""

    number: int | str
    depends_on: int
    paragraph: str
    title: str
    text: str
    limitations: tuple[Limitation, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class LimitationResult:
    """A limitation evaluated on one side (or the whole stack): verdict, matched feature, evidence and sources."""

    id: str
    text: str
    side: str
    required: bool
    from_claim: int | str
    finding: Finding

    @property
    def verdict(self) -> str:
        return self.finding.verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "text": self.text, "side": self.side or "stack", "required": self.required,
            "from_claim": self.from_claim, "verdict": self.verdict, "feature": self.finding.feature,
            "evidence": self.finding.evidence, "sources": list(self.finding.sources),
        }


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """A claim's verdict, the verdict per side, and every limitation's result."""

    claim: Claim
    verdict: str
    sides: dict[str, str]
    limitations: tuple[LimitationResult, ...]

    @property
    def number(self) -> int | str:
        return self.claim.number

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim.number, "depends_on": self.claim.depends_on or None, "title": self.claim.title,
            "paragraph": self.claim.paragraph, "verdict": self.verdict, "sides": dict(self.sides),
            "note": self.claim.note, "limitations": [lr.to_dict() for lr in self.limitations],
        }


def and3(verdicts: list[str]) -> str:
    if NOT_MET in verdicts:
        return NOT_MET
    return UNDETERMINED if UNDETERMINED in verdicts else MET


def or3(verdicts: list[str]) -> str:
    if MET in verdicts:
        return MET
    return UNDETERMINED if UNDETERMINED in verdicts else NOT_MET


@lru_cache(maxsize=1)
def load_claims() -> dict[int | str, Claim]:
    """Every claim in ``data/claims.toml``, keyed by number; checks that evaluators and parents exist."""
    data = tomllib.loads((resources.files("solidstack.rules") / "data" / "claims.toml").read_text(encoding="utf-8"))
    out: dict[int | str, Claim] = {}
    for c in data["claim"]:
        lims = tuple(Limitation(li["id"], li["text"], li["check"], li.get("side", ""), li.get("required", False), li.get("args", {}))
                     for li in c["limitation"])
        for li in lims:
            if li.check not in CHECKS:
                raise ValueError(f"claims.toml: claim {c['number']} limitation {li.id}: unknown check {li.check!r}")
        out[c["number"]] = Claim(c["number"], c["depends_on"], c["paragraph"], c["title"], c["text"].strip(), lims, c.get("note", ""))
    for claim in out.values():
        if claim.depends_on and claim.depends_on not in out:
            raise ValueError(f"claims.toml: claim {claim.number} depends on unknown claim {claim.depends_on}")
    return out


def chain(claim: Claim) -> list[Claim]:
    """The claim and its ancestors, independent claim first."""
    claims = load_claims()
    out = [claim]
    while out[0].depends_on:
        out.insert(0, claims[out[0].depends_on])
    return out


def _expand(claim: Claim) -> list[tuple[Limitation, str, int | str]]:
    """(limitation, side, from claim) for the claim and its ancestors; ``each`` limitations on both sides."""
    out = []
    for c in chain(claim):
        for li in c.limitations:
            for side in (SIDES if li.side == "each" else (li.side,)):
                out.append((li, side, c.number))
    return out


def evaluate_claim(claim: Claim, ctx: ClaimContext) -> ClaimResult:
    """Evaluate every limitation of ``claim`` (with inherited ones) on ``ctx.stack``."""
    results = []
    for li, side, origin in _expand(claim):
        finding = CHECKS[li.check](ctx, side or None, **li.args)
        text = li.text.replace("{a_side}", "an anode" if side == "anode" else "a cathode").replace("{side}", side) if side else li.text
        results.append(LimitationResult(li.id, text, side, li.required, origin, finding))
    stack_level = [r.verdict for r in results if not r.side]
    sides = {s: and3([r.verdict for r in results if r.side == s]) for s in SIDES if any(r.side == s for r in results)}
    required = {r.side for r in results if r.required}
    parts = stack_level + [sides[s] for s in required]
    if sides:
        parts.append(or3(list(sides.values())))
    return ClaimResult(claim, and3(parts), sides, tuple(results))


def claim_chart(stack: Stack, *, windows: dict[str, WindowInfo] | None = None, catalog: Catalog | None = None) -> list[ClaimResult]:
    """Every encoded claim evaluated on ``stack``: claims 2-13, then the first aspect of [0015].

    ``windows`` (``anode``/``cathode`` -> :class:`WindowInfo`) for the inertness test default to the patent's
    stated windows where it states them, else the practical ones.
    """
    cat = catalog or default_catalog()
    ctx = ClaimContext(stack, cat, windows or stack_windows(stack, "patent"))
    return [evaluate_claim(c, ctx) for c in load_claims().values()]
