"""Rich tables for the terminal: stack breakdowns and materials entries with their sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from solidstack.materials import Catalog
from solidstack.materials.records import Sources
from solidstack.metrics import StackBreakdown


def _num(value: float | None, fmt: str = "{:.3g}") -> str:
    return "" if value is None else fmt.format(value)


def stack_table(b: StackBreakdown, *, ion: str, description: str | None = None) -> Group:
    """Layer table (collector to collector) plus capacities, N/P, totals and energy."""
    t = _EscapingTable(title=f"{escape(b.name)}: layers, anode collector to cathode collector ({b.area_cm2:g} cm2)", title_justify="left")
    for col, just in [("#", "right"), ("layer", "left"), ("material", "left"), ("thickness um", "right"),
                      ("mass mg", "right"), ("mg/cm2", "right"), ("mass %", "right"), ("thick. %", "right"),
                      ("porosity", "right"), ("capacity mAh", "right")]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for la in b.layers:
        t.add_row(
            str(la.index), la.role, la.material, f"{la.thickness_um:.1f}", f"{la.mass_mg:.2f}",
            f"{la.areal_mass_mg_cm2:.2f}", f"{la.mass_share_pct:.1f}", f"{la.thickness_share_pct:.1f}",
            _num(la.porosity, "{:.2f}"), _num(la.capacity_mAh, "{:.3f}"),
        )
    t.add_section()
    t.add_row("", "total", "", f"{b.thickness_um:.1f}", f"{b.mass_mg:.2f}", f"{b.mass_mg / b.area_cm2:.2f}", "100", "100", "", "")

    s = Table(show_header=False, box=None, padding=(0, 2))
    s.add_column(justify="left")
    s.add_column(justify="right")
    wo_kg, wo_l = b.energy_without_interlayers
    for label, value in [
        ("anode capacity", f"{b.anode_capacity_mAh:.3f} mAh ({b.anode_capacity_mAh / b.area_cm2:.3f} mAh/cm2)"),
        ("cathode capacity", f"{b.cathode_capacity_mAh:.3f} mAh ({b.cathode_capacity_mAh / b.area_cm2:.3f} mAh/cm2)"),
        ("N/P ratio", f"{b.np_ratio:.2f}"),
        (f"nominal voltage (average potentials vs {ion})", f"{b.nominal_voltage_V:.2f} V"),
        ("nominal energy", f"{b.nominal_energy_mWh:.3f} mWh"),
        ("specific energy (stack)", f"{b.specific_energy_Wh_kg:.1f} Wh/kg"),
        ("energy density (stack)", f"{b.energy_density_Wh_L:.1f} Wh/L"),
        ("metal interlayers' share", f"{b.interlayer_mass_share_pct:.1f} % of mass, {b.interlayer_thickness_share_pct:.1f} % of thickness"),
        ("without the interlayers", f"{wo_kg:.1f} Wh/kg, {wo_l:.1f} Wh/L"),
    ]:
        s.add_row(label, value)
    parts: list[Table | Text] = [t, s]
    if description:
        parts.insert(0, Text(description, style="bold"))
    return Group(*parts)


def sources_text(sources: Sources) -> str:
    lines = []
    for group, refs in sources.items():
        for ref in refs:
            lines.append(f"[{group}] {ref}")
    return "\n".join(lines)


def listing_table(kind: str, catalog: Catalog) -> Table:
    """One row per entry of ``kind`` (a key of :data:`solidstack.materials.KINDS`)."""
    t = _EscapingTable(title=f"{kind} in the knowledge base", title_justify="left")
    records: list[Any] = {  # type: ignore[assignment]
        "metals": catalog.metals, "reactions": catalog.all_reactions, "actives": catalog.actives,
        "electrolytes": catalog.electrolytes,
    }.get(kind, lambda: catalog.auxiliaries(kind.removesuffix("s")))()
    if kind == "metals":
        cols = ["metal", "name", "elongation %", "status", "Brinell MPa", "Vickers MPa", "density g/cm3", "resistivity ohm m",
                "crust mg/kg", "flags"]

        def practical(symbol: str) -> list[str]:
            p = catalog.practicality(symbol)
            return ["", ""] if p is None else [_num(p.crustal_abundance_mg_kg, "{:.3g}"), ", ".join(p.flags)]

        rows: Iterable[list[str]] = (
            [m.symbol, m.name, _num(m.elongation_pct, "{:g}") + (f"-{m.elongation_max_pct:g}" if m.elongation_max_pct else ""),
             m.elongation_status, _num(m.brinell_MPa, "{:g}"), _num(m.vickers_MPa, "{:g}"), _num(m.density_g_cm3, "{:g}"),
             _num(m.resistivity_ohm_m, "{:.3g}"), *practical(m.symbol)]
            for m in records
        )
    elif kind == "reactions":
        cols = ["metal", "ion", "reacts", "onset V", "phases", "capacity mAh/g", "max volume %"]
        rows = (
            [r.host, r.ion, r.status, _num(r.onset_V, "{:.3g}"), " -> ".join([r.steps[0].from_phase] + [s.to_phase for s in r.steps]) if r.steps else "",
             _num(r.capacity_mAh_g, "{:.0f}"), _num(r.max_volume_change_pct, "{:.0f}")]
            for r in records
        )
    elif kind == "actives":
        cols = ["active", "ion", "role", "window V", "average V", "practical mAh/g", "theoretical mAh/g", "density g/cm3", "volume %", "OCP"]
        rows = (
            [a.key, a.ion, a.role, str(a.window), _num(a.average_V, "{:g}"), _num(a.practical_capacity_mAh_g, "{:g}"),
             _num(a.theoretical_capacity_mAh_g, "{:g}"), _num(a.density_g_cm3, "{:g}"), _num(a.volume_change_pct, "{:g}"),
             "yes" if a.ocp else ""]
            for a in records
        )
    elif kind == "electrolytes":
        cols = ["electrolyte", "ion", "class", "conductivity S/cm", "window V", "window kind", "density g/cm3"]
        rows = (
            [e.key, e.ion, e.electrolyte_class, _num(e.conductivity_S_cm, "{:.2g}"), str(e.window) if e.window else "",
             e.window_kind, _num(e.density_g_cm3, "{:g}")]
            for e in records
        )
    else:
        aux_kind = kind.removesuffix("s")
        cols = [aux_kind, "name", "density g/cm3", "resistivity ohm m"]
        rows = ([a.key, a.name, _num(a.density_g_cm3, "{:g}"), _num(a.resistivity_ohm_m, "{:.3g}")] for a in records)
    for c in [*cols, "sources"]:
        t.add_column(c)
    for r, rec in zip(rows, records, strict=True):
        t.add_row(*r, source_keys(rec))
    return t


def source_keys(record: object) -> str:
    """The reference keys behind a record (all its value groups and, for reactions, all steps)."""
    groups = [getattr(record, "sources", {}) or {}] + [st.sources for st in getattr(record, "steps", ())]
    keys = dict.fromkeys(ref.key for g in groups for refs in g.values() for ref in refs)
    return ", ".join(keys)


class _EscapingTable(Table):
    """A table whose cells are data, never rich markup (notes hold "[0038]" and "[key]")."""

    def add_row(self, *cells, **kwargs) -> None:  # type: ignore[override]
        super().add_row(*(escape(c) if isinstance(c, str) else c for c in cells), **kwargs)


def entry_table(record: object) -> Table:
    """All fields of one record, then its sources."""
    t = _EscapingTable(show_header=False, title=f"{type(record).__name__}", title_justify="left")
    t.add_column("field", style="bold")
    t.add_column("value")
    for name in getattr(record, "__dataclass_fields__", {}):
        if name in ("sources", "ocp", "steps", "molar_mass_g_mol") and type(record).__name__ != "Metal" or name == "sources":
            continue
        value = getattr(record, name)
        if value in (None, "", ()):
            continue
        t.add_row(name, str(value))
    ocp = getattr(record, "ocp", None)
    if ocp is not None:
        t.add_row("ocp", f"{ocp.name}: {len(ocp.x)} points, x {ocp.x[0]:g}-{ocp.x[-1]:g}, U {min(ocp.U_V):.3f}-{max(ocp.U_V):.3f} V")
    for step in getattr(record, "steps", ()):
        t.add_row(
            f"step {step.step}",
            f"{step.from_phase} -> {step.to_phase}: x {step.x_from}->{step.x_to}, E {_num(step.potential_V, '{:.3g}')} V"
            f" (in {_num(step.E_insertion_V, '{:.3g}')}/out {_num(step.E_extraction_V, '{:.3g}')}),"
            f" {_num(step.capacity_mAh_g, '{:.0f}')} mAh/g, volume {_num(step.volume_change_pct, '{:.0f}')} %, conf. {step.confidence}",
        )
        if step.sources:
            t.add_row("", sources_text(step.sources))
    sources = getattr(record, "sources", None)
    if sources:
        t.add_row("sources", sources_text(sources))
    return t


def breakdown_record(b: StackBreakdown, *, ion: str, description: str | None = None) -> dict:
    """The breakdown as a JSON-ready dict: layers (units in the keys) and totals."""
    wo_kg, wo_l = b.energy_without_interlayers
    return {
        "name": b.name, "description": description, "working_ion": ion, "area_cm2": b.area_cm2,
        "layers": [dict(la.__dict__) for la in b.layers],
        "anode_capacity_mAh": b.anode_capacity_mAh, "cathode_capacity_mAh": b.cathode_capacity_mAh, "np_ratio": b.np_ratio,
        "nominal_voltage_V": b.nominal_voltage_V, "nominal_energy_mWh": b.nominal_energy_mWh,
        "thickness_um": b.thickness_um, "mass_mg": b.mass_mg, "specific_energy_Wh_kg": b.specific_energy_Wh_kg,
        "energy_density_Wh_L": b.energy_density_Wh_L, "interlayer_mass_share_pct": b.interlayer_mass_share_pct,
        "interlayer_thickness_share_pct": b.interlayer_thickness_share_pct,
        "specific_energy_without_interlayers_Wh_kg": wo_kg, "energy_density_without_interlayers_Wh_L": wo_l,
    }


def breakdown_markdown(b: StackBreakdown, *, ion: str, description: str | None = None) -> str:
    """The layer table and totals as Markdown (GitHub tables)."""
    from solidstack.report.html import summary_pairs

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [f"# {cell(b.name)}", ""] + ([cell(description), ""] if description else [])
    out += ["| # | layer | material | thickness um | mass mg | mg/cm2 | mass % | thickness % | porosity | capacity mAh |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for la in b.layers:
        out.append(f"| {la.index + 1} | {cell(la.role)} | {cell(la.material)} | {la.thickness_um:.1f} | {la.mass_mg:.2f} | "
                   f"{la.areal_mass_mg_cm2:.2f} | {la.mass_share_pct:.1f} | {la.thickness_share_pct:.1f} | "
                   f"{_num(la.porosity, '{:.2f}')} | {_num(la.capacity_mAh, '{:.3f}')} |")
    out.append(f"| | total | | {b.thickness_um:.1f} | {b.mass_mg:.2f} | {b.mass_mg / b.area_cm2:.2f} | 100 | 100 | | |")
    out += ["", "| quantity | value |", "|---|---|"] + [f"| {cell(k)} | {cell(v)} |" for k, v in summary_pairs(b, ion)]
    return "\n".join(out) + "\n"
