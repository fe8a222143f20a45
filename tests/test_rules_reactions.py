"""Verdicts against independent facts. Each expected value is written here with its source, not read from the
knowledge base."""

import pytest

from solidstack.materials import catalog
from solidstack.rules import assess, scan
from solidstack.rules.reactions import first_clause, passivates

# Independent windows (V vs Li+/Li):
# graphite: Li intercalation staging plateaus at ~0.2, 0.12 and 0.09 V; cycled down to ~0.005-0.01 V
#   (T. Ohzuku, Y. Iwakoshi, K. Sawai, J. Electrochem. Soc. 140 (1993) 2490).
GRAPHITE = (0.005, 0.25)
# Li4Ti5O12: flat two-phase plateau at 1.55 V, cycled between ~1.0 and 3.0 V
#   (T. Ohzuku, A. Ueda, N. Yamamoto, J. Electrochem. Soc. 142 (1995) 1431).
LTO = (1.0, 3.0)


def _alloying(s):
    return [r for r in s.reactions if r.kind == "alloying"]


def test_in_alloys_with_li_near_0_6_V():
    # In/LiIn two-phase potential ~0.62 V vs Li (Santhosha et al., Batteries & Supercaps 2 (2019) 524);
    # the patent itself gives ~0.6 V for In ([0036]).
    s = scan("In", "Li", GRAPHITE)
    onsets = [r.potential_V for r in _alloying(s) if r.potential_V is not None]
    assert s.verdict == "reacts"
    assert onsets and 0.5 <= max(onsets) <= 0.7


def test_in_reacts_next_to_graphite_inert_next_to_lto():
    assert scan("In", "Li", GRAPHITE).verdict == "reacts"
    # In's first alloying step (~0.6 V) lies below LTO's 1.0 V cut-off; In oxidises only above
    # E0(In3+/In) - E0(Li+/Li) = -0.338 + 3.040 = 2.70 V (CRC electrochemical series): inside a 1.0-2.5 V window
    # LTO as cycled in the patent's Example 3 (cell 1.5-2.6 V vs NMC111, Table 1), nothing happens.
    assert scan("In", "Li", (1.0, 2.5)).verdict == "inert"
    # ... but a window up to 3.0 V crosses In's oxidation indicator (2.70 V): the rule must see it (as a risk:
    # a Li+-only solid electrolyte cannot carry In3+ away, so it is uncertain rather than a proven reaction).
    s = scan("In", "Li", LTO)
    assert s.verdict == "uncertain"
    assert any(r.kind == "oxidation" and abs(r.potential_V - (-0.338 + 3.040)) < 0.01 for r in s.reactions)
    assert assess("In", "graphite", "Li").physical.verdict == "reacts"
    assert assess("In", "Li4Ti5O12", "Li").physical.verdict == "inert"


def test_cu_does_not_alloy_with_li():
    # No Li-Cu intermetallic compounds (A.D. Pelton, "The Cu-Li system", Bull. Alloy Phase Diagrams 7 (1986) 142);
    # Cu is the standard negative current collector of Li-ion cells.
    s = scan("Cu", "Li", (0.0, 3.0))  # 3.0 V: below Cu's oxidation, E0(Cu2+/Cu) + 3.040 = 3.38 V
    assert not s.reactions and s.verdict == "inert"
    assert any("does not alloy" in r.description for r in s.checked)
    assert assess("Cu", "graphite", "Li").physical.verdict == "inert"


def test_al_alloys_with_li_not_with_na():
    # LiAl forms at ~0.3-0.45 V vs Li at room temperature (R.A. Huggins, Advanced Batteries (2009) ch. 14;
    # M.N. Obrovac, V.L. Chevrier, Chem. Rev. 114 (2014) 11444).
    s = scan("Al", "Li", GRAPHITE)
    onsets = [r.potential_V for r in _alloying(s) if r.potential_V is not None]
    assert s.verdict == "reacts" and onsets and 0.2 <= max(onsets) <= 0.5
    # No Na-Al compounds (J.L. Murray, Bull. Alloy Phase Diagrams 4 (1983) 407); Al is the anode current collector
    # of Na-ion cells (M.D. Slater et al., Adv. Funct. Mater. 23 (2013) 947).
    na = scan("Al", "Na", (0.0, 1.0), include_oxidation=False)
    assert na.verdict == "inert" and not _alloying(na)


@pytest.mark.parametrize(
    ("ion", "source"),
    [
        ("Li", "Li-Sn alloys Li2Sn5 ... Li22Sn5 form below ~0.8 V (M. Winter, J.O. Besenhard, Electrochim. Acta 45 (1999) 31)"),
        ("Na", "Na15Sn4 forms via NaSn3, NaSn, Na9Sn4 below ~0.4 V vs Na (L.D. Ellis et al., J. Electrochem. Soc. 159 (2012) A1801)"),
        ("K", "KSn forms on potassiation of Sn below ~0.5 V vs K (I. Sultana et al., Chem. Commun. 52 (2016) 9279)"),
    ],
)
def test_sn_alloys_with_li_na_and_k(ion, source):
    s = scan("Sn", ion, (0.0, 1.0))
    assert s.verdict == "reacts", source
    assert _alloying(s) and all(r.status == "reacts" for r in _alloying(s))


