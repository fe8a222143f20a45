"""The patent's example lists of metals ([0063], [0064], [0082]-[0084]), read from ``data/patent_lists.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class PatentList:
    """Metals the patent lists as usable for a layer ``role`` next to ``actives`` with working ion ``ion``."""

    paragraph: str
    role: str
    side: str
    ion: str
    actives: tuple[str, ...]
    metals: tuple[str, ...]


def _data() -> dict:
    text = (resources.files("solidstack.rules") / "data" / "patent_lists.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def usable_lists() -> tuple[PatentList, ...]:
    return tuple(
        PatentList(e["paragraph"], e["role"], e["side"], e["ion"], tuple(e["actives"]), tuple(e["metals"]))
        for e in _data()["usable"]
    )


@lru_cache(maxsize=1)
def elongation_list() -> tuple[str, tuple[str, ...]]:
    """([0082], the metals the patent gives as having percent elongation >= 22 %)."""
    d = _data()["elongation"]
    return d["paragraph"], tuple(d["metals"])


def lists_for(active: str, ion: str, role: str) -> tuple[PatentList, ...]:
    """The patent's lists for ``active`` (knowledge-base key), ``ion`` and ``role``; empty if it gives none."""
    return tuple(p for p in usable_lists() if active in p.actives and p.ion == ion and p.role == role)


def listed_in(metal: str, active: str, ion: str, role: str) -> tuple[str, ...] | None:
    """Paragraphs listing ``metal`` for (active, ion, role); () if lists exist but omit it; None if none exist."""
    lists = lists_for(active, ion, role)
    if not lists:
        return None
    return tuple(p.paragraph for p in lists if metal in p.metals)
