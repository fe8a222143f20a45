"""The design report of one stack: a self-contained HTML page an engineer can send round.

Sections: the stack (layers collector to collector, capacities, N/P, energy), what each layer costs (mass and
thickness shares, Wh/kg and Wh/L with and without the metal interlayers), the metal layers' eligibility
verdicts with their reasons, the claim chart, optionally a short cycling simulation (curves, per-cycle table,
capacity lost and ions stranded per host), and every source cited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solidstack.report.html import esc, figure_html, key_values, page, references, summary_pairs
from solidstack.report.html import layers_table as breakdown_table
from solidstack.stack.cycling import STEP_CURRENT_FIELDS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from solidstack.materials import Catalog
    from solidstack.sim.result import CyclingResult
    from solidstack.stack import Stack


@dataclass
class DesignReport:
    """The page (``html``), its figures by name (``figures``: matplotlib figures) and what it was made from."""

    stack: Stack
    html: str
    figures: dict[str, Figure] = field(default_factory=dict)
    result: CyclingResult | None = None

    def write(self, directory: str | Path) -> list[Path]:
        """``report.html`` and every figure as SVG and 300 dpi PNG into ``directory`` (each file atomically)."""
        from solidstack.fsio import atomic_write, prepare_out_dir
        from solidstack.report.figures import save

        d = prepare_out_dir(directory)
        paths: list[Path] = []
        for name, fig in self.figures.items():
            paths += save(fig, d, name)
        paths.append(atomic_write(d / "report.html", self.html))
        return paths

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<DesignReport {self.stack.name!r}: {len(self.figures)} figures{', simulated' if self.result else ''}>"


def _material_sources(stack: Stack, cat: Catalog) -> list[str]:
    """Citations behind the materials of every layer (metals, actives, electrolytes, collectors)."""
    out: list[str] = []

    def add(record: Any) -> None:
        for refs in (getattr(record, "sources", None) or {}).values():
            out.extend(r.citation for r in refs)

    for la in stack.layers:
        try:
            if la.type == "metal":
                add(cat.metal(la.material))
            elif la.type == "collector":
                add(cat.collector(la.material))
            elif la.type == "primer":
                add(cat.auxiliary(la.material, "additive"))
            elif la.type == "separator":
                add(cat.electrolyte(la.electrolyte))
            else:
                add(cat.active(la.active.material, stack.working_ion))
                if la.electrolyte is not None:
                    add(cat.electrolyte(la.electrolyte.material))
        except Exception:  # noqa: BLE001 - a material the stack validated but the catalog lists elsewhere: skip its sources
            continue
    return out


def design_report(stack: Stack | str, *, simulate: bool = False, cycles: int = 3, result: CyclingResult | None = None,
                  catalog: Catalog | None = None) -> DesignReport:
    """The design report of ``stack`` (a :class:`~solidstack.stack.Stack`, a stack file or a preset name).

    ``simulate=True`` runs ``cycles`` cycles of the stack's own protocol (or the default) with
    :func:`solidstack.sim.simulate` and adds the cycling section; ``result`` gives one already run instead.
    """
    from solidstack.materials import default_catalog
    from solidstack.metrics import breakdown
    from solidstack.report import figures as F
    from solidstack.rules import check
    from solidstack.rules.render import check_sources, claims_html, layers_html

    if isinstance(stack, str):
        from solidstack.stack import resolve

        stack = resolve(stack)
    cat = catalog or default_catalog()
    if simulate and result is None:
        from solidstack.sim import simulate as run

        result = run(stack, cycles=cycles)
    b = breakdown(stack)
    chk = check(stack, catalog=cat)
    figs: dict[str, Figure] = {"breakdown": F.breakdown_figure(b)}

    head = [("working ion", f"{stack.working_ion}+"), ("temperature", f"{stack.temperature.value:g} {stack.temperature.unit}"),
            ("stack pressure", f"{stack.stack_pressure.value:g} {stack.stack_pressure.unit}")]
    if stack.fabrication_pressure is not None:
        fab = stack.fabrication_pressure
        head.append(("fabrication pressure", f"{fab.value:g} {fab.unit}"))
    if stack.source:
        head.append(("source", stack.source))
    body = [f"<h1>Design report: {esc(stack.name)}</h1>",
            f"<p class='lead'>{esc(stack.description or '')}</p>" if stack.description else "",
            key_values(head),
            "<h2>1. Stack</h2><p>Layers from the anode collector to the cathode collector; shares are of the stack's "
            "total mass and thickness.</p>", breakdown_table(b), key_values(summary_pairs(b, stack.working_ion)),
            "<h2>2. What each layer costs</h2>",
            figure_html(figs["breakdown"], "Share of the stack's mass and thickness per layer (areal mass and thickness "
                        "written beside each bar); the title gives the energy density with and without the metal interlayers."),
            "<h2>3. Eligibility of the metal layers</h2><p>The patent's literal verdict (the metal does not store and "
            "release the ion in the electrode's window, [0015]/[0017]; elongation >= 22 % for the ductile layer) and the "
            "physical verdict (every reaction found in the window: alloying, oxidation, passivation), with reasons.</p>",
            layers_html(chk) if chk.layers else "<p>No metal layers.</p>",
            "<h2>4. Claim chart (US 2016/0233553 A1)</h2>", claims_html(chk)]
    if result is not None:
        from solidstack.report.html import cycles_table

        figs["voltage"] = F.voltage_figure(result)
        figs["capacity"] = F.capacity_figure(result)
        figs["retention"] = F.retention_figure(result)
        loss = F.loss_figure(result)
        p = result.protocol
        body += ["<h2>5. Cycling (simulated)</h2>",
                 f"<p>{esc(result.model_name)} on PyBaMM, {len(result.cycles)} cycles; protocol: {esc(_protocol_text(p))}.</p>",
                 figure_html(figs["voltage"], "Voltage against capacity per cycle; charge solid, discharge dashed."),
                 figure_html(figs["capacity"], "Charge and discharge capacity per cycle."),
                 figure_html(figs["retention"], "Discharge capacity retention and the electrodes' contact fractions."),
                 "<h3>Per cycle</h3>", cycles_table(result)]
        if loss is not None:
            figs["losses"] = loss
            body.append(figure_html(loss, "Where the capacity went (CyclingResult.losses()): ion taken by the "
                                          "interphase, left in each host beyond its assembled content (below zero: "
                                          "a host that gave ion) and stranded by contact loss, per cycle, stacked; "
                                          "the line is the total (mAh)."))
        if result.notes:
            body.append("<h3>Notes</h3><ul class='notes'>" + "".join(f"<li>{esc(n)}</li>" for n in result.notes) + "</ul>")
    body += ["<h2>Sources</h2><p class='small'>Every value of the knowledge base used above, and the patent.</p>",
             references(["US 2016/0233553 A1 (the patent)", *check_sources(chk), *_material_sources(stack, cat)]),
             f"<p class='small'>Made by solidstack {esc(_version())}.</p>"]
    return DesignReport(stack, page(f"solidstack design report: {stack.name}", "\n".join(body)), figs, result)


def _protocol_text(protocol: Any) -> str:
    """The cycling protocol in words (current in mA/cm2, window in V)."""
    if hasattr(protocol, "lower_cutoff"):  # a protocol that keeps its quantities as written ("C/10", "3.0 V")
        own = [f"{w.split('_')[0]} at {getattr(protocol, w)}" for w in STEP_CURRENT_FIELDS
               if getattr(protocol, w, None) is not None]
        text = (f"{protocol.current}{' (' + ', '.join(own) + ')' if own else ''} between {protocol.lower_cutoff} "
                f"and {protocol.upper_cutoff}, {getattr(protocol, 'first', 'charge')} first")
        cv, rest = getattr(protocol, "cv_hold_until", None), getattr(protocol, "rest", None)
        text += (f", CV hold until {cv}" if cv else "") + (f", rest {rest}" if rest else "")
        stages = getattr(protocol, "stages", None)
        if stages:
            from solidstack.sim.report import stage_text

            text += f", in {len(stages)} stages (" + "; ".join(stage_text(i, st) for i, st in enumerate(stages, 1)) + ")"
        return text
    cd, lo, hi = (getattr(protocol, k, None) for k in ("current_density_A_m2", "lower_V", "upper_V"))
    if cd is None or lo is None or hi is None:
        return str(protocol)
    text = f"{cd / 10:g} mA/cm2 between {lo:g} and {hi:g} V, {getattr(protocol, 'first', 'charge')} first"
    cv, rest = getattr(protocol, "cv_hold_until_A_m2", None), getattr(protocol, "rest_s", None)
    text += f", CV hold until {cv / 10:g} mA/cm2" if cv else ""
    return text + (f", rest {rest:g} s" if rest else "")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("solidstack")
    except PackageNotFoundError:
        return "(not installed)"
