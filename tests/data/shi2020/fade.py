"""Shi et al. 2020's contact-loss fade at ~2 MPa (J. Mater. Chem. A 8, 17399; references/shi2020.toml) as a candidate
calibration of the contact law's separation length c_lambda (contact.toml ``law.separation_radii``) in place of the
patent's Comparative Example first-cycle CE (issue 9, item 5). Evidence only: not shipped (README text of the report).

What is simulated (SPMe, the stack ``in-nmc532.toml`` next to this file, its assumptions stated there): 26 cycles at
0.05 mA/cm2, 1.38-3.68 V vs In (2.0-4.3 V vs Li). The measure is the discharge retention at cycle 26, against Shi's
102 / 129 = 0.791 (first discharge 129 mAh/g, "a loss rate of approximately 1 mAh/g per cycle" for 26 cycles;
grade B). Retention, not mAh/g: the model's first discharge (~160 mAh/g) is ~25 % above Shi's 129.

The hold pressure p_h (``law.hold_pressure_Pa``) is calibrated on Zhou 2025 at 10 MPa with c_lambda fixed
(sim/calibration.py, 'zhou-pressure-retention'), and Shi's cell at 2 MPa depends on p_h through f_p: ``joint``
alternates the two fits (Shi's c_lambda at the current p_h, then Zhou's p_h at that c_lambda) until they settle.

Run:  PYTHONPATH=src python tests/data/shi2020/fade.py scan [c ...]      retention at cycle 26 against c_lambda
      PYTHONPATH=src python tests/data/shi2020/fade.py joint [--out FILE] the joint fit (writes a calibration file
                                                                      with both values if --out is given)
Options for scan: --cv MA_CM2 (add a CV hold at the upper cut-off down to that current), --loading X (scale the
cathode's areal loading), --size UM (the NMC532 D50), --p-h PA (the hold pressure).
"""

from __future__ import annotations

import argparse
import math
import sys
import tomllib
from pathlib import Path
from typing import Any

STACK = Path(__file__).with_name("in-nmc532.toml")
#: Shi's retention at cycle 26: 102 / 129 mAh/g (first discharge 129, ~1 mAh/g per cycle for 26 cycles; grade B)
SHI_RETENTION_26 = 102.0 / 129.0
SHI_CYCLES = 26
C_KEY, P_KEY = "law.separation_radii", "law.hold_pressure_Pa"


def shi_stack(loading_scale: float = 1.0, size_um: float | None = None, cv_mA_cm2: float | None = None):
    """Shi's stack (``in-nmc532.toml``), optionally with its cathode loading scaled, its NMC532 D50 set (um) or a CV
    hold at the upper cut-off down to ``cv_mA_cm2`` (mA/cm2)."""
    from solidstack.stack import Stack

    data: dict[str, Any] = tomllib.loads(STACK.read_text(encoding="utf-8"))
    cath = next(la for la in data["layers"] if la["type"] == "cathode")
    if loading_scale != 1.0:
        mg = float(cath["areal_loading"].split()[0]) * loading_scale
        cath["areal_loading"] = f"{mg:.4g} mg/cm2"
    if size_um is not None:
        cath["active"]["particle_size"] = f"{size_um:g} um"
    if cv_mA_cm2 is not None:
        data["cycling"]["cv_hold_until"] = f"{cv_mA_cm2:g} mA/cm2"
    return Stack.from_dict(data)


def run(constants, stack=None, cycles: int = SHI_CYCLES):
    """The cycle table (pandas) of Shi's cell with ``constants``, SPMe."""
    from solidstack.sim.run import clear_cache, simulate

    r = simulate(stack or shi_stack(), cycles=cycles, constants=constants)
    clear_cache()
    return r.cycles


def retention_26(constants, stack=None) -> float:
    """Discharge retention at cycle 26 vs cycle 1 (fraction) of Shi's cell."""
    cy = run(constants, stack)
    return float(cy.loc[cy["cycle"] == SHI_CYCLES, "retention"].iloc[0])


