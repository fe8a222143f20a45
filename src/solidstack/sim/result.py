"""The result of a cycling simulation: per-cycle table, time series, plots, files.

Units are in the column names. Currents are positive on discharge (PyBaMM's convention); capacities are what
passed in each step (mAh, and mAh per g of cathode active material).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pybamm

from solidstack.sim.hosts import F, HostMap

if TYPE_CHECKING:
    from solidstack.sim.protocol import Protocol
    from solidstack.stack import Stack

MOL_TO_MAH = F / 3.6


def _host_columns(hosts: HostMap) -> list[tuple[str, str, str]]:
    """(column stem, Li-in-host variable, stranded-Li variable) per host."""
    out = []
    for side, domain in (("anode", "negative"), ("cathode", "positive")):
        hs = hosts.side(side)  # type: ignore[arg-type]
        for i, h in enumerate(hs):
            ph = ("primary", "secondary")[i]
            lam = f"{ph} " if len(hs) > 1 else ""
            stem = f"{side}_{h.label.replace(' ', '_')}"
            out.append((stem, f"Total lithium in {ph} phase in {domain} electrode [mol]",
                        f"Loss of lithium due to loss of {lam}active material in {domain} electrode [mol]"))
    return out


@dataclass
class CyclingResult:
    """Per-cycle table (``cycles``), time series (``timeseries``), notes, and the PyBaMM objects behind them
    (``model``, ``parameter_values``, ``solution``, ``simulation``)."""

    stack_name: str
    cycles: pd.DataFrame
    timeseries: pd.DataFrame
    hosts: HostMap
    protocol: Protocol
    model_name: str
    simulation: pybamm.Simulation
    solution: pybamm.Solution
    inputs: dict[str, float]
    notes: list[str] = field(default_factory=list)
    cathode_active_g: float = 0.0

    @property
    def model(self) -> pybamm.BaseModel:
        return self.simulation.model

    @property
    def parameter_values(self) -> pybamm.ParameterValues:
        return self.simulation.parameter_values

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_solution(cls, stack: Stack, protocol: Protocol, hosts: HostMap, sim: pybamm.Simulation,
                      sol: pybamm.Solution, inputs: dict[str, float], model_name: str,
                      terminations: dict[tuple[int, int], str], time_limit_s: float) -> CyclingResult:
        """The result of one PyBaMM experiment solution (all its cycles; time series of the cycles it saved)."""
        ends = CycleEnds()
        for sv in getattr(sol, "all_summary_variables", None) or []:
            ends.add(sv.last_state)
        saved = {c: cyc for c, cyc in enumerate(sol.cycles or [], start=1) if cyc is not None}
        return cls.from_cycles(stack, protocol, hosts, sim, ends, saved, sol, inputs, model_name, terminations,
                               time_limit_s)

    @classmethod
    def from_cycles(cls, stack: Stack, protocol: Protocol, hosts: HostMap, sim: pybamm.Simulation,
                    ends: CycleEnds, saved: dict[int, pybamm.Solution], sol: pybamm.Solution,
                    inputs: dict[str, float], model_name: str, terminations: dict[tuple[int, int], str],
                    time_limit_s: float) -> CyclingResult:
        """The result from the end state of every cycle (``ends``, in order) and the full solutions of the
        cycles whose time series are kept (``saved``, by cycle number)."""
        g_cam = stack.cathode.active_mass_kg(stack.area_m2) * 1e3
        n = len(ends)
        host_cols = _host_columns(hosts)
        names = ["Throughput capacity [A.h]", "Discharge capacity [A.h]", "Throughput energy [W.h]",
                 "Discharge energy [W.h]", "Negative electrode contact fraction",
                 "Positive electrode contact fraction"] + [v for _, li, lost in host_cols for v in (li, lost)]
        sv = ends.values(names)

        def cum(name: str) -> np.ndarray:
            return np.diff(np.concatenate([[0.0], sv[name]]))

        dT, dQ = cum("Throughput capacity [A.h]"), cum("Discharge capacity [A.h]")
        dTE, dDE = cum("Throughput energy [W.h]"), cum("Discharge energy [W.h]")
        q_dis, q_chg = (dT + dQ) / 2 * 1e3, (dT - dQ) / 2 * 1e3
        e_dis, e_chg = (dTE + dDE) / 2 * 1e3, (dTE - dDE) / 2 * 1e3
        with np.errstate(divide="ignore", invalid="ignore"):
            table: dict[str, Any] = {
                "cycle": np.arange(1, n + 1),
                "charge_capacity_mAh": q_chg,
                "discharge_capacity_mAh": q_dis,
                "charge_capacity_mAh_g": q_chg / g_cam,
                "discharge_capacity_mAh_g": q_dis / g_cam,
                "coulombic_efficiency": q_dis / q_chg if protocol.first == "charge" else q_chg / q_dis,
                "retention": q_dis / q_dis[0] if n else q_dis,
                "mean_charge_voltage_V": np.where(q_chg > 0, e_chg / q_chg, np.nan),
                "mean_discharge_voltage_V": np.where(q_dis > 0, e_dis / q_dis, np.nan),
                "contact_fraction_anode": sv["Negative electrode contact fraction"],
                "contact_fraction_cathode": sv["Positive electrode contact fraction"],
            }
        for stem, li_var, lost_var in host_cols:
            table[f"{stem}_held_mAh"] = sv[li_var] * MOL_TO_MAH
            table[f"{stem}_stranded_mAh"] = sv[lost_var] * MOL_TO_MAH
        names_steps = protocol.step_names()
        limited = []
        for c in range(1, n + 1):
            for i, nm in enumerate(names_steps):
                if terminations.get((c, i + 1), "") == "final time" and nm in ("charge", "discharge"):
                    limited.append(f"cycle {c} {nm}")
        table["time_limited_steps"] = [
            ",".join(nm for i, nm in enumerate(names_steps) if terminations.get((c, i + 1)) == "final time")
            for c in range(1, n + 1)
        ]
        notes = list(hosts.notes)
        if limited:
            notes.append(f"step time limit ({time_limit_s / 3600:.1f} h) ended: {', '.join(limited[:6])}"
                         + (" ..." if len(limited) > 6 else "") + " (a host larger than the cell could fill/empty)")
        if abs(stack.temperature.si - 298.15) > 1.0:
            notes.append("kinetics and SE conductivity are 25 degC values; temperature dependence is not modelled")
        ts = cls._timeseries({c: s for c, s in saved.items() if c <= n}, hosts, stack.area_m2)
        return cls(stack_name=stack.name, cycles=pd.DataFrame(table), timeseries=ts, hosts=hosts, protocol=protocol,
                   model_name=model_name, simulation=sim, solution=sol, inputs=inputs, notes=notes,
                   cathode_active_g=g_cam)

    @staticmethod
    def _timeseries(saved: dict[int, pybamm.Solution], hosts: HostMap, area_m2: float) -> pd.DataFrame:
        """Time series of the ``saved`` cycles; each variable is evaluated once over all of them."""
        cycles = sorted(saved)
        if not cycles:
            return pd.DataFrame(columns=["cycle", "time_s", "current_A", "voltage_V", "capacity_mAh"])
        sols = [saved[c] for c in cycles]
        columns: list[tuple[str, str, float]] = [
            ("current_A", "Current [A]", 1.0), ("voltage_V", "Voltage [V]", 1.0),
            ("capacity_mAh", "Discharge capacity [A.h]", 1e3)]
        columns += [(f"{stem}_held_mAh", li_var, MOL_TO_MAH) for stem, li_var, _ in _host_columns(hosts)]
        columns += [("contact_fraction_anode", "Negative electrode contact fraction", 1.0),
                    ("contact_fraction_cathode", "Positive electrode contact fraction", 1.0)]
        lengths = [len(s.t) for s in sols]
        d: dict[str, Any] = {"cycle": np.repeat(cycles, lengths), "time_s": np.concatenate([s.t for s in sols])}
        joined = _join(sols)
        for col, var, scale in columns:
            vals = None
            if joined is not None:
                vals = np.asarray(joined[var].entries, dtype=float).ravel()
                if vals.size != len(d["cycle"]):  # should not happen; fall back to one cycle at a time
                    joined, vals = None, None
            if vals is None:
                vals = np.concatenate([np.asarray(s[var].entries, dtype=float).ravel() for s in sols])
            d[col] = vals * scale
        out = pd.DataFrame(d)
        out["current_density_mA_cm2"] = out["current_A"] * 1e3 / (area_m2 * 1e4)
        return out

    # ------------------------------------------------------------------ output
    def to_dataframe(self) -> pd.DataFrame:
        """The per-cycle table (a copy)."""
        return self.cycles.copy()

    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write ``cycles.csv`` and ``timeseries.csv`` into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.cycles.to_csv(d / "cycles.csv", index=False)
        self.timeseries.to_csv(d / "timeseries.csv", index=False)
        return [d / "cycles.csv", d / "timeseries.csv"]

    def to_parquet(self, directory: str | Path) -> list[Path]:
        """Write ``cycles.parquet`` and ``timeseries.parquet`` into ``directory`` (needs pyarrow)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.cycles.to_parquet(d / "cycles.parquet", index=False)
        self.timeseries.to_parquet(d / "timeseries.parquet", index=False)
        return [d / "cycles.parquet", d / "timeseries.parquet"]

    def plot_voltage(self, cycles: list[int] | None = None, ax=None):
        """Voltage against capacity per cycle (charge and discharge); returns the matplotlib figure."""
        plt = _pyplot()
        fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 4))
        ts = self.timeseries
        wanted = cycles or sorted(ts["cycle"].unique())
        for c in wanted:
            part = ts[ts["cycle"] == c]
            if part.empty:
                continue
            q_step = step_capacity(part["current_A"].to_numpy(), part["capacity_mAh"].to_numpy())
            ax.plot(q_step / self.cathode_active_g, part["voltage_V"], label=f"cycle {c}")
        ax.set_xlabel("capacity [mAh/g cathode active]")
        ax.set_ylabel("voltage [V]")
        ax.set_title(self.stack_name)
        ax.legend(fontsize="small")
        return fig

    def plot_capacity(self, ax=None):
        """Charge and discharge capacity (mAh/g cathode active) per cycle."""
        plt = _pyplot()
        fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 4))
        t = self.cycles
        ax.plot(t["cycle"], t["charge_capacity_mAh_g"], "o-", label="charge")
        ax.plot(t["cycle"], t["discharge_capacity_mAh_g"], "s-", label="discharge")
        ax.set_xlabel("cycle")
        ax.set_ylabel("capacity [mAh/g cathode active]")
        ax.set_title(self.stack_name)
        ax.legend()
        return fig

    def plot_retention(self, ax=None):
        """Discharge capacity retention vs cycle 1 (%), and contact fractions."""
        plt = _pyplot()
        fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 4))
        t = self.cycles
        ax.plot(t["cycle"], 100 * t["retention"], "o-", label="discharge retention")
        ax.plot(t["cycle"], 100 * t["contact_fraction_anode"], "--", label="anode contact")
        ax.plot(t["cycle"], 100 * t["contact_fraction_cathode"], ":", label="cathode contact")
        ax.set_xlabel("cycle")
        ax.set_ylabel("% of cycle 1 / of assembly")
        ax.set_title(self.stack_name)
        ax.legend()
        return fig

    def save_plots(self, directory: str | Path) -> list[Path]:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = []
        for name, fn in (("voltage", self.plot_voltage), ("capacity", self.plot_capacity), ("retention", self.plot_retention)):
            fig = fn()
            path = d / f"{name}.png"
            fig.savefig(path, dpi=120, bbox_inches="tight")
            _pyplot().close(fig)
            out.append(path)
        return out


