"""The knowledge base: every value has a source, look-ups work, and key values agree with independent
sources cited here."""

import csv
from pathlib import Path

import pytest

from solidstack.errors import UnknownNameError
from solidstack.materials import Catalog, DataError, catalog

DATA = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "materials" / "data"


def test_everything_loads_and_every_value_has_a_source():
    # the loader raises DataError for any value without a source or with an unknown reference key
    Catalog().load_all()


def test_loader_rejects_a_value_without_source(tmp_path):
    import shutil

    shutil.copytree(DATA, tmp_path / "data")
    path = tmp_path / "data" / "metals.csv"
    rows = list(csv.DictReader(path.open()))
    rows[0]["elongation_source"] = ""
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(DataError, match="no source"):
        Catalog(tmp_path / "data").load_all()


def test_every_csv_source_key_resolves():
    keys = set(catalog.references)
    for path in DATA.glob("*.csv"):
        for row in csv.DictReader(path.open()):
            for col, cell in row.items():
                if col.endswith("source") and cell:
                    assert {k.strip() for k in cell.split(";")} <= keys, (path.name, col, cell)


REQUIRED_METALS = (
    # patent [0062]-[0064], [0082]-[0084]
    "Li In Zn Al Yb Cd Gd Ca Au Ag Cr Sm Dy Zr Sn Ce Tl W Ta Ti Fe Tb Cu Th Pb Nb Ni Nd Pt V Hf Pd Pr Pm Mn Mo La Re "
    "Mg Co Ge Ga Bi Sb Si Be Na K"
).split()


@pytest.mark.parametrize("symbol", REQUIRED_METALS)
def test_required_metals_present_with_reactions_for_every_ion(symbol):
    m = catalog.metal(symbol)
    assert m.molar_mass_g_mol > 0 and m.density_g_cm3
    for ion in ("Li", "Na", "K"):
        assert catalog.reactions(symbol, ion).status in ("yes", "no", "unknown", "working")


def test_indium_elongation_from_patent():
    # US 2016/0233553 A1 [0038]: "The percent elongation of In foil is 22%."
    m = catalog.metal("In")
    assert m.elongation_pct == 22.0 and m.ductile
    assert any(r.key == "patent" for r in m.sources["elongation"])


def test_indium_lithium_plateau():
    # In/InLi two-phase potential 0.62 V vs Li+/Li (Santhosha et al., Batteries & Supercaps 2 (2019) 524);
    # the patent's [0036]: "approximately 0.6 V"
    r = catalog.reactions("In", "Li")
    assert r.reacts and r.onset_V == pytest.approx(0.62, abs=0.02)
    # capacity of In -> LiIn from stoichiometry: 1 x 26801 mAh/mol / 114.82 g/mol = 233.4 mAh/g
    assert r.steps[0].capacity_mAh_g == pytest.approx(233.4, rel=0.005)


def test_known_reaction_facts():
    # Cu does not alloy with Li (patent [0068]; Li-Cu phase diagram, Massalski 1990)
    assert catalog.reactions("Cu", "Li").reacts is False
    # Al alloys with Li (LiAl ~0.38 V, Huggins 2011) but not with Na at room temperature (Al is the Na-ion
    # negative collector; no Na-Al compounds, Massalski 1990)
    assert catalog.reactions("Al", "Li").reacts is True
    assert catalog.reactions("Al", "Na").reacts is False
    # Sn alloys with Li, Na and K (Li22Sn5, Na15Sn4, KSn)
    assert all(catalog.reactions("Sn", ion).reacts for ion in ("Li", "Na", "K"))
    # Li with Li+ is the working metal itself
    assert catalog.reactions("Li", "Li").status == "working"


def test_oxidation_indicator_from_standard_potentials():
    # Cu2+/Cu +0.342 V vs SHE, Li+/Li -3.040 V vs SHE (CRC Handbook): Cu oxidises above 3.38 V vs Li+/Li
    ox = catalog.oxidation("Cu", "Li")
    assert ox.potential_V == pytest.approx(0.342 + 3.040, abs=0.01)
    # and Li metal itself is oxidised at any potential above 0 V vs Li+/Li
    assert catalog.oxidation("Li", "Li").potential_V == pytest.approx(0.0, abs=1e-9)


def test_active_material_lookups():
    g = catalog.active("graphite")
    assert g.ion == "Li" and g.role == "anode" and g.window.lo < 0.1 < g.window.hi
    # graphite also stores K+ (KC8, 279 mAh/g theoretical: Jian, Luo, Ji, JACS 137 (2015) 11566)
    gk = catalog.active("graphite", ion="K")
    assert gk.theoretical_capacity_mAh_g == pytest.approx(279, abs=1)
    assert catalog.active("LTO").key == "Li4Ti5O12"
    assert catalog.active("ncm111").key == "NMC111"
    with pytest.raises(UnknownNameError, match="stores"):
        catalog.active("NMC111", ion="K")


