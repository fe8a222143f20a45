"""The results store of a study: a folder holding a Parquet dataset, one file per finished design.

Layout::

    STORE/study.json              what the study was (name, model, axes and their columns), for queries and plots
    STORE/designs/<id>.parquet    one row per design: id, status, message, wall time, axes, outputs, resolved stack

Each file is written to a temporary name in the same folder and renamed into place (``solidstack.fsio``), so a
design is either in the store whole or not at all: after ``kill -9`` nothing that finished is lost, and a rerun
skips every design whose file exists. Query it with DuckDB (:meth:`Store.query`, view ``designs``) or read it
with pandas (:meth:`Store.to_dataframe`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from solidstack.errors import InputError, Problem
from solidstack.fsio import atomic_path, atomic_write, prepare_out_dir

STATUSES = ("ok", "failed", "input error")
#: Columns every row has, first in every table.
BASE_COLUMNS = ("design_id", "study", "status", "message", "wall_s", "model", "solidstack_version")


class Store:
    """A results store folder (created on first write)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def designs_dir(self) -> Path:
        return self.path / "designs"

    # ------------------------------------------------------------------ writing
    def prepare(self, meta: dict[str, Any] | None = None, where: str = "--store") -> Store:
        """Create the folders (checked writable) and record ``meta`` (the study) in ``study.json``."""
        prepare_out_dir(self.path, where)
        prepare_out_dir(self.designs_dir, where)
        if meta is not None:
            atomic_write(self.path / "study.json", json.dumps(meta, indent=2, sort_keys=True) + "\n")
        return self

    def write(self, row: dict[str, Any]) -> Path:
        """Write one design's row as ``designs/<id>.parquet`` (atomically)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist([row])
        target = self.designs_dir / f"{row['design_id']}.parquet"
        with atomic_path(target) as tmp:
            # one row: dictionaries, statistics and compression only cost time (and make the file larger)
            pq.write_table(table, tmp, compression="none", use_dictionary=False, write_statistics=False)
        return target

    # ------------------------------------------------------------------ reading
    def exists(self) -> bool:
        return self.designs_dir.is_dir()

    def done_ids(self) -> set[str]:
        """Ids of the designs already in the store (any status)."""
        if not self.designs_dir.is_dir():
            return set()
        return {p.stem for p in self.designs_dir.glob("*.parquet")}

    def meta(self) -> dict[str, Any]:
        p = self.path / "study.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}

    def _require(self, where: str) -> None:
        if not self.path.is_dir():
            raise InputError(Problem(where, f"no such store folder {str(self.path)!r}"))
        if not self.done_ids():
            raise InputError(Problem(where, f"{str(self.path)!r} holds no designs (run `solidstack study run` first)"))

    def connect(self, where: str = "STORE"):
        """A DuckDB connection with a view ``designs`` over every row of the store."""
        import duckdb

        self._require(where)
        con = duckdb.connect()
        glob = str(self.designs_dir / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW designs AS SELECT * FROM read_parquet('{glob}', union_by_name = true)")
        return con

    def query(self, sql: str = "SELECT * FROM designs ORDER BY design_id", where: str = "--sql"):
        """Run ``sql`` (DuckDB, over the view ``designs``) and return a pandas DataFrame."""
        import duckdb

        con = self.connect()
        try:
            return con.execute(sql).df()
        except duckdb.Error as e:
            raise InputError(Problem(where, str(e).splitlines()[0])) from None
        finally:
            con.close()

    def to_dataframe(self):
        """Every row, columns in a stable order (base columns, axes, outputs, stack), sorted by design id."""
        df = self.query()
        axes = [a["column"] for a in self.meta().get("axes", []) if a["column"] in df.columns]
        first = [c for c in BASE_COLUMNS if c in df.columns] + axes
        last = [c for c in ("stack",) if c in df.columns]
        rest = [c for c in df.columns if c not in first and c not in last]
        return df[first + rest + last]
