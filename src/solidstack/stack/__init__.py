"""Cell stacks: layers from the anode collector to the cathode collector, stack files, presets."""

from solidstack.stack.cycling import Cycling
from solidstack.stack.layers import (
    Coating,
    Collector,
    Component,
    CompositeElectrode,
    MetalLayer,
    Separator,
)
from solidstack.stack.model import Stack
from solidstack.stack.presets import load_preset, preset_names, resolve

__all__ = [
    "Coating",
    "Collector",
    "Component",
    "CompositeElectrode",
    "Cycling",
    "MetalLayer",
    "Separator",
    "Stack",
    "load_preset",
    "preset_names",
    "resolve",
]
