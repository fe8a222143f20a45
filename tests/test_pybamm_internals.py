"""The PyBaMM internals solidstack relies on (the reason for the upper bound on pybamm in pyproject.toml).

If PyBaMM changes one of them, this fails first and names it; then adapt sim/run.py, sim/result.py or
sim/sampling.py and move the bound.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import pybamm
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bound(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    spec = next(d for d in deps if re.match(rf"{name}\b", d))
    lo = re.search(r">=\s*([\d.]+)", spec)
    hi = re.search(r"<\s*([\d.]+)", spec)
    assert lo and hi, f"{name} needs a lower and an upper bound in pyproject.toml: {spec!r}"
    return tuple(map(int, lo.group(1).split("."))), tuple(map(int, hi.group(1).split(".")))


def test_installed_pybamm_is_inside_the_pinned_range():
    lo, hi = _bound("pybamm")
    installed = tuple(int(p) for p in re.findall(r"\d+", pybamm.__version__)[:3])
    assert lo <= installed[: len(lo)] and installed[: len(hi)] < hi, (pybamm.__version__, lo, hi)


def test_solution_internals_used_by_the_chunked_run():
    # sim/run.py _continuation: Solution(all_ts, all_ys, all_models, all_inputs, t_event, y_event, termination)
    params = list(inspect.signature(pybamm.Solution.__init__).parameters)[1:8]
    assert params == ["all_ts", "all_ys", "all_models", "all_inputs", "t_event", "y_event", "termination"]
    for attr in ("all_ts", "all_ys", "all_yps", "all_models", "all_inputs", "cycles", "all_summary_variables",
                 "all_first_states", "steps", "last_state", "t_event", "y_event", "termination"):
        assert hasattr(pybamm.Solution, attr) or attr in inspect.getsource(pybamm.Solution), attr
    assert callable(pybamm.Solution.from_sub_solutions)
    assert hasattr(pybamm, "EmptySolution")
    assert hasattr(pybamm.BaseModel, "get_processed_variable_or_event")


def test_experiment_and_callback_internals():
    exp = pybamm.Experiment([("Charge at 1 mA until 4.2 V", "Rest for 10 minutes")] * 3)
    assert exp.cycle_lengths == [2, 2, 2]
    exp.cycle_lengths = exp.cycle_lengths[:1]  # sim/run.py _limited_cycles assigns it
    assert exp.cycle_lengths == [2]
    assert [type(s).__name__ for s in exp.steps[:2]] == ["Current", "Rest"]
    assert type(exp.steps[0].termination[0]).__name__ == "VoltageTermination"
    for hook in ("on_cycle_start", "on_step_start", "on_cycle_end", "on_experiment_error",
                 "on_experiment_infeasible_event", "on_experiment_infeasible_time"):
        assert hasattr(pybamm.callbacks.Callback, hook), hook


@pytest.mark.parametrize("method", ["to_json", "from_json"])
def test_parameter_values_json(method):
    assert hasattr(pybamm.ParameterValues, method)
