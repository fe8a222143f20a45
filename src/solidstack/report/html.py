"""HTML building blocks shared by the reports and by the objects' ``_repr_html_`` (Jupyter).

Every string that comes from a user (stack names, descriptions, notes, materials) or from the knowledge base is
escaped with :func:`html.escape`; numbers are rounded for reading and carry their unit in the column header.
Pages are self-contained: a small stylesheet inline, figures inline as SVG (or PNG as base64), no scripts and
no external requests.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from solidstack.metrics import StackBreakdown
    from solidstack.sim.result import CyclingResult
    from solidstack.stack import Stack
    from solidstack.studies.reproduce import Reproduction

esc = html.escape

#: Verdict words and their CSS class: good (bluish green), bad (vermillion), unsure (orange): Okabe-Ito colours,
#: and the word itself always carries the meaning.
VERDICT_CLASS = {"inert": "good", "eligible": "good", "met": "good", "yes": "good", "reacts": "bad", "not eligible": "bad",
                 "not met": "bad", "no": "bad", "NO": "bad", "uncertain": "unsure", "undetermined": "unsure",
                 "unknown": "unsure"}

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.15em;margin-top:1.8em}
h3{margin-bottom:.3em}p.lead{color:#444;margin-top:0}
table.ss{border-collapse:collapse;font-size:13px;margin:.5em 0 1em}
table.ss th,table.ss td{border:1px solid #ccc;padding:3px 7px;vertical-align:top}
table.ss th{background:#eef3f8;text-align:left}table.ss td.num{text-align:right;font-variant-numeric:tabular-nums}
table.ss tr.miss td{background:#fde7dc}table.ss tr.sub td{font-size:12px;color:#333;background:#fafafa}
.good{color:#007a5a;font-weight:600}.bad{color:#c24a00;font-weight:700}.unsure{color:#8a5a00;font-weight:600}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figure img{max-width:100%}
figcaption{font-size:13px;color:#444}dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:14px}
dl.kv dt{color:#555}dl.kv dd{margin:0}ol.refs{font-size:13px}ul.notes{font-size:13px}.small{font-size:12px;color:#555}
"""


def fmt(x: Any, digits: int = 3, unit: str = "") -> str:
    """A number rounded for reading (``digits`` significant figures, at most 1 decimal above 100), or ``-``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        text = str(x)
    else:
        v = float(x)
        text = f"{v:.1f}" if abs(v) >= 100 else f"{v:.{digits}g}"
    return f"{text} {unit}".strip()


def verdict(word: str) -> str:
    """A verdict word with its colour class."""
    cls = VERDICT_CLASS.get(word, "")
    return f"<span class='{cls}'>{esc(word)}</span>" if cls else esc(word)


class Cell(str):
    """Table cell content that is already HTML (not escaped again)."""


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, numeric: Sequence[int] = (),
          row_classes: Sequence[str] | None = None, caption: str = "") -> str:
    """An HTML table; plain strings are escaped, :class:`Cell` values are inserted as they are, numbers go
    through :func:`fmt`. ``numeric``: column indices aligned right."""
    out = ["<table class='ss'>"]
    if caption:
        out.append(f"<caption class='small'>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes is not None and i < len(row_classes) else ""
        out.append(f"<tr class='{cls}'>" if cls else "<tr>")
        for j, value in enumerate(row):
            text = value if isinstance(value, Cell) else esc(value) if isinstance(value, str) else esc(fmt(value))
            out.append(f"<td class='num'>{text}</td>" if j in numeric else f"<td>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def key_values(pairs: Iterable[tuple[str, str]]) -> str:
    return "<dl class='kv'>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs) + "</dl>"


def figure_html(fig: Figure, caption: str = "", *, svg: bool = True) -> str:
    """A figure embedded in the page: inline SVG (default) or a base64 PNG."""
    from solidstack.report.figures import PREVIEW_DPI, inline_svg, png_bytes

    if svg:
        body = inline_svg(fig)
    else:
        body = f"<img alt='{esc(caption)}' src='data:image/png;base64,{base64.b64encode(png_bytes(fig, PREVIEW_DPI * 2)).decode()}'>"
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure>{body}{cap}</figure>"


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML document."""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n")


def references(citations: Iterable[str]) -> str:
    """A numbered list of the distinct citations (in first-seen order)."""
    items = list(dict.fromkeys(c for c in citations if c))
    return "<ol class='refs'>" + "".join(f"<li>{esc(c)}</li>" for c in items) + "</ol>" if items else ""


