"""Screening: every metal of the knowledge base as a layer next to one electrode, ranked, with both verdicts,
and compared with the patent's own example lists ([0063], [0064], [0082]-[0084])."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from solidstack.errors import InputError, Problem
from solidstack.materials import IONS, Catalog, default_catalog
from solidstack.materials.records import ActiveMaterial, Electrolyte, Practicality
from solidstack.rules.mechanics import ductility
from solidstack.rules.patent_lists import elongation_list, lists_for
from solidstack.rules.verdicts import ROLES, Assessment, assess, resolve_window
from solidstack.rules.windows import WindowInfo

_ELIGIBLE_ORDER = {"yes": 0, "unknown": 1, "no": 2}
_PHYS_ORDER = {"inert": 0, "uncertain": 1, "reacts": 2}
_PAT_ORDER = {"eligible": 0, "undetermined": 1, "not eligible": 2}


@dataclass(frozen=True, slots=True)
class Comparison:
    """Our findings against the patent's lists: each entry is (metal, reason)."""

    paragraphs: tuple[str, ...]
    listed_and_eligible: tuple[tuple[str, str], ...]
    listed_not_eligible: tuple[tuple[str, str], ...]
    listed_uncertain: tuple[tuple[str, str], ...]
    eligible_not_listed: tuple[tuple[str, str], ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        def block(items: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
            return [{"metal": m, "reason": r} for m, r in items]

        return {
            "paragraphs": list(self.paragraphs), "note": self.note,
            "listed_and_eligible": block(self.listed_and_eligible), "listed_not_eligible": block(self.listed_not_eligible),
            "listed_uncertain": block(self.listed_uncertain), "eligible_not_listed": block(self.eligible_not_listed),
        }


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """Every metal assessed as a ``role`` layer next to ``active`` (working ion ``ion``), best first."""

    active: ActiveMaterial
    ion: str
    role: str
    window: WindowInfo
    assessments: tuple[Assessment, ...]
    comparison: Comparison
    practical: bool = True

    @property
    def ranking(self) -> str:
        """How the table is ordered, in words."""
        return ranking_text(self.practical)

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready record per metal, in rank order (keys: metal, patent_verdict, physical_verdict, ...)."""
        return [{"rank": i, **a.to_record()} for i, a in enumerate(self.assessments, start=1)]

    def to_dataframe(self):
        import pandas as pd

        rows = []
        for r in self.records():
            flat = dict(r)
            flat["reactions"] = "; ".join(f"{x['kind']} ({x['status']}): {x['description']}" for x in r["reactions"])
            flat["sources"] = "; ".join(r["sources"])
            for k in ("caveats", "disagreements"):
                flat[k] = "; ".join(r[k])
            flat["patent_lists"] = "" if r["patent_lists"] is None else " ".join(r["patent_lists"]) or "not listed"
            flat["patent_window_V"] = "-".join(f"{v:g}" for v in r["patent_window_V"])
            flat["physical_window_V"] = "-".join(f"{v:g}" for v in r["physical_window_V"])
            flat["practicality_flags"] = "; ".join(r["practicality_flags"])
            rows.append(flat)
        return pd.DataFrame(rows)

    def to_csv(self) -> str:
        return self.to_dataframe().to_csv(index=False)

    def to_json(self, indent: int | None = 2) -> str:
        """A JSON list of records, one per metal (the comparison is :meth:`comparison_json`)."""
        return json.dumps(self.records(), indent=indent)

    def __rich__(self):
        from solidstack.rules.render import screen_renderable

        return screen_renderable(self)

    def _repr_html_(self) -> str:
        import html

        cols = ["rank", "metal", "patent_verdict", "physical_verdict", "practicality_flags", "elongation_pct", "brinell_MPa",
                "density_g_cm3", "resistivity_ohm_m", "physical_reason"]
        table = self.to_dataframe()[cols].to_html(index=False, na_rep="")
        return (f"<p><b>{html.escape(self.role)} layer next to {html.escape(self.active.key)}</b> ({html.escape(self.ion)}+, "
                f"window {html.escape(str(self.window))}); {html.escape(self.ranking)}</p>" + table)


def ranking_text(practical: bool) -> str:
    """The ordering of a screening table, in words (see :func:`rank_key`)."""
    chem = "eligible first (physically inert and, for a ductile layer, elongation >= 22 %), then by physical verdict, patent verdict"
    if not practical:
        return f"ranked {chem}, then elongation (highest first); practicality not used (--no-practical)"
    return (f"ranked practically: radioactive metals last (flagged); then {chem}; then known high hazards (IARC Group 1, "
            f"acutely toxic) after the others, scarce metals (crust < {Practicality.SCARCE_BELOW_MG_KG:g} mg/kg) after "
            "common ones, then elongation (highest first)")


def rank_key(a: Assessment, practical: bool = True) -> tuple:
    """Sort key of a screening table (see :func:`ranking_text`)."""
    e = a.metal.elongation_pct
    chem = (_ELIGIBLE_ORDER[a.eligible], _PHYS_ORDER[a.physical.verdict], _PAT_ORDER[a.patent.verdict])
    tail = (-(e if e is not None else -1.0), a.metal.symbol)
    if not practical:
        return chem + tail
    p = a.practicality
    return (bool(p and p.radioactive), *chem, bool(p and p.high_hazard), bool(p and p.scarce), *tail)


def _why(a: Assessment) -> str:
    parts = [f"physically {a.physical.verdict}: {a.physical.reason}"]
    if a.role == "ductile":
        parts.append(ductility(a.metal).text)
    p = a.practicality
    if p is not None and p.flags:
        parts.append("flagged " + ", ".join(p.flags) + (f" ({p.hazard})" if p.hazard else ""))
    return "; ".join(parts)


def compare(assessments: tuple[Assessment, ...], active: ActiveMaterial, role: str) -> Comparison:
    """Sort the metals into: listed and eligible / listed, not eligible / listed, uncertain / eligible, not listed."""
    lists = lists_for(active.key, active.ion, role)
    if not lists:
        return Comparison((), (), (), (), tuple((a.metal.symbol, _why(a)) for a in assessments if a.eligible == "yes"),
                          f"the patent gives no example list for a {role} layer next to {active.key} with {active.ion}+")
    listed = {m for p in lists for m in p.metals}
    paras = tuple(dict.fromkeys(p.paragraph for p in lists))
    if role == "ductile":
        para, metals = elongation_list()
        note = f"{', '.join(paras)}; elongation >= 22 % per {para}: {'all' if listed <= set(metals) else 'not all'} of these are in that list"
    else:
        note = ", ".join(paras)
    groups: dict[str, list[tuple[str, str]]] = {"yes": [], "no": [], "unknown": [], "new": []}
    for a in assessments:
        m = a.metal.symbol
        if m in listed:
            groups[a.eligible].append((m, _why(a)))
        elif a.eligible == "yes":
            groups["new"].append((m, _why(a)))
    return Comparison(paras, tuple(groups["yes"]), tuple(groups["no"]), tuple(groups["unknown"]), tuple(groups["new"]), note)


def check_side(active: ActiveMaterial, side: str | None) -> None:
    """Raise :class:`InputError` if ``active`` is passed as the wrong electrode (e.g. a cathode as ``--anode``)."""
    if side is not None and side != active.role:
        raise InputError(Problem(f"--{side}", f"{active.key} is {'an' if active.role == 'anode' else 'a'} {active.role} "
                                 f"active material; pass it as --{active.role}"))


def screen(active: str | ActiveMaterial, ion: str = "Li", role: str = "ductile", *, side: str | None = None,
           window: WindowInfo | tuple[float, float] | None = None, electrolyte: Electrolyte | None = None,
           catalog: Catalog | None = None, practical: bool = True) -> ScreenResult:
    """Assess every metal as a ``role`` layer (``ductile``/``inert``) next to ``active`` with ``ion``.

    ``side`` (``anode``/``cathode``), if given, must match the active material's role; ``window`` (V vs M+/M)
    overrides its practical window; ``practical`` ranks radioactive metals last and known hazards and scarce
    metals after the others (see :func:`ranking_text`).
    """
    cat = catalog or default_catalog()
    if role not in ROLES:
        raise InputError(Problem("--role", f"{role!r} is not one of {', '.join(ROLES)}"))
    am = active if isinstance(active, ActiveMaterial) else cat.active(active, ion)
    check_side(am, side)
    w = resolve_window(window, am, "practical")
    found = tuple(sorted((assess(m, am, am.ion, role, window=w, electrolyte=electrolyte, catalog=cat) for m in cat.metals()),
                         key=lambda a: rank_key(a, practical)))
    return ScreenResult(am, am.ion, role, w, found, compare(found, am, role), practical)


def screen_all(catalog: Catalog | None = None, roles: tuple[str, ...] = ROLES) -> list[ScreenResult]:
    """Every metal x every active material x every working ion (Li, Na, K) x ``roles``."""
    cat = catalog or default_catalog()
    return [screen(am, ion, role, catalog=cat) for ion in IONS for am in cat.actives(ion=ion) for role in roles]
