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
                      ("listed", "left"), ("why (physical)", "left")]:
        t.add_column(col, justify=just, overflow="fold", no_wrap=col != "why (physical)")  # type: ignore[arg-type]
    for i, a in enumerate(r.assessments, start=1):
        m = a.metal
        listed = "" if a.listed is None else ("yes" if a.listed else "no")
        t.add_row(str(i), m.symbol, _v(a.patent.verdict), _v(a.physical.verdict), _n(m.elongation_pct), _n(m.brinell_MPa),
                  _n(m.density_g_cm3), _n(None if m.resistivity_ohm_m is None else m.resistivity_ohm_m * 1e8, "{:.3g}"),
                  _n(a.physical.scan.max_volume_change_pct), listed, a.physical.scan.short)
    c = r.comparison
    lines = [Text(f"patent lists: {c.note}", style="bold")]
    for label, items in [("listed and eligible", c.listed_and_eligible), ("listed, not eligible", c.listed_not_eligible),
                         ("listed, uncertain", c.listed_uncertain), ("eligible, not listed", c.eligible_not_listed)]:
        if c.paragraphs or label == "eligible, not listed":
            lines.append(Text(f"{label} ({len(items)}): " + (", ".join(m for m, _ in items) or "none")))
            for m, why in items if label != "listed and eligible" else ():
                lines.append(Text(f"  {m}: {why}", style="dim"))
    return Group(t, *lines)


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
