"""What a metal can do with the working ion inside a potential window.

Kinds of reaction (potentials in V vs M+/M, M the working-ion metal):

* ``alloying``: a metal alloys below its plateau potential, so an alloying step happens whenever the
  electrode goes below the step's onset: it is inside the window when ``window.lo < onset_V``. A step
  whose potential is not known happens somewhere above 0 V (a stable compound has a negative free energy of
  formation), and below the previous step's potential (steps are ordered by increasing alkali content).
* ``oxidation``: anodic oxidation above the metal's oxidation indicator (its standard potential referred to
  M+/M): inside the window when ``window.hi > potential_V``. It is ``possible`` (uncertain), not ``reacts``:
  in an all-solid-state cell the electrolyte conducts only the working ion, so the oxidised metal cannot
  dissolve away but only form an interphase at the contact (passivating metals say so too).
* ``working-ion metal``: Li for Li+ (Na for Na+, K for K+) does not alloy with its own ion, but it is a
  reductant at every potential above 0 V: in contact with a composite electrode it inserts the ion into it
  (the patent's Example 2 shows a ~2 V feature from Li foil lithiating NMC111, [0103]).
* ``electrolyte``: reactions with the stack's solid electrolyte; the knowledge base holds no metal /
  electrolyte reaction data yet, so these are reported as not evaluated.

Each :class:`Reaction` has a ``status``: ``reacts`` (happens in the window), ``possible`` (may happen: data
missing or passivation) or ``unknown`` (no data at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from solidstack.materials import Catalog, default_catalog
from solidstack.materials.records import (
    FARADAY_MAH_PER_MOL,
    Electrolyte,
    MetalIonReactions,
    OxidationIndicator,
    Passivation,
    Reference,
    Window,
)

REACTS, POSSIBLE, UNKNOWN = "reacts", "possible", "unknown"


@dataclass(frozen=True, slots=True)
class Reaction:
    """One reaction of a metal inside a window.

    ``potential_V``: where it starts (V vs M+/M; None if unknown); ``volume_change_pct``: volume of the product
    relative to the pure metal (%), None if unknown.
    """

    kind: str
    status: str
    description: str
    potential_V: float | None = None
    volume_change_pct: float | None = None
    sources: tuple[Reference, ...] = ()

    @property
    def short(self) -> str:
        """A few words for narrow tables, e.g. ``alloys < 0.62 V`` or ``oxidises > 3.38 V``."""
        p = self.potential_V
        if self.kind == "working-ion metal":
            return "working-ion metal: reductant > 0 V"
        if self.kind == "oxidation":
            if p is None:
                return "oxidation: no data"
            if self.status == "none" and "passivated inside the window" in self.description:
                return f"passivated (oxidises > {p:.2f} V without its film)"
            return f"may oxidise > {p:.2f} V" + (" (passivates)" if "passivates" in self.description else "")
        if self.status == UNKNOWN:
            return "alloying: no data"
        if self.status == "none":
            return f"alloys only < {p:g} V" if p is not None else ("no alloy" if "does not alloy" in self.description
                                                                    else "alloys under the window")
        return f"alloys < {p:g} V" if p is not None else ("alloys (potential unknown)" if self.status == REACTS else "may alloy (potential unknown)")

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "status": self.status, "description": self.description,
            "potential_V": self.potential_V, "volume_change_pct": self.volume_change_pct,
            "sources": [r.citation for r in self.sources],
        }


@dataclass(frozen=True, slots=True)
class ReactionScan:
    """Every reaction of ``metal`` with ``ion`` found inside ``window``, plus checks that found nothing
    (``checked``: what was looked at and why it does not happen) and caveats that do not change the verdict."""

    metal: str
    ion: str
    window: Window
    reactions: tuple[Reaction, ...]
    checked: tuple[Reaction, ...] = ()
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        """``reacts`` if any reaction happens in the window, ``uncertain`` if one may, else ``inert``."""
        statuses = {r.status for r in self.reactions}
        if REACTS in statuses:
            return "reacts"
        return "uncertain" if statuses else "inert"

    @property
    def short(self) -> str:
        """The verdict's reasons in a few words (found reactions, else what was checked)."""
        items = self.reactions or tuple(r for i, r in enumerate(self.checked) if r.kind != "alloying" or i == 0)
        return "; ".join(dict.fromkeys(r.short for r in items)) or "no data"

    @property
    def max_volume_change_pct(self) -> float | None:
        vols = [r.volume_change_pct for r in self.reactions if r.volume_change_pct is not None]
        return max(vols) if vols else None

    def sources(self) -> tuple[Reference, ...]:
        seen: dict[str, Reference] = {}
        for r in self.reactions + self.checked:
            for ref in r.sources:
                seen.setdefault(ref.key, ref)
        return tuple(seen.values())


def _refs(sources: dict[str, tuple[Reference, ...]], *groups: str) -> tuple[Reference, ...]:
    out: dict[str, Reference] = {}
    for g in groups or tuple(sources):
        for ref in sources.get(g, ()):
            out.setdefault(ref.key, ref)
    return tuple(out.values())


