"""Contact loss at the electrode/collector interface (issue 9, item 2): it strands composite active material, never a
continuous metal foil (a Li foil creeps and stays one connected layer; a planar metal electrode is the foil)."""

import pytest

from solidstack.sim import simulate
from solidstack.stack import resolve


@pytest.mark.parametrize("preset", ["example-1", "example-2", "example-3", "example-4"])
def test_no_metal_foil_is_stranded(preset):
    r = simulate(resolve(preset), cycles=2)
    t = r.cycles
    for side in ("anode", "cathode"):
        for h in r.hosts.side(side):
            col = f"{side}_{h.label.replace(' ', '_')}_stranded_mAh"
            if h.kind in ("foil", "planar") and (h.working_metal or h.kind == "planar"):
                assert (t[col].abs() < 1e-9).all(), (preset, col, t[col].tolist())
    # contact loss still acts on the composites (the law is not switched off)
    assert t["contact_fraction_cathode"].iloc[-1] < 1.0

