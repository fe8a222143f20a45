"""Figures of solidstack results, as :class:`matplotlib.figure.Figure` objects built without pyplot.

No function here touches matplotlib's global state (no ``matplotlib.use``, no pyplot figure manager): each
figure gets its own Agg canvas, so it saves headless, displays inline in a notebook (its ``_repr_png_``), and
leaves the user's own ``plt.show()`` alone. Colours are the Okabe-Ito palette (distinguishable with the common
colour-vision deficiencies); more than eight curves of one kind (cycles) use the perceptually uniform,
colour-blind-safe ``cividis`` map instead of repeating colours. Legends sit outside the axes, cycle axes have
integer ticks.

Units: capacities in mAh per g of cathode active material unless the axis says otherwise, voltages in V.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    from solidstack.metrics import StackBreakdown
    from solidstack.sim.result import CyclingResult
    from solidstack.studies.reproduce import Reproduction

#: Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, yellow, blue, vermillion,
#: reddish purple, black. Yellow is left out of line plots (too pale on white).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000")
#: Resolution of PNG files for publication (dots per inch); the notebook preview uses less.
PUBLICATION_DPI = 300
PREVIEW_DPI = 100


class SolidstackFigure(Figure):
    """A matplotlib figure with its own Agg canvas that shows itself in Jupyter as a PNG (no pyplot needed)."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self, PREVIEW_DPI)


def new_figure(width_in: float = 6.4, height_in: float = 4.0) -> Figure:
    """An empty figure (size in inches) with an Agg canvas and constrained layout."""
    fig = SolidstackFigure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def colours(n: int) -> list[Any]:
    """``n`` distinct colour-blind-safe colours: Okabe-Ito up to 7, else evenly spaced on ``cividis``."""
    if n <= len(LINE_COLOURS):
        return list(LINE_COLOURS[:n])
    from matplotlib import colormaps

    cmap = colormaps["cividis"]
    return [cmap(x) for x in np.linspace(0.0, 0.92, n)]


def legend_outside(ax: Axes, **kwargs: Any) -> None:
    """The axes' legend to the right of the plot, never over the data."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize="small", frameon=False, **kwargs)


def integer_ticks(ax: Axes) -> None:
    """Cycle numbers on the x axis: integer ticks only."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _target(ax: Axes | None, width_in: float = 6.4, height_in: float = 4.0) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = new_figure(width_in, height_in)
    return fig, fig.add_subplot()


# ---------------------------------------------------------------- output
def png_bytes(fig: Figure, dpi: int = PUBLICATION_DPI) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def svg_text(fig: Figure) -> str:
    """The figure as an SVG document (text, no date stamp)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def inline_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to embed in an HTML page (XML prologue and DOCTYPE dropped)."""
    text = svg_text(fig)
    return text[text.index("<svg"):]


def save(fig: Figure, directory: str | Path, stem: str, formats: Iterable[str] = ("svg", "png"),
         dpi: int = PUBLICATION_DPI) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png`` (``dpi``) into ``directory``, each atomically; returns the paths."""
    from solidstack.fsio import atomic_write

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        data: str | bytes = svg_text(fig) if fmt == "svg" else png_bytes(fig, dpi)
        out.append(atomic_write(d / f"{stem}.{fmt}", data))
    return out


# ---------------------------------------------------------------- cycling results
def _step_curves(result: CyclingResult, cycle: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(capacity since the step began in mAh/g, voltage, is-charge) of one cycle's time series."""
    from solidstack.sim.result import step_capacity

    ts = result.timeseries
    part = ts[ts["cycle"] == cycle]
    if part.empty:
        return None
    current = part["current_A"].to_numpy()
    q = step_capacity(current, part["capacity_mAh"].to_numpy()) / (result.cathode_active_g or 1.0)
    return q, part["voltage_V"].to_numpy(), current < 0


