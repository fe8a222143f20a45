"""The cell stack: an ordered list of layers from the anode collector to the cathode collector.

A :class:`Stack` is built from a stack file (``Stack.from_file``) or from Python, and is validated on
construction: structure (order of layers), names (against the materials knowledge base), fractions,
units and ranges. Derived quantities (capacities, N/P ratio, thicknesses, masses, nominal energy) are
properties; the mass/volume breakdown lives in :mod:`solidstack.metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from solidstack.errors import InputError, Problem
from solidstack.stack import limits
from solidstack.stack.cycling import STAGE_CURRENT_FIELDS, STEP_CURRENT_FIELDS, Cycling, is_current_density
from solidstack.stack.layers import (
    Collector,
    CompositeElectrode,
    Layer,
    MetalLayer,
    Name,
    Note,
    Primer,
    Separator,
)
from solidstack.units import quantity_type

if TYPE_CHECKING:  # to a type checker each is a Q; pydantic gets the validating Annotated type
    from solidstack.units import Q as Area
    from solidstack.units import Q as FabricationPressure
    from solidstack.units import Q as StackPressure
    from solidstack.units import Q as Temperature
else:
    Area = quantity_type("area", *limits.AREA_M2)  # [0.01 cm2, 1 m2]
    Temperature = quantity_type("temperature", 173.15, 573.15)  # -100 .. 300 degC
    StackPressure = quantity_type("pressure", 0.0, 1e9)  # [0, 1 GPa]
    FabricationPressure = quantity_type("pressure", *limits.PRESSING_PA)  # [0, 5 GPa], as a layer's pressing_pressure


class StackSpec(BaseModel):
    """The file-level fields of a stack, as validated by pydantic (structure and units only)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    name: Name
    description: Note | None = None
    source: Note | None = None
    area: Area
    working_ion: Literal["Li", "Na", "K"]
    temperature: Temperature = "25 degC"  # type: ignore[assignment]
    stack_pressure: StackPressure = "0 MPa"  # type: ignore[assignment]
    #: The highest pressure the assembled stack (collectors included) was pressed at before it was cycled, e.g. a
    #: warm isostatic press of the finished pouch; None = not given (the contacts are on their loading branch at
    #: the stack pressure). Used by the electrode|collector contact resistance (sim/collector.py).
    fabrication_pressure: FabricationPressure | None = None
    cycling: Cycling | None = None
    layers: Annotated[list[Layer], Field(min_length=1, max_length=limits.MAX_LAYERS)]

    @field_validator("cycling", mode="before")
    @classmethod
    def _cycles_not_bool(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("cycles"), bool):
            raise ValueError(f"cycles: expected a whole number, got {str(value['cycles']).lower()}")
        return value

    @model_validator(mode="after")
    def _current_in_range(self) -> StackSpec:
        """Current densities as written must be in range; a C-rate or a current is range-checked where the protocol
        is resolved on the stack (``Protocol.resolved``), as it needs the stack's capacity or area."""
        c = self.cycling
        lo, hi = limits.CURRENT_DENSITY_A_M2
        if c is None:
            return self
        written: list[tuple[str, Any, str]] = [("", c, which) for which in ("current", *STEP_CURRENT_FIELDS)]
        written += [(f"stages[{i}].", st, which) for i, st in enumerate(c.stages or ()) for which in STAGE_CURRENT_FIELDS]
        for where, fields, which in written:
            value = getattr(fields, which)
            if value is None or not is_current_density(value):
                continue
            if not lo <= value.si <= hi:
                name = "current_density" if which == "current" and not where else which
                raise ValueError(f"cycling.{where}{name}: {value} is outside {lo / 10:g} to {hi / 10:g} mA/cm2")
        return self