def status_evidence(cat: Catalog, host: str, ion: str) -> tuple[tuple[Reference, ...], str]:
    """References and notes behind a metal/ion row without alloying steps (``no``, ``unknown``, ``working``)."""
    rx = cat.reactions(host, ion)
    return _refs(rx.sources), rx.notes


_NOT_PASSIVE = re.compile(r"\bnot passive\b", re.I)
_PASSIVE = re.compile(r"passivat|\bpassive\b|valve metal", re.I)


def passivates(indicator: OxidationIndicator) -> bool:
    """True if the knowledge base's notes say the metal forms a protective film (read from free text:
    'passivates', 'passive film', 'valve metal'; 'not passive' wins)."""
    if _NOT_PASSIVE.search(indicator.notes):
        return False
    return bool(_PASSIVE.search(indicator.notes))


def first_clause(text: str) -> str:
    """``text`` up to its first ``;`` outside brackets (notes cite keys as ``[a; b]``)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if ch == ";" and depth == 0:
            return text[:i].strip()
    return text.strip()


def alloying(rx: MetalIonReactions, window: Window, cat: Catalog) -> tuple[list[Reaction], list[Reaction]]:
    """Alloying steps inside ``window`` (found, checked-and-absent)."""
    found: list[Reaction] = []
    checked: list[Reaction] = []
    ion = rx.ion
    if rx.status == "no":
        refs, notes = status_evidence(cat, rx.host, ion)
        checked.append(Reaction("alloying", "none", f"{rx.host} does not alloy with {ion} at room temperature ({notes})", sources=refs))
        return found, checked
    if rx.status == "working":
        return found, checked
    if rx.status == "unknown" and not any(s.onset_V is not None for s in rx.steps):
        refs, notes = status_evidence(cat, rx.host, ion)
        phases = ", ".join(s.to_phase for s in rx.steps if s.to_phase)
        text = f"whether {rx.host} alloys with {ion} at room temperature is not known"
        text += f" ({phases} exists in the phase diagram)" if phases else ""
        text += f"; {notes}" if notes and not phases else ""
        refs = refs or tuple({r.key: r for s in rx.steps for r in _refs(s.sources)}.values())
        found.append(Reaction("alloying", UNKNOWN, text, sources=refs))
        return found, checked
    bound: float | None = None  # potential below which the next step happens (V)
    for s in rx.steps:
        onset = s.onset_V
        refs = _refs(s.sources)
        label = f"{s.from_phase} -> {s.to_phase}"
        if onset is not None:
            eq = f", equilibrium {s.E_equilibrium_V:g} V" if s.E_equilibrium_V is not None and s.E_equilibrium_V != onset else ""
            if window.lo < onset:
                found.append(Reaction("alloying", REACTS, f"{label} below {onset:g} V{eq} (window reaches {window.lo:g} V)",
                                      onset, s.volume_change_pct, refs))
            else:
                checked.append(Reaction("alloying", "none", f"{label} only below {onset:g} V, under the window's {window.lo:g} V",
                                        onset, s.volume_change_pct, refs))
            bound = onset if bound is None else min(bound, onset)
            continue
        if window.lo <= 0.0:
            found.append(Reaction("alloying", REACTS, f"{label} at an unknown potential above 0 V (a stable compound "
                                  f"forms above 0 V; the window reaches {window.lo:g} V)", None, s.volume_change_pct, refs))
        elif bound is not None and window.lo >= bound:
            checked.append(Reaction("alloying", "none", f"{label} below {bound:g} V (previous step), under the window",
                                    None, s.volume_change_pct, refs))
        else:
            where = f"between 0 and {bound:g} V" if bound is not None else "at an unknown potential above 0 V"
            found.append(Reaction("alloying", POSSIBLE, f"{label} {where}: may lie inside the window "
                                  f"(potential not in the knowledge base)", None, s.volume_change_pct, refs))
    return found, checked


def working_ion_metal(rx: MetalIonReactions, window: Window, cat: Catalog) -> list[Reaction]:
    """The working-ion metal: a reductant at every potential above 0 V (see module doc)."""
    ion = rx.ion
    if window.hi <= 0.0:
        return []
    metal = cat.metal(rx.host)
    loss = ""
    if metal.molar_volume_cm3_mol is not None:
        um_per_mAh_cm2 = metal.molar_volume_cm3_mol / FARADAY_MAH_PER_MOL * 1e4
        loss = f"; the foil thins by {um_per_mAh_cm2:.2f} um per mAh/cm2 it gives (molar volume / F, derived)"
    text = (f"{ion} is the working-ion metal: it does not alloy with {ion}+, but it is oxidised to {ion}+ at every "
            f"potential above 0 V, so it inserts {ion} into (reduces) the composite it touches (window up to "
            f"{window.hi:g} V) and acts as a {ion} reservoir{loss}")
    refs, _ = status_evidence(cat, rx.host, ion)
    return [Reaction("working-ion metal", REACTS, text, 0.0, None, refs + _refs(metal.sources, "properties"))]


def oxidation(indicator: OxidationIndicator | None, symbol: str, ion: str, window: Window,
              passivation: Passivation | None = None) -> tuple[list[Reaction], list[Reaction]]:
    """Anodic oxidation above the indicator (found, checked-and-absent). A metal whose protective film
    (``passivation``) holds up to the window's top is checked-and-absent, the film's range stated."""
    if indicator is None:
        return [Reaction("oxidation", UNKNOWN, f"no standard potential for {symbol} in the knowledge base: oxidation not checked")], []
    refs = _refs(indicator.sources)
    e = indicator.potential_V
    if window.hi <= e:
        return [], [Reaction("oxidation", "none", f"oxidised only above {e:.2f} V ({indicator.basis}), over the window's {window.hi:g} V", e, None, refs)]
    if passivation is not None and window.hi <= passivation.hi_V:
        return [], [Reaction("oxidation", "none", f"thermodynamically oxidised above {e:.2f} V ({indicator.basis}), but "
                             f"passivated inside the window (up to {window.hi:g} V): {passivation.text}", e, None,
                             refs + _refs(passivation.sources))]
    if passivates(indicator):
        return [Reaction("oxidation", POSSIBLE, f"above {e:.2f} V ({indicator.basis}) {symbol} is thermodynamically oxidised; "
                         f"it passivates ({first_clause(indicator.notes)}), so whether it corrodes is uncertain", e, None, refs)], []
    # In an all-solid-state cell the electrolyte conducts only the working ion: the oxidised metal cannot dissolve
    # away, only grow an interphase at the contact. The patent's own cells run In next to NMC111 to 4.37 V
    # (Examples 1 and 3, [0095], [0098]) with good retention, so this is a risk, not a proven reaction.
    return [Reaction("oxidation", POSSIBLE, f"thermodynamically oxidised above {e:.2f} V ({indicator.basis}), and the window "
                     f"reaches {window.hi:g} V; a solid electrolyte that conducts only {ion}+ cannot carry the metal's "
                     f"cations away, so the product is an interphase at the contact: a risk, uncertain", e, None, refs)], []


def electrolyte_caveats(symbol: str, electrolyte: Electrolyte | None, window: Window) -> list[str]:
    """What can and cannot be said about the metal with the stack's solid electrolyte."""
    if electrolyte is None:
        return []
    out = [f"reactions of {symbol} with {electrolyte.key}: not evaluated (no metal/electrolyte reaction data in the knowledge base)"]
    w = electrolyte.window
    if w is not None and (window.lo < w.lo or window.hi > w.hi):
        out.append(f"{electrolyte.key} itself is stable only in {w.lo:g}-{w.hi:g} V ({electrolyte.window_kind}); in this window it "
                   f"decomposes at any electronic conductor, this metal included")
    return out