def _plot_cycle(ax: Axes, result: CyclingResult, cycle: int, colour: Any, label: str) -> bool:
    """Charge (solid) and discharge (dashed) of one cycle; rests (no current) are left out."""
    curves = _step_curves(result, cycle)
    if curves is None:
        return False
    q, v, chg = curves
    current = result.timeseries.loc[result.timeseries["cycle"] == cycle, "current_A"].to_numpy()
    dis = current > 0
    ax.plot(np.where(chg, q, np.nan), np.where(chg, v, np.nan), color=colour, label=label)
    ax.plot(np.where(dis, q, np.nan), np.where(dis, v, np.nan), color=colour, linestyle="--")
    return True


def voltage_figure(result: CyclingResult, cycles: Sequence[int] | None = None, ax: Axes | None = None) -> Figure:
    """Voltage against capacity (mAh/g cathode active) per cycle: charge solid, discharge dashed."""
    fig, ax = _target(ax)
    wanted = list(cycles) if cycles else sorted(int(c) for c in result.timeseries["cycle"].unique())
    for c, col in zip(wanted, colours(len(wanted)), strict=True):
        _plot_cycle(ax, result, c, col, f"cycle {c}")
    ax.set_xlabel("capacity [mAh/g cathode active]")
    ax.set_ylabel("cell voltage [V]")
    ax.set_title(f"{result.stack_name}: charge (solid), discharge (dashed)", fontsize="medium")
    legend_outside(ax)
    return fig


def capacity_figure(result: CyclingResult, ax: Axes | None = None) -> Figure:
    """Charge and discharge capacity (mAh/g cathode active) per cycle."""
    fig, ax = _target(ax)
    t = result.cycles
    ax.plot(t["cycle"], t["charge_capacity_mAh_g"], "o-", color=LINE_COLOURS[0], label="charge")
    ax.plot(t["cycle"], t["discharge_capacity_mAh_g"], "s--", color=LINE_COLOURS[1], label="discharge")
    ax.set_xlabel("cycle")
    ax.set_ylabel("capacity [mAh/g cathode active]")
    ax.set_title(result.stack_name, fontsize="medium")
    integer_ticks(ax)
    legend_outside(ax)
    return fig


def retention_figure(result: CyclingResult, ax: Axes | None = None) -> Figure:
    """Discharge capacity retention vs cycle 1 (%) and the electrodes' contact fractions (% of assembly)."""
    fig, ax = _target(ax)
    t = result.cycles
    ax.plot(t["cycle"], 100 * t["retention"], "o-", color=LINE_COLOURS[0], label="discharge retention")
    ax.plot(t["cycle"], 100 * t["contact_fraction_anode"], "--", color=LINE_COLOURS[1], label="anode contact")
    ax.plot(t["cycle"], 100 * t["contact_fraction_cathode"], ":", color=LINE_COLOURS[2], label="cathode contact")
    ax.set_xlabel("cycle")
    ax.set_ylabel("% of cycle 1 / of assembly")
    ax.set_title(result.stack_name, fontsize="medium")
    integer_ticks(ax)
    legend_outside(ax)
    return fig


def loss_columns(result: CyclingResult) -> list[str]:
    """The per-cycle columns that split the lost capacity (``loss_*_mAh``, see :meth:`CyclingResult.losses`)."""
    return [c for c in result.cycles.columns if c.startswith("loss_") and c != "loss_total_mAh"]


