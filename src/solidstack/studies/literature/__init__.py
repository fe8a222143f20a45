"""Literature validation: published all-solid-state cells other than the patent's, simulated and compared number
by number (``data/literature.toml`` and the stack files under ``data/literature/<case id>/``).

Every published number has a ``kind`` this module knows how to compute on a simulated run (see :data:`MEASURES`),
or is ``not modelled`` (with the reason) or an ``input`` (a value the model takes from the knowledge base, shown
beside it, never counted as a prediction). Whether a case can run is decided here, at run time, from the stack
files and the knowledge base: a material the catalog does not have, an active without an OCP curve or a stack field
the stack model does not know all turn into ``cannot run`` rows with the lookup's own message, so a case starts
running as soon as the knowledge base or the stack model can express it.

Fitted or predicted is read from the simulation's calibration records: a record whose ``fitted_to`` names a
literature ``case`` and ``number`` marks that number ``fitted``, and the other numbers of the same run ``fitted
cell`` (they come from the cell a constant was fitted on); so does a number's ``kb_fitted`` (a knowledge-base value
set from it, e.g. a practical capacity). Inputs from the very source a number comes from (the
case's ``kb_source_keys``) are marked ``input``: the comparison is a consistency check, not a validation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from solidstack.errors import UnknownNameError
from solidstack.studies.literature.cases import (
    COUNTED_GRADES,
    CannotRun,
    Case,
    NotReached,
    Number,
    Run,
    default_path,
    load_cases,
)
from solidstack.studies.literature.compare import _compare, fitted_numbers
from solidstack.studies.literature.measures import MEASURES, Measure, _Ctx, ocp_plateaus
from solidstack.studies.literature.runs import _Runs
from solidstack.studies.literature.validation import Comparison, LiteratureValidation

__all__ = ["COUNTED_GRADES", "MEASURES", "CannotRun", "Case", "Comparison", "LiteratureValidation", "Measure",
           "NotReached", "Number", "Run", "default_path", "fitted_numbers", "literature", "load_cases", "ocp_plateaus"]


def literature(
    cases: list[str] | None = None,
    model: str = "SPMe",
    *,
    path: str | Path | None = None,
    max_cycles: int | None = None,
    catalog: Any = None,
    calibration_records: list[dict[str, Any]] | None = None,
    on_case: Callable[[str, int, int], None] | None = None,
    on_run: Callable[[str, str], None] | None = None,
) -> LiteratureValidation:
    """Run the literature cases (all, or the ids in ``cases``) and compare every published number.

    A case is named by its id or a unique prefix of it (``"doux2020"``). ``path``: a cases file in the shipped format (default: the shipped one); ``max_cycles`` caps every run (numbers
    needing later cycles become "cannot run"); ``catalog``: the knowledge base the runs are simulated with and the
    knowledge-base numbers are read from (default: the shipped one); ``calibration_records``: the calibration records deciding fitted/predicted (default: the
    simulation's own); ``on_case(case, i, n)`` is called after each case and ``on_run(case, run)`` before each
    simulation (for progress bars). An unknown case id raises
    :class:`~solidstack.errors.UnknownNameError`.
    """
    from solidstack.materials import default_catalog

    all_cases = load_cases(path)
    by_id = {c.id: c for c in all_cases}
    chosen = all_cases
    if cases:
        chosen = []
        for cid in cases:
            hits = [k for k in by_id if k == cid] or [k for k in by_id if k.startswith(cid)]
            if len(hits) != 1:
                raise UnknownNameError("literature case", cid, by_id, where="--case")
            chosen.append(by_id[hits[0]])
    catalog = catalog or default_catalog()
    fitted = fitted_numbers(calibration_records)
    comparisons, results = [], {}
    for i, case in enumerate(chosen, start=1):
        runs = _Runs(case, model, max_cycles, on_run, catalog)
        ctx = _Ctx(runs, catalog)
        fitted_runs = {r for n in case.numbers if (case.id, n.id) in fitted for r in n.runs}
        comparisons += [_compare(n, case, ctx, fitted, fitted_runs) for n in case.numbers]
        results[case.id] = runs.results
        if on_case is not None:
            on_case(case.id, i, len(chosen))
    return LiteratureValidation(comparisons=comparisons, results=results, model=model, cases=[c.id for c in chosen])
