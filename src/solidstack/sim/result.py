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

from solidstack.sim.hosts import F, HostMap, away_from
from solidstack.sim.ocp import GUARD_V
from solidstack.sim.oxidation import CEIGrowth

if TYPE_CHECKING:
    from solidstack.sim.protocol import Protocol
    from solidstack.stack import Stack

MOL_TO_MAH = F / 3.6
#: The first columns of the time series, in order.
TIMESERIES_HEAD = ["cycle", "time_s", "current_A", "voltage_V", "capacity_mAh"]


#: How far (in x) a host may pass the end of its OCP table or sourced range before the cycle is flagged.
RANGE_TOLERANCE = 2e-3
#: A host has left its OCP table where the table's end guard moves its potential by more than this (V).
GUARD_LEFT_V = 0.05


def _range_flags(saved: dict[int, pybamm.Solution], hosts: HostMap, n: int) -> tuple[list[str], list[str]]:
    """Per cycle, a text naming every host that left its OCP table's x range ("beyond OCP table") or the range
    that holds its sourced capacity ("past sourced capacity"), from its surface stoichiometry over the kept
    cycles (cycles whose time series were not kept are not checked: ""); and one note per host and kind."""
    flags = [""] * n
    notes: list[str] = []
    cycles = sorted(saved)
    if not cycles:
        return flags, notes
    segments = [seg for c in cycles for seg in _segments(saved[c])]
    lengths = [sum(seg[0].size for seg in _segments(saved[c])) for c in cycles]
    for side, domain in (("anode", "negative"), ("cathode", "positive")):
        hs = hosts.side(side)  # type: ignore[arg-type]
        for i, h in enumerate(hs):
            ph = f"{('primary', 'secondary')[i]} " if len(hs) > 1 else ""
            try:
                x = evaluate(segments, f"X-averaged {domain} {ph}particle surface stoichiometry")
            except (KeyError, ValueError):
                continue
            # only the charged end (an anode fuller of the ion, a cathode emptier of it): the discharged end is the
            # as-assembled composition, where the end guard stands for "no more room". The table's end counts as
            # left where its guard moves the potential by more than GUARD_LEFT_V.
            t_lo, t_hi = h.x_table
            zone = h.guard_width * float(np.log(GUARD_V / GUARD_LEFT_V)) + RANGE_TOLERANCE
            checks = [("beyond OCP table", (-np.inf, t_hi - zone) if side == "anode" else (t_lo + zone, np.inf))]
            if h.x_sourced is not None and not h.working_metal:
                a, b = h.x_sourced
                checks.append(("past sourced capacity", (-np.inf, b) if side == "anode" else (a, np.inf)))
            worst: dict[str, list[int]] = {}
            for c, part in zip(cycles, np.split(x, np.cumsum(lengths)[:-1]), strict=True):
                if part.size == 0:
                    continue
                lo, hi = float(part.min()), float(part.max())
                for what, (a, b) in checks:
                    if lo < a - RANGE_TOLERANCE or hi > b + RANGE_TOLERANCE:
                        rng = "-".join(f"{v:.3f}" for v in (a, b) if np.isfinite(v))
                        text = f"{side} {h.label} {what} (x {lo:.3f}-{hi:.3f}; limit {rng})"
                        flags[c - 1] = f"{flags[c - 1]}; {text}" if flags[c - 1] else text
                        worst.setdefault(what, []).append(c)
                        break
            for what, cs in worst.items():
                basis = ("its OCP table (there its potential is the table's numerical end guard, not data: the "
                         "cut-off lies beyond the table's end potential)" if what == "beyond OCP table"
                         else "the range that holds its sourced capacity (its window)")
                notes.append(f"{side} {h.label} left {basis} in cycle(s) {_cycle_list(cs)}: see range_flags")
    return flags, notes


def _cycle_list(cs: list[int]) -> str:
    return ", ".join(map(str, cs[:6])) + (f" ... ({len(cs)} cycles)" if len(cs) > 6 else "")


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


def _sei_variables(hosts: HostMap) -> list[str]:
    """The Li-to-interphase variable of each negative-electrode phase (in the order of ``hosts.anode``)."""
    if len(hosts.anode) == 1:
        return ["Loss of lithium to negative SEI [mol]"]
    return [f"Loss of lithium to negative {ph} SEI [mol]" for ph in ("primary", "secondary")[:len(hosts.anode)]]


def _initial_held_mol(pv: pybamm.ParameterValues, hosts: HostMap, area_m2: float) -> list[float]:
    """The ion in each host at assembly (mol, in the order of ``hosts.all``): initial concentration x volume
    fraction x electrode thickness x area, read from the parameter values the run used."""
    out = []
    for side, (d, D) in (("anode", ("negative", "Negative")), ("cathode", ("positive", "Positive"))):
        hs = hosts.side(side)  # type: ignore[arg-type]
        L = float(pv[f"{D} electrode thickness [m]"])
        for i in range(len(hs)):
            pre = ("Primary: ", "Secondary: ")[i] if len(hs) > 1 else ""
            c0 = float(pv[f"{pre}Initial concentration in {d} electrode [mol.m-3]"])
            eps = float(pv[f"{pre}{D} electrode active material volume fraction"])
            out.append(c0 * eps * L * area_m2)
    return out


#: The loss mechanisms of the per-cycle loss columns and of :meth:`CyclingResult.losses`, with their column
#: prefix: ion taken by an electrode's interphase, ion left in a negative host at the end of the cycle beyond
#: what it held at assembly (negative where a host, e.g. a Li foil, gave ion to the cell), ion stranded in a host
#: by contact loss (negative or positive electrode).
LOSS_MECHANISMS = {"interphase": "loss_sei_", "left_in_host": "loss_held_", "stranded": "loss_stranded_",
                   "cathode_interphase": "loss_cei_"}
#: PyBaMM's variable for the ion the positive electrode's interphase took (the SE-oxidation CEI of
#: sim/oxidation.py: negative, the SE releases Li+ that the negative side then holds).
CEI_VARIABLE = "Loss of lithium to positive SEI [mol]"


