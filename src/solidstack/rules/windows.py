"""Potential windows: where an electrode's active material stores and releases the working ion.

Patent [0019] defines the "potential environment where the active material stores and releases the metal
ions" as the storing range *or* the releasing range (they differ where there is hysteresis); we take the
union of the two, which is what the knowledge base stores as an active material's ``window``. All
potentials are in V vs the working-ion metal (Li+/Li, Na+/Na, K+/K).

Three bases:

* ``practical``: the knowledge base's ``window`` (normal cycling limits, e.g. graphite 0.01-0.25 V);
* ``patent``: the patent's own stated range where it states one (graphite 0-2.5 V per [0034], NMC111
  1-5 V per [0035]), else the practical window;
* ``cycling``: the cathode window from a stack's cycling cut-offs plus the anode's average potential
  (cell voltage = cathode - anode); the anode keeps its practical window.

Any window can be overridden by the caller (``WindowInfo.override``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from solidstack.errors import InputError, Problem
from solidstack.materials.records import ActiveMaterial, Reference, Window

if TYPE_CHECKING:
    from solidstack.stack import Stack

Basis = Literal["practical", "patent", "cycling"]
BASES: tuple[str, ...] = ("practical", "patent", "cycling")
Side = Literal["anode", "cathode"]


@dataclass(frozen=True, slots=True)
class WindowInfo:
    """A potential window (V vs M+/M) with how it was chosen and the references behind it."""

    window: Window
    basis: str
    active: str
    ion: str
    note: str = ""
    sources: tuple[Reference, ...] = ()

    def __str__(self) -> str:
        return f"{self.window.lo:g}-{self.window.hi:g} V vs {self.ion}+/{self.ion} ({self.basis})"

    @classmethod
    def override(cls, lo_V: float, hi_V: float, active: str, ion: str, note: str = "given by the user") -> WindowInfo:
        """A window given explicitly; ``lo_V`` <= ``hi_V`` in V vs M+/M."""
        check_window(lo_V, hi_V)
        return cls(Window(float(lo_V), float(hi_V)), "override", active, ion, note)


def check_window(lo_V: float, hi_V: float, where: str = "window") -> None:
    """Raise :class:`InputError` unless 0 <= lo <= hi <= 6 V (a potential vs the ion's metal)."""
    if not (0.0 <= lo_V <= hi_V <= 6.0):
        raise InputError(Problem(where, f"{lo_V:g}-{hi_V:g} V is not a window: need 0 <= lo <= hi <= 6 V vs M+/M"))


def parse_window(text: str, where: str = "window") -> tuple[float, float]:
    """``"0.01,0.25"`` or ``"0.01:0.25"`` (V vs M+/M) -> (0.01, 0.25); bad text raises :class:`InputError`."""
    from solidstack.stack.cycling import parse_window as parse_window_text  # the one window syntax

    lo, hi = parse_window_text(text, where)
    check_window(lo, hi, where)
    return lo, hi


def active_window(active: ActiveMaterial, basis: Basis = "practical") -> WindowInfo:
    """The window of ``active`` on the ``practical`` or ``patent`` basis (``patent`` falls back to practical)."""
    if basis == "patent" and active.patent_window is not None:
        return WindowInfo(
            active.patent_window, "patent", active.key, active.ion,
            "the range the patent states for this material", active.sources.get("patent_window", ()),
        )
    note = "normal cycling range (union of storing and releasing ranges, [0019])"
    if basis == "patent":
        note = f"the patent states no range for {active.key}; practical window used"
    return WindowInfo(active.window, "practical", active.key, active.ion, note, active.sources.get("potential", ()))


def stack_windows(stack: Stack, basis: Basis = "practical", overrides: dict[str, tuple[float, float]] | None = None) -> dict[str, WindowInfo]:
    """Windows of the anode and cathode of ``stack`` (keys ``anode``, ``cathode``).

    ``basis`` as in :func:`active_window`, or ``cycling`` (cathode from the stack's cut-offs, see module doc).
    ``overrides`` maps ``anode``/``cathode`` to (lo, hi) in V vs M+/M and wins over ``basis``.
    """
    if basis not in BASES:
        raise InputError(Problem("window basis", f"{basis!r} is not one of {', '.join(BASES)}"))
    ion = stack.working_ion
    actives = {side: getattr(stack, side).active_material(ion) for side in ("anode", "cathode")}
    out = {side: active_window(am, "patent" if basis == "patent" else "practical") for side, am in actives.items()}
    if basis == "cycling":
        out["cathode"] = cycling_cathode_window(stack, actives["anode"], actives["cathode"])
    for side, (lo, hi) in (overrides or {}).items():
        if side not in out:
            raise InputError(Problem("window override", f"{side!r} is not anode or cathode"))
        out[side] = WindowInfo.override(lo, hi, actives[side].key, ion)
    return out


def cycling_cathode_window(stack: Stack, anode: ActiveMaterial, cathode: ActiveMaterial) -> WindowInfo:
    """Cathode window = the stack's cell-voltage cut-offs + the anode's average potential (V vs M+/M)."""
    if stack.cycling is None:
        raise InputError(Problem(stack.name, "no [cycling] section: cannot derive the cathode window from cut-offs"))
    if anode.average_V is None:
        raise InputError(Problem(stack.name, f"{anode.key} has no average potential: cannot refer the cut-offs to {stack.working_ion}+/{stack.working_ion}"))
    lo, hi = stack.cycling.window_V
    window = Window(round(lo + anode.average_V, 4), round(hi + anode.average_V, 4))
    note = f"cell cut-offs {lo:g}-{hi:g} V + {anode.key} average {anode.average_V:g} V"
    return WindowInfo(window, "cycling", cathode.key, stack.working_ion, note, anode.sources.get("potential", ()))
