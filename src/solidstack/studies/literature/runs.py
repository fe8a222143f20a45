"""The simulated runs of one literature case: each stack built and simulated once, failures kept as reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from solidstack.errors import InputError, Problem
from solidstack.studies.literature.cases import CannotRun, Case, Run


# --------------------------------------------------------------------------------------------- runs
class _Runs:
    """Builds and simulates the runs of one case, once each; failures are kept as their reason."""

    def __init__(self, case: Case, model: str, max_cycles: int | None,
                 on_run: Callable[[str, str], None] | None = None, catalog: Any = None):
        self.case, self.model, self.max_cycles, self.on_run = case, model, max_cycles, on_run
        self.catalog = catalog  # the knowledge base the runs are simulated with (None: the shipped one)
        self._stacks: dict[str, Any] = {}
        self._results: dict[str, Any] = {}

    def stack(self, run_id: str):
        """The stack of run ``run_id``, built once; raises its :class:`CannotRun` if it cannot be built."""
        return _kept(self._stacks, run_id, lambda: self._build(self.case.runs[run_id]))

    def _build(self, run: Run):
        from solidstack.stack import Stack
        from solidstack.stack.io import parse_text

        where = f"{self.case.id}/{run.stack}"
        path = self.case.stack_dir / run.stack
        try:
            data = parse_text(path.read_text(encoding="utf-8"), "toml", where)
            for dotted, value in run.set.items():
                _set(data, dotted, value)
            return Stack.from_dict(data)
        except InputError as err:
            return CannotRun(f"{where}: " + "; ".join(str(p) for p in err.problems))
        except OSError as err:
            return CannotRun(f"{where}: cannot be read ({err.strerror or err})")
        except Exception as err:  # a stack the stack model cannot build yet must not stop the other cases
            return CannotRun(f"{where}: the stack could not be built ({type(err).__name__}: {_first_line(err)})")

    def result(self, run_id: str):
        """The simulated result of run ``run_id``, simulated once; raises its :class:`CannotRun` if it failed."""
        return _kept(self._results, run_id, lambda: self._simulate(run_id))

    def _simulate(self, run_id: str):
        from solidstack.sim import SimulationError, simulate

        try:
            stack = self.stack(run_id)
        except CannotRun as err:
            return err
        cycles = stack.cycling.cycles if stack.cycling is not None else None
        if self.max_cycles is not None and cycles is not None:
            cycles = min(cycles, self.max_cycles)
        if self.on_run is not None:
            self.on_run(self.case.id, run_id)
        try:
            return simulate(stack, cycles=cycles, model=self.model, catalog=self.catalog)
        except InputError as err:
            return CannotRun(f"{self.case.id}/{run_id}: " + "; ".join(str(p) for p in err.problems))
        except SimulationError as err:
            if err.result is not None and len(err.result.cycles):
                err.result.notes.append(f"run ended early: {err}")
                return err.result
            return CannotRun(f"{self.case.id}/{run_id}: {err}")
        except Exception as err:  # e.g. a solver or model error inside PyBaMM: that run cannot run, the others can
            return CannotRun(f"{self.case.id}/{run_id}: the simulation failed ({type(err).__name__}: {_first_line(err)})")

    @property
    def results(self) -> dict[str, Any]:
        return {k: v for k, v in self._results.items() if not isinstance(v, CannotRun)}


def _kept(store: dict[str, Any], key: str, make: Callable[[], Any]) -> Any:
    """``store[key]``, made by ``make()`` the first time it is asked for; a :class:`CannotRun` made is kept and
    raised each time."""
    if key not in store:
        store[key] = make()
    got = store[key]
    if isinstance(got, CannotRun):
        raise got
    return got


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else "no message"


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set the dotted stack field ``dotted`` to ``value``; in the ``layers`` list a part names the one layer of
    that ``type`` (``"layers.separator.conductivity"``, ``"layers.cathode.electrolyte.conductivity"``)."""
    *parents, last = dotted.split(".")
    node: Any = data
    for p in parents:
        if isinstance(node, list):
            found = [la for la in node if isinstance(la, dict) and la.get("type") == p]
            if len(found) != 1:
                raise InputError(Problem(f"set {dotted!r}", f"the stack has {len(found)} layers of type {p!r}, not one"))
            node = found[0]
        else:
            node = node.setdefault(p, {})
    node[last] = value