# ---------------------------------------------------------------- stack and its breakdown
def layers_table(b: StackBreakdown) -> str:
    """The layer table, anode collector to cathode collector, with units in the headers."""
    headers = ["#", "layer", "material", "thickness [um]", "mass [mg]", "areal mass [mg/cm2]", "mass [%]",
               "thickness [%]", "porosity [-]", "capacity [mAh]"]
    rows: list[list[Any]] = [[la.index + 1, la.role, la.material, round(la.thickness_um, 1), round(la.mass_mg, 2),
                              round(la.areal_mass_mg_cm2, 2), round(la.mass_share_pct, 1), round(la.thickness_share_pct, 1),
                              None if la.porosity is None else round(la.porosity, 2),
                              None if la.capacity_mAh is None else round(la.capacity_mAh, 3)] for la in b.layers]
    rows.append(["", "total", "", round(b.thickness_um, 1), round(b.mass_mg, 2), round(b.mass_mg / b.area_cm2, 2), 100, 100,
                 None, None])
    return table(headers, rows, numeric=(0, 3, 4, 5, 6, 7, 8, 9))


def summary_pairs(b: StackBreakdown, ion: str) -> list[tuple[str, str]]:
    wo_kg, wo_l = b.energy_without_interlayers
    return [
        ("area", f"{b.area_cm2:.4g} cm2"),
        ("anode capacity", f"{b.anode_capacity_mAh:.3f} mAh ({b.anode_capacity_mAh / b.area_cm2:.3f} mAh/cm2)"),
        ("cathode capacity", f"{b.cathode_capacity_mAh:.3f} mAh ({b.cathode_capacity_mAh / b.area_cm2:.3f} mAh/cm2)"),
        ("N/P ratio", f"{b.np_ratio:.2f}"),
        (f"nominal voltage (average potentials vs {ion})", f"{b.nominal_voltage_V:.2f} V"),
        ("nominal energy", f"{b.nominal_energy_mWh:.3f} mWh"),
        ("specific energy (collector to collector)", f"{b.specific_energy_Wh_kg:.1f} Wh/kg"),
        ("energy density (collector to collector)", f"{b.energy_density_Wh_L:.1f} Wh/L"),
        ("metal interlayers' share", f"{b.interlayer_mass_share_pct:.1f} % of mass, {b.interlayer_thickness_share_pct:.1f} % of thickness"),
        ("without the interlayers", f"{wo_kg:.1f} Wh/kg, {wo_l:.1f} Wh/L"),
    ]


def breakdown_html(b: StackBreakdown, ion: str = "Li") -> str:
    return f"<h4>{esc(b.name)}: layers ({b.area_cm2:.4g} cm2)</h4>" + layers_table(b) + key_values(summary_pairs(b, ion))


def stack_html(stack: Stack) -> str:
    """A stack in a notebook: description, layer table and totals."""
    from solidstack.metrics import breakdown

    desc = f"<p>{esc(stack.description)}</p>" if stack.description else ""
    return desc + breakdown_html(breakdown(stack), stack.working_ion)


def stack_repr(stack: Stack) -> str:
    return (f"<Stack {stack.name!r}: {stack.working_ion}+, {len(stack.layers)} layers, {stack.area.value:g} {stack.area.unit}, "
            f"N/P {stack.np_ratio:.2f}, {stack.nominal_energy_mWh:.3f} mWh>")


# ---------------------------------------------------------------- materials records
_SKIP = ("sources", "ocp", "steps", "molar_mass_g_mol")


def record_html(record: Any) -> str:
    """Any materials record: its fields (units in the names) and its sources."""
    rows = []
    for name in getattr(record, "__dataclass_fields__", {}):
        if name in _SKIP and not (name == "molar_mass_g_mol" and type(record).__name__ == "Metal"):
            continue
        value = getattr(record, name)
        if value in (None, "", ()):
            continue
        rows.append([name, value if not isinstance(value, float) else fmt(value, 4)])
    for step in getattr(record, "steps", ()):
        rows.append([f"step {step.step}", f"{step.from_phase} -> {step.to_phase}, E {fmt(step.potential_V)} V, "
                                          f"{fmt(step.capacity_mAh_g)} mAh/g, volume {fmt(step.volume_change_pct)} %"])
    refs = [r.citation for refs_ in (getattr(record, "sources", None) or {}).values() for r in refs_]
    refs += [r.citation for st in getattr(record, "steps", ()) for refs_ in st.sources.values() for r in refs_]
    title = f"{type(record).__name__} {getattr(record, 'key', getattr(record, 'host', ''))}"
    return f"<h4>{esc(title)}</h4>" + table(["field", "value"], rows) + (("<b>sources</b>" + references(refs)) if refs else "")


