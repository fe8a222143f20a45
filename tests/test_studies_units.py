"""Pieces of the patent reproduction that need no simulation: the published numbers and the measures."""

import numpy as np
import pytest

from solidstack.studies.measures import flattest_voltage
from solidstack.studies.published import published_numbers


def test_published_numbers_match_patent_text():
    n = {(p.cell, p.quantity): p for p in published_numbers()}
    # Table 2 [0121]
    assert (n["example-4", "charge_capacity_mAh_g"].value, n["example-4", "discharge_capacity_mAh_g"].value,
            n["example-4", "coulombic_efficiency_pct"].value) == (155, 134, 86)
    assert (n["comparative", "charge_capacity_mAh_g"].value, n["comparative", "discharge_capacity_mAh_g"].value,
            n["comparative", "coulombic_efficiency_pct"].value) == (217, 113, 52)
    # [0106] retention at cycle 5
    assert [n[c, "retention_pct"].value for c in ("example-1", "example-2", "example-3", "reference")] == [98, 84, 110, 36]
    # plateaus [0103], [0104], [0120]
    assert [n[c, "charge_plateau_V"].value for c in ("example-1", "example-2", "example-3", "reference", "example-4",
                                                      "comparative")] == [3.7, 3.7, 2.2, 3.2, 3.7, 3.1]
    assert all(p.paragraph.startswith("[") for p in n.values())
    # each number's quoted text contains the number itself
    assert all(f"{p.value:g}" in p.text for p in n.values())


def test_flattest_voltage_on_a_hand_made_charge():
    # hand-made charge: a jump 0.5 -> 3.0 V over the first 0.1 mAh, a slope 3.0 -> 3.4 V over 1 mAh, a flat 3.1 mAh
    # plateau at 3.70 V rising by 10 mV, then a rise to 4.1 V over 0.4 mAh. The flattest 10 % (0.46 mAh) lies on
    # the plateau, so the reading is 3.70-3.71 V.
    q = np.linspace(0, 4.6, 2000)
    v = np.interp(q, [0, 0.1, 1.1, 4.2, 4.6], [0.5, 3.0, 3.4, 3.71, 4.1])
    v = np.where((q > 1.1) & (q < 4.2), 3.70 + (q - 1.1) / 3.1 * 0.01, v)
    assert 3.70 <= flattest_voltage(v, q) <= 3.71
    # capacity counting down (PyBaMM's discharge capacity during a charge) reads the same
    assert flattest_voltage(v, 10 - q) == pytest.approx(flattest_voltage(v, q))


def test_flattest_voltage_needs_charge():
    with pytest.raises(ValueError):
        flattest_voltage(np.array([3.0]), np.array([0.0]))
