"""The cycling protocol a stack file may carry: constant current between voltage cut-offs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from solidstack.units import quantity_type

CurrentDensity = quantity_type("current_density", 0.0, 1000.0, lo_open=True)  # (0, 100 mA/cm2]
Voltage = quantity_type("voltage", 0.0, 6.0)
Duration = quantity_type("time", 0.0, 1e7)


class Cycling(BaseModel):
    """Constant-current cycling: ``current_density`` between ``lower_cutoff`` and ``upper_cutoff``,
    ``first`` step charge or discharge, ``cycles`` times; optional CV hold at the upper cut-off until the
    current density falls to ``cv_hold_until``, and a rest after each step."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    current_density: CurrentDensity
    lower_cutoff: Voltage
    upper_cutoff: Voltage
    cycles: Annotated[int, Field(ge=1, le=100000)] = 1
    first: Literal["charge", "discharge"] = "charge"
    cv_hold_until: CurrentDensity | None = None
    rest: Duration | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _window(self) -> Cycling:
        if self.lower_cutoff.si >= self.upper_cutoff.si:
            raise ValueError(f"lower_cutoff {self.lower_cutoff} must be below upper_cutoff {self.upper_cutoff}")
        return self

    @property
    def window_V(self) -> tuple[float, float]:
        return (self.lower_cutoff.si, self.upper_cutoff.si)
