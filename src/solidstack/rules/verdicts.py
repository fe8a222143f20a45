"""Two verdicts for a metal next to an electrode: the patent's literal one and the physical one.

* **Patent (literal)**: the metal "does not store and release the metal ions" in the window where the
  active material does ([0015], [0017]) - alloying with the ion only, in the patent's own stated window where
  it states one ([0034] graphite 0-2.5 V, [0035] NMC111 1-5 V), else the practical window - and, for the
  ``ductile`` role (the patent's "metal layer"), percent elongation >= 22 %. Values: ``eligible``,
  ``not eligible``, ``undetermined``.
* **Physical**: ``inert`` / ``reacts`` / ``uncertain`` from every reaction found in the (practical or given)
  window: alloying, oxidation, the working-ion metal's own reaction (:mod:`solidstack.rules.reactions`).

Where the two disagree, or where the patent lists a metal our physics rejects, :class:`Assessment` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from solidstack.errors import InputError, Problem
from solidstack.materials import Catalog, default_catalog
from solidstack.materials.records import ActiveMaterial, Electrolyte, Metal, Practicality
from solidstack.rules.mechanics import Evidence, ductility
from solidstack.rules.patent_lists import listed_in
from solidstack.rules.reactions import REACTS, ReactionScan, scan
from solidstack.rules.windows import WindowInfo, active_window

ROLES = ("ductile", "inert")
PHYSICAL = ("inert", "reacts", "uncertain")
PATENT = ("eligible", "not eligible", "undetermined")


@dataclass(frozen=True, slots=True)
class PhysicalVerdict:
    """``verdict`` (inert/reacts/uncertain) of a metal in ``window``, from ``scan``, with a one-line ``reason``."""

    verdict: str
    window: WindowInfo
    scan: ReactionScan
    reason: str


@dataclass(frozen=True, slots=True)
class PatentVerdict:
    """The patent's literal test: ``stores_ion`` (yes/no/unknown, alloying in ``window``) and, for the ductile
    role, ``ductile`` (elongation >= 22 %); ``verdict`` eligible / not eligible / undetermined."""

    verdict: str
    stores_ion: str
    ductile: Evidence | None
    window: WindowInfo
    scan: ReactionScan
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """Both verdicts for ``metal`` in the ``role`` next to ``active`` with working ion ``ion``.

    ``listed``: the patent paragraphs listing the metal for this active/role (``()`` if the patent has lists
    that omit it, None if it has none); ``disagreements``: sentences where the patent and physics part ways.
    """

    metal: Metal
    active: ActiveMaterial
    ion: str
    role: str
    physical: PhysicalVerdict
    patent: PatentVerdict
    listed: tuple[str, ...] | None
    disagreements: tuple[str, ...]
    practicality: Practicality | None = None

    @property
    def eligible(self) -> str:
        """``yes``/``no``/``unknown``: physically inert and (for the ductile role) elongation >= 22 %."""
        d = ductility(self.metal).status if self.role == "ductile" else "yes"
        p = self.physical.verdict
        if p == "reacts" or d == "no":
            return "no"
        if p == "uncertain" or d == "unknown":
            return "unknown"
        return "yes"

    def sources(self) -> list[str]:
        refs = {r.key: r for r in self.physical.scan.sources() + self.patent.scan.sources()}
        refs.update({r.key: r for r in self.physical.window.sources + self.patent.window.sources})
        if self.patent.ductile is not None:
            refs.update({r.key: r for r in self.patent.ductile.sources})
        if self.practicality is not None:
            refs.update({r.key: r for refs_ in self.practicality.sources.values() for r in refs_})
        return [r.citation for r in refs.values()]

    def to_record(self) -> dict:
        """A flat record (JSON-ready) for tables and exports."""
        m, p = self.metal, self.practicality
        return {
            "metal": m.symbol,
            "active": self.active.key,
            "ion": self.ion,
            "role": self.role,
            "patent_verdict": self.patent.verdict,
            "physical_verdict": self.physical.verdict,
            "patent_reason": self.patent.reason,
            "physical_reason": self.physical.reason,
            "patent_window_V": list(self.patent.window.window),
            "physical_window_V": list(self.physical.window.window),
            "elongation_pct": m.elongation_pct,
            "elongation_status": m.elongation_status,
            "brinell_MPa": m.brinell_MPa,
            "vickers_MPa": m.vickers_MPa,
            "density_g_cm3": m.density_g_cm3,
            "resistivity_ohm_m": m.resistivity_ohm_m,
            "max_volume_change_pct": self.physical.scan.max_volume_change_pct,
            "reactions": [r.to_dict() for r in self.physical.scan.reactions],
            "caveats": list(self.physical.scan.caveats),
            "patent_lists": None if self.listed is None else list(self.listed),
            "disagreements": list(self.disagreements),
            "radioactive": None if p is None else p.radioactive,
            "hazard_class": None if p is None else p.hazard_class or None,
            "hazard": None if p is None else p.hazard or None,
            "crustal_abundance_mg_kg": None if p is None else p.crustal_abundance_mg_kg,
            "practicality_flags": [] if p is None else list(p.flags),
            "sources": self.sources(),
        }


def _summary(s: ReactionScan, ion: str) -> str:
    if s.reactions:
        hits = [r for r in s.reactions if r.status == REACTS] or list(s.reactions)
        return "; ".join(f"{r.kind}: {r.description}" for r in hits[:2])
    if s.checked:
        return "; ".join(r.description for r in s.checked if r.kind != "alloying" or r is s.checked[0])
    return f"no reaction with {ion} found"


def physical_verdict(metal: str, ion: str, window: WindowInfo, *, electrolyte: Electrolyte | None = None,
                     catalog: Catalog | None = None) -> PhysicalVerdict:
    """The physical verdict of ``metal`` in ``window`` (see module doc)."""
    s = scan(metal, ion, window.window, electrolyte=electrolyte, catalog=catalog)
    return PhysicalVerdict(s.verdict, window, s, _summary(s, ion))


def patent_verdict(metal: Metal, ion: str, window: WindowInfo, role: str, *, catalog: Catalog | None = None) -> PatentVerdict:
    """The patent's literal verdict (see module doc)."""
    s = scan(metal.symbol, ion, window.window, catalog=catalog, include_oxidation=False)
    stores = {"inert": "no", "reacts": "yes", "uncertain": "unknown"}[s.verdict]
    duct = ductility(metal) if role == "ductile" else None
    store_text = {"no": f"does not store/release {ion}+ in {window}", "yes": f"stores {ion}+ in {window}: {_summary(s, ion)}",
                  "unknown": f"may store {ion}+ in {window}: {_summary(s, ion)}"}[stores]
    parts = [store_text] + ([duct.text] if duct else [])
    duct_status = duct.status if duct is not None else "yes"
    if stores == "yes" or duct_status == "no":
        verdict = "not eligible"
    elif stores == "unknown" or duct_status == "unknown":
        verdict = "undetermined"
    else:
        verdict = "eligible"
    return PatentVerdict(verdict, stores, duct, window, s, "; ".join(parts))