class Stack(StackSpec):
    """A validated cell stack. Construct with ``Stack.from_dict``, ``Stack.from_file`` or keyword arguments;
    any problem raises :class:`~solidstack.errors.InputError` listing every problem found."""

    def __init__(self, **data: Any):
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise InputError(pydantic_problems(err)) from None
        from solidstack.stack.checks import check_stack

        problems = check_stack(self)
        if problems:
            raise InputError(problems)

    def __repr__(self) -> str:
        from solidstack.report.html import stack_repr

        return stack_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import stack_html

        return stack_html(self)

    # ------------------------------------------------------------- construction / I/O
    @classmethod
    def from_dict(cls, data: Any) -> Stack:
        if not isinstance(data, dict):
            raise InputError(Problem("", f"a stack must be a table of fields, not {type(data).__name__}"))
        layers = data.get("layers")
        if isinstance(layers, list) and len(layers) > limits.MAX_LAYERS:  # refused before validating each one
            raise InputError(Problem("layers", f"{len(layers)} layers; a stack has at most {limits.MAX_LAYERS}"))
        if any(not isinstance(k, str) for k in data):
            raise InputError(Problem("", "field names must be text"))
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path) -> Stack:
        """Read a TOML, YAML or JSON stack file; problems are reported with the file name."""
        from solidstack.stack.io import read_stack

        return read_stack(Path(path))

    def to_file(self, path: str | Path) -> Path:
        """Write this stack to ``path`` (format from the suffix: .toml, .yaml/.yml, .json)."""
        from solidstack.stack.io import write_stack

        return write_stack(self, Path(path))

    def to_dict(self) -> dict[str, Any]:
        """The stack as plain data (quantities as strings with their units), as written to files."""
        return self.model_dump(mode="json", exclude_none=True)

    def replace(self, **changes: Any) -> Stack:
        """A copy with top-level fields changed (values as in a file, e.g. ``area="0.5 cm2"``)."""
        data = self.to_dict()
        data.update(changes)
        return Stack.from_dict(data)

    # ------------------------------------------------------------- structure
    @property
    def area_m2(self) -> float:
        return self.area.si

    def _index(self, kind: str) -> int:
        return next(i for i, layer in enumerate(self.layers) if layer.type == kind)

    @property
    def anode(self) -> CompositeElectrode:
        return self.layers[self._index("anode")]  # type: ignore[return-value]

    @property
    def cathode(self) -> CompositeElectrode:
        return self.layers[self._index("cathode")]  # type: ignore[return-value]

    @property
    def separator(self) -> Separator:
        return self.layers[self._index("separator")]  # type: ignore[return-value]

    @property
    def anode_collector(self) -> Collector:
        return self.layers[0]  # type: ignore[return-value]

    @property
    def cathode_collector(self) -> Collector:
        return self.layers[-1]  # type: ignore[return-value]

    @property
    def anode_side(self) -> list[MetalLayer]:
        """Metal layers between the anode collector and the anode, collector first (as in FIG. 1)."""
        return [la for la in self.layers[1 : self._index("anode")] if isinstance(la, MetalLayer)]

    @property
    def cathode_side(self) -> list[MetalLayer]:
        """Metal layers between the cathode and the cathode collector, collector first."""
        return [la for la in self.layers[self._index("cathode") + 1 : -1] if isinstance(la, MetalLayer)][::-1]

    @property
    def primers(self) -> list[Primer]:
        """Primer coatings on the collectors (anode collector's first), each next to its collector."""
        return [la for la in self.layers if isinstance(la, Primer)]

    def role_of(self, layer: MetalLayer) -> str:
        """``ductile`` or ``inert``: as given, else the layer next to the collector is the ductile layer
        (the patent's "metal layer") and any layer between it and the electrode is inert."""
        if layer.role is not None:
            return layer.role
        for side in (self.anode_side, self.cathode_side):
            for i, la in enumerate(side):
                if la is layer:
                    return "ductile" if i == 0 else "inert"
        raise ValueError("layer is not in this stack")

    def side_of(self, layer: MetalLayer) -> Literal["anode", "cathode"]:
        return "anode" if any(la is layer for la in self.anode_side) else "cathode"

    def touching_electrode(self, side: Literal["anode", "cathode"]) -> MetalLayer | None:
        """The metal layer in contact with the electrode on ``side`` (None if the collector touches it)."""
        layers = self.anode_side if side == "anode" else self.cathode_side
        return layers[-1] if layers else None

    # ------------------------------------------------------------- derived quantities
    def layer_thickness_m(self, layer: Any) -> float:
        return layer.thickness_m(self.area_m2)

    def layer_mass_kg(self, layer: Any) -> float:
        return layer.mass_kg(self.area_m2)

    @property
    def anode_capacity_mAh(self) -> float:
        return self.anode.capacity_mAh(self.area_m2, self.working_ion)

    @property
    def cathode_capacity_mAh(self) -> float:
        return self.cathode.capacity_mAh(self.area_m2, self.working_ion)

    @property
    def anode_capacity_mAh_cm2(self) -> float:
        return self.anode_capacity_mAh / (self.area_m2 * 1e4)

    @property
    def cathode_capacity_mAh_cm2(self) -> float:
        return self.cathode_capacity_mAh / (self.area_m2 * 1e4)

    @property
    def np_ratio(self) -> float:
        """N/P: anode over cathode practical capacity."""
        return self.anode_capacity_mAh / self.cathode_capacity_mAh

    @property
    def limiting_capacity_mAh(self) -> float:
        return min(self.anode_capacity_mAh, self.cathode_capacity_mAh)

    @property
    def nominal_voltage_V(self) -> float:
        """Difference of the electrodes' average potentials (V)."""
        ion = self.working_ion
        cat, an = self.cathode.active_material(ion), self.anode.active_material(ion)
        return (cat.average_V or 0.0) - (an.average_V or 0.0)

    @property
    def nominal_energy_mWh(self) -> float:
        """Limiting capacity x nominal voltage (mWh)."""
        return self.limiting_capacity_mAh * self.nominal_voltage_V

    @property
    def thickness_m(self) -> float:
        """Total thickness, collector to collector (m)."""
        return sum(self.layer_thickness_m(la) for la in self.layers)

    @property
    def mass_kg(self) -> float:
        """Total mass, collector to collector (kg)."""
        return sum(self.layer_mass_kg(la) for la in self.layers)

    @property
    def specific_energy_Wh_kg(self) -> float:
        return self.nominal_energy_mWh * 1e-3 / self.mass_kg

    @property
    def energy_density_Wh_L(self) -> float:
        return self.nominal_energy_mWh * 1e-3 / (self.thickness_m * self.area_m2 * 1e3)

    @property
    def interlayers(self) -> list[MetalLayer]:
        return self.anode_side + self.cathode_side

    @property
    def interlayer_mass_share(self) -> float:
        """Fraction (0..1) of the stack mass that is metal interlayers."""
        return sum(self.layer_mass_kg(la) for la in self.interlayers) / self.mass_kg

    @property
    def interlayer_thickness_share(self) -> float:
        return sum(self.layer_thickness_m(la) for la in self.interlayers) / self.thickness_m


def pydantic_problems(err: ValidationError) -> list[Problem]:
    """One :class:`Problem` per pydantic error, located as ``layers[2].thickness``."""
    problems = []
    for e in err.errors():
        loc = list(e["loc"])
        # drop the discriminator tag pydantic inserts after a layer index
        if len(loc) >= 3 and loc[0] == "layers" and isinstance(loc[1], int) and isinstance(loc[2], str):
            if loc[2] in ("collector", "primer", "metal", "anode", "cathode", "separator"):
                del loc[2]
        where = ""
        for part in loc:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        problems.append(Problem(where, _message(e)))
    return problems


def _message(e: Mapping[str, Any]) -> str:
    kind, msg = e["type"], e["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "union_tag_not_found":
        return "missing 'type' (one of collector, primer, metal, anode, separator, cathode)"
    if kind == "union_tag_invalid":
        return f"unknown layer type {e['input'].get('type')!r} (use collector, primer, metal, anode, separator or cathode)" if isinstance(e.get("input"), dict) else msg
    if kind == "literal_error":
        return f"{e.get('input')!r} is not allowed: {msg.removeprefix('Input should be ').replace('Input should be', 'expected')}"
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else msg