def loss_table(table: dict[str, Any], hosts: HostMap, sv: dict[str, np.ndarray], held0: list[float]) -> None:
    """Add the loss columns (mAh, cumulative at the end of each cycle) to the per-cycle ``table``.

    Bookkeeping (the ion is conserved; the SE's ion concentration is uniform and constant): the cathode's cyclable
    ion lost by the end of cycle n, ``loss_total_mAh`` = (held by the cathode at assembly - held at the end of
    cycle n), equals the sum of the ``loss_*`` columns; the negative-side ones alone add up to the net charge
    passed, sum over cycles of (charge - discharge capacity) (tests/test_losses.py checks both)."""
    stems = [c[0] for c in _host_columns(hosts)]
    sei = [sv[v] * MOL_TO_MAH for v in _sei_variables(hosts)]
    n_an = len(hosts.anode)
    for i, stem in enumerate(stems):
        if i < n_an:
            table[f"loss_sei_{stem}_mAh"] = sei[i]
            table[f"loss_held_{stem}_mAh"] = table[f"{stem}_held_mAh"] - held0[i] * MOL_TO_MAH
        table[f"loss_stranded_{stem}_mAh"] = table[f"{stem}_stranded_mAh"]
    cathode_held = sum(table[f"{stem}_held_mAh"] for stem in stems[n_an:])
    if CEI_VARIABLE in sv:  # the cathode's SE oxidation: charge passed on charge that no discharge returns
        table[f"loss_cei_{stems[n_an]}_mAh"] = sv[CEI_VARIABLE] * MOL_TO_MAH
    table["loss_total_mAh"] = sum(held0[n_an:]) * MOL_TO_MAH - cathode_held