def _phrase(metal: str, verdict: str) -> str:
    return f"{metal} reacts" if verdict == "reacts" else f"whether {metal} is inert is uncertain"


def _disagreements(metal: Metal, active: ActiveMaterial, ion: str, role: str, phys: PhysicalVerdict, pat: PatentVerdict,
                   listed: tuple[str, ...] | None) -> tuple[str, ...]:
    out = []
    m, a = metal.symbol, active.key
    if listed:
        where = ", ".join(listed)
        if phys.verdict != "inert":
            out.append(f"the patent lists {m} next to {a} ({where}), but physically {_phrase(m, phys.verdict)} in {phys.window}: {phys.reason}")
        if pat.ductile is not None and pat.ductile.status == "no":
            out.append(f"the patent lists {m} for a layer with elongation >= 22 % ({where}), but the knowledge base gives {pat.ductile.text}")
        if pat.stores_ion == "yes":
            out.append(f"the patent lists {m} next to {a} ({where}), although by its own criterion {m} stores {ion}+ in {pat.window}")
    elif pat.stores_ion == "no" and phys.verdict != "inert":
        out.append(f"the patent's criterion holds ({m} does not store/release {ion}+), but physically {_phrase(m, phys.verdict)}: {phys.reason}")
    return tuple(out)


def resolve_window(window: WindowInfo | tuple[float, float] | None, active: ActiveMaterial, basis: str) -> WindowInfo:
    if window is None:
        return active_window(active, basis)  # type: ignore[arg-type]
    if isinstance(window, WindowInfo):
        return window
    return WindowInfo.override(window[0], window[1], active.key, active.ion)


def assess(metal: str | Metal, active: str | ActiveMaterial, ion: str = "Li", role: str = "ductile", *,
           window: WindowInfo | tuple[float, float] | None = None, electrolyte: Electrolyte | None = None,
           catalog: Catalog | None = None) -> Assessment:
    """Both verdicts for ``metal`` as a ``role`` layer (``ductile`` or ``inert``) next to ``active`` with ``ion``.

    ``window`` (V vs M+/M) overrides the practical window of the physical verdict; the patent verdict uses the
    patent's stated window where it states one, else the same window.
    """
    cat = catalog or default_catalog()
    if role not in ROLES:
        raise InputError(Problem("role", f"{role!r} is not one of {', '.join(ROLES)}"))
    m = metal if isinstance(metal, Metal) else cat.metal(metal)
    am = active if isinstance(active, ActiveMaterial) else cat.active(active, ion)
    ion = am.ion
    w_phys = resolve_window(window, am, "practical")
    w_pat = active_window(am, "patent") if am.patent_window is not None else w_phys
    phys = physical_verdict(m.symbol, ion, w_phys, electrolyte=electrolyte, catalog=cat)
    pat = patent_verdict(m, ion, w_pat, role, catalog=cat)
    listed = listed_in(m.symbol, am.key, ion, role)
    return Assessment(m, am, ion, role, phys, pat, listed, _disagreements(m, am, ion, role, phys, pat, listed),
                      cat.practicality(m.symbol))
