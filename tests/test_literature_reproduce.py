"""`reproduce` marks the numbers of a cell that is physically the cell a constant was fitted on ("fitted cell")."""

from solidstack.studies.reproduce import CELLS, fitted_cells


def test_comparative_is_the_fitted_reference_cell():
    # the Comparative and Reference presets differ only in names, sources and notes ([0099] vs [0116]); eps_c is
    # fitted on the Reference Example's retention (calibration "reference-retention")
    marked = fitted_cells(list(CELLS))
    assert set(marked) == {"comparative"}
    assert "fitted cell" in marked["comparative"] and "reference-retention" in marked["comparative"]