@dataclass
class CyclingResult:
    """Per-cycle table (``cycles``), time series (``timeseries``), notes, and the PyBaMM objects behind them
    (``model``, ``parameter_values``, ``solution``, ``simulation``). The time series is built from the kept
    cycles' solutions when it is first read (``timeseries_built`` says whether it has been), so a run that needs
    only the per-cycle table (a sweep, a study) does not pay for it; its values do not depend on when."""

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
    #: What was run (stack, protocol, model, versions, constants, command line): see sim/provenance.py.
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> pybamm.BaseModel:
        return self.simulation.model

    @property
    def parameter_values(self) -> pybamm.ParameterValues:
        return self.simulation.parameter_values

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_cycles(cls, stack: Stack, protocol: Protocol, hosts: HostMap, sim: pybamm.Simulation,
                    ends: CycleEnds, saved: dict[int, pybamm.Solution], sol: pybamm.Solution,
                    inputs: dict[str, float], model_name: str, terminations: dict[tuple[int, int], str],
                    time_limit_s: float, voltages: dict[int, np.ndarray] | None = None) -> CyclingResult:
        """The result from the end state of every cycle (``ends``, in order) and the full solutions of the
        cycles whose time series are kept (``saved``, by cycle number; ``voltages``: their voltage at the output
        points where already known)."""
        g_cam = stack.cathode.active_mass_kg(stack.area_m2) * 1e3
        n = len(ends)
        host_cols = _host_columns(hosts)
        names = ["Throughput capacity [A.h]", "Discharge capacity [A.h]", "Negative electrode contact fraction",
                 "Positive electrode contact fraction", "Negative electrode closed SE contact fraction",
                 "Positive electrode closed SE contact fraction"] + [v for _, li, lost in host_cols for v in (li, lost)]
        names += _sei_variables(hosts)
        if isinstance(sim.model.submodels.get("positive primary sei"), CEIGrowth):
            names.append(CEI_VARIABLE)
        sv = ends.values(names)

        def cum(name: str) -> np.ndarray:
            return np.diff(np.concatenate([[0.0], sv[name]]))

        dT, dQ = cum("Throughput capacity [A.h]"), cum("Discharge capacity [A.h]")
        q_dis, q_chg = (dT + dQ) / 2 * 1e3, (dT - dQ) / 2 * 1e3
        v_chg, v_dis = ends.mean_voltages()
        with np.errstate(divide="ignore", invalid="ignore"):
            table: dict[str, Any] = {
                "cycle": np.arange(1, n + 1),
                "charge_capacity_mAh": q_chg,
                "discharge_capacity_mAh": q_dis,
                "charge_capacity_mAh_g": q_chg / g_cam,
                "discharge_capacity_mAh_g": q_dis / g_cam,
                # NaN, not inf, where nothing passed (e.g. a first discharge of a cell assembled discharged);
                # retention vs the first cycle that discharged
                "coulombic_efficiency": _finite_or_nan(q_dis / q_chg if protocol.first == "charge" else q_chg / q_dis),
                "retention": q_dis / (q_dis[q_dis > 0][0] if (q_dis > 0).any() else np.nan),
                "mean_charge_voltage_V": np.where(q_chg > 0, v_chg, np.nan),
                "mean_discharge_voltage_V": np.where(q_dis > 0, v_dis, np.nan),
                "contact_fraction_anode": sv["Negative electrode contact fraction"],
                "contact_fraction_cathode": sv["Positive electrode contact fraction"],
                # the share of the active particles' SE contacts still closed (sim/coordination.py): equal to the
                # contact fraction (the connected share) where a particle touches one SE grain
                "se_contact_fraction_anode": sv["Negative electrode closed SE contact fraction"],
                "se_contact_fraction_cathode": sv["Positive electrode closed SE contact fraction"],
            }
        if protocol.stages:  # which stage of a staged protocol each cycle ran in (1-based)
            stage_of = np.zeros(n, dtype=int)
            for span in protocol.stage_spans():
                stage_of[span.first - 1:span.last] = span.number
            table = {"cycle": table.pop("cycle"), "stage": stage_of, **table}
        for stem, li_var, lost_var in host_cols:
            table[f"{stem}_held_mAh"] = sv[li_var] * MOL_TO_MAH
            table[f"{stem}_stranded_mAh"] = sv[lost_var] * MOL_TO_MAH
        loss_table(table, hosts, sv, _initial_held_mol(sim.parameter_values, hosts, stack.area_m2))
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
        flags, range_notes = _range_flags({c: sv for c, sv in saved.items() if c <= n}, hosts, n)
        table["range_flags"] = flags
        for stem, h in zip((c[0] for c in host_cols), hosts.all, strict=True):
            if h.kind == "planar" and h.working_metal and h.metal_mol_m3:  # the metal electrode thins as it strips
                table[f"{stem}_thickness_um"] = table[f"{stem}_held_mAh"] / MOL_TO_MAH / (
                    h.metal_mol_m3 * stack.area_m2) * 1e6
        notes = list(hosts.notes)
        if hosts.cathode[0].kind == "planar":  # a half cell: an anode against a metal counter as the positive
            g_an = stack.anode.active_mass_kg(stack.area_m2) * 1e3
            notes.append(f"mAh/g is per g of the cathode's active material ({hosts.cathode[0].label}, {g_cam * 1e3:.4g} "
                         f"mg), the counter electrode here; per g of the anode's {stack.anode.active.material} "
                         f"({g_an * 1e3:.4g} mg): mAh / {g_an:.4g} g")
        notes += range_notes
        notes += [f"data gap: {g}" for g in hosts.gaps]
        if limited:
            notes.append(f"step time limit ({time_limit_s / 3600:.1f} h) ended: {', '.join(limited[:6])}"
                         + (" ..." if len(limited) > 6 else "") + " (a host larger than the cell could fill/empty)")
        if away_from(stack.temperature.si):
            notes.append(f"at {stack.temperature.si - 273.15:.4g} degC: SE conductivities, exchange currents and diffusivities "
                         "are taken at this temperature where an activation energy is sourced (data gaps above name the "
                         "others); interphase growth, the contact law and collector contacts have no temperature term")
        e_before = np.cumsum([[0.0, 0.0]] + [[x[1], x[3]] for x in ends.integrals], axis=0)
        offsets = {c: (float(e_before[c - 1][0]), float(e_before[c - 1][1])) for c in range(1, n + 1)}
        ts = _DeferredTimeseries({c: s for c, s in saved.items() if c <= n}, hosts, stack.area_m2, protocol, offsets)
        return cls(stack_name=stack.name, cycles=pd.DataFrame(table), timeseries=ts,  # type: ignore[arg-type]
                   hosts=hosts, protocol=protocol, model_name=model_name, simulation=sim, solution=sol,
                   inputs=inputs, notes=notes, cathode_active_g=g_cam)

    @property
    def timeseries_built(self) -> bool:
        """Whether the time series has been built (it is built when first read: see ``timeseries``)."""
        return not isinstance(self.__dict__.get("_timeseries"), _DeferredTimeseries)

    def built_tables(self) -> list[pd.DataFrame]:
        """The per-cycle table and, if it has been built, the time series (what can take attrs now)."""
        return [self.cycles, self.timeseries] if self.timeseries_built else [self.cycles]

    @property
    def flagged_cycles(self) -> list[int]:
        """Cycles in which a host left its OCP table or its sourced capacity (see ``range_flags``)."""
        return [int(c) for c, f in zip(self.cycles["cycle"], self.cycles["range_flags"], strict=True) if f]

    @staticmethod
    def _timeseries(saved: dict[int, pybamm.Solution], hosts: HostMap, area_m2: float,
                    voltages: dict[int, np.ndarray] | None = None, protocol: Protocol | None = None,
                    energy_offsets: dict[int, tuple[float, float]] | None = None) -> pd.DataFrame:
        """Time series of the ``saved`` cycles, sampled as ``protocol.period`` says (default: the solver's
        points), with the step columns (see :mod:`solidstack.sim.sampling`). ``voltages`` is accepted for
        compatibility; the voltage is evaluated with the step energies."""
        from solidstack.sim.sampling import sample, step_pieces

        cycles = sorted(saved)
        if not cycles:
            return pd.DataFrame(columns=TIMESERIES_HEAD)
        names = protocol.step_names() if protocol is not None else []
        columns: list[tuple[str, str, float]] = [
            ("current_A", "Current [A]", 1.0), ("voltage_V", "Voltage [V]", 1.0),
            ("capacity_mAh", "Discharge capacity [A.h]", 1e3), ("throughput_mAh", "Throughput capacity [A.h]", 1e3)]
        columns += [(f"{stem}_held_mAh", li_var, MOL_TO_MAH) for stem, li_var, _ in _host_columns(hosts)]
        columns += [("contact_fraction_anode", "Negative electrode contact fraction", 1.0),
                    ("contact_fraction_cathode", "Positive electrode contact fraction", 1.0)]
        d = sample(step_pieces({c: saved[c] for c in cycles}, names), protocol.period if protocol else None,
                   columns, energy_offsets)
        throughput = d.pop("throughput_mAh")
        head = {k: d.pop(k) for k in TIMESERIES_HEAD}
        out = pd.DataFrame({**head, **d})
        out["current_density_mA_cm2"] = out["current_A"] * 1e3 / (area_m2 * 1e4)
        out["charge_throughput_mAh"] = (throughput - out["capacity_mAh"]) / 2
        out["discharge_throughput_mAh"] = (throughput + out["capacity_mAh"]) / 2
        return out

    def attach(self, info: dict[str, Any], notes: list[str] | None = None) -> CyclingResult:
        """Record the provenance ``info`` (also in both tables' attrs, hence in Parquet metadata) and ``notes``."""
        from solidstack.sim.provenance import attach

        self.notes[:0] = [n for n in notes or [] if n not in self.notes]
        attach(self, info)
        return self

    # ------------------------------------------------------------------ output
    def to_dataframe(self, table: str = "cycles") -> pd.DataFrame:
        """A copy of the per-cycle table (``"cycles"``), the time series (``"timeseries"``) or the time series
        with Battery Data Format labels (``"bdf"``, see :meth:`to_bdf`)."""
        if table == "bdf":
            return self.to_bdf()
        if table not in ("cycles", "timeseries"):
            from solidstack.errors import InputError, Problem

            raise InputError(Problem("table", f"{table!r} is not one of cycles, timeseries, bdf"))
        return getattr(self, table).copy()

    def to_bdf(self) -> pd.DataFrame:
        """The time series with Battery Data Format labels and units ("Test Time / s", "Voltage / V",
        "Current / A" positive on charge, "Cycle Count / 1", "Step Count / 1", ...); see sim/provenance.py."""
        from solidstack.sim.provenance import to_bdf

        return to_bdf(self)

    def write_run(self, directory: str | Path, *, command: list[str] | None = None, bdf: bool = False) -> list[Path]:
        """Write ``run.json`` (provenance) and ``stack.toml`` (the input stack) into ``directory``; with ``bdf``
        also ``timeseries.bdf.csv`` / ``.bdf.parquet``."""
        from solidstack.sim.provenance import write_run

        return write_run(self, directory, command=command, bdf=bdf)

    def export_parameters(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the PyBaMM parameter values: PyBaMM's JSON (``fmt="json"``, read back with
        ``pybamm.ParameterValues.from_json``) or BPX (``fmt="bpx"``; refused with the reasons where the
        parameter set is not expressible in BPX). ``fmt`` defaults from the suffix (.json; .bpx.json for BPX)."""
        from solidstack.sim.export import export_parameters

        return export_parameters(self, path, fmt)

    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write ``cycles.csv`` and ``timeseries.csv`` into ``directory``."""
        return self._write(directory, "csv")

    def to_parquet(self, directory: str | Path) -> list[Path]:
        """Write ``cycles.parquet`` and ``timeseries.parquet`` into ``directory`` (needs pyarrow)."""
        return self._write(directory, "parquet")

    def _write(self, directory: str | Path, fmt: str) -> list[Path]:
        """Both tables as ``fmt`` files, each written atomically (see :mod:`solidstack.fsio`)."""
        from solidstack.fsio import atomic_open

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = []
        for name, table in (("cycles", self.cycles), ("timeseries", self.timeseries)):
            path = d / f"{name}.{fmt}"
            with atomic_open(path, "w" if fmt == "csv" else "wb", **({"newline": ""} if fmt == "csv" else {})) as fh:
                getattr(table, f"to_{fmt}")(fh, index=False)
            out.append(path)
        return out

    def losses(self) -> pd.DataFrame:
        """Where the capacity went, as a tidy table: one row per (cycle, mechanism, host) with ``side`` and
        ``mAh`` (cumulative at the end of the cycle). Mechanisms (:data:`LOSS_MECHANISMS`): ``interphase`` (ion
        taken by the SE-reduction interphase on a negative host), ``left_in_host`` (ion a negative host holds at the
        end of the cycle beyond its ion at assembly; negative where the host gave ion, e.g. a Li foil),
        ``stranded`` (ion stranded in a host by contact loss, either electrode), ``cathode_interphase`` (the
        SE's oxidation at the cathode, sim/oxidation.py: negative, the ion the SE gave up; its charge was passed on
        charge without delithiating the cathode, so the negative side holds it as ``left_in_host``). Their sum per
        cycle is ``cycles["loss_total_mAh"]``: the cathode's cyclable ion lost since assembly."""
        rows = []
        t = self.cycles
        for col in t.columns:
            for mech, prefix in LOSS_MECHANISMS.items():
                if col.startswith(prefix) and col.endswith("_mAh"):
                    side, host = col.removeprefix(prefix).removesuffix("_mAh").split("_", 1)
                    rows += [{"cycle": int(c), "mechanism": mech, "side": side, "host": host.replace("_", " "),
                              "mAh": float(v)} for c, v in zip(t["cycle"], t[col], strict=True)]
        return pd.DataFrame(rows, columns=["cycle", "mechanism", "side", "host", "mAh"])

    def plot_voltage(self, cycles: list[int] | None = None, ax=None):
        """Voltage against capacity per cycle (charge solid, discharge dashed); returns a
        :class:`matplotlib.figure.Figure` (drawn into ``ax`` if given), built without pyplot."""
        from solidstack.report.figures import voltage_figure

        return voltage_figure(self, cycles, ax)

    def plot_capacity(self, ax=None):
        """Charge and discharge capacity (mAh/g cathode active) per cycle; returns the figure."""
        from solidstack.report.figures import capacity_figure

        return capacity_figure(self, ax)

    def plot_retention(self, ax=None):
        """Discharge capacity retention vs cycle 1 (%), and contact fractions; returns the figure."""
        from solidstack.report.figures import retention_figure

        return retention_figure(self, ax)

    def plot_losses(self, ax=None):
        """Where the capacity went: :meth:`losses` stacked per cycle (mAh), with the cathode's lost cyclable ion
        as a line; returns the figure (None without loss columns)."""
        from solidstack.report.figures import loss_figure

        return loss_figure(self, ax)

    def save_plots(self, directory: str | Path) -> list[Path]:
        """``voltage.png``, ``capacity.png``, ``retention.png`` (200 dpi) into ``directory``, each atomically."""
        from solidstack.report.figures import save

        out = []
        for name, fn in (("voltage", self.plot_voltage), ("capacity", self.plot_capacity), ("retention", self.plot_retention)):
            fig = fn()
            for ax in fig.axes:  # the title is the user's stack name: "$" in it is text, not mathtext
                ax.title.set_parse_math(False)
            out += save(fig, directory, name, formats=("png",), dpi=200)
        return out

    def __repr__(self) -> str:
        n = len(self.cycles)
        last = f", discharge {self.cycles['discharge_capacity_mAh_g'].iloc[-1]:.1f} mAh/g at cycle {n}" if n else ""
        return f"<CyclingResult {self.stack_name!r}: {self.model_name}, {n} cycles{last}>"

    def _repr_html_(self) -> str:
        from solidstack.report.html import cycling_result_html

        return cycling_result_html(self)


