"""`reproduce` marks the numbers of the cell a constant was fitted on, and of a cell that is physically that cell,
"fitted cell" (the fitted number itself "fitted (calibration)")."""

from solidstack.studies.reproduce import CELLS, fitted_cells


def test_comparative_is_the_fitted_reference_cell():
    # the Comparative and Reference presets differ only in names, sources and notes ([0099] vs [0116]); the contact
    # law's separation length is fitted on the Comparative Example's first-cycle CE (calibration
    # "comparative-first-ce"), so the Reference Example is the fitted cell, and the Comparative's other numbers
    # (its cycle-1 charge and discharge capacities, the very cycle whose ratio was fitted) are no predictions either
    marked = fitted_cells(list(CELLS))
    assert set(marked) == {"reference", "comparative"}
    assert all("fitted cell" in m and "comparative-first-ce" in m for m in marked.values())


def test_compare_marks_the_comparative_rows_fitted_cell():
    """The wiring: every Reference and Comparative row says "fitted cell" (the Comparative is the calibrated cell),
    but the fitted number itself, and no other row does (fake results, no simulation)."""
    import numpy as np
    import pandas as pd

    from solidstack.studies.reproduce import compare

    class Fake:
        cycles = pd.DataFrame({"cycle": [1, 2, 3, 4, 5], "charge_capacity_mAh_g": 150.0, "discharge_capacity_mAh_g": 130.0,
                               "coulombic_efficiency": 0.87, "retention": [1.0, 0.99, 0.98, 0.97, 0.96]})
        q = np.linspace(0.0, 2.0, 50)
        timeseries = pd.DataFrame({"cycle": 1, "current_A": -1e-4, "voltage_V": 3.0 + 0.5 * q / 2.0, "capacity_mAh": q})

    rows = compare({cell: Fake() for cell in CELLS})
    fitted_on = {"reference", "comparative"}
    assert rows and all(r.fitted_cell == (r.cell in fitted_on) for r in rows)
    assert all("fitted cell" in r.note for r in rows if r.cell in fitted_on)
    assert [(r.cell, r.quantity) for r in rows if r.fitted] == [("comparative", "coulombic_efficiency_pct")]
    # the tables say it too (terminal and HTML): "fitted cell" in the fitted/predicted column of those rows only
    from solidstack.report.html import comparison_rows
    from solidstack.studies.reproduce import Reproduction

    rep = Reproduction(comparisons=rows, results={}, model="SPMe", cycles=5)
    html_rows, _ = comparison_rows(rep)
    words = [(r.cell, html_rows[i][7]) for i, r in enumerate(rows)]
    assert all((w == "fitted cell") == (cell in fitted_on) for cell, w in words if w != "fitted (calibration)")
