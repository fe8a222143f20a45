"""Figures of a study's results: the Pareto front and one-axis trends (matplotlib objects API, no global backend).

* **Pareto front**: every finished design as a point, specific energy (cycle-1 discharge energy per stack mass,
  Wh/kg) against retention at cycle N, coloured by an axis; the non-dominated designs (no other design has both
  a higher specific energy and a higher retention) joined by a step line.
* **Trends**: one column per axis; specific energy (top) and retention (bottom) against that axis's value, every
  design as a point (the spread at one value is the effect of the other axes) and the mean per value as a line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

X, Y = "specific_energy_Wh_kg", "retention"
LABELS = {X: "specific energy (Wh/kg, cycle 1, stack)", Y: "retention at cycle N", "energy_density_Wh_L": "energy density (Wh/L)"}


def pareto_mask(x, y) -> list[bool]:
    """True for the points no other point beats in both ``x`` and ``y`` (both maximised)."""
    pts = sorted(range(len(x)), key=lambda i: (-x[i], -y[i]))
    best_y = -float("inf")
    mask = [False] * len(x)
    for i in pts:
        if y[i] > best_y:
            mask[i] = True
            best_y = y[i]
    return mask


def _ok(df):
    return df[(df["status"] == "ok") & df[X].notna() & df[Y].notna()].reset_index(drop=True)


def _colour(df, column: str | None) -> dict[str, Any] | None:
    """Scatter colours for ``column``: numbers on a colour map (with a colour bar), labels from a palette
    (with a legend; ``_cats`` and ``_cmap`` say which)."""
    if column is None or column not in df.columns:
        return None
    import pandas as pd
    from matplotlib import colormaps

    vals = df[column]
    if pd.api.types.is_numeric_dtype(vals):
        return {"c": vals.to_numpy(dtype=float), "cmap": "viridis"}
    cats = list(dict.fromkeys(vals.astype(str)))
    cmap = colormaps["tab10"]
    return {"c": [cmap(cats.index(v) % 10) for v in vals.astype(str)], "_cats": cats, "_cmap": cmap}


def pareto_figure(df, color: str | None = None, title: str = "") -> Figure:
    """The Pareto front of ``df`` (a store's rows) coloured by ``color`` (an axis column)."""
    from matplotlib.lines import Line2D

    ok = _ok(df)
    fig = Figure(figsize=(6.4, 4.8), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    if ok.empty:
        ax.text(0.5, 0.5, "no finished design", ha="center", va="center", transform=ax.transAxes)
        return fig
    x, y = ok[X].to_list(), ok[Y].to_list()
    mask = pareto_mask(x, y)
    style = _colour(ok, color) or {"c": "0.3"}
    cats = style.pop("_cats", None)
    cmap = style.pop("_cmap", None)
    sc = ax.scatter(x, y, s=28, edgecolors="k", linewidths=0.4, zorder=3, **style)
    front = sorted((xi, yi) for xi, yi, m in zip(x, y, mask, strict=True) if m)
    if front:
        fx, fy = zip(*front, strict=True)
        ax.step(fx, fy, where="pre", color="C3", lw=1.2, zorder=2, label="Pareto front")
        ax.scatter(fx, fy, s=70, facecolors="none", edgecolors="C3", linewidths=1.2, zorder=4)
    if cats is not None:
        handles = [Line2D([], [], marker="o", ls="", color=cmap(i % 10), markeredgecolor="k", label=c) for i, c in enumerate(cats)]
        handles.append(Line2D([], [], color="C3", label="Pareto front"))
        ax.legend(handles=handles, title=color, fontsize=8, title_fontsize=8, frameon=False)
    else:
        if color is not None and color in ok.columns:
            fig.colorbar(sc, ax=ax, label=color)
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlabel(LABELS[X])
    n = ok["retention_cycle"].iloc[0] if "retention_cycle" in ok.columns else None
    ax.set_ylabel(f"retention at cycle {int(n)}" if n is not None else LABELS[Y])
    ax.grid(True, lw=0.3, alpha=0.5)
    ax.set_title(title or "Pareto front", fontsize=10)
    return fig


def trends_figure(df, axes: list[dict[str, Any]], title: str = "") -> Figure:
    """Specific energy and retention against each axis (``axes``: the store's axis records)."""
    import pandas as pd

    ok = _ok(df)
    cols = [a for a in axes if a["column"] in ok.columns] or [{"column": "design_id", "name": "design", "numeric": False}]
    fig = Figure(figsize=(3.2 * len(cols) + 0.8, 5.4), dpi=150, layout="constrained")
    grid = fig.subplots(2, len(cols), squeeze=False, sharey="row")
    for j, a in enumerate(cols):
        c = a["column"]
        numeric = a.get("numeric", False) and pd.api.types.is_numeric_dtype(ok[c]) if not ok.empty else False
        for i, yname in enumerate((X, Y)):
            ax = grid[i][j]
            if ok.empty:
                continue
            if numeric:
                xs = ok[c].astype(float)
                means = ok.groupby(c)[yname].mean().sort_index()
                ax.plot(means.index, means.to_numpy(), color="C0", lw=1.2, marker="s", ms=3, label="mean")
                ax.scatter(xs, ok[yname], s=14, color="0.4", alpha=0.7, zorder=3)
                if a.get("unit") and len(means) > 2 and means.index.min() > 0 and means.index.max() / means.index.min() > 30:
                    ax.set_xscale("log")
            else:
                cats = list(dict.fromkeys(ok[c].astype(str)))
                pos = ok[c].astype(str).map(cats.index)
                means = ok.groupby(ok[c].astype(str))[yname].mean().reindex(cats)
                ax.plot(range(len(cats)), means.to_numpy(), color="C0", lw=1.2, marker="s", ms=3)
                ax.scatter(pos, ok[yname], s=14, color="0.4", alpha=0.7, zorder=3)
                ax.set_xticks(range(len(cats)), cats, rotation=30 if max(map(len, cats)) > 6 else 0, fontsize=8)
                ax.set_xlim(-0.5, len(cats) - 0.5)
            ax.grid(True, lw=0.3, alpha=0.5)
            if i == 1:
                ax.set_xlabel(f"{a['name']}" + (f" ({a['unit']})" if a.get("unit") else ""), fontsize=9)
            if j == 0:
                ax.set_ylabel(LABELS[yname] if yname == X else "retention at cycle N", fontsize=9)
    fig.suptitle(title or "one-axis trends", fontsize=10)
    return fig


def save(fig: Figure, out: Path, stem: str) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` in ``out`` (atomically)."""
    from solidstack.fsio import atomic_path

    files = []
    for ext in ("png", "svg"):
        target = out / f"{stem}.{ext}"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=ext)
        files.append(target)
    return files


def plot_store(store, out: str | Path | None = None, color: str | None = None) -> list[Path]:
    """Draw ``pareto.png/.svg`` and ``trends.png/.svg`` of a :class:`~solidstack.studies.Store` into ``out``
    (default: the store folder); ``color`` is the axis column colouring the Pareto plot (default: the first
    axis). Returns the files written."""
    from solidstack.errors import InputError, Problem
    from solidstack.fsio import prepare_out_dir

    df = store.to_dataframe()
    meta = store.meta()
    axes = meta.get("axes", [])
    if color is not None and color not in df.columns:
        known = [a["column"] for a in axes]
        raise InputError(Problem("--color", f"no column {color!r} in the store; axes: {', '.join(known) or 'none'}"))
    color = color or (axes[0]["column"] if axes else None)
    if X not in df.columns or Y not in df.columns:
        raise InputError(Problem("STORE", "the store records no specific energy or retention (outputs 'energy' and 'retention')"))
    out_dir = prepare_out_dir(Path(out) if out is not None else store.path)
    name = meta.get("name", "")
    files = save(pareto_figure(df, color, f"{name}: Pareto front" if name else ""), out_dir, "pareto")
    files += save(trends_figure(df, axes, f"{name}: one-axis trends" if name else ""), out_dir, "trends")
    return files