@pytest.mark.parametrize("key", ["graphite", "Li4Ti5O12", "Si", "Li", "In", "hard_carbon", "NMC111", "NMC811", "LiCoO2",
                                 "LiFePO4", "LiMn2O4"])
def test_required_actives(key):
    a = catalog.active(key)
    assert a.practical_capacity_mAh_g and a.window.lo <= a.window.hi and a.density_g_cm3


def test_na_and_k_couples_present():
    assert {a.role for a in catalog.actives(ion="Na")} == {"anode", "cathode"}
    assert {a.role for a in catalog.actives(ion="K")} == {"anode", "cathode"}


def test_ocp_curves_have_sources_and_sorted_x():
    for a in catalog.actives():
        if a.ocp is not None:
            assert list(a.ocp.x) == sorted(a.ocp.x) and a.ocp.sources["ocp"]


@pytest.mark.parametrize("name", ["30LiI-70(0.07Li2O-0.68Li2S-0.25P2S5)", "Li3PS4", "Li6PS5Cl", "Li10GeP2S12", "LLZO",
                                  "LiPON", "Li3InCl6", "Na3PS4"])
def test_required_electrolytes(name):
    e = catalog.electrolyte(name)
    assert e.conductivity_S_cm and e.conductivity_S_cm > 0


@pytest.mark.parametrize(("name", "kind"), [("SUS", "collector"), ("Cu", "collector"), ("Al", "collector"), ("Ni", "collector"),
                                            ("Ti", "collector"), ("VGCF", "additive"), ("acetylene black", "additive"),
                                            ("LiNbO3", "coating")])
def test_required_auxiliaries(name, kind):
    assert catalog.auxiliary(name, kind).density_g_cm3


def test_unknown_names_list_closest():
    with pytest.raises(UnknownNameError) as info:
        catalog.active("grafite")
    assert "graphite" in info.value.suggestions
    with pytest.raises(UnknownNameError, match="working ion"):
        catalog.reactions("In", ion="Mg")


def test_practicality_data_against_independent_facts():
    # no stable isotope among the metals of the knowledge base: Pm (Z = 61) and every element above Bi (Z > 83)
    # here Th and U; Bi-209 decays too but with a half-life of ~2e19 years (practically stable)
    radioactive = {m.symbol for m in catalog.metals() if catalog.practicality(m.symbol).radioactive}
    assert radioactive == {"Pm", "Th", "U"}
    assert catalog.practicality("Bi").radioactive is False
    # Al is the most abundant metal in the Earth's crust (~8 % by mass), Fe the second (~5-6 %)
    ab = {m.symbol: catalog.practicality(m.symbol).crustal_abundance_mg_kg for m in catalog.metals() if m.symbol != "Si"}
    ranked = sorted((v, k) for k, v in ab.items() if v is not None)[::-1]
    assert [k for _, k in ranked[:2]] == ["Al", "Fe"] and 7e4 < ab["Al"] < 9e4
    # the precious metals are the scarce ones (crust below 0.1 mg/kg), In (~0.1-0.25 mg/kg) and Cu are not
    assert all(catalog.practicality(s).scarce for s in ("Au", "Pt", "Pd", "Rh", "Ir", "Ru", "Os"))
    assert not catalog.practicality("In").scarce and not catalog.practicality("Cu").scarce
    # Be and Cd compounds are IARC Group 1 carcinogens (IARC Monographs Vol. 100C)
    assert catalog.practicality("Be").hazard_class == catalog.practicality("Cd").hazard_class == "IARC Group 1"
    # every value carries its source group
    th = catalog.practicality("Th")
    assert {"radioactivity", "hazard", "abundance"} <= set(th.sources)


def test_passivation_rows_resolve_and_oxidation_without_e0_is_none(tmp_path):
    import shutil

    al = catalog.passivation("Al", "Li")
    assert al.hi_V == 4.5 and any(r.key == "myung2011" for r in al.sources["passivation"])
    assert catalog.passivation("Cu", "Li") is None  # Cu is not passive at cathode potentials (Myung 2011)
    # a row without a standard potential means none is known: None, not a crash on None arithmetic
    shutil.copytree(DATA, tmp_path / "data")
    path = tmp_path / "data" / "oxidation.csv"
    rows = list(csv.DictReader(path.open()))
    for r in rows:
        if r["symbol"] == "Zn":
            r["E0_vs_SHE_V"], r["source"] = "", ""
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert Catalog(tmp_path / "data").oxidation("Zn", "Li") is None
