"""Mass, thickness and energy of a stack, layer by layer, collector to collector.

Every layer counts, a collector's primer coating too (its mass and thickness lower Wh/kg and Wh/L like any
other layer's; it stores no charge). An electrode's row shows its active's particle size (D50) where given, and a layer's SE conductivity where
the stack file gives one.

All figures are per cell (the stack's area). Energy is nominal: the limiting practical capacity times the
difference of the electrodes' average potentials, as defined in :class:`~solidstack.stack.Stack`.
"""

from __future__ import annotations

from dataclasses import dataclass

from solidstack.stack import Stack
from solidstack.stack.layers import CompositeElectrode, MetalLayer, Primer


@dataclass(frozen=True)
class LayerFigures:
    """One layer's figures: thickness in um, mass in mg, areal mass in mg/cm2, shares in % of the stack."""

    index: int
    type: str
    role: str
    material: str
    thickness_um: float
    mass_mg: float
    areal_mass_mg_cm2: float
    mass_share_pct: float
    thickness_share_pct: float
    porosity: float | None
    capacity_mAh: float | None
    particle_size_um: float | None = None  # the active's D50 diameter, where the stack gives it


@dataclass(frozen=True)
class StackBreakdown:
    """The stack's layers with their figures, and the totals and energy of the cell."""

    name: str
    area_cm2: float
    layers: tuple[LayerFigures, ...]
    anode_capacity_mAh: float
    cathode_capacity_mAh: float
    np_ratio: float
    nominal_voltage_V: float
    nominal_energy_mWh: float
    thickness_um: float
    mass_mg: float
    specific_energy_Wh_kg: float
    energy_density_Wh_L: float
    interlayer_mass_share_pct: float
    interlayer_thickness_share_pct: float

    @property
    def energy_without_interlayers(self) -> tuple[float, float]:
        """(Wh/kg, Wh/L) if the metal interlayers weighed and measured nothing: their cost made visible."""
        m = sum(la.mass_mg for la in self.layers if la.type != "metal")
        t = sum(la.thickness_um for la in self.layers if la.type != "metal")
        return (self.nominal_energy_mWh / m * 1e3, self.nominal_energy_mWh / (t * 1e-4 * self.area_cm2))  # mWh/cm3 = Wh/L

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame([la.__dict__ for la in self.layers]).set_index("index")

    def __repr__(self) -> str:
        return (f"<StackBreakdown {self.name!r}: {len(self.layers)} layers, {self.mass_mg:.2f} mg, {self.thickness_um:.1f} um, "
                f"{self.specific_energy_Wh_kg:.1f} Wh/kg, {self.energy_density_Wh_L:.1f} Wh/L>")

    def _repr_html_(self) -> str:
        from solidstack.report.html import breakdown_html

        return breakdown_html(self)


def breakdown(stack: Stack) -> StackBreakdown:
    """Per-layer and total figures of ``stack``."""
    area = stack.area_m2
    total_m, total_t = stack.mass_kg, stack.thickness_m
    rows = []
    for i, la in enumerate(stack.layers):
        m, t = la.mass_kg(area), la.thickness_m(area)
        d50 = None
        if isinstance(la, MetalLayer):
            role, material = f"{stack.role_of(la)} ({stack.side_of(la)} side)", la.material
        elif isinstance(la, Primer):
            role, material = f"primer ({'anode' if i == 1 else 'cathode'} collector)", la.material
        elif isinstance(la, CompositeElectrode):
            role, material = la.type, la.active.material
            if la.active.particle_size is not None:
                d50 = la.active.particle_size.si * 1e6
                material = f"{material} (D50 {d50:.3g} um)"
            if la.electrolyte is not None and la.electrolyte.conductivity is not None:
                material = f"{material} (SE {la.electrolyte.material} {la.electrolyte.conductivity}, stack file)"
            if la.electrolyte is not None and la.electrolyte.particle_size is not None:
                material = f"{material} (SE {la.electrolyte.material} D50 {la.electrolyte.particle_size.si * 1e6:.3g} um)"
        elif la.type == "separator":
            role, material = "separator", la.electrolyte
            if la.conductivity is not None:
                material = f"{material} ({la.conductivity}, stack file)"
        else:
            role, material = "collector", la.material
        rows.append(
            LayerFigures(
                index=i,
                type=la.type,
                role=role,
                material=material,
                thickness_um=t * 1e6,
                mass_mg=m * 1e6,
                areal_mass_mg_cm2=m * 1e6 / (area * 1e4),
                mass_share_pct=100 * m / total_m,
                thickness_share_pct=100 * t / total_t,
                porosity=la.porosity_value(area) if hasattr(la, "porosity_value") else None,
                capacity_mAh=la.capacity_mAh(area, stack.working_ion) if isinstance(la, CompositeElectrode) else None,
                particle_size_um=d50,
            )
        )
    return StackBreakdown(
        name=stack.name,
        area_cm2=area * 1e4,
        layers=tuple(rows),
        anode_capacity_mAh=stack.anode_capacity_mAh,
        cathode_capacity_mAh=stack.cathode_capacity_mAh,
        np_ratio=stack.np_ratio,
        nominal_voltage_V=stack.nominal_voltage_V,
        nominal_energy_mWh=stack.nominal_energy_mWh,
        thickness_um=total_t * 1e6,
        mass_mg=total_m * 1e6,
        specific_energy_Wh_kg=stack.specific_energy_Wh_kg,
        energy_density_Wh_L=stack.energy_density_Wh_L,
        interlayer_mass_share_pct=100 * stack.interlayer_mass_share,
        interlayer_thickness_share_pct=100 * stack.interlayer_thickness_share,
    )
