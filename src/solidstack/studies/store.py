"""The results store of a study: a folder holding a Parquet dataset (one row per finished design) and the
append-only journals that carry finished designs into it.

Layout::

    STORE/study.json                 what the study was (name, model, axes and their columns), for queries and plots
    STORE/designs/part-<n>.parquet   rows of finished designs: id, status, message, wall time, axes, outputs, stack
    STORE/journal/<pid>-<n>.jsonl    rows not yet in a Parquet part: one JSON object a line, per writing process

A process that finishes a design appends its row to its own journal, one ``write`` call per row, so the row is
in the operating system's hands before the next design starts: after ``kill -9`` of the process (or of the whole
run) every finished row is in a journal. A journal is compacted into one Parquet part every
:data:`BATCH_ROWS` rows or :data:`BATCH_SECONDS` seconds, when its writer closes it (the end of a run), and, for
journals left by a killed run, by the next run or :meth:`Store.compact`. Every Parquet part is written to a
temporary name and renamed into place (``solidstack.fsio``), so a part is there whole or not at all, and its
journal is removed only after. A line is a finished row only when it ends with a newline and parses; a torn last
line (a write cut by ``kill -9``) is ignored, and that design runs again. A journal's writer holds an exclusive
``flock`` on it for as long as it writes (the operating system drops it when the process ends, however), and only
unlocked journals are compacted. Rows are deduplicated by design id: a journal row already in a part, or a row
stored twice by two runs sharing the store, is read once.

Query the store with DuckDB (:meth:`Store.query`, view ``designs``: every Parquet part and every complete journal
row) or read it with pandas (:meth:`Store.to_dataframe`). Stores written by earlier versions (one
``designs/<id>.parquet`` file per design) read the same way.

Neither parts nor journals are ``fsync``-ed: a finished design survives the death of any process, not a power
cut of the machine (like every file solidstack writes).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from solidstack.errors import InputError, Problem
from solidstack.fsio import atomic_path, atomic_write, prepare_out_dir

try:  # POSIX; without it (Windows) journals are not locked, and only their own writer compacts them
    import fcntl
except ImportError:  # pragma: no cover - not on the supported platforms
    fcntl = None  # type: ignore[assignment]

STATUSES = ("ok", "failed", "input error")
#: Columns every row has, first in every table.
BASE_COLUMNS = ("design_id", "study", "status", "message", "wall_s", "model", "solidstack_version")
#: A journal is compacted into a Parquet part once it holds this many rows ...
BATCH_ROWS = 100
#: ... or once its first row is this old (s), checked when a row is appended.
BATCH_SECONDS = 60.0
#: File names of the one-row-per-file layout of earlier versions: ``<design id>.parquet``.
_LEGACY = re.compile(r"^[0-9a-f]{16}$")


def _plain(value: Any) -> Any:
    """JSON for values ``json`` does not know (numpy scalars by their Python value, anything else as text)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


def _tables(rows: list[dict[str, Any]]) -> list[Any]:
    """``rows`` as Arrow tables: one table with the union of their columns (first-seen order), or, if a column
    mixes types Arrow cannot hold in one column, one table per row."""
    import pyarrow as pa

    names = list(dict.fromkeys(k for r in rows for k in r))
    try:
        return [pa.Table.from_pydict({n: [r.get(n) for r in rows] for n in names})]
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return [pa.Table.from_pylist([r]) for r in rows]


def _parse_journal(data: bytes) -> list[dict[str, Any]]:
    """The complete rows of a journal's bytes: lines ending with a newline that parse as a row."""
    rows = []
    lines = data.split(b"\n")
    for line in lines[:-1]:  # the last piece follows the last newline: empty, or a torn line
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("design_id"), str):
            rows.append(row)
    return rows


