"""Rendering a patent reproduction: the comparison table, figures in the style of the patent's FIG. 7-11,
and a self-contained HTML report."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
        met = "no target" if c.within_target is None else ("yes" if c.within_target else "[bold red]NO[/]")
        t.add_row(
            CELL_TITLES.get(c.cell, c.cell), escape(c.label), escape(c.paragraph), _fmt(c.published, c.unit),
            _fmt(c.simulated, c.unit), "n/a" if diff is None else f"{diff:+.2f}" if c.unit == "V" else f"{diff:+.0f}",
            c.unit, "fitted (calibration)" if c.fitted else ("fitted cell" if c.fitted_cell else "predicted"), c.target if c.target != "none" else "-", met,
        )
    notes = [Text(f"note: {n}") for n in _notes(rep)]
    return Group(t, *notes)


def _notes(rep: Reproduction) -> list[str]:
    out = sorted({f"{CELL_TITLES.get(c.cell, c.cell)}, {c.label}: {c.note}" for c in rep.comparisons if c.note})
    return out + list(rep.notes)


# ---------------------------------------------------------------- figures
def figures(rep: Reproduction) -> dict[str, Figure]:
    """The patent's FIG. 7-11 re-drawn from the simulation, in order (see
    :func:`solidstack.report.figures.reproduction_figures`)."""
    from solidstack.report.figures import reproduction_figures

    return reproduction_figures(rep)


def save_figures(rep: Reproduction, directory: Path, figs: dict[str, Figure] | None = None) -> list[Path]:
    """``fig7`` ... ``fig11`` as SVG and 300 dpi PNG into ``directory`` (each file atomically)."""
    from solidstack.report.figures import save

    out: list[Path] = []
    for name, fig in (figs or figures(rep)).items():
        out += save(fig, directory, name)
    return out


# ---------------------------------------------------------------- HTML
FIGURE_CAPTIONS = {
    "fig7": "FIG. 7: first charge (solid) and discharge (dashed) of Examples 1-3 and the Reference Example; dotted "
            "lines: the charge plateaus the patent states (paragraphs in the table above).",
    "fig8": "FIG. 8: discharge capacity per cycle, all six cells; stars: the patent's first-cycle discharge capacities "
            "(Table 2: Example 4, Comparative Example).",
    "fig9": "FIG. 9: discharge capacity retention per cycle, all six cells; stars: the patent's 5th-cycle retentions ([0106]).",
    "fig10": "FIG. 10: first charge (solid) and discharge (dashed) of Example 4 and the Comparative Example; dotted "
             "lines: the charge plateaus the patent states.",
    "fig11": "FIG. 11: first-cycle coulombic efficiency, simulated and the patent's Table 2.",
}


def html_report(rep: Reproduction, figs: dict[str, Figure] | None = None) -> str:
    """A self-contained HTML page: the comparison (misses highlighted), FIG. 7-11 (inline SVG) and per cell
    its layer table, eligibility verdicts and claim chart, then every source."""
    from solidstack.metrics import breakdown
    from solidstack.report.html import (
        COMPARISON_HEADERS,
        comparison_rows,
        figure_html,
        key_values,
        page,
        references,
        summary_pairs,
        table,
    )
    from solidstack.report.html import layers_table as breakdown_table
    from solidstack.rules import check
    from solidstack.rules.render import check_sources, claims_html, layers_html
    from solidstack.stack import load_preset

    esc = html.escape
    figs = figs or figures(rep)
    rows, classes = comparison_rows(rep)
    misses = [r for r, c in zip(rows, classes, strict=True) if c == "miss"]
    judged = sum(c.within_target is not None for c in rep.comparisons)
    fitted = sum(c.fitted for c in rep.comparisons)
    body = [
        "<h1>US 2016/0233553 A1 reproduced</h1>",
        f"<p class='lead'>The patent's six cells simulated from the shipped presets with {esc(rep.model)} on PyBaMM, "
        f"{rep.cycles} cycles each; one knowledge base and one set of constants for all cells. <b>fitted</b> numbers were "
        f"used to calibrate a constant ({fitted} of {len(rows)}); all others are <b>predicted</b>.</p>",
        key_values([("published numbers compared", str(len(rows))), ("with a target", str(judged)),
                    ("target met", str(sum(c.within_target is True for c in rep.comparisons))),
                    ("target missed (highlighted)", str(len(misses)))]),
        "<h2>Published and simulated numbers</h2>",
        table(COMPARISON_HEADERS, rows, numeric=(3, 4, 5), row_classes=classes),
    ]
    notes = _notes(rep)
    if notes:
        body.append("<h3>Notes</h3><ul class='notes'>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    body.append("<h2>Figures</h2>")
    for name in ("fig7", "fig8", "fig9", "fig10", "fig11"):
        if name in figs:
            body.append(figure_html(figs[name], FIGURE_CAPTIONS.get(name, name)))
    cited: list[str] = ["US 2016/0233553 A1 (the patent)"]
    for cell in rep.results:
        stack = load_preset(cell)
        b = breakdown(stack)
        chk = check(stack)
        cited += check_sources(chk)
        body += [f"<h2>{esc(CELL_TITLES.get(cell, cell))}: {esc(stack.description or '')}</h2>",
                 "<h3>Layers</h3>", breakdown_table(b), key_values(summary_pairs(b, stack.working_ion)),
                 "<h3>Metal layers: eligibility</h3>", layers_html(chk), "<h3>Claim chart</h3>", claims_html(chk)]
    body += ["<h2>Sources</h2>", references(cited)]
    return page("solidstack: US 2016/0233553 A1 reproduced", "\n".join(body))


def write_report(rep: Reproduction, directory: Path) -> list[Path]:
    """FIG. 7-11 (SVG and 300 dpi PNG) and ``report.html`` (figures inline) into ``directory``; returns the paths."""
    from solidstack.fsio import atomic_write, prepare_out_dir

    d = prepare_out_dir(directory)
    figs = figures(rep)
    paths = save_figures(rep, d, figs)
    paths.append(atomic_write(d / "report.html", html_report(rep, figs)))
    return paths