def test_working_ion_metal_is_explained_not_hidden():
    # Li does not alloy with Li+ (patent [0037]), but any Li foil touching an electrode above 0 V is oxidised
    # (the patent's Example 2 shows a ~2 V charge feature from Li reducing NMC111, [0103]).
    a = assess("Li", "NMC111", "Li")
    assert a.patent.stores_ion == "no" and a.patent.verdict == "eligible"
    assert a.physical.verdict == "reacts"
    kinds = {r.kind for r in a.physical.scan.reactions}
    assert kinds == {"working-ion metal"}
    assert any("Li" in d and "reacts" in d for d in a.disagreements)
    # thickness consumed per areal capacity: V_m(Li) / F = 13.02 cm3/mol / 96485 C/mol = 4.86 um per mAh/cm2
    # (molar volume from the CRC Handbook, 95th ed.)
    assert f"{13.02 / 26801.48 * 1e4:.2f} um per mAh/cm2" in a.physical.reason


def test_au_listed_by_the_patent_next_to_graphite_but_alloys():
    # The patent lists Au for graphite ([0063], [0083]); Li-Au alloys form below ~0.2-0.3 V vs Li
    # (issue 3; A. Hejazi et al. 2024; G. Taillades et al., Solid State Ionics 152 (2002) 119: ~0.2 V).
    a = assess("Au", "graphite", "Li")
    onset = max(r.potential_V for r in a.physical.scan.reactions if r.potential_V is not None)
    assert 0.1 <= onset <= 0.35
    assert a.physical.verdict == "reacts"
    assert a.listed and "[0063]" in a.listed
    assert any("lists Au" in d for d in a.disagreements)


def test_cu_next_to_a_cathode_may_oxidise():
    # Cu2+/Cu +0.342 V vs SHE (CRC) -> 3.38 V vs Li: below NMC111's 4.3 V charge cut-off; Cu is never used as the
    # positive current collector for this reason. The patent's criterion (no Li storage) still holds.
    a = assess("Cu", "NMC111", "Li")
    assert a.patent.stores_ion == "no" and a.physical.verdict == "uncertain"
    assert any(r.kind == "oxidation" and abs(r.potential_V - (0.342 + 3.040)) < 0.01 for r in a.physical.scan.reactions)


def test_passivation_read_from_notes():
    assert passivates(catalog.oxidation("Al", "Li"))  # Al passivates (Myung et al. 2011)
    assert not passivates(catalog.oxidation("Cu", "Li"))  # "not passive at positive-electrode potentials"
    assert not passivates(catalog.oxidation("Fe", "Li"))  # pure Fe is not passive; only Fe-Cr steels are
    # Ti passivates (notes) but no film range is in passivation.csv: a passivating metal without a stated range
    # stays uncertain once the window passes its oxidation indicator
    assert passivates(catalog.oxidation("Ti", "Li")) and catalog.passivation("Ti", "Li") is None
    assert assess("Ti", "NMC111", "Li").physical.verdict == "uncertain"


def test_passivation_range_makes_aluminium_inert_inside_it_only():
    # Al's film holds up to 4.5 V vs Li+/Li (Myung et al. 2011): NMC111's practical window (3.0-4.3 V) is inside,
    # so Al is inert with the caveat stated; a window to 4.8 V leaves the film's range: uncertain again
    a = assess("Al", "NMC111", "Li")
    assert a.physical.verdict == "inert"
    assert any("film" in c and "4.5 V" in c for c in a.physical.scan.caveats)
    assert assess("Al", "NMC111", "Li", window=(3.0, 4.8)).physical.verdict == "uncertain"
    # the Na range is derived from the Li one: 4.5 V minus (E0(Na+/Na) - E0(Li+/Li)) = 4.5 - (-2.71 + 3.040) = 4.17 V
    assert catalog.passivation("Al", "Na").hi_V == pytest.approx(4.5 - (-2.71 + 3.040), abs=0.005)


def test_first_clause_keeps_bracketed_citations():
    assert first_clause("passivates: film [a; b]; more") == "passivates: film [a; b]"


def test_unknown_potential_is_uncertain_unless_window_reaches_zero():
    # Pt forms Li-Pt compounds (phase diagram) but no room-temperature potential is known: a stable compound
    # forms somewhere above 0 V vs Li.
    assert scan("Pt", "Li", (1.0, 2.5), include_oxidation=False).verdict == "uncertain"
    assert scan("Pt", "Li", (0.0, 2.5), include_oxidation=False).verdict == "reacts"
