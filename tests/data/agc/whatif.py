"""Lee 2020 Ag-C what-if: the formation run of agc.toml (0.1C CC-CV first charge, one cycle) with the Ag of the
Ag-C layer written as a planar Li host (make_materials.py), against the shipped expression (Li metal anode with
initial_soc 0 behind which the Ag layer is not a host).

Usage (from the repository root):
  PYTHONPATH=src python tests/data/agc/whatif.py                  # the shipped expression (baseline)
  PYTHONPATH=src python tests/data/agc/whatif.py U_ALLOY X_ALLOY  # Ag as a host: plateau U_ALLOY V, X_ALLOY Li/Ag
  PYTHONPATH=src python tests/data/agc/whatif.py U_ALLOY X_ALLOY --write DIR   # only write DIR/materials and
      DIR/agc_host.toml, for: solidstack --materials DIR/materials simulate DIR/agc_host.toml
Prints the case's numbers n14-n21 computed as solidstack.studies.literature computes them (charge passed when the
charge first reaches the voltage; plated thickness = that charge as Li metal) plus the plated thickness net of the
alloy's share, and the cycle's charge/discharge mAh/g.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from solidstack.materials import Catalog, use_catalog
from solidstack.sim import simulate
from solidstack.stack import Stack
from solidstack.stack.io import parse_text

ROOT = Path(__file__).resolve().parents[3]
CASE = ROOT / "src/solidstack/studies/data/literature/lee2020-agc-anodefree-ni90-lpscl-pouch/agc.toml"
UM_PER_MAH_CM2 = 3.6 / 96485.33 * 12.998 * 1e4  # 1 mAh/cm2 as Li metal (V_m 13.0 cm3/mol): 4.85 um
AG_MOL_M2 = 0.6e-6 * 10.49e6 / 107.87  # mol Ag per m2 in the 0.6 um Ag layer (density 10.49, M 107.87)


def stack_data(as_host: bool) -> dict:
    data = parse_text(CASE.read_text(encoding="utf-8"), "toml", str(CASE))
    data["cycling"].update({"current_density": "0.68 mA/cm2", "cv_hold_until": "0.34 mA/cm2", "cycles": 1})
    if as_host:
        layers = [la for la in data["layers"] if la["type"] not in ("metal", "anode")]
        anode = {"type": "anode", "thickness": "1 um", "porosity": 0.0,
                 "active": {"material": "Ag", "fraction": 1.0}, "note": "what-if: the 0.6 um Ag of Ag-C as a planar Li host, written 1 um (the minimum) with x x 0.6"}
        layers.insert(1, anode)
        data["layers"] = layers
    return data


def charge_at(ts, volts: float) -> float:
    ch = ts[(ts["cycle"] == 1) & (ts["current_A"] < 0)]
    v = ch["voltage_V"].to_numpy(float)
    q = np.abs(ch["capacity_mAh"].to_numpy(float) - float(ch["capacity_mAh"].iloc[0]))
    above = np.nonzero(v >= volts)[0]
    if len(above) == 0:
        return float("nan")
    i = int(above[0])
    return float(q[0] if i == 0 else np.interp(volts, [v[i - 1], v[i]], [q[i - 1], q[i]]))


def main(argv: list[str]) -> None:
    if "--write" in argv:
        i = argv.index("--write")
        out = Path(argv[i + 1])
        sys.path.insert(0, str(Path(__file__).parent))
        from make_materials import write

        cat = Catalog().with_user(write(out / "materials", float(argv[0]), float(argv[1]), scale=0.6))
        from solidstack.stack.io import write_stack

        with use_catalog(cat):
            write_stack(Stack.from_dict(stack_data(True)), out / "agc_host.toml")
        print(f"wrote {out / 'materials'} and {out / 'agc_host.toml'}")
        return
    as_host = len(argv) == 2
    cat = Catalog()
    q_alloy = 0.0
    if as_host:
        sys.path.insert(0, str(Path(__file__).parent))
        from make_materials import write

        u, x = float(argv[0]), float(argv[1])
        cat = Catalog().with_user(write(Path(tempfile.mkdtemp(prefix="agc_")), u, x, scale=0.6))
        q_alloy = AG_MOL_M2 * x * 26.8014 / 10.0  # mAh/cm2 the alloy holds
    with use_catalog(cat):
        stack = Stack.from_dict(stack_data(as_host))
    t0 = time.time()
    r = simulate(stack, catalog=cat)
    area = stack.area_m2 * 1e4
    ts = r.timeseries
    row = r.cycles.iloc[0]
    label = f"Ag host U={argv[0]} V x={argv[1]}" if as_host else "shipped (Li anode, initial_soc 0)"
    print(f"== {label}: {time.time() - t0:.0f} s; alloy holds {q_alloy:.3f} mAh/cm2")
    for n, volts in (("n14", 3.5), ("n15", 3.55), ("n16", 3.6), ("n17", 4.0), ("n18", 4.25)):
        print(f"{n} Q({volts} V) = {charge_at(ts, volts) / area:.3f} mAh/cm2")
    for n, volts in (("n19", 3.6), ("n20", 4.0), ("n21", 4.25)):
        q = charge_at(ts, volts) / area
        print(f"{n} plated at {volts} V = {q * UM_PER_MAH_CM2:.2f} um (case formula); net of alloy "
              f"{max(q - q_alloy, 0.0) * UM_PER_MAH_CM2:.2f} um")
    print({k: round(float(row[k]), 2) for k in row.index if "mAh" in k or "voltage" in k})
    for note in r.notes[:6]:
        print("note:", note)


if __name__ == "__main__":
    main(sys.argv[1:])
