"""``check(stack)``: both verdicts for every metal layer of a stack, and the claim chart, as one result object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from solidstack.materials import Catalog, default_catalog
from solidstack.rules.claims import ClaimResult, claim_chart
from solidstack.rules.verdicts import Assessment, assess
from solidstack.rules.windows import Basis, WindowInfo, stack_windows
from solidstack.stack import MetalLayer, Stack


@dataclass(frozen=True, slots=True)
class LayerVerdict:
    """A metal layer of the stack: where it is, both verdicts against its electrode, and its verdict in place.

    ``exposed``: the layer touches the electrode (sees its ions). A layer behind another foil is shielded: its
    ``in_stack`` verdict is ``inert`` if every layer in front of it is physically inert, else ``uncertain``.
    """

    index: int
    side: str
    role: str
    exposed: bool
    shielded_by: tuple[str, ...]
    assessment: Assessment
    in_stack: str

    def to_record(self) -> dict[str, Any]:
        rec = self.assessment.to_record()
        return {"layer": self.index, "side": self.side, "exposed": self.exposed, "shielded_by": list(self.shielded_by),
                "in_stack": self.in_stack, **rec}


@dataclass(frozen=True, slots=True)
class StackCheck:
    """The result of :func:`check`: ``layers`` (one :class:`LayerVerdict` per metal layer) and ``claims``.

    Renders as tables in a terminal (rich) and as HTML in Jupyter; converts with :meth:`to_dataframe`,
    :meth:`to_dict`, :meth:`to_json` and :meth:`to_markdown`.
    """

    stack: Stack
    windows: dict[str, WindowInfo]
    patent_windows: dict[str, WindowInfo]
    layers: tuple[LayerVerdict, ...]
    claims: tuple[ClaimResult, ...]

    def claim(self, number: int | str) -> ClaimResult:
        """The result for claim ``number`` (2-13, or "[0015]")."""
        for c in self.claims:
            if c.number == number:
                return c
        raise KeyError(number)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack.name,
            "working_ion": self.stack.working_ion,
            "windows": {s: {"lo_V": w.window.lo, "hi_V": w.window.hi, "basis": w.basis, "note": w.note} for s, w in self.windows.items()},
            "patent_windows": {s: {"lo_V": w.window.lo, "hi_V": w.window.hi, "basis": w.basis} for s, w in self.patent_windows.items()},
            "layers": [lv.to_record() for lv in self.layers],
            "claims": [c.to_dict() for c in self.claims],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def to_dataframe(self, kind: str = "layers"):
        """``layers`` (one row per metal layer), ``claims`` (one row per claim) or ``limitations`` (one row each)."""
        import pandas as pd

        if kind == "layers":
            rows = []
            for lv in self.layers:
                r = lv.to_record()
                r["reactions"] = "; ".join(f"{x['kind']} ({x['status']}): {x['description']}" for x in r["reactions"])
                for k in ("sources", "caveats", "disagreements", "shielded_by"):
                    r[k] = "; ".join(r[k])
                rows.append(r)
            return pd.DataFrame(rows)
        if kind == "claims":
            return pd.DataFrame([{"claim": str(c.number), "depends_on": c.claim.depends_on or None, "verdict": c.verdict,
                                  **{f"{s} side": v for s, v in c.sides.items()}, "title": c.claim.title} for c in self.claims])
        if kind == "limitations":
            return pd.DataFrame([{"claim": str(c.number), **lr.to_dict(), "sources": "; ".join(lr.finding.sources)}
                                 for c in self.claims for lr in c.limitations])
        raise ValueError(f"kind must be layers, claims or limitations, not {kind!r}")

    def to_markdown(self) -> str:
        from solidstack.rules.render import claims_markdown

        return claims_markdown(self)

    def __rich__(self):
        from solidstack.rules.render import check_renderable

        return check_renderable(self)

    def _repr_html_(self) -> str:
        from solidstack.rules.render import check_html

        return check_html(self)


def _layer_verdicts(stack: Stack, windows: dict[str, WindowInfo], cat: Catalog) -> list[LayerVerdict]:
    ion = stack.working_ion
    out = []
    for side in ("anode", "cathode"):
        electrode = getattr(stack, side)
        se_name = electrode.electrolyte.material if electrode.electrolyte else stack.separator.electrolyte
        se = cat.electrolyte(se_name)
        layers: list[MetalLayer] = stack.anode_side if side == "anode" else stack.cathode_side
        verdicts = []
        for la in layers:
            a = assess(la.material, electrode.active.material, ion, stack.role_of(la), window=windows[side], electrolyte=se, catalog=cat)
            verdicts.append((la, a))
        for pos, (la, a) in enumerate(verdicts):
            front = verdicts[pos + 1:]  # layers between this one and the electrode
            if not front:
                in_stack = a.physical.verdict
            else:
                in_stack = "inert" if all(f.physical.verdict == "inert" for _, f in front) else "uncertain"
            idx = next(i for i, x in enumerate(stack.layers) if x is la)
            out.append(LayerVerdict(idx, side, stack.role_of(la), not front, tuple(f.metal.symbol for _, f in front), a, in_stack))
    return sorted(out, key=lambda lv: lv.index)


def check(stack: Stack, *, window_basis: Basis = "practical", windows: dict[str, tuple[float, float]] | None = None,
          catalog: Catalog | None = None) -> StackCheck:
    """Both verdicts for every metal layer of ``stack``, and the claim chart.

    ``window_basis`` (``practical``, ``patent`` or ``cycling``) and ``windows`` (overrides, ``anode``/``cathode`` ->
    (lo, hi) in V vs M+/M) set the windows of the physical verdicts; the patent's literal verdicts and the claim
    chart use the patent's stated windows where it states them, else these.
    """
    cat = catalog or default_catalog()
    phys = stack_windows(stack, window_basis, windows)
    pat = {s: (w if w.basis == "patent" else phys[s]) for s, w in stack_windows(stack, "patent").items()}
    layers = _layer_verdicts(stack, phys, cat)
    return StackCheck(stack, phys, pat, tuple(layers), tuple(claim_chart(stack, windows=pat, catalog=cat)))
