"""Truong et al. 2025's 48 h potentiostatic holds (J. Mater. Chem. A 13, 17261; references/truong2025.toml) with
the shipped model: a diagnosis of the cathode interphase (CEI) law of sim/oxidation.py against an independent
source. Nothing is fitted to it.

What is simulated (SPMe, the stack ``inli-ncm83.toml`` next to this file, its assumptions stated there):

* the formation, 3 x 0.1C between 2.0 and 3.7 V vs In/InLi (the stack's own [cycling]);
* each hold, from the pristine cell: a constant-current charge to the hold potential, then a CV hold of 48 h
  (``simulate(..., cv_hold=...)``). A CV step ends on a current or on the protocol's step time limit (sim/protocol.py:
  TIME_LIMIT_FACTOR x the time to pass the cathode's theoretical capacity at the protocol current); the charge
  current is chosen so that the limit is 48 h (0.102 mA/cm2, ~C/17 on Truong's 1.783 mAh/cm2) and the hold's end
  current is set far below any the model reaches, so the hold lasts exactly 48 h (checked).

The hold run starts from the pristine cell, not from the formed one (one protocol per run). With the passivating
law the film after a hold forgets what came before it: exp(L/lambda) grows by the integral of the rate over time,
and the formation's ~3 x 1 h near its top potential add ~lambda ln(1 + 3 h / 48 h) ~ 0.1 nm to a 48 h hold's film
(hand estimate; the differences below are 7-23 nm). The film's change is taken as (film after the hold) - (film after
the formation), as Truong's Delta R is (after the hold) - (after the formation).

Contact loss is switched off (as the graphite interphase's calibration does), so the film is the CEI's alone;
``--contact-loss`` runs it on (the film is then carried on the particles still in contact,
``interphase.ContactedFilmGrowth``: 106.2 nm after the formation against 106.4 nm off).

Run:  PYTHONPATH=src python tests/data/truong2025/hold.py [--contact-loss]
What-if (not the shipped model; the report's "what the law would need"):  ... hold.py --lambda 28e-9 --sigma 2.38e-6
--u-ox 4.3 sets the CEI's tunnelling length (m), the film conductivity (S/m) and its onset potential (V vs Li, in
place of the SE's window_hi; patched into sim.oxidation.cei_constants for this process only).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

STACK = Path(__file__).with_name("inli-ncm83.toml")
HOLD_S = 48 * 3600.0
#: the hold's end current, far below the model's (~5e-3 mA/g x 7 mg = 4e-5 mA/cm2 after 48 h): the step ends on time
END_CURRENT = "1e-7 mA/cm2"
L_VAR = "X-averaged positive SEI thickness [m]"
ACTIVE_G = 7.0e-3  # NCM83 in the composite: 10 mg x 0.7 (printed)

#: Truong 2025 (references/truong2025.toml, grade B; Delta R figure-read, B-): hold potential vs In/InLi ->
#: (V vs Li, RPT capacity loss %, cathode-interface Delta R ohm cm2, irreversible share of charge + hold %)
TRUONG = {3.7: (4.32, 13.09, 35.0, 9.0), 3.9: (4.52, 32.71, 64.0, 19.0), 4.1: (4.72, 43.56, 173.0, 22.0)}
#: the cathode-interface DRT peak before aging, 93 ohm on 0.785 cm2 (figure-read, B-)
TRUONG_PRISTINE_OHM_CM2 = 93.0 * 0.785
#: the charge passed in the 48 h hold, ~28.5-29.5 mAh/g at every potential (digest, deposited data)
TRUONG_HOLD_MAH_G = (28.5, 29.5)


def stack() -> Any:
    """Truong's cell as written in ``inli-ncm83.toml``."""
    from solidstack.stack.io import read_stack

    return read_stack(STACK)


