"""Potential windows: the patent's, the practical one, from cycling cut-offs, and user overrides."""

import pytest

from solidstack.errors import InputError
from solidstack.materials import catalog
from solidstack.rules import active_window, stack_windows
from solidstack.rules.windows import parse_window
from solidstack.stack import load_preset


def test_patent_window_of_graphite_is_0_to_2_5_V():
    # [0034]: graphite starts occluding/releasing Li+ at ~2.5 V and stops between 0.1 and 0 V.
    w = active_window(catalog.active("graphite", "Li"), "patent")
    assert w.basis == "patent" and w.window.hi == pytest.approx(2.5) and w.window.lo <= 0.1


def test_patent_basis_falls_back_to_practical():
    # The patent states no window for Li4Ti5O12.
    w = active_window(catalog.active("Li4Ti5O12", "Li"), "patent")
    assert w.basis == "practical" and "no range" in w.note


def test_cycling_cathode_window_from_cutoffs_plus_anode_average():
    # Example 1 cycles 3.0-4.37 V (Table 1, [0101]); graphite's average potential is ~0.1 V ([0034]).
    w = stack_windows(load_preset("example-1"), "cycling")
    assert w["cathode"].basis == "cycling"
    assert tuple(w["cathode"].window) == pytest.approx((3.0 + 0.1, 4.37 + 0.1))
    assert w["anode"].basis == "practical"


def test_overrides_win():
    w = stack_windows(load_preset("example-1"), "practical", {"anode": (0.0, 1.5)})
    assert tuple(w["anode"].window) == (0.0, 1.5) and w["anode"].basis == "override"


@pytest.mark.parametrize("text", ["1,0", "abc", "0.1", "-1,2", "1,9"])
def test_bad_windows(text):
    with pytest.raises(InputError):
        parse_window(text)


def test_parse_window():
    assert parse_window("0.01:0.25") == (0.01, 0.25)
    assert parse_window("3.0V, 4.3V") == (3.0, 4.3)