def _read_fd(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


class _Journal:
    """This process's journal of one store: rows appended one ``write`` call each, under an exclusive lock."""

    def __init__(self, store: Store):
        self.store = store
        self.pid = os.getpid()
        self.rows: list[dict[str, Any]] = []
        self.first_t = 0.0
        self.fd = -1
        self.path = Path()
        self._open()

    def _open(self) -> None:
        self.store.journal_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.store.journal_dir / f"{self.pid}-{secrets.token_hex(4)}.jsonl"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.rows = []

    def append(self, row: dict[str, Any]) -> None:
        data = memoryview((json.dumps(row, default=_plain) + "\n").encode("utf-8"))
        while data:
            data = data[os.write(self.fd, data):]
        if not self.rows:
            self.first_t = time.monotonic()
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS or time.monotonic() - self.first_t >= BATCH_SECONDS:
            self.close()
            self._open()

    def close(self) -> None:
        """Write the rows as a Parquet part (atomically), then remove the journal and release it."""
        if self.fd < 0:
            return
        try:
            if self.rows:
                self.store._write_part(self.rows)
            os.unlink(self.path)
        finally:
            os.close(self.fd)
            self.fd = -1
            self.rows = []


#: Open journals of this process, by store folder.
_JOURNALS: dict[str, _Journal] = {}


class Store:
    """A results store folder (created on first write)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def designs_dir(self) -> Path:
        return self.path / "designs"

    @property
    def journal_dir(self) -> Path:
        return self.path / "journal"

    # ------------------------------------------------------------------ writing
    def prepare(self, meta: dict[str, Any] | None = None, where: str = "--store") -> Store:
        """Create the folders (checked writable), record ``meta`` (the study) in ``study.json`` and compact the
        journals a killed run left (:meth:`compact`)."""
        prepare_out_dir(self.path, where)
        prepare_out_dir(self.designs_dir, where)
        if meta is not None:
            atomic_write(self.path / "study.json", json.dumps(meta, indent=2, sort_keys=True) + "\n")
        self.compact()
        return self

    def _key(self) -> str:
        return os.path.realpath(self.path)

    def write(self, row: dict[str, Any]) -> None:
        """Append one design's row to this process's journal of the store (in the Parquet dataset from the next
        compaction; read by :meth:`query` and :meth:`done_ids` at once)."""
        j = _JOURNALS.get(self._key())
        if j is None or j.pid != os.getpid() or j.fd < 0:  # (a forked child never writes its parent's journal)
            j = _JOURNALS[self._key()] = _Journal(self)
        j.append(row)

    def close(self) -> None:
        """Compact this process's journal of the store, and every other journal whose writer has ended."""
        j = _JOURNALS.pop(self._key(), None)
        if j is not None and j.pid == os.getpid():
            j.close()
        self.compact()

    def _write_part(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow.parquet as pq

        for table in _tables(rows):
            target = self.designs_dir / f"part-{time.time_ns():x}-{secrets.token_hex(4)}.parquet"
            with atomic_path(target) as tmp:
                pq.write_table(table, tmp)

    def compact(self) -> int:
        """Move the rows of every journal whose writer has ended (closed, or killed) into one Parquet part and
        remove those journals; rows already in a part are dropped. Returns the number of rows moved."""
        if fcntl is None or not self.journal_dir.is_dir():
            return 0
        taken: list[tuple[int, Path]] = []
        moved = 0
        try:
            rows: list[dict[str, Any]] = []
            for p in sorted(self.journal_dir.glob("*.jsonl")):
                fd = _take(p)
                if fd is not None:
                    taken.append((fd, p))
                    rows += _parse_journal(_read_fd(fd))
            if rows:
                seen = self._parquet_ids()
                keep = []
                for r in rows:
                    if r["design_id"] not in seen:
                        seen.add(r["design_id"])
                        keep.append(r)
                if keep:
                    self._write_part(keep)
                moved = len(keep)
            for _, p in taken:
                p.unlink(missing_ok=True)
        finally:
            for fd, _ in taken:
                os.close(fd)
        return moved

    # ------------------------------------------------------------------ reading
    def exists(self) -> bool:
        return self.designs_dir.is_dir()

    def _parts(self) -> list[Path]:
        return sorted(self.designs_dir.glob("*.parquet")) if self.designs_dir.is_dir() else []

    def _parquet_ids(self) -> set[str]:
        import pyarrow.parquet as pq

        ids: set[str] = set()
        for p in self._parts():
            if _LEGACY.match(p.stem):  # one design per file, named by its id
                ids.add(p.stem)
            else:
                ids.update(pq.read_table(p, columns=["design_id"]).column(0).to_pylist())
        return ids

    def journal_rows(self) -> list[dict[str, Any]]:
        """Every complete row of every journal (live or left by a killed run), in file order; may hold rows that
        are also in a part (a compaction between the part's rename and the journal's removal)."""
        rows: list[dict[str, Any]] = []
        if self.journal_dir.is_dir():
            for p in sorted(self.journal_dir.glob("*.jsonl")):
                try:
                    rows += _parse_journal(p.read_bytes())
                except FileNotFoundError:  # compacted meanwhile: its rows are in a part now
                    pass
        return rows

    def done_ids(self) -> set[str]:
        """Ids of the designs already in the store (any status), in a Parquet part or a journal."""
        ids = {r["design_id"] for r in self.journal_rows()}  # journals first: a journal compacted meanwhile
        return ids | self._parquet_ids()  # is in a part by the time the parts are listed

    def meta(self) -> dict[str, Any]:
        p = self.path / "study.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}

    def connect(self, where: str = "STORE"):
        """A DuckDB connection with a view ``designs`` over every row of the store (Parquet parts and journal
        rows, each design once)."""
        import duckdb

        if not self.path.is_dir():
            raise InputError(Problem(where, f"no such store folder {str(self.path)!r}"))
        journal = self.journal_rows()  # before the parts are listed (see done_ids)
        parts = self._parts()
        if not journal and not parts:
            raise InputError(Problem(where, f"{str(self.path)!r} holds no designs (run `solidstack study run` first)"))
        con = duckdb.connect()
        sources = []
        if parts:
            glob = str(self.designs_dir / "*.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW _parts AS SELECT * FROM read_parquet('{glob}', union_by_name = true)")
            sources.append("SELECT * FROM _parts")
        for i, table in enumerate(_tables(journal) if journal else []):
            con.register(f"_journal_{i}", table)
            sources.append(f"SELECT * FROM _journal_{i}"
                           + (" WHERE design_id NOT IN (SELECT design_id FROM _parts)" if parts else ""))
        con.execute(f"CREATE VIEW designs AS SELECT * FROM ({' UNION ALL BY NAME '.join(sources)}) "
                    "QUALIFY row_number() OVER (PARTITION BY design_id) = 1")
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

    def rows(self, ids: list[str] | None = None) -> list[dict[str, Any]]:
        """The stored rows (of ``ids`` only, if given) as plain dicts, sorted by design id; columns a row does not
        have are ``None``."""
        con = self.connect()
        try:
            if ids is None:
                cur = con.execute("SELECT * FROM designs ORDER BY design_id")
            else:
                cur = con.execute("SELECT * FROM designs WHERE list_contains(?, design_id) ORDER BY design_id", [ids])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
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


def _take(p: Path) -> int | None:
    """An open descriptor of journal ``p`` holding its lock, if its writer has ended (else None)."""
    assert fcntl is not None
    try:
        fd = os.open(p, os.O_RDWR)
    except (FileNotFoundError, PermissionError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        st, now = os.fstat(fd), os.stat(p)  # compacted and removed by another run between open and lock?
        if (st.st_dev, st.st_ino) != (now.st_dev, now.st_ino):
            raise FileNotFoundError(p)
    except OSError:  # BlockingIOError: its writer is alive
        os.close(fd)
        return None
    return fd
