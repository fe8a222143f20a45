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
        g_cam = stack.cathode.active_mass_kg(stack.area_m2) * 1e3
        sv = sol.summary_variables
        n = len(sol.cycles) if sol.cycles else 0
        n = min(n, len(sv["Throughput capacity [A.h]"])) if n else len(sv["Throughput capacity [A.h]"])

        def cum(name: str) -> np.ndarray:
            vals = np.asarray(sv[name], dtype=float)[:n]
            return np.diff(np.concatenate([[0.0], vals]))

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
                "contact_fraction_anode": np.asarray(sv["Negative electrode contact fraction"], dtype=float)[:n],
                "contact_fraction_cathode": np.asarray(sv["Positive electrode contact fraction"], dtype=float)[:n],
            }
        for stem, li_var, lost_var in _host_columns(hosts):
            table[f"{stem}_held_mAh"] = np.asarray(sv[li_var], dtype=float)[:n] * MOL_TO_MAH
            table[f"{stem}_stranded_mAh"] = np.asarray(sv[lost_var], dtype=float)[:n] * MOL_TO_MAH
        names = protocol.step_names()
        limited = []
        for c in range(1, n + 1):
            for i, nm in enumerate(names):
                if terminations.get((c, i + 1), "") == "final time" and nm in ("charge", "discharge"):
                    limited.append(f"cycle {c} {nm}")
        table["time_limited_steps"] = [
            ",".join(nm for i, nm in enumerate(names) if terminations.get((c, i + 1)) == "final time") for c in range(1, n + 1)
        ]
        notes = list(hosts.notes)
        if limited:
            notes.append(f"step time limit ({time_limit_s / 3600:.1f} h) ended: {', '.join(limited[:6])}"
                         + (" ..." if len(limited) > 6 else "") + " (a host larger than the cell could fill/empty)")
        if abs(stack.temperature.si - 298.15) > 1.0:
            notes.append("kinetics and SE conductivity are 25 degC values; temperature dependence is not modelled")
        ts = cls._timeseries(sol, hosts, stack.area_m2)
        return cls(stack_name=stack.name, cycles=pd.DataFrame(table), timeseries=ts, hosts=hosts, protocol=protocol,
                   model_name=model_name, simulation=sim, solution=sol, inputs=inputs, notes=notes,
                   cathode_active_g=g_cam)

    @staticmethod
    def _timeseries(sol: pybamm.Solution, hosts: HostMap, area_m2: float) -> pd.DataFrame:
        frames = []
        for c, cyc in enumerate(sol.cycles or [], start=1):
            if cyc is None:
                continue
            d: dict[str, Any] = {
                "time_s": cyc["Time [s]"].entries,
                "current_A": cyc["Current [A]"].entries,
                "voltage_V": cyc["Voltage [V]"].entries,
                "capacity_mAh": cyc["Discharge capacity [A.h]"].entries * 1e3,
            }
            for stem, li_var, _ in _host_columns(hosts):
                d[f"{stem}_held_mAh"] = cyc[li_var].entries * MOL_TO_MAH
            d["contact_fraction_anode"] = cyc["Negative electrode contact fraction"].entries
            d["contact_fraction_cathode"] = cyc["Positive electrode contact fraction"].entries
            df = pd.DataFrame(d)
            df.insert(0, "cycle", c)
            frames.append(df)
        if not frames:
            return pd.DataFrame(columns=["cycle", "time_s", "current_A", "voltage_V", "capacity_mAh"])
        out = pd.concat(frames, ignore_index=True)
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