@dataclass
class _DeferredTimeseries:
    """What :meth:`CyclingResult._timeseries` needs, kept until the time series is first read."""

    saved: dict[int, pybamm.Solution]
    hosts: HostMap
    area_m2: float
    protocol: Protocol
    energy_offsets: dict[int, tuple[float, float]]

    def build(self) -> pd.DataFrame:
        return CyclingResult._timeseries(self.saved, self.hosts, self.area_m2, None, self.protocol,
                                         self.energy_offsets)


def _get_timeseries(self: CyclingResult) -> pd.DataFrame:
    """The time series (one row per sample; see :meth:`CyclingResult._timeseries` and :mod:`solidstack.sim.sampling`),
    built from the kept cycles' solutions when first read (a run that only needs the per-cycle table does not pay
    for it); it carries the per-cycle table's attrs (the provenance)."""
    ts = self.__dict__["_timeseries"]
    if isinstance(ts, _DeferredTimeseries):
        ts = ts.build()
        ts.attrs.update(self.cycles.attrs)
        self.__dict__["_timeseries"] = ts
    return ts


def _set_timeseries(self: CyclingResult, value: pd.DataFrame) -> None:
    self.__dict__["_timeseries"] = value


# ``timeseries`` stays a dataclass field (a keyword of the constructor) that is read through this property
CyclingResult.timeseries = property(_get_timeseries, _set_timeseries)  # type: ignore[assignment]