def hold_current_mA_cm2(s: Any = None) -> float:
    """The charge current (mA/cm2) whose step time limit (sim/protocol.py) is the 48 h of the hold."""
    from solidstack.sim.protocol import TIME_LIMIT_FACTOR

    s = s or stack()
    mat = s.cathode.active_material(s.working_ion)
    cap_mAh = s.cathode.active_mass_kg(s.area_m2) * 1e6 * mat.theoretical_capacity_mAh_g * 1e-3  # mg x mAh/g
    return TIME_LIMIT_FACTOR * cap_mAh / (HOLD_S / 3600.0) / (s.area_m2 * 1e4)


def film_ohm_cm2(result: Any, L: float) -> float:
    """The model's film resistance (ohm cm2 of cell) of a CEI of thickness ``L`` (m): PyBaMM's "average" film
    drop j L rho over the particle surface s = 3 eps L_el / r per m2 of cell (rho: the CEI's resistivity
    parameter, 1 / sigma for a host whose whole surface the SE touches)."""
    from solidstack.sim.oxidation import P_RHO

    pv = result.parameter_values
    s = 3 * float(pv["Positive electrode active material volume fraction"]) \
        * float(pv["Positive electrode thickness [m]"]) / float(pv["Positive particle radius [m]"])
    return L * float(pv[P_RHO]) / s * 1e4


def _cei_mAh(result: Any) -> float:
    col = [c for c in result.cycles.columns if c.startswith("loss_cei_")]
    return -float(result.cycles[col[0]].iloc[-1])  # the SE gave the Li up: a negative "loss"


def formation(constants: Any = None, contact_loss: bool = False) -> dict[str, Any]:
    """The formation run: film (m) and its resistance at its end, the CEI's charge (mAh), the 3rd discharge (mAh)."""
    from solidstack.sim.run import simulate

    r = simulate(stack(), constants=constants, contact_loss=contact_loss)
    L = float(r.solution[L_VAR].entries[-1])
    return {"L_m": L, "L0_m": float(r.solution[L_VAR].entries[0]), "R_ohm_cm2": film_ohm_cm2(r, L),
            "cei_mAh": _cei_mAh(r), "discharge_mAh": float(r.cycles["discharge_capacity_mAh"].iloc[-1])}


def hold(volts: float, constants: Any = None, contact_loss: bool = False) -> dict[str, Any]:
    """Charge to ``volts`` (V vs In/InLi) and hold 48 h: the hold's duration (h), the film (m) and its resistance
    at its end, the CEI's charge of the run (mAh), the charge passed in the hold (mAh/g of NCM) and its end current
    (mA/g)."""
    from solidstack.sim.run import simulate

    s = stack()
    r = simulate(s, current=f"{hold_current_mA_cm2(s):.6g} mA/cm2", window=(2.0, volts), cv_hold=END_CURRENT,
                 cycles=1, constants=constants, contact_loss=contact_loss)
    step = r.solution.cycles[0].steps[1]  # charge, CV hold, discharge
    q = step["Discharge capacity [A.h]"].entries
    L = float(step[L_VAR].entries[-1])
    return {"hours": float(step.t[-1] - step.t[0]) / 3600.0, "L_m": L, "L_charge_m": float(step[L_VAR].entries[0]),
            "R_ohm_cm2": film_ohm_cm2(r, L), "cei_mAh": _cei_mAh(r),
            "hold_mAh_g": abs(float(q[-1] - q[0])) * 1e3 / ACTIVE_G,
            "end_mA_g": abs(float(step["Current [A]"].entries[-1])) * 1e3 / ACTIVE_G}


