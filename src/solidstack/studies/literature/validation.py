"""The result of the literature suite: one :class:`Comparison` per published number and the
:class:`LiteratureValidation` that counts, prints and writes them."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from solidstack.studies.literature.cases import COUNTED_GRADES


# --------------------------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Comparison:
    """One published number (or derived trend) beside its simulated counterpart."""

    case: str
    number: str
    quantity: str
    kind: str
    unit: str
    published: float | None
    published_text: str
    simulated: float | None
    simulated_text: str
    difference: float | None
    tolerance: str
    within: bool | None
    calibration: str  # fitted | fitted cell | predicted | input | "" (not computed)
    confidence: str
    basis: str
    where: str
    status: str  # compared | not modelled | cannot run | input
    reason: str = ""
    derived: bool = False
    note: str = ""

    @property
    def fitted(self) -> bool:
        return self.calibration == "fitted"

    def record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LiteratureValidation:
    """The comparison of every published number of the cases run, and the simulated runs (``results[case][run]``)."""

    comparisons: list[Comparison]
    results: dict[str, dict[str, Any]]
    model: str
    cases: list[str]

    def records(self) -> list[dict[str, Any]]:
        return [c.record() for c in self.comparisons]

    def summary(self) -> dict[str, Any]:
        """Counts over the published A/B numbers (derived trends apart): how many the suite computes at all
        (``modelled``), how many ran here (``compared``), and how many predicted ones are within tolerance."""
        pub = [c for c in self.comparisons if not c.derived and c.confidence in COUNTED_GRADES]
        modelled = [c for c in pub if c.kind not in ("not modelled", "input")]
        compared = [c for c in modelled if c.status == "compared"]
        predicted = [c for c in compared if c.calibration == "predicted"]
        within = [c for c in predicted if c.within]
        trends = [c for c in self.comparisons if c.derived]
        t_run = [c for c in trends if c.status == "compared"]
        ran = sorted({c.case for c in compared})
        return {
            "cases": len(self.cases), "cases_run": len(ran), "cases_run_ids": ran,
            "numbers": len(pub), "modelled": len(modelled), "compared": len(compared),
            "not_modelled": sum(c.status == "not modelled" for c in pub), "inputs": sum(c.kind == "input" for c in pub),
            "cannot_run": sum(c.status == "cannot run" for c in pub),
            "fitted": sum(c.calibration in ("fitted", "fitted cell") for c in compared),
            "predicted": len(predicted), "within": len(within),
            "coverage_modelled": len(modelled) / len(pub) if pub else 0.0,
            "coverage_compared": len(compared) / len(pub) if pub else 0.0,
            "share_within": len(within) / len(predicted) if predicted else None,
            "trends": len(trends), "trends_compared": len(t_run), "trends_in_direction": sum(bool(c.within) for c in t_run),
        }

    def summary_lines(self) -> list[str]:
        s = self.summary()
        share = "n/a" if s["share_within"] is None else f"{100 * s['share_within']:.0f} %"
        return [
            f"cases: {s['cases_run']} of {s['cases']} ran at least one number",
            f"A/B numbers: {s['numbers']}; modelled {s['modelled']} ({100 * s['coverage_modelled']:.0f} %), compared here "
            f"{s['compared']} ({100 * s['coverage_compared']:.0f} %), not modelled {s['not_modelled']}, inputs {s['inputs']}, "
            f"cannot run {s['cannot_run']}",
            f"predicted numbers within tolerance: {s['within']} of {s['predicted']} ({share}); fitted or on a fitted cell: {s['fitted']}",
            f"pressure trends (derived): {s['trends_in_direction']} of {s['trends_compared']} compared in the published direction "
            f"({s['trends']} in all)",
        ]

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps({"model": self.model, "summary": self.summary(), "comparisons": self.records()}, indent=2,
                          allow_nan=False, default=_jsonable)
        if path is not None:
            from solidstack.fsio import atomic_write

            atomic_write(Path(path), text + "\n")
        return text

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.records())

    def write(self, out: str | Path) -> list[Path]:
        """``literature.csv``, ``literature.json`` and ``summary.txt`` in folder ``out``."""
        from solidstack.fsio import atomic_write, prepare_out_dir

        out = prepare_out_dir(out)
        paths = [atomic_write(out / "literature.csv", self.to_dataframe().to_csv(index=False)),
                 atomic_write(out / "literature.json", self.to_json() + "\n"),
                 atomic_write(out / "summary.txt", "\n".join(self.summary_lines()) + "\n")]
        return paths

    def __rich__(self):
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        t = Table(title=f"literature validation ({self.model})", title_justify="left")
        for name, justify in (("case", "left"), ("number", "left"), ("quantity", "left"), ("published", "right"),
                              ("simulated", "right"), ("difference", "right"), ("tolerance", "left"), ("within", "left"),
                              ("fitted / predicted", "left"), ("conf.", "left"), ("status", "left")):
            t.add_column(name, justify=justify, overflow="fold")
        reasons: dict[str, int] = {}
        for c in self.comparisons:
            within = "" if c.within is None else ("yes" if c.within else "no")
            diff = "" if c.difference is None else f"{c.difference:+.3g}"
            status = c.status
            if c.reason:
                status += f" [{reasons.setdefault(c.reason, len(reasons) + 1)}]"
            t.add_row(c.case.split("-")[0], c.number, c.quantity, f"{c.published_text} {c.unit}".strip(), c.simulated_text,
                      diff, c.tolerance, within, c.calibration, c.confidence, status)
        notes = [Text(f"[{i}] {r}") for r, i in reasons.items()]
        return Group(t, *notes, *(Text(line) for line in self.summary_lines()))


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (np.floating, np.integer)):
        return _jsonable(float(x))
    if isinstance(x, np.bool_):
        return bool(x)
    return str(x)