class CycleEnds:
    """The state at the end of every cycle (one column each), kept instead of PyBaMM's per-cycle summaries.

    PyBaMM's summary of a cycle holds its first and last states as views into the full arrays of the cycle's
    first and last steps, so every cycle of a long run kept ~1 MB alive; a copy of one column does not."""

    def __init__(self) -> None:
        self.t: list[np.ndarray] = []
        self.y: list[np.ndarray] = []
        self.models: list[pybamm.BaseModel] = []
        self.inputs: list[dict] = []
        self.integrals: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.t)

    def add(self, state: pybamm.Solution, integrals: np.ndarray | None = None) -> None:
        """Record the last time point of ``state`` (a solution with a state vector) and the cycle's charge and
        discharge and their voltage integrals (``integrals``, see :func:`voltage_integrals`; NaN if None)."""
        self.t.append(np.array(state.all_ts[-1][-1:], dtype=float))
        self.y.append(np.array(state.all_ys[-1][:, -1:], dtype=float))
        self.models.append(state.all_models[-1])
        self.inputs.append(state.all_inputs[-1])
        if integrals is None:
            integrals = np.full(4, np.nan)
        self.integrals.append(np.asarray(integrals, dtype=float))

    def mean_voltages(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean charge and discharge voltage of every cycle (V; NaN where nothing passed)."""
        if not self.integrals:
            return np.zeros(0), np.zeros(0)
        q_chg, e_chg, q_dis, e_dis = np.array(self.integrals).T
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(q_chg > 0, e_chg / q_chg, np.nan), np.where(q_dis > 0, e_dis / q_dis, np.nan)

    def state(self, i: int = -1) -> pybamm.Solution:
        """End state ``i`` as a one-point PyBaMM solution."""
        return pybamm.Solution(self.t[i], self.y[i], self.models[i], self.inputs[i])

    def values(self, names: list[str]) -> dict[str, np.ndarray]:
        """Each variable of ``names`` at the end of every cycle (evaluated once over all cycles)."""
        n = len(self)
        if n == 0:
            return {name: np.zeros(0) for name in names}
        # one segment per run of consecutive ends with the same model and inputs (usually all of them)
        segments: list[tuple[list[np.ndarray], list[np.ndarray], pybamm.BaseModel, dict]] = []
        for i in range(n):
            if segments and self.models[i] is segments[-1][2] and _same_inputs(self.inputs[i], segments[-1][3]):
                segments[-1][0].append(self.t[i])
                segments[-1][1].append(self.y[i])
            else:
                segments.append(([self.t[i]], [self.y[i]], self.models[i], self.inputs[i]))
        segs = [(np.concatenate(t), np.hstack(y), m, inp) for t, y, m, inp in segments]
        return {name: evaluate(segs, name) for name in names}


class RowStates:
    """States stored in some rows only: ``values[k]`` is state row ``rows[k]`` (``rows`` sorted) at each of
    ``values``' columns; the other rows of the full state vector (``height`` rows) are not stored. What the
    post-processing interpolates between the solver's points (midpoints, sub-intervals) is only the rows the
    variables read (:func:`state_rows`); as full-height arrays (zeros elsewhere) each was a fresh ~1 MB allocation.
    :func:`_evaluate_columns` reads a state vector's rows from it directly; :meth:`full` gives the full-height
    array (0 in the rows not stored) where PyBaMM's own evaluation needs one."""

    __slots__ = ("rows", "values", "height")

    def __init__(self, rows: np.ndarray, values: np.ndarray, height: int):
        self.rows, self.values, self.height = rows, values, height

    @property
    def shape(self) -> tuple[int, int]:
        return self.height, self.values.shape[1]

    def full(self) -> np.ndarray:
        out = np.zeros(self.shape)
        out[self.rows] = self.values
        return out

    def take(self, rows: np.ndarray) -> np.ndarray | None:
        """The stored values of state ``rows`` (sorted), or None if one of them is not stored."""
        if rows.size == self.rows.size and np.array_equal(rows, self.rows):
            return self.values
        pos = np.searchsorted(self.rows, rows)
        if pos.size and (pos[-1] >= self.rows.size or not np.array_equal(self.rows[pos], rows)):
            return None
        return self.values[pos]


#: Whether the post-processing keeps interpolated states as :class:`RowStates` (False: full-height arrays with
#: zeros in the rows not read, as before; only to compare the two, tests/test_sim_cost.py).
ROW_STATES = True


def _row_states(rows: np.ndarray | None, values: np.ndarray, height: int) -> np.ndarray | RowStates:
    """``values`` of state ``rows`` (all rows where None) as :class:`RowStates` or, with :data:`ROW_STATES`
    off, as a full-height array (0 in the other rows)."""
    if rows is None:
        return values
    states = RowStates(rows, values, height)
    return states if ROW_STATES else states.full()


def _take_rows(y: np.ndarray | RowStates, rows: np.ndarray) -> np.ndarray:
    """State ``rows`` of ``y`` (full-height or :class:`RowStates`)."""
    if isinstance(y, RowStates):
        v = y.take(rows)
        return y.full()[rows] if v is None else v
    return y[rows]


def _full(y: np.ndarray | RowStates) -> np.ndarray:
    return y.full() if isinstance(y, RowStates) else y


Segment = tuple[np.ndarray, Any, pybamm.BaseModel, dict]  # (t, states: full-height array or RowStates, model, inputs)


def _segments(sol: pybamm.Solution) -> list[Segment]:
    """The (t, y, model, inputs) pieces of a PyBaMM solution, one per sub-solution (step)."""
    return list(zip(sol.all_ts, sol.all_ys, sol.all_models, sol.all_inputs, strict=True))


def _same_value(x: Any, y: Any) -> bool:
    """``np.array_equal(x, y)``, without NumPy's call for numbers and one-element arrays (PyBaMM's inputs)."""
    if type(x) is np.ndarray and type(y) is np.ndarray and x.shape == y.shape == (1,):
        return bool(x[0] == y[0])
    if type(x) in (float, int) and type(y) in (float, int):
        return bool(x == y)
    return bool(np.array_equal(x, y))


def _same_inputs(a: dict, b: dict) -> bool:
    return a is b or (a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a))