class CycleEnds:
    """The state at the end of every cycle (one column each), kept instead of PyBaMM's per-cycle summaries.

    PyBaMM's summary of a cycle holds its first and last states as views into the full arrays of the cycle's
    first and last steps, so every cycle of a long run kept ~1 MB alive; a copy of one column does not."""

    def __init__(self) -> None:
        self.t: list[np.ndarray] = []
        self.y: list[np.ndarray] = []
        self.models: list[pybamm.BaseModel] = []
        self.inputs: list[dict] = []

    def __len__(self) -> int:
        return len(self.t)

    def add(self, state: pybamm.Solution) -> None:
        """Record the last time point of ``state`` (a solution with a state vector)."""
        self.t.append(np.array(state.all_ts[-1][-1:], dtype=float))
        self.y.append(np.array(state.all_ys[-1][:, -1:], dtype=float))
        self.models.append(state.all_models[-1])
        self.inputs.append(state.all_inputs[-1])

    def state(self, i: int = -1) -> pybamm.Solution:
        """End state ``i`` as a one-point PyBaMM solution."""
        return pybamm.Solution(self.t[i], self.y[i], self.models[i], self.inputs[i])

    def values(self, names: list[str]) -> dict[str, np.ndarray]:
        """Each variable of ``names`` at the end of every cycle (evaluated once over all cycles)."""
        n = len(self)
        if n == 0:
            return {name: np.zeros(0) for name in names}
        try:
            sol = pybamm.Solution(list(self.t), list(self.y), list(self.models), list(self.inputs))
            out = {name: np.asarray(sol[name].entries, dtype=float).ravel() for name in names}
            if all(v.size == n for v in out.values()):
                return out
        except ValueError:  # e.g. two cycle ends at the same time (a cycle of skipped steps)
            pass
        states = [self.state(i) for i in range(n)]
        return {name: np.array([float(np.ravel(s[name].entries)[-1]) for s in states]) for name in names}


def _join(sols: list[pybamm.Solution]) -> pybamm.Solution | None:
    """One solution made of ``sols`` (for evaluating a variable once); None if PyBaMM refuses."""
    if len(sols) == 1:
        return sols[0]
    try:
        return pybamm.Solution.from_sub_solutions(sols)
    except (ValueError, TypeError, AttributeError):
        return None


def step_capacity(current_A: np.ndarray, capacity_mAh: np.ndarray) -> np.ndarray:
    """Capacity passed since the start of each constant-sign current segment (mAh)."""
    sign = np.sign(np.round(current_A, 15))
    seg = np.concatenate([[0], np.cumsum(sign[1:] != sign[:-1])])
    start = pd.Series(capacity_mAh).groupby(seg).transform("first").to_numpy()
    return np.abs(capacity_mAh - start)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