def loss_figure(result: CyclingResult, ax: Axes | None = None) -> Figure | None:
    """Where the capacity went: :meth:`CyclingResult.losses` as stacked bars per cycle (mAh; a host that gave
    ion to the cell, e.g. a Li foil, stacks below zero), the cathode's lost cyclable ion (their sum) as a line;
    None if the result has no loss columns."""
    if not loss_columns(result):
        return None
    tidy = result.losses()
    fig, ax = _target(ax)
    table = tidy.pivot_table(index="cycle", columns=["mechanism", "side", "host"], values="mAh", sort=False)
    table = table.loc[:, (table.abs() > 1e-9).any()]
    cycles = table.index.to_numpy()
    up, down = np.zeros(len(cycles)), np.zeros(len(cycles))
    for (mech, side, host), colour in zip(table.columns, colours(len(table.columns)), strict=True):
        v = table[(mech, side, host)].to_numpy()
        base = np.where(v >= 0, up, down)
        ax.bar(cycles, v, bottom=base, color=colour, width=0.7, label=f"{mech.replace('_', ' ')}: {side} {host}")
        up, down = up + np.maximum(v, 0), down + np.minimum(v, 0)
    ax.plot(result.cycles["cycle"], result.cycles["loss_total_mAh"], "o-", color="#000000",
            label="cyclable ion lost by the cathode (sum)")
    ax.axhline(0.0, color="#777777", linewidth=0.6)
    ax.set_xlabel("cycle")
    ax.set_ylabel("ion lost since assembly [mAh]")
    ax.set_title(f"{result.stack_name}: where the capacity went", fontsize="medium")
    integer_ticks(ax)
    legend_outside(ax)
    return fig


# ---------------------------------------------------------------- stack design
def breakdown_figure(b: StackBreakdown) -> Figure:
    """What each layer costs: its share of the stack's mass and thickness (collector to collector), with the
    stack's Wh/kg and Wh/L and what they would be without the metal interlayers."""
    fig = new_figure(7.2, 0.5 + 0.32 * len(b.layers) + 1.2)
    ax_m, ax_t = fig.subplots(1, 2, sharey=True)
    labels = [f"{la.index + 1} {la.role}: {la.material}" for la in b.layers]
    y = np.arange(len(b.layers))
    kind_colour = {"collector": OKABE_ITO[7], "metal": OKABE_ITO[5], "anode": OKABE_ITO[4], "separator": OKABE_ITO[2],
                   "cathode": OKABE_ITO[0]}
    cols = [kind_colour.get(la.type, OKABE_ITO[6]) for la in b.layers]
    for ax, values, unit, title in (
        (ax_m, [la.mass_share_pct for la in b.layers], [f"{la.areal_mass_mg_cm2:.2f} mg/cm2" for la in b.layers], "share of mass [%]"),
        (ax_t, [la.thickness_share_pct for la in b.layers], [f"{la.thickness_um:.1f} um" for la in b.layers], "share of thickness [%]"),
    ):
        ax.barh(y, values, color=cols)
        for yi, v, text in zip(y, values, unit, strict=True):
            ax.text(v + 1.0, yi, text, va="center", fontsize="x-small")
        ax.set_xlim(0, max(values) * 1.45 + 5)
        ax.set_xlabel(title)
    ax_m.set_yticks(y, labels, fontsize="small")
    ax_m.invert_yaxis()
    wo_kg, wo_l = b.energy_without_interlayers
    fig.suptitle(f"{b.name}: {b.specific_energy_Wh_kg:.0f} Wh/kg, {b.energy_density_Wh_L:.0f} Wh/L collector to collector; "
                 f"without the metal interlayers {wo_kg:.0f} Wh/kg, {wo_l:.0f} Wh/L", fontsize="small")
    return fig


# ---------------------------------------------------------------- the patent's figures
CELL_TITLES = {
    "example-1": "Example 1", "example-2": "Example 2", "example-3": "Example 3", "reference": "Reference Example",
    "example-4": "Example 4", "comparative": "Comparative Example",
}
#: The six cells in the patent's order, each with a fixed colour in every figure.
CELL_COLOURS = dict(zip(CELL_TITLES, LINE_COLOURS, strict=False))


def _published(rep: Reproduction) -> dict[tuple[str, str], tuple[float, int | None]]:
    """(cell, quantity) -> (published value, cycle) of the numbers compared in ``rep``."""
    from solidstack.studies.published import published_numbers

    cells = set(rep.results)
    return {(n.cell, n.quantity): (n.value, n.cycle) for n in published_numbers() if n.cell in cells}