def record_repr(record: Any) -> str:
    """A one-line summary of a materials record, e.g. ``<Metal In: Indium, elongation 22 %>``."""
    kind = type(record).__name__
    if kind == "Metal":
        e = f", elongation {record.elongation_pct:g} %" if record.elongation_pct is not None else ""
        return f"<Metal {record.symbol}: {record.name}{e}>"
    if kind == "MetalIonReactions":
        return f"<MetalIonReactions {record.host}-{record.ion}: {record.status}, {len(record.steps)} steps>"
    if kind == "ActiveMaterial":
        return f"<ActiveMaterial {record.key} ({record.ion}+, {record.role}), {record.window}>"
    if kind == "Electrolyte":
        return f"<Electrolyte {record.key} ({record.ion}+)>"
    if kind == "OxidationIndicator":
        return f"<OxidationIndicator {record.symbol} vs {record.ion}+/{record.ion}: {record.potential_V:.2f} V>"
    return f"<{kind} {getattr(record, 'key', '')}>"


# ---------------------------------------------------------------- cycling results
CYCLE_COLUMNS = (("cycle", "cycle", 0), ("charge_capacity_mAh_g", "charge [mAh/g]", 1),
                 ("discharge_capacity_mAh_g", "discharge [mAh/g]", 1), ("coulombic_efficiency", "coulombic efficiency [%]", 2),
                 ("retention", "retention [%]", 1), ("mean_charge_voltage_V", "mean charge V [V]", 3),
                 ("mean_discharge_voltage_V", "mean discharge V [V]", 3), ("contact_fraction_anode", "anode contact [%]", 1),
                 ("contact_fraction_cathode", "cathode contact [%]", 1))


def cycles_table(result: CyclingResult) -> str:
    """The per-cycle table, rounded, percentages as %."""
    t = result.cycles
    cols = [(c, h, d) for c, h, d in CYCLE_COLUMNS if c in t.columns]
    rows = []
    for _, r in t.iterrows():
        row: list[Any] = []
        for c, h, d in cols:
            v = r[c]
            if c == "cycle":
                row.append(int(v))
            elif "[%]" in h:
                row.append(None if v is None or not math.isfinite(v) else round(100 * float(v), d))
            else:
                row.append(None if v is None or not math.isfinite(v) else round(float(v), d))
        rows.append(row)
    return table([h for _, h, _ in cols], rows, numeric=tuple(range(len(cols))))


def cycling_result_html(result: CyclingResult) -> str:
    notes = "".join(f"<li>{esc(n)}</li>" for n in result.notes)
    return (f"<h4>{esc(result.stack_name)}: {esc(result.model_name)}, {len(result.cycles)} cycles</h4>" + cycles_table(result)
            + (f"<ul class='notes'>{notes}</ul>" if notes else ""))


# ---------------------------------------------------------------- reproduction
def _rounded(x: float | None, unit: str) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:.2f}" if unit == "V" else f"{x:.1f}" if unit == "%" else f"{x:.0f}"


def comparison_rows(rep: Reproduction) -> tuple[list[list[Any]], list[str]]:
    """Rows of the comparison table (cell, quantity, paragraph, published, simulated, difference, unit, basis,
    target, met) and their CSS classes (``miss`` where the target is not met)."""
    from solidstack.report.figures import CELL_TITLES

    rows, classes = [], []
    for c in rep.comparisons:
        d = c.difference
        met = "no target" if c.within_target is None else ("yes" if c.within_target else "NO")
        diff = "-" if d is None else (f"{d:+.2f}" if c.unit == "V" else f"{d:+.1f}" if c.unit == "%" else f"{d:+.0f}")
        diff = diff.replace("-", "+", 1) if diff.strip("+-0.") == "" else diff  # no "-0"
        rows.append([CELL_TITLES.get(c.cell, c.cell), c.label, c.paragraph, Cell(_rounded(c.published, c.unit)),
                     Cell(_rounded(c.simulated, c.unit)), Cell(diff), c.unit,
                     "fitted (calibration)" if c.fitted else ("fitted cell" if c.fitted_cell else "predicted"), c.target if c.target != "none" else "-", Cell(verdict(met))])
        classes.append("miss" if c.within_target is False else "")
    return rows, classes


COMPARISON_HEADERS = ("cell", "quantity", "patent paragraph", "published", "simulated", "difference", "unit",
                      "fitted or predicted", "target", "target met")


def reproduction_html(rep: Reproduction) -> str:
    rows, classes = comparison_rows(rep)
    misses = sum(c == "miss" for c in classes)
    return (f"<h4>US 2016/0233553 A1 reproduced: {esc(rep.model)}, {rep.cycles} cycles per cell; "
            f"{len(rows)} published numbers, {misses} outside their target</h4>"
            + table(COMPARISON_HEADERS, rows, numeric=(3, 4, 5), row_classes=classes))


def reproduction_repr(rep: Reproduction) -> str:
    met = sum(c.within_target is True for c in rep.comparisons)
    judged = sum(c.within_target is not None for c in rep.comparisons)
    return (f"<Reproduction {rep.model}, {rep.cycles} cycles, {len(rep.results)} cells: {len(rep.comparisons)} published "
            f"numbers, {met}/{judged} within target>")
