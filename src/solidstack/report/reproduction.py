"""Rendering a patent reproduction: the comparison table, figures in the style of the patent's FIG. 7-11,
and a self-contained HTML report."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from solidstack.studies.reproduce import Reproduction

CELL_TITLES = {
    "example-1": "Example 1",
    "example-2": "Example 2",
    "example-3": "Example 3",
    "reference": "Reference Example",
    "example-4": "Example 4",
    "comparative": "Comparative Example",
}


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}" if unit == "V" else f"{x:.0f}" if unit in ("%", "mAh/g") and abs(x) >= 10 else f"{x:.3g}"


def comparison_table(rep: Reproduction) -> Group:
    """One row per published number: the number and its paragraph, simulated value, difference, fitted or
    predicted, and whether it is within the target."""
    t = Table(title=f"US 2016/0233553 A1 reproduced ({rep.model}, {rep.cycles} cycles per cell)", title_justify="left")
    for col, just in [("cell", "left"), ("quantity", "left"), ("paragraph", "left"), ("published", "right"),
                      ("simulated", "right"), ("difference", "right"), ("unit", "left"), ("fitted / predicted", "left"),
                      ("target", "left"), ("met", "left")]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for c in rep.comparisons:
        diff = c.difference
        met = "-" if c.within_target is None else ("yes" if c.within_target else "NO")
        t.add_row(
            CELL_TITLES.get(c.cell, c.cell), escape(c.label), escape(c.paragraph), _fmt(c.published, c.unit),
            _fmt(c.simulated, c.unit), "n/a" if diff is None else f"{diff:+.2f}" if c.unit == "V" else f"{diff:+.0f}",
            c.unit, "fitted" if c.fitted else "predicted", c.target, met,
        )
    notes = [Text(f"note: {n}") for n in _notes(rep)]
    return Group(t, *notes)


def _notes(rep: Reproduction) -> list[str]:
    out = sorted({f"{CELL_TITLES.get(c.cell, c.cell)}, {c.label}: {c.note}" for c in rep.comparisons if c.note})
    return out + list(rep.notes)


# ---------------------------------------------------------------- figures
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _first_cycle(ax, result, label: str) -> None:
    from solidstack.sim.result import step_capacity

    ts = result.timeseries
    part = ts[ts["cycle"] == 1]
    if part.empty:
        return
    q = step_capacity(part["current_A"].to_numpy(), part["capacity_mAh"].to_numpy()) / result.cathode_active_g
    chg = part["current_A"].to_numpy() < 0
    (line,) = ax.plot(q[chg], part["voltage_V"].to_numpy()[chg], label=f"{label}")
    ax.plot(q[~chg], part["voltage_V"].to_numpy()[~chg], color=line.get_color(), linestyle="--")


def figures(rep: Reproduction) -> dict[str, object]:
    """matplotlib figures named like the patent's: fig7 ... fig11 (simulated lines; published points as markers)."""
    plt = _pyplot()
    r = rep.results
    pub = {(c.cell, c.quantity): c.published for c in rep.comparisons}
    out: dict[str, object] = {}

    for name, cells, title in (("fig7", ("example-1", "example-2", "example-3", "reference"), "FIG. 7: first-cycle charge (solid) / discharge (dashed)"),
                               ("fig10", ("example-4", "comparative"), "FIG. 10: first-cycle charge (solid) / discharge (dashed)")):
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        for cell in cells:
            if cell in r:
                _first_cycle(ax, r[cell], CELL_TITLES[cell])
        ax.set_xlabel("specific capacity [mAh/g cathode active]")
        ax.set_ylabel("cell voltage [V]")
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="small")
        out[name] = fig

    for name, column, ylabel, title, qty in (
        ("fig8", "discharge_capacity_mAh_g", "discharge capacity [mAh/g]", "FIG. 8: discharge capacity vs cycle", None),
        ("fig9", "retention", "discharge capacity retention [%]", "FIG. 9: retention vs cycle (markers: patent [0106])", "retention_pct"),
    ):
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        for cell in ("example-1", "example-2", "example-3", "reference"):
            if cell not in r:
                continue
            t = r[cell].cycles
            y = 100 * t[column] if column == "retention" else t[column]
            (line,) = ax.plot(t["cycle"], y, "o-", label=CELL_TITLES[cell])
            if qty and (cell, qty) in pub:
                ax.plot([5], [pub[(cell, qty)]], marker="*", markersize=12, color=line.get_color(), linestyle="none")
        ax.set_xlabel("cycle")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="small")
        out[name] = fig

    fig, ax = plt.subplots(figsize=(5, 4))
    cells = [c for c in ("example-4", "comparative") if c in r]
    sim = [100 * float(r[c].cycles["coulombic_efficiency"].iloc[0]) for c in cells]
    xs = range(len(cells))
    ax.bar([x - 0.2 for x in xs], sim, width=0.4, label="simulated")
    ax.bar([x + 0.2 for x in xs], [pub.get((c, "coulombic_efficiency_pct"), float("nan")) for c in cells], width=0.4,
           label="patent Table 2")
    ax.set_xticks(list(xs), [CELL_TITLES[c] for c in cells])
    ax.set_ylabel("first-cycle coulombic efficiency [%]")
    ax.set_title("FIG. 11: first-cycle coulombic efficiency", fontsize="medium")
    ax.legend(fontsize="small")
    out["fig11"] = fig
    return out


