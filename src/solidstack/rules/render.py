"""Rich (terminal) and Markdown renderings of screening results, stack checks and claim charts."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from solidstack.rules.check import StackCheck
    from solidstack.rules.claims import ClaimResult
    from solidstack.rules.screening import ScreenResult

_STYLE = {"inert": "green", "eligible": "green", "met": "green", "reacts": "red", "not eligible": "red",
          "not met": "red", "uncertain": "yellow", "undetermined": "yellow"}


def _v(verdict: str) -> Text:
    return Text(verdict, style=_STYLE.get(verdict, ""))


def _n(value: float | None, fmt: str = "{:g}") -> str:
    return "" if value is None else fmt.format(value)


def screen_renderable(r: ScreenResult) -> Group:
    """Ranked table of metals with both verdicts, then the comparison with the patent's lists."""
    t = Table(title=f"{r.role} layer next to {r.active.key} ({r.active.role}), {r.ion}+; physical window {r.window}",
              title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    for col, just in [("#", "right"), ("metal", "left"), ("patent", "left"), ("physical", "left"), ("elong %", "right"),
                      ("HB MPa", "right"), ("g/cm3", "right"), ("uOhm cm", "right"), ("dV %", "right"),
                      ("listed", "left"), ("flags", "left"), ("why (physical)", "left")]:
        t.add_column(col, justify=just, overflow="fold", no_wrap=col not in ("why (physical)", "flags"),  # type: ignore[arg-type]
                     max_width=11 if col == "flags" else None)
    for i, a in enumerate(r.assessments, start=1):
        m = a.metal
        listed = "" if a.listed is None else ("yes" if a.listed else "no")
        t.add_row(str(i), m.symbol, _v(a.patent.verdict), _v(a.physical.verdict), _n(m.elongation_pct), _n(m.brinell_MPa),
                  _n(m.density_g_cm3), _n(None if m.resistivity_ohm_m is None else m.resistivity_ohm_m * 1e8, "{:.3g}"),
                  _n(a.physical.scan.max_volume_change_pct), listed, Text(short_flags(a), style="red" if _radioactive(a) else ""),
                  a.physical.scan.short)
    t.caption = r.ranking + "; flags: radioactive, IARC carcinogen group or acutely toxic, scarce (sources: --format json)"
    t.caption_justify = "left"
    c = r.comparison
    lines = [Text(f"patent lists: {c.note}", style="bold")]
    caveats = [(a.metal.symbol, cv) for a in r.assessments[:10] for cv in a.physical.scan.caveats if cv.startswith("inert only")]
    for sym, cv in caveats:
        lines.append(Text(f"{sym}: {cv}", style="dim"))
    for label, items in [("listed and eligible", c.listed_and_eligible), ("listed, not eligible", c.listed_not_eligible),
                         ("listed, uncertain", c.listed_uncertain), ("eligible, not listed", c.eligible_not_listed)]:
        if c.paragraphs or label == "eligible, not listed":
            lines.append(Text(f"{label} ({len(items)}): " + (", ".join(sym for sym, _ in items) or "none")))
            for sym, why in items if label != "listed and eligible" else ():
                lines.append(Text(f"  {sym}: {why}", style="dim"))
    return Group(t, *lines)


def _radioactive(a) -> bool:
    return bool(a.practicality and a.practicality.radioactive)


def short_flags(a) -> str:
    """The practicality flags of an assessment in a few characters (``radioactive``, ``IARC 1``, ``scarce``)."""
    p = a.practicality
    return "" if p is None else ", ".join(f.replace("IARC Group ", "IARC ") for f in p.flags)


def layers_table(chk: StackCheck) -> Table:
    t = Table(title=f"{escape(chk.stack.name)}: metal layers ({chk.stack.working_ion}+)", title_justify="left")
    for col in ("#", "side", "role", "metal", "next to", "window (physical)", "patent", "physical", "in stack", "why"):
        t.add_column(col, overflow="fold")
    for lv in chk.layers:
        a = lv.assessment
        in_stack = _v(lv.in_stack)
        if lv.shielded_by:
            in_stack.append(f" (behind {'/'.join(lv.shielded_by)})", style="dim")
        why = a.physical.scan.short + ("  (patent and physics disagree: see notes)" if a.disagreements else "")
        t.add_row(str(lv.index), lv.side, lv.role, a.metal.symbol, a.active.key, str(a.physical.window.window),
                  _v(a.patent.verdict), _v(a.physical.verdict), in_stack, why)
    return t


def claims_table(claims: tuple[ClaimResult, ...] | list[ClaimResult], detail: bool = True) -> Table:
    t = Table(title="claim chart (US 2016/0233553 A1)", title_justify="left")
    for col in ("claim", "verdict", "limitation", "side", "result", "matched to", "evidence"):
        t.add_column(col, overflow="fold")
    for c in claims:
        dep = f" (claim {c.claim.depends_on})" if c.claim.depends_on else ""
        t.add_row(f"{c.number}{dep}", _v(c.verdict), c.claim.title, ", ".join(f"{s}: {v}" for s, v in c.sides.items()), "", "", "")
        if detail:
            for lr in c.limitations:
                if lr.from_claim != c.number:
                    continue
                t.add_row("", "", f"{lr.id} {lr.text}", lr.side or "stack", _v(lr.verdict), lr.finding.feature, lr.finding.evidence)
        t.add_section()
    return t


def check_renderable(chk: StackCheck) -> Group:
    wins = "; ".join(f"{s}: {w}" for s, w in chk.windows.items())
    notes = [Text(f"note, layer {lv.index} ({lv.assessment.metal.symbol}, {lv.side} side): {d}", style="dim")
             for lv in chk.layers for d in lv.assessment.disagreements]
    return Group(Text(f"windows: {wins}"), layers_table(chk), *notes, claims_table(chk.claims))


def _md(text: str) -> str:
    """Text for a Markdown table cell: HTML-escaped (Markdown passes raw HTML through), pipes and line breaks
    neutralised."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _md_user(text: str) -> str:
    """A user's string (e.g. a stack name) in Markdown prose: HTML-escaped, every Markdown character
    backslash-escaped, on one line, so it reads as itself and never as markup."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def check_html(chk: StackCheck) -> str:
    """The layer verdicts and the claim chart as HTML tables (for Jupyter); every string is HTML-escaped."""
    cols = ["layer", "side", "role", "metal", "active", "patent_verdict", "physical_verdict", "in_stack", "physical_reason"]
    return (f"<h4>{html.escape(chk.stack.name)}: metal layers</h4>"
            + chk.to_dataframe("layers")[cols].to_html(index=False, escape=True)
            + "<h4>claim chart</h4>" + chk.to_dataframe("claims").to_html(index=False, escape=True))


def claims_markdown(chk: StackCheck) -> str:
    """The claim chart as Markdown: one section per claim with a table of its limitations (inherited ones too)."""
    out = [f"# Claim chart: {_md_user(chk.stack.name)}", "", f"Working ion {chk.stack.working_ion}+; windows for the inertness "
           f"test: " + "; ".join(f"{s} {w}" for s, w in chk.patent_windows.items()), ""]
    for c in chk.claims:
        dep = f", depends on claim {c.claim.depends_on}" if c.claim.depends_on else ""
        out += [f"## Claim {c.number}: {c.verdict}", "", f"*{c.claim.title}* ({c.claim.paragraph}{dep})", ""]
        if c.sides:
            out += ["Sides: " + ", ".join(f"{s} {v}" for s, v in c.sides.items()), ""]
        out += ["| limitation | side | result | matched to | evidence | sources |", "|---|---|---|---|---|---|"]
        for lr in c.limitations:
            out.append(f"| {lr.id} {_md(lr.text)} | {lr.side or 'stack'} | {lr.verdict} | {_md(lr.finding.feature)} | "
                       f"{_md(lr.finding.evidence)} | {_md('; '.join(lr.finding.sources))} |")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- HTML (reports, Jupyter)
def layers_html(chk: StackCheck) -> str:
    """The metal layers' verdicts with reasons, caveats and disagreements, as an HTML table."""
    from solidstack.report.html import Cell, esc, table, verdict

    rows = []
    for lv in chk.layers:
        a = lv.assessment
        behind = f" (behind {'/'.join(lv.shielded_by)})" if lv.shielded_by else ""
        extra = [*a.physical.scan.caveats, *(f"patent and physics disagree: {d}" for d in a.disagreements)]
        why = esc(a.physical.reason) + "".join(f"<br><span class='small'>{esc(x)}</span>" for x in extra)
        rows.append([lv.index + 1, lv.side, lv.role, a.metal.symbol, a.active.key, str(a.physical.window.window),
                     Cell(verdict(a.patent.verdict)), Cell(esc(a.patent.reason)), Cell(verdict(a.physical.verdict)),
                     Cell(verdict(lv.in_stack) + esc(behind)), Cell(why)])
    windows = "; ".join(f"{s}: {w}" for s, w in chk.windows.items())
    return (f"<p class='small'>Windows of the physical verdicts: {esc(windows)}</p>"
            + table(["layer", "side", "role", "metal", "next to", "window [V]", "patent verdict", "patent's test",
                     "physical verdict", "in the stack", "why (physical), caveats"], rows, numeric=(0,)))


def claims_html(chk: StackCheck) -> str:
    """The claim chart: one row per claim, then one per limitation it checks (matched feature and evidence)."""
    from solidstack.report.html import Cell, esc, table, verdict

    rows, classes = [], []
    for c in chk.claims:
        dep = f"claim {c.claim.depends_on}" if c.claim.depends_on else "independent"
        sides = ", ".join(f"{s}: {v}" for s, v in c.sides.items())
        rows.append([str(c.number), dep, Cell(verdict(c.verdict)), Cell(f"<b>{esc(c.claim.title)}</b> ({esc(c.claim.paragraph)})"),
                     sides, "", ""])
        classes.append("")
        for lr in c.limitations:
            if lr.from_claim != c.number:
                continue
            rows.append(["", lr.id, Cell(verdict(lr.verdict)), lr.text, lr.side or "stack", lr.finding.feature, lr.finding.evidence])
            classes.append("sub")
    return table(["claim", "depends on / limitation", "verdict", "claim / limitation", "side", "matched to", "evidence"],
                 rows, row_classes=classes)


def check_sources(chk: StackCheck) -> list[str]:
    """Every citation behind the layers' verdicts and the claim chart."""
    out = [s for lv in chk.layers for s in lv.assessment.sources()]
    out += [s for c in chk.claims for lr in c.limitations for s in lr.finding.sources]
    return list(dict.fromkeys(out))