def evaluate(segments: list[Segment], name: str) -> np.ndarray:
    """Scalar variable ``name`` at every time point of ``segments`` (concatenated), as PyBaMM's ``sol[name]``
    gives it (see :func:`evaluate_many`)."""
    return evaluate_many(segments, [name])[name]


def evaluate_many(segments: list[Segment], names: list[str], skip_missing: bool = False) -> dict[str, np.ndarray]:
    """Scalar variables ``names`` at every time point of ``segments`` (concatenated), as PyBaMM's ``sol[name]``
    gives them. The segments that share a model and inputs are joined once for all the names (one NumPy
    evaluation of each expression covers all their points; subexpressions shared by the names are evaluated
    once). Where the discretised expression evaluates on a whole state array at once (NumPy, e.g. states, their
    integrals, inputs) that is used (~10x cheaper than PyBaMM's processed variables); the rest is read through
    PyBaMM, in one processed variable for all such segments. ``skip_missing`` leaves out a name that is not a
    variable of the segments' models (else PyBaMM's KeyError)."""
    n_seg = len(segments)
    found: dict[str, list[np.ndarray | None]] = {name: [None] * n_seg for name in names}
    groups: list[list[int]] = []  # segments with the same model and inputs: one evaluation for all their points
    for i, (_, _, model, inputs) in enumerate(segments):
        for g in groups:
            if segments[g[0]][2] is model and _same_inputs(segments[g[0]][3], inputs):
                g.append(i)
                break
        else:
            groups.append([i])
    for g in groups:
        ts = [segments[i][0] for i in g]
        seg = segments[g[0]] if len(g) == 1 else (np.concatenate(ts), _joined_states([segments[i][1] for i in g],
                                                   state_rows(segments[g[0]][2], names)), *segments[g[0]][2:])
        memo: dict[int, Any] = {}
        bounds = np.cumsum([t.size for t in ts])[:-1]
        for name in names:
            v = _evaluate_directly(seg, name, memo)
            if v is not None:
                for i, part in zip(g, np.split(v, bounds), strict=True):
                    found[name][i] = part
    out: dict[str, np.ndarray] = {}
    for name in names:
        parts = found[name]
        rest = [i for i, v in enumerate(parts) if v is None]
        if rest:
            try:
                _read_through_pybamm(segments, rest, name, parts)
            except KeyError:
                if not skip_missing:
                    raise
                continue
        out[name] = np.concatenate(parts) if parts else np.zeros(0)  # type: ignore[arg-type]
    return out


def _joined_states(ys: list[Any], rows: np.ndarray | None) -> np.ndarray | RowStates:
    """The states ``ys`` (full-height arrays or :class:`RowStates`) side by side; only the ``rows`` where given (a
    :class:`RowStates`: the expressions evaluated on it do not read the others, see :func:`state_rows`)."""
    if rows is None:
        return np.hstack([_full(y) for y in ys])
    return _row_states(rows, np.hstack([_take_rows(y, rows) for y in ys]), ys[0].shape[0])


def _read_through_pybamm(segments: list[Segment], rest: list[int], name: str, out: list[np.ndarray | None]) -> None:
    """``name`` on the segments ``rest`` through PyBaMM's processed variables (into ``out``)."""
    parts = [(t, _full(y), m, inp) for t, y, m, inp in (segments[i] for i in rest)]
    try:
        sol = pybamm.Solution(*(list(x) for x in zip(*parts, strict=True)))
        vals = np.asarray(sol[name].entries, dtype=float).ravel()
        if vals.size != sum(seg[0].size for seg in parts):
            raise ValueError(name)
        for i, v in zip(rest, np.split(vals, np.cumsum([seg[0].size for seg in parts])[:-1]), strict=True):
            out[i] = v
    except ValueError:  # e.g. two segments at the same time: one at a time
        for i, seg in zip(rest, parts, strict=True):
            out[i] = np.asarray(pybamm.Solution(*seg)[name].entries, dtype=float).ravel()


def state_rows(model: pybamm.BaseModel, names: list[str]) -> np.ndarray | None:
    """The rows of the state vector that the discretised expressions of ``names`` read (None: all, e.g. an
    expression of the states' time derivatives or a name the model lacks), remembered per model. States at
    other times than the solver's (midpoints, samples) need only these rows interpolated."""
    cache = model.__dict__.setdefault("_solidstack_rows", {})
    key = tuple(names)
    if key not in cache:
        rows: set[int] = set()
        try:
            for name in names:
                for sym in model.get_processed_variable_or_event(name).pre_order():
                    if isinstance(sym, pybamm.StateVectorDot):
                        raise ValueError(name)
                    if isinstance(sym, pybamm.StateVector):
                        for sl in sym.y_slices:
                            rows.update(range(sl.start, sl.stop))
            cache[key] = np.array(sorted(rows), dtype=int)
        except Exception:  # noqa: BLE001 - not analysable: every row
            cache[key] = None
    return cache[key]