def shi_calibration(stack=None):
    """Shi's fade as a :class:`~solidstack.sim.calibration.Calibration` of c_lambda (not in CALIBRATIONS)."""
    from solidstack.sim.calibration import Calibration

    return Calibration(
        name="shi2020-fade", file="contact.toml", key=C_KEY, unit="particle radii", target=SHI_RETENTION_26,
        target_text="Shi 2020's In | 75Li2S-25P2S5 | NMC532 cell at ~2 MPa keeps 102 of 129 mAh/g at cycle 26",
        source="T. Shi et al., J. Mater. Chem. A 8 (2020) 17399 (digest quoting the text, grade B)",
        measure=lambda k: retention_26(k, stack), lo=0.05, hi=50.0)


def joint(rounds: int = 4, rel: float = 0.01, base=None) -> list[tuple[float, float, float, float]]:
    """Alternate Shi's c_lambda fit and Zhou's p_h fit until both move by < ``rel``; (c, Shi ret., p_h, Zhou ret.)
    per round."""
    from solidstack.sim.calibration import by_name, fit
    from solidstack.sim.data_files import SimConstants

    k = base or SimConstants.load()
    shi, zhou = shi_calibration(), by_name("zhou-pressure-retention")
    out: list[tuple[float, float, float, float]] = []
    for _ in range(rounds):
        c, a = fit(shi, 14, k)
        k = k.with_value(shi.file, shi.key, c)
        p, b = fit(zhou, 14, k)
        k = k.with_value(zhou.file, zhou.key, p)
        out.append((c, a, p, b))
        print(f"c_lambda = {c:.4g} (Shi retention 26 {a:.4f}), p_h = {p:.4g} Pa (Zhou retention 100 {b:.4f})",
              flush=True)
        if len(out) > 1 and all(abs(math.log(x / y)) < rel for x, y in ((c, out[-2][0]), (p, out[-2][2]))):
            break
    return out


def main(argv: list[str]) -> int:
    from solidstack.sim.data_files import SimConstants

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["scan", "joint"])
    ap.add_argument("c", nargs="*", type=float)
    ap.add_argument("--cv", type=float)
    ap.add_argument("--loading", type=float, default=1.0)
    ap.add_argument("--size", type=float)
    ap.add_argument("--p-h", type=float)
    ap.add_argument("--fit", action="store_true", help="scan: also fit c_lambda to Shi's retention")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    base = SimConstants.load()
    if a.p_h is not None:
        base = base.with_value("contact.toml", P_KEY, a.p_h)
    if a.what == "joint":
        res = joint(base=base)
        if a.out is not None:
            from solidstack.sim.calibration import by_name, record, write

            c, ra, p, rb = res[-1]
            write([record(shi_calibration(), c, ra, 14), record(by_name("zhou-pressure-retention"), p, rb, 14)],
                  a.out)
        return 0
    stack = shi_stack(a.loading, a.size, a.cv)
    print(f"Shi 2020 (published retention at cycle 26: {SHI_RETENTION_26:.3f}); p_h = {base.value('contact.toml', P_KEY):.4g}"
          f" Pa; loading x{a.loading:g}, D50 {a.size or 12:g} um, CV {a.cv or 'none'}")
    for c in a.c or [0.2, 0.41, 1.0, 2.0, 5.0]:
        cy = run(base.with_value("contact.toml", C_KEY, c), stack)
        d = cy["discharge_capacity_mAh_g"]
        print(f"  c_lambda {c:6.3g}: discharge 1 / 2 / 10 / 26 = {d.iloc[0]:.1f} / {d.iloc[1]:.1f} / {d.iloc[9]:.1f} / "
              f"{d.iloc[25]:.1f} mAh/g, retention 26 {cy['retention'].iloc[25]:.3f}, loss 2-26 "
              f"{(d.iloc[1] - d.iloc[25]) / 24:.2f} mAh/g/cycle, cathode contact {cy['contact_fraction_cathode'].iloc[25]:.3f}",
              flush=True)
    if a.fit:
        from solidstack.sim.calibration import fit

        c, r = fit(shi_calibration(stack), 14, base)
        print(f"  fitted c_lambda = {c:.4g} (retention 26 {r:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
