"""Write a user materials folder that makes a dense Ag layer a Li host for the Lee 2020 what-if (not shipped data).

The folder holds an ``Ag`` active (a dense foil simulated with the two-phase staircase of its reaction steps, like
the shipped Sn/Na row) and Ag-Li reaction steps that override the shipped placeholder rows:

  step 1  Ag -> alloy (x 0 -> x_alloy Li per Ag) at ``u_alloy`` V vs Li (a what-if plateau: no sourced value found)
  step 2  alloy -> Li metal plated on the alloy (x_alloy -> X_PLATE) at 0 V (Li+/Li by definition)

so one planar electrode first alloys (above 0 V) and then plates at 0 V: the model's stand-in for "a host behind
the plating metal". Usage: python make_materials.py DIR U_ALLOY X_ALLOY
"""
from __future__ import annotations

import sys
from pathlib import Path

X_PLATE = 60.0  # Li per Ag: 0.6 um Ag (0.0583 mol/m2) x 60 = 9.4 mAh/cm2, above the 6.8 mAh/cm2 cathode

REFS = """# What-if fixture for the Lee 2020 Ag-C question (tests/data/agc): not data of the knowledge base.
[agc_whatif]
citation = "solidstack what-if (tests/data/agc/make_materials.py): an assumed Li-Ag alloying plateau and capacity, swept; not a measured value"
note = "u_alloy and x_alloy are what-if inputs chosen by the person running the sweep; see references/agc.toml for what the literature read in this session gives"
"""


def write(folder: Path, u_alloy: float, x_alloy: float, scale: float = 1.0) -> Path:
    """Write the folder for an alloy plateau at ``u_alloy`` V holding ``x_alloy`` Li per Ag; return it.

    ``scale``: the Ag layer's real thickness over the thickness it is written with (a stack layer is at least 1 um,
    Lee's Ag is 0.6 um): the steps' x are multiplied by it, so the layer holds the real layer's Li per m2."""
    x_alloy, x_plate = x_alloy * scale, X_PLATE * scale
    (folder / "references").mkdir(parents=True, exist_ok=True)
    (folder / "references" / "agc_whatif.toml").write_text(REFS, encoding="utf-8")
    q = x_alloy / scale * 26801.4 / 107.87
    (folder / "actives.csv").write_text(
        "key,name,formula,aliases,ion,role,window_lo_V,window_hi_V,average_V,practical_capacity_mAh_g,"
        "theoretical_capacity_mAh_g,potential_source,capacity_source,density_g_cm3,density_source,notes\n"
        f"Ag,silver (what-if Li host),Ag -> Li-Ag -> Li,,Li,anode,0.0,{u_alloy},{u_alloy},{q:.1f},{q:.1f},"
        f"agc_whatif,agc_whatif,10.49,webelements,what-if: a dense Ag layer simulated as a planar electrode with the "
        f"staircase of its reaction steps\n", encoding="utf-8")
    (folder / "reactions.csv").write_text(
        "host,ion,reacts_at_rt,step,from_phase,to_phase,x_from,x_to,E_equilibrium_V,E_insertion_V,E_extraction_V,"
        "potential_source,volume_change_pct,volume_source,confidence,notes,override\n"
        f"Ag,Li,yes,1,Ag,Li-Ag alloy,0,{x_alloy},{u_alloy},,,agc_whatif,,,C,what-if plateau,true\n"
        f"Ag,Li,yes,2,Li-Ag alloy,Li metal on the alloy,{x_alloy},{x_plate},0.0,,,agc_whatif,,,C,"
        "plating at 0 V vs Li+/Li (by definition),true\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    write(Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
