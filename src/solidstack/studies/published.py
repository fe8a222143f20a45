"""The patent's published numbers (``data/published.toml``), each with the paragraph it comes from."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class PublishedNumber:
    """One number the patent publishes for one of its cells: ``value`` in ``unit``, from ``paragraph``."""

    cell: str
    quantity: str
    value: float
    unit: str
    paragraph: str
    text: str
    cycle: int | None = None

    @property
    def label(self) -> str:
        return QUANTITY_LABELS[self.quantity] + (f" (cycle {self.cycle})" if self.cycle else "")


QUANTITY_LABELS = {
    "charge_plateau_V": "first-charge plateau",
    "charge_capacity_mAh_g": "1st charge capacity",
    "discharge_capacity_mAh_g": "1st discharge capacity",
    "coulombic_efficiency_pct": "1st-cycle coulombic efficiency",
    "retention_pct": "discharge capacity retention",
}


def published_numbers(path: Path | None = None) -> list[PublishedNumber]:
    """Every published number, in file order."""
    path = path or Path(str(resources.files("solidstack.studies") / "data" / "published.toml"))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data["number"]:
        if entry["quantity"] not in QUANTITY_LABELS:
            raise ValueError(f"{path.name}: unknown quantity {entry['quantity']!r}")
        out.append(PublishedNumber(**entry))
    return out