@lru_cache(maxsize=4096)
def lookup(cat: Catalog, metal: str, ion: str) -> tuple[MetalIonReactions, OxidationIndicator | None]:
    """The knowledge base's reactions and oxidation indicator of ``metal`` with ``ion`` (memoised: records are frozen)."""
    rx = cat.reactions(metal, ion)
    return rx, (None if rx.status == "working" else cat.oxidation(rx.host, rx.ion))


def scan(metal: str, ion: str, window: Window | tuple[float, float], *, electrolyte: Electrolyte | None = None, catalog: Catalog | None = None,
         include_oxidation: bool = True) -> ReactionScan:
    """Every reaction of ``metal`` with ``ion`` inside ``window`` (V vs M+/M); see the module doc.

    ``include_oxidation=False`` gives what the patent means by "stores and releases the ion": alloying only.
    """
    cat = catalog or default_catalog()
    window = Window(float(window[0]), float(window[1]))
    rx, ox = lookup(cat, metal, ion)
    found, checked = alloying(rx, window, cat)
    if rx.status == "working":
        found += working_ion_metal(rx, window, cat) if include_oxidation else []
        if not include_oxidation:
            refs, _ = status_evidence(cat, rx.host, rx.ion)
            checked.append(Reaction("alloying", "none", f"{rx.host} is the working-ion metal: it does not store or release {rx.ion}+ "
                                    f"(patent [0037])", 0.0, None, refs))
    caveats = []
    if rx.status != "working" and include_oxidation:
        pas = cat.passivation(rx.host, rx.ion)
        f2, c2 = oxidation(ox, rx.host, rx.ion, window, pas)
        found += f2
        checked += c2
        if pas is not None and any(r.kind == "oxidation" and r.status == "none" and "passivated" in r.description for r in c2):
            caveats.append(f"inert only while its film holds: {pas.text}")
    caveats += electrolyte_caveats(rx.host, electrolyte, window) if include_oxidation else []
    return ReactionScan(rx.host, rx.ion, window, tuple(found), tuple(checked), tuple(caveats))
