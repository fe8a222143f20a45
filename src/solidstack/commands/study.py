"""``solidstack study run|show|export|plot``: design studies with a resumable results store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from solidstack.errors import InputError, Problem

StoreArg = Annotated[Path, typer.Argument(help="A results store folder (written by `study run`).")]

#: Columns `study show` prints after the axes (those the store has).
SHOW_COLUMNS = ("specific_energy_Wh_kg", "energy_density_Wh_L", "discharge_capacity_mAh_g", "ce_1", "retention",
                "independent_claims", "wall_s")


class _LazyBar:
    """A rich progress bar (ETA, done/failed counts) that appears on the first update, so input errors found
    before any design runs print alone. Use as a context manager; call it as ``(finished, failed, total)``."""

    def __init__(self, err_console, label: str):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=err_console, transient=False)
        self.label = label
        self.task: Any = None

    def __call__(self, finished: int, failed: int, total: int) -> None:
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total, failed=0)
        self.bar.update(self.task, completed=finished, total=total, failed=failed)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.task is not None:
            self.bar.stop()


def progress_bar(err_console, label: str) -> tuple[_LazyBar, _LazyBar]:
    """(context manager, progress callback ``(finished, failed, total)``): one lazy rich progress bar."""
    bar = _LazyBar(err_console, label)
    return bar, bar


def _rows_table(df, columns: list[str], title: str):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if df[c].dtype.kind in "fi" else "left")
    for _, r in df.iterrows():
        t.add_row(*(_fmt(r[c]) for c in columns))
    return t


def _fmt(v) -> str:
    import math

    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.4g}"
    return "" if v is None else str(v)


def register(app: typer.Typer) -> None:
    """Add the ``study`` command group to ``app``."""
    study_app = typer.Typer(help="Design studies: sweeps over stack fields, a resumable results store, plots.",
                            no_args_is_help=True)
    app.add_typer(study_app, name="study")

    @study_app.command("run")
    def run(
        study: Annotated[Path, typer.Argument(help="A study file (.toml, .yaml, .json).")],
        store: Annotated[Path | None, typer.Option("--store", help="Results store folder (default: <study file stem>.store next to the file).")] = None,
        workers: Annotated[int | None, typer.Option("--workers", help="Local worker processes (default: the CPU count; 0 = in this process).")] = None,
        dask: Annotated[str | None, typer.Option("--dask", help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local'.")] = None,
    ) -> None:
        """Run a study: every design is simulated once and recorded; a rerun skips the designs already stored."""
        from rich.console import Console

        from solidstack.studies import Study, run_study

        err = Console(stderr=True, highlight=False, soft_wrap=True)
        if workers is not None and workers < 0:
            raise InputError(Problem("--workers", f"must be >= 0, got {workers}"))
        s = Study.from_file(study)
        target = store if store is not None else study.with_suffix(".store")
        bar, update = progress_bar(err, s.name)
        with bar:
            result = run_study(s, target, workers=workers, dask=dask, progress=update)
        for m in result.messages:
            err.print(f"warning: {m}", markup=False)
        total = len(result.rows)
        err.print(f"{s.name}: {total} designs in {target} ({result.ran} run, {result.skipped} already stored, "
                  f"{result.failed} failed or invalid) in {result.wall_s:.1f} s on {result.backend or 'no workers'}",
                  markup=False)

    @study_app.command("show")
    def show(
        store: StoreArg,
        sql: Annotated[str | None, typer.Option("--sql", help="A DuckDB query over the view `designs`, e.g. \"SELECT status, count(*) FROM designs GROUP BY status\".")] = None,
        sort: Annotated[str | None, typer.Option("--sort", help="Sort by this column (descending).")] = None,
        limit: Annotated[int, typer.Option("--limit", help="Rows to print.")] = 50,
    ) -> None:
        """Print the designs of a store (axes and main outputs), or the result of a DuckDB query."""
        from solidstack.cli import console
        from solidstack.studies import Store

        st = Store(store)
        if sql is not None:
            df = st.query(sql)
            console.print(_rows_table(df.head(limit), list(df.columns), f"{store}: query"))
            return
        df = st.to_dataframe()
        axes = [a["column"] for a in st.meta().get("axes", []) if a["column"] in df.columns]
        if sort is not None:
            if sort not in df.columns:
                raise InputError(Problem("--sort", f"no column {sort!r} in the store"))
            df = df.sort_values(sort, ascending=False, na_position="last")
        cols = ["design_id", "status", *axes, *[c for c in SHOW_COLUMNS if c in df.columns]]
        counts = df["status"].value_counts().to_dict()
        title = f"{store}: {len(df)} designs (" + ", ".join(f"{v} {k}" for k, v in counts.items()) + ")"
        console.print(_rows_table(df.head(limit), cols, title))
        bad = df[df["status"] != "ok"]
        for _, r in bad.head(limit).iterrows():
            console.print(f"{r['design_id']}: {r['status']}: {r['message']}", markup=False, highlight=False)

    @study_app.command("export")
    def export(
        store: StoreArg,
        csv: Annotated[Path | None, typer.Option("--csv", help="Write every row to this CSV file.")] = None,
        parquet: Annotated[Path | None, typer.Option("--parquet", help="Write every row to this single Parquet file.")] = None,
    ) -> None:
        """Export a store as one CSV (or Parquet) file."""
        from solidstack.cli import console
        from solidstack.fsio import atomic_path, prepare_out_dir
        from solidstack.studies import Store

        if csv is None and parquet is None:
            raise InputError(Problem("export", "give --csv FILE and/or --parquet FILE"))
        df = Store(store).to_dataframe()
        for path, kind in ((csv, "csv"), (parquet, "parquet")):
            if path is None:
                continue
            prepare_out_dir(path.parent if str(path.parent) else Path("."), f"--{kind}")
            with atomic_path(path) as tmp:
                df.to_csv(tmp, index=False) if kind == "csv" else df.to_parquet(tmp, index=False)
            console.print(f"wrote {len(df)} rows to {path}", markup=False)

    @study_app.command("plot")
    def plot(
        store: StoreArg,
        out: Annotated[Path | None, typer.Option("--out", help="Folder for the figures (default: the store).")] = None,
        color: Annotated[str | None, typer.Option("--color", help="Axis column colouring the Pareto plot (default: the first axis).")] = None,
    ) -> None:
        """Draw the Pareto front (specific energy vs retention) and one-axis trends, as PNG and SVG."""
        from solidstack.cli import console
        from solidstack.studies import Store, plot_store

        files = plot_store(Store(store), out, color)
        console.print("wrote " + ", ".join(str(f) for f in files), markup=False)
