"""Typed, read-only records of the materials knowledge base.

Each record holds values in the units named in its field names and, in ``sources``, the references behind
each group of values. Records are frozen: the knowledge base is data, not state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

#: Faraday constant in mAh/mol (96485.33 C/mol / 3.6 C/mAh).
FARADAY_MAH_PER_MOL = 26801.48

#: Standard potentials of the working-ion couples vs SHE (V); rows Li, Na, K of oxidation.csv must agree.
IONS = ("Li", "Na", "K")


@dataclass(frozen=True, slots=True)
class Reference:
    """A bibliographic source: its key, full citation and optional URL and note."""

    key: str
    citation: str
    url: str = ""
    note: str = ""

    def __str__(self) -> str:
        return self.citation + (f" ({self.url})" if self.url else "")


Sources = dict[str, tuple[Reference, ...]]


class Window(NamedTuple):
    """A potential range [lo, hi] in V vs the working-ion metal."""

    lo: float
    hi: float

    def contains(self, potential_V: float) -> bool:
        return self.lo <= potential_V <= self.hi

    def __str__(self) -> str:
        return f"{self.lo:g}-{self.hi:g} V"


@dataclass(frozen=True, slots=True)
class Metal:
    """A pure metal (element) with its mechanical, physical and electrical properties.

    Units: elongation in %, hardness in MPa, Young's modulus in GPa, density in g/cm3, molar mass in g/mol,
    molar volume in cm3/mol, resistivity in ohm m. ``None`` where no value was found.
    """

    symbol: str
    name: str
    elongation_pct: float | None
    elongation_max_pct: float | None
    elongation_condition: str
    elongation_status: str
    brinell_MPa: float | None
    vickers_MPa: float | None
    youngs_modulus_GPa: float | None
    density_g_cm3: float | None
    molar_mass_g_mol: float
    molar_volume_cm3_mol: float | None
    resistivity_ohm_m: float | None
    notes: str = ""
    sources: Sources = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.symbol

    @property
    def ductile(self) -> bool | None:
        """True if percent elongation >= 22 % (the patent's criterion), None if unknown."""
        return None if self.elongation_pct is None else self.elongation_pct >= 22.0

    def __repr__(self) -> str:
        from solidstack.report.html import record_repr

        return record_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import record_html

        return record_html(self)



@dataclass(frozen=True, slots=True)
class ReactionStep:
    """One alloying step host + ion: ``from_phase`` -> ``to_phase``, x = ions per host atom.

    Potentials in V vs the ion's metal; ``volume_change_pct`` of ``to_phase`` relative to the pure host.
    """

    step: int
    from_phase: str
    to_phase: str
    x_from: float | None
    x_to: float | None
    E_equilibrium_V: float | None
    E_insertion_V: float | None
    E_extraction_V: float | None
    volume_change_pct: float | None
    confidence: str
    notes: str
    molar_mass_g_mol: float
    sources: Sources = field(default_factory=dict)

    @property
    def potential_V(self) -> float | None:
        """The step's reaction potential: equilibrium value, else the mean of the observed plateaus."""
        if self.E_equilibrium_V is not None:
            return self.E_equilibrium_V
        seen = [e for e in (self.E_insertion_V, self.E_extraction_V) if e is not None]
        return sum(seen) / len(seen) if seen else None

    @property
    def onset_V(self) -> float | None:
        """The highest potential at which this step is seen (the de-alloying plateau where hysteresis)."""
        seen = [e for e in (self.E_equilibrium_V, self.E_insertion_V, self.E_extraction_V) if e is not None]
        return max(seen) if seen else None

    @property
    def capacity_mAh_g(self) -> float | None:
        """Cumulative capacity at ``to_phase`` per gram of host metal: Q = x F / M (derived)."""
        return None if self.x_to is None else self.x_to * FARADAY_MAH_PER_MOL / self.molar_mass_g_mol

    @property
    def step_capacity_mAh_g(self) -> float | None:
        """Capacity of this step alone per gram of host metal (derived)."""
        if self.x_to is None or self.x_from is None:
            return None
        return (self.x_to - self.x_from) * FARADAY_MAH_PER_MOL / self.molar_mass_g_mol


@dataclass(frozen=True, slots=True)
class MetalIonReactions:
    """Everything known about a metal with one working ion at room temperature.

    ``status`` is ``yes`` (alloys), ``no``, ``unknown`` or ``working`` (the ion's own metal).
    """

    host: str
    ion: str
    status: str
    steps: tuple[ReactionStep, ...]
    notes: str = ""
    sources: Sources = field(default_factory=dict)

    @property
    def reacts(self) -> bool | None:
        return {"yes": True, "no": False, "working": False}.get(self.status)

    @property
    def onset_V(self) -> float | None:
        """The highest potential (V vs M+/M) at which any alloying step happens; None if none known."""
        onsets = [s.onset_V for s in self.steps if s.onset_V is not None]
        return max(onsets) if onsets else None

    @property
    def capacity_mAh_g(self) -> float | None:
        """Capacity per gram of host up to the last known phase (derived from stoichiometry)."""
        caps = [s.capacity_mAh_g for s in self.steps if s.capacity_mAh_g is not None]
        return max(caps) if caps else None

    @property
    def max_volume_change_pct(self) -> float | None:
        vols = [s.volume_change_pct for s in self.steps if s.volume_change_pct is not None]
        return max(vols) if vols else None

    def __repr__(self) -> str:
        from solidstack.report.html import record_repr

        return record_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import record_html

        return record_html(self)



@dataclass(frozen=True, slots=True)
class OxidationIndicator:
    """The potential (V vs the working-ion metal) above which a metal is anodically oxidised.

    Based on the standard reduction potential ``E0_vs_SHE_V`` of ``couple`` (aqueous, 25 C) referred to the
    working-ion couple: ``potential_V = E0 - E0(M+/M)``. A thermodynamic indicator; passivation (noted in
    ``notes``) can stop the reaction in practice.
    """

    symbol: str
    ion: str
    couple: str
    electrons: int | None
    E0_vs_SHE_V: float
    potential_V: float
    notes: str
    sources: Sources = field(default_factory=dict)

    @property
    def basis(self) -> str:
        return f"standard potential of {self.couple} ({self.E0_vs_SHE_V:+.3f} V vs SHE) referred to {self.ion}+/{self.ion}"

    def __repr__(self) -> str:
        from solidstack.report.html import record_repr

        return record_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import record_html

        return record_html(self)



@dataclass(frozen=True, slots=True)
class Practicality:
    """What makes a metal easy or hard to use, besides its chemistry: ``radioactive`` (no stable isotope),
    the longest-lived isotope's ``half_life_y`` (years), a health ``hazard`` with its ``hazard_class`` (e.g.
    ``IARC Group 1``; empty where none was found, which does not make the metal harmless) and the
    ``crustal_abundance_mg_kg`` (mg per kg of continental crust; a scarcity indicator, not a price)."""

    symbol: str
    radioactive: bool
    half_life_y: float | None
    hazard_class: str
    hazard: str
    crustal_abundance_mg_kg: float | None
    notes: str = ""
    sources: Sources = field(default_factory=dict)

    #: Crustal abundance below which a metal is flagged scarce (mg/kg; the precious metals are all below it).
    SCARCE_BELOW_MG_KG = 0.1

    @property
    def high_hazard(self) -> bool:
        """A known human carcinogen (IARC Group 1) or acutely toxic."""
        return self.hazard_class in ("IARC Group 1", "acutely toxic")

    @property
    def scarce(self) -> bool:
        return self.crustal_abundance_mg_kg is not None and self.crustal_abundance_mg_kg < self.SCARCE_BELOW_MG_KG

    @property
    def flags(self) -> tuple[str, ...]:
        """Short flags for tables: ``radioactive``, the hazard class, ``scarce``."""
        out = ["radioactive"] if self.radioactive else []
        out += [self.hazard_class] if self.hazard_class else []
        out += ["scarce"] if self.scarce else []
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Passivation:
    """A protective surface ``film`` that keeps ``symbol`` from being oxidised next to working ion ``ion``
    up to ``hi_V`` (V vs ``ion``+/``ion``) in the named ``electrolytes``; ``not_with`` where it fails."""

    symbol: str
    ion: str
    film: str
    electrolytes: str
    hi_V: float
    not_with: str = ""
    notes: str = ""
    sources: Sources = field(default_factory=dict)

    @property
    def text(self) -> str:
        """One sentence with the film, its range and where it fails (source keys in brackets)."""
        keys = "; ".join(dict.fromkeys(r.key for refs in self.sources.values() for r in refs))
        out = f"{self.symbol} is protected by its {self.film} film up to {self.hi_V:g} V vs {self.ion}+/{self.ion} ({self.electrolytes}) [{keys}]"
        return out + (f"; not with {self.not_with}" if self.not_with else "")


@dataclass(frozen=True, slots=True)
class OcpCurve:
    """An open-circuit potential table: ``x`` (state of lithiation, 0..1 as defined in ``header``), ``U_V``."""

    name: str
    x: tuple[float, ...]
    U_V: tuple[float, ...]
    header: str
    sources: Sources = field(default_factory=dict)

    def __call__(self, x: float) -> float:
        import numpy as np

        return float(np.interp(x, self.x, self.U_V))


@dataclass(frozen=True, slots=True)
class ActiveMaterial:
    """An electrode active material working with one ``ion``.

    Potentials in V vs the ion's metal, capacities in mAh/g of active material, density in g/cm3,
    ``volume_change_pct`` from the discharged to the charged state.
    """

    key: str
    name: str
    formula: str
    aliases: tuple[str, ...]
    ion: str
    role: str
    window: Window
    average_V: float | None
    practical_capacity_mAh_g: float | None
    theoretical_capacity_mAh_g: float | None
    density_g_cm3: float | None
    volume_change_pct: float | None
    patent_window: Window | None
    ocp: OcpCurve | None
    notes: str = ""
    sources: Sources = field(default_factory=dict)
    #: rows beyond ``ocp``'s range from ``ocp/<name>_extension.csv`` (a construction; see its header), if any
    ocp_extension: OcpCurve | None = None
    #: how the OCP table was found when not named in ``ocp_file`` (a note for the user), else ""
    ocp_note: str = ""

    @property
    def ocp_key(self) -> str:
        """What to call this material's OCP in messages: ``key (ion)``."""
        return f"{self.key} ({self.ion})"


@dataclass(frozen=True, slots=True)
class Transport:
    """Transport and kinetic constants of one host (``transport.toml``): SI values by name (``radius_m``,
    ``diffusivity_m2_s``, ``i0_A_m2``, ``conductivity_S_m``, optional ``c_max_mol_m3``), what they rest on
    (``basis``, ``sources``), and which of them are placeholders (no sourced value; a data gap)."""

    key: str
    values: dict[str, float]
    basis: str
    sources: tuple[Reference, ...]
    placeholders: tuple[str, ...] = ()
    is_default: bool = False

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def get(self, name: str, default: float | None = None) -> float | None:
        return self.values.get(name, default)

    def __repr__(self) -> str:
        from solidstack.report.html import record_repr

        return record_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import record_html

        return record_html(self)



@dataclass(frozen=True, slots=True)
class Electrolyte:
    """A solid electrolyte: conductivity in S/cm at ``conductivity_T_K`` (K; 298.15 where the source gives no other
    temperature), stability window in V vs M+/M, density g/cm3, and the activation energy of its ionic conductivity
    ``activation_energy_eV`` (eV; None where no source gives one: then no temperature dependence is modelled)."""

    key: str
    name: str
    aliases: tuple[str, ...]
    ion: str
    electrolyte_class: str
    conductivity_S_cm: float | None
    window: Window | None
    window_kind: str
    density_g_cm3: float | None
    notes: str = ""
    sources: Sources = field(default_factory=dict)
    conductivity_T_K: float = 298.15
    activation_energy_eV: float | None = None

    def __repr__(self) -> str:
        from solidstack.report.html import record_repr

        return record_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import record_html

        return record_html(self)



@dataclass(frozen=True, slots=True)
class Auxiliary:
    """A collector, conductive additive, coating or binder: density g/cm3, resistivity ohm m."""

    key: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    density_g_cm3: float | None
    resistivity_ohm_m: float | None
    notes: str = ""
    sources: Sources = field(default_factory=dict)

    def __repr__(self) -> str:
        from solidstack.report.html import record_repr

        return record_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import record_html

        return record_html(self)