def save_figures(rep: Reproduction, directory: Path) -> list[Path]:
    from solidstack.fsio import atomic_open

    plt = _pyplot()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures(rep).items():
        path = directory / f"{name}.png"
        try:
            with atomic_open(path, "wb") as fh:
                fig.savefig(fh, format="png", dpi=120, bbox_inches="tight")  # type: ignore[attr-defined]
        finally:
            plt.close(fig)  # type: ignore[arg-type]
        paths.append(path)
    return paths


# ---------------------------------------------------------------- HTML
def _png_b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def html_report(rep: Reproduction, figure_paths: list[Path]) -> str:
    """A self-contained HTML page: comparison, figures, and per cell its layer table, eligibility verdicts and
    claim chart."""
    from solidstack.metrics import breakdown
    from solidstack.rules import check
    from solidstack.stack import load_preset

    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>solidstack: US 2016/0233553 A1 reproduced</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 6px}th{background:#eee}.no{color:#b00}</style></head><body>",
        f"<h1>US 2016/0233553 A1 reproduced</h1><p>Model {esc(rep.model)}, {rep.cycles} cycles per cell, shipped presets, "
        "one knowledge base and one set of constants for all cells. <b>fitted</b> numbers were used to calibrate a constant; "
        "all others are predictions.</p>",
    ]
    df = rep.to_dataframe()
    parts.append(df.drop(columns=["note"]).to_html(index=False, float_format=lambda x: f"{x:.3g}", na_rep="n/a"))
    notes = _notes(rep)
    if notes:
        parts.append("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    parts.append("<h2>Figures</h2>")
    for p in figure_paths:
        parts.append(f"<figure><img src='data:image/png;base64,{_png_b64(p)}' alt='{esc(p.stem)}'></figure>")
    for cell in rep.results:
        stack = load_preset(cell)
        parts.append(f"<h2>{esc(CELL_TITLES.get(cell, cell))}: {esc(stack.description or '')}</h2>")
        parts.append("<h3>Layers</h3>" + breakdown(stack).to_dataframe().to_html(float_format=lambda x: f"{x:.3g}", na_rep=""))
        checked = check(stack)
        parts.append("<h3>Eligibility and claim chart</h3>" + checked._repr_html_())
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(rep: Reproduction, directory: Path) -> list[Path]:
    """Figures (PNG) and ``report.html`` into ``directory``; returns the written paths."""
    from solidstack.fsio import atomic_write

    figs = save_figures(rep, directory)
    page = directory / "report.html"
    atomic_write(page, html_report(rep, figs))
    return [*figs, page]
