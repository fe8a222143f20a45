"""The example notebook runs headless (nbclient) and its figures arrive as images, not as ``<Figure ...>`` text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "python-workflow.ipynb"


def test_example_notebook_runs_and_embeds_its_figures(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # a fresh kernel, as a new user's: no MPLBACKEND set, working directory outside the repository
    env_backend = os.environ.pop("MPLBACKEND", None)
    try:
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    outputs = [(c.source, o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for _, o in outputs if o.output_type == "error"]
    plots = [s for s in (c.source for c in nb.cells if c.cell_type == "code") if "plot_" in s or "_figure(" in s]
    assert len(plots) == 3
    for src in plots:
        cell = next(c for c in nb.cells if c.cell_type == "code" and c.source == src)
        data = [o.get("data", {}) for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
        assert any("image/png" in d for d in data), f"no image from: {src}"
        assert not any("<Figure" in d.get("text/plain", "") and "image/png" not in d for d in data)
    # objects show themselves as HTML tables
    html = [o["data"]["text/html"] for _, o in outputs if o.output_type == "execute_result" and "text/html" in o.get("data", {})]
    assert any("Example 4" in h and "<table" in h for h in html)