def diagnosis(constants: Any = None, contact_loss: bool = False) -> dict[str, Any]:
    """The formation and the three holds; per potential the film's growth over the formed cell (m), its Delta R
    (ohm cm2) against Truong's, and the CEI's charge of the aging step as a share (%) of the formed cell's
    discharge; the geometric-mean factor Truong / model of Delta R (the one-constant least-squares fit in log R)."""
    form = formation(constants, contact_loss)
    rows = {}
    for v, (vs_li, loss, dR, irr) in TRUONG.items():
        h = hold(v, constants, contact_loss)
        rows[v] = {**h, "vs_li": vs_li, "dL_m": h["L_m"] - form["L_m"], "dR_ohm_cm2": h["R_ohm_cm2"] - form["R_ohm_cm2"],
                   "truong_dR": dR, "truong_loss_pct": loss, "truong_irreversible_pct": irr,
                   "cei_aging_pct": 100 * (h["cei_mAh"] - form["cei_mAh"]) / form["discharge_mAh"]}
    if min(r["dR_ohm_cm2"] for r in rows.values()) <= 0:  # a film that does not grow over the formed one's
        return {"formation": form, "holds": rows, "factor": math.nan, "log_spread": math.nan}
    logs = [math.log(r["truong_dR"] / r["dR_ohm_cm2"]) for r in rows.values()]
    factor = math.exp(sum(logs) / len(logs))
    return {"formation": form, "holds": rows, "factor": factor, "log_spread": max(logs) - min(logs)}


def _option(argv: list[str], name: str) -> float | None:
    return float(argv[argv.index(name) + 1]) if name in argv else None


def what_if(argv: list[str]) -> Any:
    """The constants of the what-if options (None: the shipped ones); --u-ox patches the onset for this process."""
    import dataclasses

    import solidstack.sim.oxidation as ox
    from solidstack.sim.data_files import default_constants

    c = default_constants()
    lam, sigma, u_ox = (_option(argv, n) for n in ("--lambda", "--sigma", "--u-ox"))
    if lam is not None:
        c = c.with_value("cei.toml", "law.tunnelling_length_m", lam)
    if sigma is not None:
        c = c.with_value("cei.toml", "family.sulfide.film_conductivity_S_m", sigma)
    if u_ox is not None:
        shipped = ox.cei_constants

        def onset(host, se, constants=None):
            pair = shipped(host, se, constants)
            return None if pair is None else dataclasses.replace(pair, u_ox=u_ox)
        ox.cei_constants = onset
    return c if (lam, sigma, u_ox) != (None, None, None) else None


def main(argv: list[str]) -> int:
    d = diagnosis(what_if(argv), contact_loss="--contact-loss" in argv)
    f = d["formation"]
    print(f"formation: film {f['L0_m'] * 1e9:.1f} -> {f['L_m'] * 1e9:.1f} nm, {f['R_ohm_cm2']:.2f} ohm cm2; "
          f"CEI {f['cei_mAh'] / ACTIVE_G:.2f} mAh/g; 3rd discharge {f['discharge_mAh'] / ACTIVE_G:.1f} mAh/g")
    print("V vs InLi (vs Li) | hold h | film end nm | dL nm | dR model | dR Truong | ratio | CEI of aging % | "
          "loss Truong % | hold mAh/g (Truong 28.5-29.5) | end mA/g (Truong 0.12-0.15)")
    for v, r in d["holds"].items():
        print(f"{v:.1f} ({r['vs_li']:.2f}) | {r['hours']:.2f} | {r['L_m'] * 1e9:.1f} | {r['dL_m'] * 1e9:.1f} | "
              f"{r['dR_ohm_cm2']:.2f} | {r['truong_dR']:.0f} | {r['truong_dR'] / r['dR_ohm_cm2']:.3g} | "
              f"{r['cei_aging_pct']:.2f} | {r['truong_loss_pct']:.2f} | {r['hold_mAh_g']:.2f} | {r['end_mA_g']:.4f}")
    k = d["factor"]
    sigma_S_cm = (_option(argv, "--sigma") or 2.38e-5) / 100
    print(f"geometric-mean factor Truong / model on Delta R: {k:.3g} (spread of ln ratio {d['log_spread']:.2f}); "
          f"a film conductivity {sigma_S_cm / k:.3g} S/cm would fit it, and would give the formed cell's film "
          f"{f['R_ohm_cm2'] * k:.0f} ohm cm2 against Truong's whole pristine cathode-interface peak "
          f"{TRUONG_PRISTINE_OHM_CM2:.0f} ohm cm2")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
