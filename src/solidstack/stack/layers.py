"""Layers of a cell stack, as read from a stack file.

Every layer has a ``type``: ``collector``, ``primer`` (a thin coating on a collector, e.g. carbon on Al), ``metal`` (a metal foil between an electrode and its collector: the
patent's ductile "metal layer" or an "inert metal layer"), ``anode``/``cathode`` (composite electrodes) and
``separator`` (the solid electrolyte layer). Quantities carry units (see :mod:`solidstack.units`); layer
methods return SI values (m, kg) for a given cell area in m2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from solidstack.materials import ActiveMaterial, default_catalog
from solidstack.stack import limits
from solidstack.units import not_bool, quantity_type

if TYPE_CHECKING:  # to a type checker each is a Q; pydantic gets the validating Annotated type
    from solidstack.units import Q as ArealMass
    from solidstack.units import Q as CoatingLength
    from solidstack.units import Q as FoilLength
    from solidstack.units import Q as LayerLength
    from solidstack.units import Q as Length
    from solidstack.units import Q as Mass
    from solidstack.units import Q as ParticleSize
    from solidstack.units import Q as Pressure
    from solidstack.units import Q as PrimerLength
    from solidstack.units import Q as SEConductivity
else:
    Length = quantity_type("length", 0.0, 0.01, lo_open=True)  # (0, 10 mm]
    FoilLength = quantity_type("length", *limits.FOIL_THICKNESS_M)  # [0.1 um, 10 mm]
    LayerLength = quantity_type("length", *limits.LAYER_THICKNESS_M)  # [1 um, 10 mm]
    CoatingLength = quantity_type("length", *limits.COATING_THICKNESS_M)  # [0.1 nm, 10 um]
    Mass = quantity_type("mass", 0.0, 0.1, lo_open=True)  # (0, 100 g]
    ArealMass = quantity_type("areal_mass", 0.0, 10.0, lo_open=True)  # (0, 1 g/cm2]
    Pressure = quantity_type("pressure", *limits.PRESSING_PA)  # [0, 5 GPa]
    ParticleSize = quantity_type("length", *limits.PARTICLE_SIZE_M)  # [10 nm, 100 um]
    PrimerLength = quantity_type("length", *limits.PRIMER_THICKNESS_M)  # [0.01 um, 50 um]
    SEConductivity = quantity_type("conductivity", *limits.SE_CONDUCTIVITY_S_M)  # [1e-6, 100] mS/cm
Fraction = Annotated[float, BeforeValidator(not_bool), Field(ge=0.0, le=1.0)]
Porosity = Annotated[float, BeforeValidator(not_bool), Field(ge=limits.POROSITY[0], le=limits.POROSITY[1])]
#: Ions per host formula unit (or per metal atom), as the host's OCP table defines x: 0..10.
Stoichiometry = Annotated[float, BeforeValidator(not_bool), Field(ge=0.0, le=10.0)]


def _plain_text(limit: int, newlines: bool):
    """A validator of user text: at most ``limit`` characters, valid Unicode, no control characters (``newlines``
    allows line breaks and tabs), so that it prints as itself in a terminal, a report or a file."""

    def check(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"is {len(text)} characters long; at most {limit}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("is not valid Unicode text (a lone surrogate)") from None
        allowed = "\n\t" if newlines else ""
        bad = next((c for c in text if (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) and c not in allowed), None)
        if bad is not None:
            raise ValueError(f"contains the control character U+{ord(bad):04X}; use plain text")
        return text

    return AfterValidator(check)


#: A name (of a stack or a material): one line of plain text.
Name = Annotated[str, _plain_text(limits.MAX_NAME_CHARS, newlines=False)]
#: A description, source or note: plain text, line breaks allowed.
Note = Annotated[str, _plain_text(limits.MAX_TEXT_CHARS, newlines=True)]

G_CM3 = 1000.0  # kg/m3 per g/cm3


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _InitialState(BaseModel):
    """The initial state of a host layer (optional; omitted = as assembled: composite anodes empty, cathodes full,
    metal electrodes full, alloy foils pristine).

    ``initial_soc`` (0..1): the state of charge over the material's sourced capacity (its window): 1 = charged, i.e.
    an anode full of the ion, a cathode emptied of it; for a Li/Na/K metal electrode the fraction of its stated
    thickness present (0 = anode-free: the metal plates on the collector or the interlayer behind it).
    ``initial_x``: the composition as the host's OCP table defines x (e.g. 0.5 for In-Li = Li0.5In, the In/InLi
    two-phase field); give one of the two.
    """

    initial_soc: Fraction | None = None
    initial_x: Stoichiometry | None = None

    @model_validator(mode="after")
    def _one_initial_state(self):
        if self.initial_soc is not None and self.initial_x is not None:
            raise ValueError("give initial_soc or initial_x, not both")
        return self


class Component(_Frozen):
    """One constituent of a composite electrode: a material name and its mass fraction (0..1)."""

    material: Name
    fraction: Fraction


class ActiveComponent(Component):
    """The active material of a composite electrode: a material name, its mass fraction (0..1) and, optionally,
    its ``particle_size``: the D50 (median) particle *diameter* of the powder, as suppliers and papers quote it
    (e.g. ``"10 um"``). The simulation's particle radius is D50 / 2; left out, the radius is the host's own from
    ``materials/data/transport.toml`` (the particles of that entry's source)."""

    particle_size: ParticleSize | None = None

    def particle_radius_m(self) -> float | None:
        """The particle radius (m) the stack sets, D50 / 2; None where no particle size is given."""
        return None if self.particle_size is None else self.particle_size.si / 2.0


class ElectrolyteComponent(Component):
    """The solid electrolyte of a composite electrode: a material name, its mass fraction (0..1) and, optionally,
    its ``conductivity``: the SE's bulk ionic conductivity at the stack's temperature as measured for the batch
    used (e.g. ``"3 mS/cm"``, or in S/m). Left out, the knowledge base's value of the material is used. The
    composite's tortuosity law (``sim/data/composite_transport.toml``) applies on top of either. Optionally its
    ``particle_size``: the D50 particle *diameter* of the SE powder in the composite (e.g. ``"1 um"``), which sets
    how many SE grains touch each active particle in the contact-loss law (README, contact loss)."""

    conductivity: SEConductivity | None = None
    particle_size: ParticleSize | None = None

    def conductivity_S_m(self) -> float | None:
        """The conductivity the stack gives (S/m), or None."""
        return None if self.conductivity is None else self.conductivity.si

    def particle_radius_m(self) -> float | None:
        """The SE particle radius (m) the stack sets, D50 / 2; None where no ``particle_size`` is given. It sets how
        many SE grains touch each active particle (``sim/coordination.py``); left out, one is assumed."""
        return None if self.particle_size is None else self.particle_size.si / 2.0


class Coating(Component):
    """A surface coating on the active material (e.g. 10 nm LiNbO3); ``fraction`` may be 0 when the
    source counts the coating inside the active material's mass."""

    thickness: CoatingLength | None = None


class Collector(_Frozen):
    type: Literal["collector"] = "collector"
    material: Name
    thickness: FoilLength
    note: Note | None = None

    def density_kg_m3(self) -> float:
        return _density(default_catalog().collector(self.material).density_g_cm3, self.material)

    def thickness_m(self, area_m2: float) -> float:
        return self.thickness.si

    def mass_kg(self, area_m2: float) -> float:
        return self.thickness.si * area_m2 * self.density_kg_m3()

    @property
    def label(self) -> str:
        return f"{self.material} collector"


class Primer(_Frozen):
    """A thin coating on a current collector, on its electrode face (e.g. a ~1 um carbon primer on Al foil): a
    stack layer next to its collector. ``material`` is a conductive carbon of the knowledge base (an ``additive``
    of ``materials/data/auxiliaries.csv``: acetylene black, graphite, ...). Its mass is ``areal_loading`` x area
    where given (the coat weight), else thickness x area x the material's density (a pore-free coating: an upper
    bound on a porous carbon primer's mass). It is counted in the stack's mass and thickness (and so in Wh/kg and
    Wh/L) and is electrochemically inert in the simulation: no host, no contact or interface effect is modelled."""

    type: Literal["primer"] = "primer"
    material: Name
    thickness: PrimerLength
    areal_loading: ArealMass | None = None
    note: Note | None = None

    def density_kg_m3(self) -> float:
        return _density(default_catalog().auxiliary(self.material, "additive").density_g_cm3, self.material)

    def thickness_m(self, area_m2: float) -> float:
        return self.thickness.si

    def mass_kg(self, area_m2: float) -> float:
        if self.areal_loading is not None:
            return self.areal_loading.si * area_m2
        return self.thickness.si * area_m2 * self.density_kg_m3()

    @property
    def label(self) -> str:
        return f"{self.material} primer"


class MetalLayer(_Frozen, _InitialState):
    """A metal foil between an electrode and its collector.

    ``role``: ``ductile`` (the patent's "metal layer", next to the collector) or ``inert`` (the patent's "inert
    metal layer", between the ductile layer and the electrode). Left out, it is inferred from the position.
    ``initial_soc``/``initial_x``: a pre-lithiated foil (see :class:`_InitialState`; used when the foil reacts).
    """

    type: Literal["metal"] = "metal"
    material: Name
    thickness: FoilLength
    role: Literal["ductile", "inert"] | None = None
    note: Note | None = None

    def density_kg_m3(self) -> float:
        return _density(default_catalog().metal(self.material).density_g_cm3, self.material)

    def thickness_m(self, area_m2: float) -> float:
        return self.thickness.si

    def mass_kg(self, area_m2: float) -> float:
        return self.thickness.si * area_m2 * self.density_kg_m3()

    @property
    def label(self) -> str:
        return f"{self.material} foil"


class _Pressed(_Frozen):
    """A powder layer pressed to shape: two of {mass (or areal loading), thickness, porosity} fix it."""

    mass: Mass | None = None
    areal_loading: ArealMass | None = None
    thickness: LayerLength | None = None
    porosity: Porosity | None = None
    pressing_pressure: Pressure | None = None
    note: Note | None = None

    def solid_density_kg_m3(self) -> float:
        """Density of the pore-free mixture, 1 / sum(w_i / rho_i), in kg/m3."""
        return 1.0 / sum(w / rho for w, rho in self._fractions_and_densities() if w > 0)

    def _fractions_and_densities(self) -> list[tuple[float, float]]:
        raise NotImplementedError

    def mass_kg(self, area_m2: float) -> float:
        if self.mass is not None:
            return self.mass.si
        if self.areal_loading is not None:
            return self.areal_loading.si * area_m2
        assert self.thickness is not None and self.porosity is not None
        return self.thickness.si * area_m2 * self.solid_density_kg_m3() * (1.0 - self.porosity)

    def thickness_m(self, area_m2: float) -> float:
        if self.thickness is not None:
            return self.thickness.si
        assert self.porosity is not None
        return self.mass_kg(area_m2) / (area_m2 * self.solid_density_kg_m3() * (1.0 - self.porosity))

    def porosity_value(self, area_m2: float) -> float:
        """The porosity given, or derived from mass, thickness and solid density."""
        if self.porosity is not None:
            return self.porosity
        return 1.0 - self.mass_kg(area_m2) / (area_m2 * self.thickness_m(area_m2) * self.solid_density_kg_m3())


class CompositeElectrode(_Pressed, _InitialState):
    """A composite electrode: active material, solid electrolyte, conductive additive, binder and coating,
    each by mass fraction (summing to 1). An anode of a metal alone (``active = {material = "Li", fraction =
    1}``, ``porosity = 0``) is a metal electrode (Li, Na, K foil, or an alloy foil such as In-Li).
    ``initial_soc``/``initial_x``: a pre-lithiated or partly charged electrode (see :class:`_InitialState`)."""

    type: Literal["anode", "cathode"]
    active: ActiveComponent
    electrolyte: ElectrolyteComponent | None = None
    additive: Component | None = None
    binder: Component | None = None
    coating: Coating | None = None

    def components(self) -> list[tuple[str, Component]]:
        named = [
            ("active", self.active),
            ("electrolyte", self.electrolyte),
            ("additive", self.additive),
            ("binder", self.binder),
            ("coating", self.coating),
        ]
        return [(role, c) for role, c in named if c is not None]

    def active_material(self, ion: str) -> ActiveMaterial:
        return default_catalog().active(self.active.material, ion)

    def _fractions_and_densities(self) -> list[tuple[float, float]]:
        return [(c.fraction, component_density_kg_m3(role, c.material)) for role, c in self.components()]

    def active_mass_kg(self, area_m2: float) -> float:
        return self.mass_kg(area_m2) * self.active.fraction

    def capacity_mAh(self, area_m2: float, ion: str) -> float:
        """Practical capacity: active mass x the material's practical specific capacity (mAh)."""
        cap = self.active_material(ion).practical_capacity_mAh_g
        if cap is None:
            raise ValueError(f"{self.active.material} has no practical capacity in the knowledge base")
        return self.active_mass_kg(area_m2) * 1e3 * cap

    @property
    def label(self) -> str:
        return f"{self.type} ({self.active.material})"


class Separator(_Pressed):
    """The solid electrolyte layer between the electrodes. ``conductivity`` (optional, e.g. ``"3 mS/cm"``): the
    SE's bulk ionic conductivity at the stack's temperature, as measured for the batch used; left out, the
    knowledge base's value of ``electrolyte`` is used."""

    type: Literal["separator"] = "separator"
    electrolyte: Name
    conductivity: SEConductivity | None = None
    binder: Component | None = None

    def conductivity_S_m(self) -> float | None:
        """The conductivity the stack gives (S/m), or None."""
        return None if self.conductivity is None else self.conductivity.si

    def _fractions_and_densities(self) -> list[tuple[float, float]]:
        se = 1.0 - (self.binder.fraction if self.binder else 0.0)
        out = [(se, component_density_kg_m3("electrolyte", self.electrolyte))]
        if self.binder:
            out.append((self.binder.fraction, component_density_kg_m3("binder", self.binder.material)))
        return out

    @property
    def label(self) -> str:
        return f"separator ({self.electrolyte})"


Layer = Annotated[Collector | Primer | MetalLayer | CompositeElectrode | Separator, Field(discriminator="type")]
LAYER_TYPES = ("collector", "primer", "metal", "anode", "separator", "cathode")


def component_density_kg_m3(role: str, material: str) -> float:
    """Density (kg/m3) of a composite constituent looked up by its role."""
    cat = default_catalog()
    if role == "active":
        rho = cat.active(material).density_g_cm3
    elif role == "electrolyte":
        rho = cat.electrolyte(material).density_g_cm3
    else:
        rho = cat.auxiliary(material, {"additive": "additive", "binder": "binder", "coating": "coating"}[role]).density_g_cm3
    return _density(rho, material)


def _density(rho_g_cm3: float | None, material: str) -> float:
    if rho_g_cm3 is None:
        raise ValueError(f"no density for {material!r} in the knowledge base; give the layer's thickness and mass")
    return rho_g_cm3 * G_CM3
