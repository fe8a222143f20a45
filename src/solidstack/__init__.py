"""solidstack: computational twin and design tool for all-solid-state battery stacks whose electrodes meet
their collectors through ductile metal interlayers (US 2016/0233553 A1)."""

__version__ = "0.1.0"