def hermite(t: np.ndarray, y: np.ndarray, yp: np.ndarray | None, ts: np.ndarray) -> np.ndarray:
    """States at times ``ts`` (within [t[0], t[-1]]): cubic Hermite interpolation of ``y`` with derivatives
    ``yp`` (linear where there are none); exact at the solver's points."""
    if t.size < 2:
        return np.repeat(y[:, :1], ts.size, axis=1)
    i = np.clip(np.searchsorted(t, ts, side="right") - 1, 0, t.size - 2)
    h = t[i + 1] - t[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(h > 0, (ts - t[i]) / h, 0.0)
    y0, y1 = y[:, i], y[:, i + 1]
    if yp is None:
        return y0 + (y1 - y0) * s
    h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * y0 + h10 * h * yp[:, i] + h01 * y1 + h11 * h * yp[:, i + 1]


def hermite_rows(t: np.ndarray, y: np.ndarray, yp: np.ndarray | None, ts: np.ndarray,
                 rows: np.ndarray | None) -> np.ndarray:
    """:func:`hermite` of the state ``rows`` only (all where None); the other rows of the returned full-height
    array are 0 (the expressions read from it do not read them: :func:`state_rows`)."""
    if rows is None:
        return hermite(t, y, yp, ts)
    out = np.zeros((y.shape[0], ts.size))
    if rows.size:
        out[rows] = hermite(t, y[rows], None if yp is None else yp[rows], ts)
    return out


def _evaluate_directly(seg: Segment, name: str, memo: dict[int, Any] | None = None) -> np.ndarray | None:
    """``name`` on all of ``seg``'s points in one NumPy evaluation of its expression, or None where that does
    not apply (remembered per model and variable). ``memo`` holds the subexpressions already evaluated on the
    same points (see :func:`_evaluate_columns`)."""
    t, y, model, inputs = seg
    usable = model.__dict__.setdefault("_solidstack_direct", {})
    if usable.get(name) is False:
        return None
    try:
        var = model.get_processed_variable_or_event(name)
        if name not in usable and (var.shape not in ((), (1,), (1, 1)) or _has_time_integral(var)):
            raise ValueError(name)
        v = np.asarray(_evaluate_columns(var, t, y, inputs, memo), dtype=float)
        if v.size not in (1, t.size):
            raise ValueError(name)
    except Exception:  # noqa: BLE001 - e.g. an expression that only takes one state column: PyBaMM reads it
        usable[name] = False
        return None
    usable[name] = True
    return np.broadcast_to(v.ravel(), (t.size,)).copy() if v.size == 1 else v.ravel()


def _evaluate_columns(sym: pybamm.Symbol, t: np.ndarray, y: np.ndarray, inputs: dict,
                      memo: dict[int, Any] | None = None) -> Any:
    """``sym`` on many state columns at once: PyBaMM's own NumPy evaluation (``Symbol.evaluate``), node by node,
    except that a 1-D interpolant keeps its argument's shape. PyBaMM's returns a column for any argument, so a
    scalar expression of the states on n columns (shape (1, n)) comes back as (n, 1) and broadcasts wrongly
    against the rest (an OCP in the voltage of a one-phase cell is one). Shared subtrees are evaluated once."""
    memo = {} if memo is None else memo
    key = id(sym)
    if key in memo:
        return memo[key]
    kids = sym.children
    if isinstance(y, RowStates):  # states stored in some rows only
        if isinstance(sym, pybamm.StateVector):
            v = y.take(np.flatnonzero(sym.evaluation_array))
            out = v if v is not None else sym.evaluate(t=t, y=_full_memo(y, memo), inputs=inputs)
            memo[key] = out
            return out
        by_children = isinstance(sym, _BY_CHILDREN) and not isinstance(sym, pybamm.Conditional)
        if not (by_children or (not kids and isinstance(sym, _NO_STATES))):
            # PyBaMM's own evaluation of the node (and its subtree): on the full-height array
            out = sym.evaluate(t=t, y=_full_memo(y, memo), inputs=inputs)
            memo[key] = out
            return out
    if isinstance(sym, pybamm.Interpolant) and sym.dimension == 1:
        x = _evaluate_columns(kids[0], t, y, inputs, memo)
        out = (np.reshape(sym.function(x.ravel()), x.shape) if isinstance(x, np.ndarray)
               else sym._function_evaluate([x]))
    elif not kids or isinstance(sym, pybamm.Conditional):
        out = sym.evaluate(t=t, y=y, inputs=inputs)
    elif isinstance(sym, pybamm.BinaryOperator):
        out = sym._binary_evaluate(*(_evaluate_columns(k, t, y, inputs, memo) for k in kids))
    elif isinstance(sym, pybamm.UnaryOperator):
        out = sym._unary_evaluate(_evaluate_columns(kids[0], t, y, inputs, memo))
    elif isinstance(sym, pybamm.Function):
        out = sym._function_evaluate([_evaluate_columns(k, t, y, inputs, memo) for k in kids])
    elif isinstance(sym, pybamm.Concatenation):
        out = sym._concatenation_evaluate([_evaluate_columns(k, t, y, inputs, memo) for k in kids])
    else:
        out = sym.evaluate(t=t, y=y, inputs=inputs)
    memo[key] = out
    return out


#: Leaves that read no state (evaluated as they are on :class:`RowStates`) and nodes :func:`_evaluate_columns`
#: evaluates from their children.
_NO_STATES = (pybamm.Scalar, pybamm.Array, pybamm.InputParameter, pybamm.Time)
_BY_CHILDREN = (pybamm.BinaryOperator, pybamm.UnaryOperator, pybamm.Function, pybamm.Concatenation)


def _full_memo(y: RowStates, memo: dict[int, Any]) -> np.ndarray:
    """``y.full()``, made once per evaluation (``memo``)."""
    key = id(y)
    if key not in memo:
        memo[key] = y.full()
    return memo[key]


def _has_time_integral(var: pybamm.Symbol) -> bool:
    return any(isinstance(s, (pybamm.ExplicitTimeIntegral, pybamm.DiscreteTimeSum)) for s in var.pre_order())


#: The variables the voltage integrals read.
VI = ["Voltage [V]", "Current [A]"]


def voltage_integrals(cycle: pybamm.Solution) -> np.ndarray:
    """[charge passed (A.h), integral of V over it (W.h), discharge passed, integral of V over it] in one cycle's
    solution (see :func:`voltage_integrals_of`)."""
    return voltage_integrals_of([cycle])[0]


def voltage_integrals_of(cycles: list[pybamm.Solution],
                         voltages: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """:func:`voltage_integrals` of each of ``cycles``, the variables evaluated once for all of them; the voltage
    at each cycle's output points is appended to ``voltages`` if given (so the time series need not re-read it).

    The integrals of I and V I over time (what PyBaMM's "calculate discharge energy" states integrate) by
    Simpson's rule on each interval between output points, the midpoint state from the cubic Hermite
    interpolation of the solver's states and their time derivatives. (The trapezoid rule on the output points
    alone is off by up to 10 mV: near the cut-offs the solver's steps are long.) An interval counts as charge or
    discharge by the sign of its current."""
    segs: list[Segment] = []
    owner: list[tuple[int, bool]] = []  # (cycle, with midpoints)
    knots: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # segment -> (t, y, yp) at the output points
    for k, cycle in enumerate(cycles):
        yps = cycle.all_yps or [None] * len(cycle.all_ys)
        for (t, y, model, inputs), yp in zip(_segments(cycle), yps, strict=True):
            if t.size < 2:
                segs.append((t, y, model, inputs))
                owner.append((k, False))
            elif yp is not None and np.shape(yp) == np.shape(y):  # points and midpoints, interleaved
                h = np.diff(t)
                rows = state_rows(model, VI)  # only the states V and I read are interpolated (RowStates)
                yr, ypr = (y, yp) if rows is None else (y[rows], yp[rows])
                y_mid = 0.5 * (yr[:, 1:] + yr[:, :-1]) + h / 8.0 * (ypr[:, :-1] - ypr[:, 1:])
                tt = np.empty(2 * t.size - 1)
                tt[0::2], tt[1::2] = t, t[:-1] + h / 2
                yy = np.empty((yr.shape[0], tt.size))
                yy[:, 0::2], yy[:, 1::2] = yr, y_mid
                knots[len(segs)] = (t, y, yp)
                segs.append((tt, _row_states(rows, yy, y.shape[0]), model, inputs))
                owner.append((k, True))
            else:  # no time derivatives: trapezoid rule on the output points
                segs.append((t, y, model, inputs))
                owner.append((k, False))
    out = [np.zeros(4) for _ in cycles]
    at_points: list[list[np.ndarray]] = [[] for _ in cycles]
    vi = evaluate_many(segs, VI) if segs else {}
    volt, amp = vi.get(VI[0], np.zeros(0)), vi.get(VI[1], np.zeros(0))
    ends = np.cumsum([s[0].size for s in segs])
    parts: list[tuple[int, np.ndarray, np.ndarray]] = []  # (cycle, dq, de) per interval of each segment
    refine: dict[int, np.ndarray] = {}  # segment -> its intervals to subdivide
    for n, ((k, has_mid), (tt, *_), v, i) in enumerate(zip(owner, segs, np.split(volt, ends[:-1]),
                                                           np.split(amp, ends[:-1]), strict=True)):
        at_points[k].append(v[0::2] if has_mid else v)
        if tt.size < 2:
            continue
        if has_mid:
            h = tt[2::2] - tt[:-2:2]
            p, m = v * i, slice(1, None, 2)
            dq = h / 6.0 * (i[:-2:2] + 4.0 * i[m] + i[2::2]) / 3600.0
            de = h / 6.0 * (p[:-2:2] + 4.0 * p[m] + p[2::2]) / 3600.0
            bent = np.flatnonzero(np.abs(v[:-2:2] + v[2::2] - 2.0 * v[m]) > 2.0 * REFINE_BEND_V)
            if bent.size:
                refine[n] = bent
        else:
            h = np.diff(tt)
            dq = h / 2.0 * (i[:-1] + i[1:]) / 3600.0
            de = h / 2.0 * (v[:-1] * i[:-1] + v[1:] * i[1:]) / 3600.0
        parts.append((k, dq, de))
        if n in refine:
            refine[n] = np.append(refine[n], len(parts) - 1)  # the last entry: where in ``parts`` the segment is
    if refine:
        _refine_bent_intervals(segs, knots, refine, parts)
    for k, dq, de in parts:
        chg = dq < 0
        out[k] += [-dq[chg].sum(), -de[chg].sum(), dq[~chg].sum(), de[~chg].sum()]
    if voltages is not None:
        voltages.extend(np.concatenate(v) if v else np.zeros(0) for v in at_points)
    return out


#: An interval between output points whose voltage at the (Hermite) midpoint departs from the chord by more than
#: this (V) is integrated on :data:`REFINE_PARTS` sub-intervals (composite Simpson): near the cut-offs the
#: solver's steps can span a steep part of an OCP, where one midpoint is not enough (5 mV in a mean voltage).
REFINE_BEND_V = 1.0e-3
REFINE_PARTS = 8


def _refine_bent_intervals(segs: list[Segment], knots: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]],
                           refine: dict[int, np.ndarray], parts: list[tuple[int, np.ndarray, np.ndarray]]) -> None:
    """Replace the (dq, de) of the intervals named in ``refine`` (segment -> its interval indices, then its index in
    ``parts``) by composite Simpson sums on :data:`REFINE_PARTS` sub-intervals, the states between the output
    points from the cubic Hermite interpolation of the solver's states and time derivatives."""
    s = np.arange(2 * REFINE_PARTS + 1) / (2 * REFINE_PARTS)  # the nodes of an interval, as fractions of it
    b00, b10, b01, b11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    extra: list[Segment] = []
    for n, idx in refine.items():
        t, y, yp = knots[n]
        j = idx[:-1]
        h = (t[j + 1] - t[j])[None, :, None]
        rows = state_rows(segs[n][2], VI)  # only the rows V and I read (RowStates)
        yr, ypr = (y, yp) if rows is None else (y[rows], yp[rows])
        ys = (yr[:, j, None] * b00 + h * ypr[:, j, None] * b10 + yr[:, j + 1, None] * b01
              + h * ypr[:, j + 1, None] * b11)  # (states, intervals, nodes)
        ys = ys.reshape(yr.shape[0], -1)
        ts = t[j, None] + h[0] * s
        extra.append((ts.ravel(), _row_states(rows, ys, y.shape[0]), *segs[n][2:]))
    vi = evaluate_many(extra, VI)
    volt, amp = vi[VI[0]], vi[VI[1]]
    ends = np.cumsum([e[0].size for e in extra])
    w = np.ones(2 * REFINE_PARTS + 1)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0  # composite Simpson weights, x (h / (6 REFINE_PARTS))
    for (n, idx), v, i in zip(refine.items(), np.split(volt, ends[:-1]), np.split(amp, ends[:-1]), strict=True):
        t = knots[n][0]
        j, at = idx[:-1], int(idx[-1])
        h = t[j + 1] - t[j]
        v, i = v.reshape(j.size, -1), i.reshape(j.size, -1)
        k, dq, de = parts[at]
        dq, de = dq.copy(), de.copy()
        dq[j] = h / (6.0 * REFINE_PARTS) * (i @ w) / 3600.0
        de[j] = h / (6.0 * REFINE_PARTS) * ((v * i) @ w) / 3600.0
        parts[at] = (k, dq, de)


def _finite_or_nan(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), x, np.nan)


def step_capacity(current_A: np.ndarray, capacity_mAh: np.ndarray) -> np.ndarray:
    """Capacity passed since the start of each constant-sign current segment (mAh)."""
    sign = np.sign(np.round(current_A, 15))
    seg = np.concatenate([[0], np.cumsum(sign[1:] != sign[:-1])])
    start = pd.Series(capacity_mAh).groupby(seg).transform("first").to_numpy()
    return np.abs(capacity_mAh - start)