def _first_cycle_figure(rep: Reproduction, cells: Sequence[str], title: str) -> Figure:
    fig, ax = _target(None, 8.4, 4.4)
    pub = _published(rep)
    plateaus: dict[float, list[str]] = {}  # one dotted line per stated value, labelled with every cell stating it
    for cell in cells:
        if cell not in rep.results:
            continue
        _plot_cycle(ax, rep.results[cell], 1, CELL_COLOURS[cell], CELL_TITLES[cell])
        if (cell, "charge_plateau_V") in pub:
            plateaus.setdefault(pub[(cell, "charge_plateau_V")][0], []).append(cell)
    for v, stating in plateaus.items():
        ax.axhline(v, color=CELL_COLOURS[stating[0]], linestyle=":", linewidth=1.4,
                   label=f"patent's plateau {v:g} V: {', '.join(CELL_TITLES[c] for c in stating)}")
    ax.set_xlabel("specific capacity [mAh/g cathode active]")
    ax.set_ylabel("cell voltage [V]")
    ax.set_title(title, fontsize="medium")
    legend_outside(ax)
    return fig


def _per_cycle_figure(rep: Reproduction, column: str, ylabel: str, title: str, quantity: str, scale: float) -> Figure:
    fig, ax = _target(None, 7.2, 4.2)
    pub = _published(rep)
    starred = False
    for cell in CELL_TITLES:
        if cell not in rep.results:
            continue
        t, colour = rep.results[cell].cycles, CELL_COLOURS[cell]
        ax.plot(t["cycle"], scale * t[column], "o-", color=colour, label=CELL_TITLES[cell], markersize=4)
        if (cell, quantity) in pub:
            value, cycle = pub[(cell, quantity)]
            ax.plot([cycle or 1], [value], marker="*", markersize=13, color=colour, markeredgecolor="black",
                    linestyle="none", label=None if starred else "patent (star)")
            starred = True
    ax.set_xlabel("cycle")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    integer_ticks(ax)
    legend_outside(ax)
    return fig


def _efficiency_figure(rep: Reproduction) -> Figure:
    fig, ax = _target(None, 6.0, 4.0)
    pub = _published(rep)
    cells = [c for c in ("example-4", "comparative") if c in rep.results]
    sim = [100 * float(rep.results[c].cycles["coulombic_efficiency"].iloc[0]) for c in cells]
    x = np.arange(len(cells))
    ax.bar(x - 0.2, sim, width=0.4, color=LINE_COLOURS[0], label="simulated")
    ax.bar(x + 0.2, [pub.get((c, "coulombic_efficiency_pct"), (np.nan, None))[0] for c in cells], width=0.4,
           color=LINE_COLOURS[3], hatch="//", edgecolor="black", label="patent, Table 2")
    ax.set_xticks(x, [CELL_TITLES[c] for c in cells])
    ax.set_ylabel("first-cycle coulombic efficiency [%]")
    ax.set_ylim(0, 105)
    ax.set_title("FIG. 11: first-cycle coulombic efficiency", fontsize="medium")
    legend_outside(ax)
    return fig


def reproduction_figures(rep: Reproduction) -> dict[str, Figure]:
    """The patent's FIG. 7-11 re-drawn from the simulation, in order: ``fig7`` ... ``fig11``. Simulated lines;
    the patent's numbers as dotted plateau lines (FIG. 7, 10) and stars (FIG. 8, 9, bars in FIG. 11)."""
    return {
        "fig7": _first_cycle_figure(rep, ("example-1", "example-2", "example-3", "reference"),
                                    "FIG. 7: first cycle (charge solid, discharge dashed)"),
        "fig8": _per_cycle_figure(rep, "discharge_capacity_mAh_g", "discharge capacity [mAh/g cathode active]",
                                  "FIG. 8: discharge capacity per cycle", "discharge_capacity_mAh_g", 1.0),
        "fig9": _per_cycle_figure(rep, "retention", "discharge capacity retention [% of cycle 1]",
                                  "FIG. 9: retention per cycle", "retention_pct", 100.0),
        "fig10": _first_cycle_figure(rep, ("example-4", "comparative"),
                                     "FIG. 10: first cycle (charge solid, discharge dashed)"),
        "fig11": _efficiency_figure(rep),
    }
