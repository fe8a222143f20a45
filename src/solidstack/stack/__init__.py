"""Cell stacks: layers from the anode collector to the cathode collector, stack files, presets."""

from solidstack.stack.cycling import Cycling
from solidstack.stack.layers import (
    ActiveComponent,
    Coating,
    Collector,
    Component,
    CompositeElectrode,
    ElectrolyteComponent,
    MetalLayer,
    Primer,
    Separator,
)
from solidstack.stack.model import Stack
from solidstack.stack.presets import load_preset, preset_names, resolve

__all__ = [
    "ActiveComponent",
    "Coating",
    "Collector",
    "Component",
    "CompositeElectrode",
    "Cycling",
    "ElectrolyteComponent",
    "MetalLayer",
    "Primer",
    "Separator",
    "Stack",
    "load_preset",
    "preset_names",
    "resolve",
]
