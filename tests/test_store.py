"""The results store's journal and Parquet parts (issue 10: a finished design is never lost, and is read once).

Rows here are written by the test itself (no simulation), so every expected value is the test's own input.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from solidstack.studies import store as store_mod
from solidstack.studies.store import Store

pytestmark = pytest.mark.skipif(store_mod.fcntl is None, reason="journals are locked with flock (POSIX)")


def _row(i: int, **extra) -> dict:
    return {"design_id": f"{i:016x}", "study": "t", "status": "ok", "message": "", "wall_s": 0.25 * i,
            "model": "SPM", "solidstack_version": "0", "x_um": 5.0 * i, **extra}


def test_killed_writer_keeps_its_finished_rows_and_drops_a_torn_line(tmp_path):
    """A process appends three rows, then half of a fourth (a write cut short), then is killed with SIGKILL: the
    three rows are in the store, the fourth is not, and compaction moves the three into a Parquet part."""
    path = tmp_path / "s.store"
    code = textwrap.dedent(f"""
        import os, signal
        from solidstack.studies.store import Store, _JOURNALS
        st = Store({str(path)!r}).prepare()
        for i in (1, 2, 3):
            st.write({{"design_id": f"{{i:016x}}", "study": "t", "status": "ok", "message": "", "wall_s": 0.25 * i,
                      "model": "SPM", "solidstack_version": "0", "x_um": 5.0 * i}})
        j = next(iter(_JOURNALS.values()))
        os.write(j.fd, b'{{"design_id": "0000000000000004", "study": "t", "sta')
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == -signal.SIGKILL, r.stderr
    st = Store(path)
    journals = list(st.journal_dir.glob("*.jsonl"))
    assert len(journals) == 1 and not list(st.designs_dir.glob("*.parquet"))  # nothing compacted yet
    assert st.done_ids() == {f"{i:016x}" for i in (1, 2, 3)}
    want = [_row(i) for i in (1, 2, 3)]
    assert st.rows() == want
    assert st.compact() == 3
    assert not list(st.journal_dir.glob("*.jsonl")) and len(list(st.designs_dir.glob("part-*.parquet"))) == 1
    assert st.rows() == want
    assert st.compact() == 0


def test_live_journal_is_read_but_not_compacted(tmp_path):
    st = Store(tmp_path / "s.store").prepare()
    st.write(_row(1))
    other = Store(tmp_path / "s.store")  # e.g. `study show` while a run writes
    assert other.compact() == 0  # its writer (this process) holds the lock
    assert list(st.journal_dir.glob("*.jsonl"))
    assert other.rows() == [_row(1)]
    st.close()
    assert not list(st.journal_dir.glob("*.jsonl"))
    assert other.rows() == [_row(1)]


def test_rows_with_different_columns_share_a_part(tmp_path):
    """Designs with different hosts record different loss columns; a part keeps every row's columns."""
    st = Store(tmp_path / "s.store").prepare()
    st.write(_row(1, anode_In_held_mAh=0.5))
    st.write(_row(2, anode_Cu_note="shielded", retention=float("nan")))
    st.close()
    assert len(list(st.designs_dir.glob("*.parquet"))) == 1
    a, b = st.rows()
    assert a["anode_In_held_mAh"] == 0.5 and a["anode_Cu_note"] is None
    assert b["anode_Cu_note"] == "shielded" and b["anode_In_held_mAh"] is None and math.isnan(b["retention"])


def test_journal_compacted_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "BATCH_ROWS", 2)
    st = Store(tmp_path / "s.store").prepare()
    for i in range(1, 6):
        st.write(_row(i))
    assert len(list(st.designs_dir.glob("*.parquet"))) == 2  # rows 1-2 and 3-4; row 5 still in the journal
    assert len(st.done_ids()) == 5
    st.close()
    assert len(list(st.designs_dir.glob("*.parquet"))) == 3
    assert [r["design_id"] for r in st.rows()] == [f"{i:016x}" for i in range(1, 6)]


def test_row_in_a_part_and_its_journal_is_read_once(tmp_path):
    """A compaction killed between renaming its part into place and removing the journal leaves both."""
    st = Store(tmp_path / "s.store").prepare()
    st.write(_row(1))
    st.write(_row(2))
    journal = next(st.journal_dir.glob("*.jsonl"))
    saved = journal.read_bytes()
    st.close()
    journal.write_bytes(saved)  # the journal is back, its rows also in the part
    assert st.query("SELECT count(*) AS n FROM designs")["n"][0] == 2
    assert st.compact() == 0 and not journal.exists()
    assert st.query("SELECT count(*) AS n FROM designs")["n"][0] == 2


def test_store_of_one_file_per_design_still_reads(tmp_path):
    """Stores written before the journal: ``designs/<id>.parquet``, one row each."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    st = Store(tmp_path / "s.store").prepare()
    pq.write_table(pa.Table.from_pylist([_row(7)]), st.designs_dir / f"{7:016x}.parquet")
    st.write(_row(8))
    assert st.done_ids() == {f"{7:016x}", f"{8:016x}"}
    st.close()
    assert [r["design_id"] for r in st.rows()] == [f"{7:016x}", f"{8:016x}"]


def test_numpy_values_are_stored_as_numbers(tmp_path):
    import numpy as np

    st = Store(tmp_path / "s.store").prepare()
    st.write(_row(1, cycles_run=np.int64(3), ce_1=np.float64(0.875)))
    assert st.rows()[0]["cycles_run"] == 3 and st.rows()[0]["ce_1"] == 0.875
    st.close()
    assert st.rows()[0]["cycles_run"] == 3 and st.rows()[0]["ce_1"] == 0.875
    assert os.listdir(st.journal_dir) == []


def test_parts_where_a_column_is_empty_in_one_read_together(tmp_path, monkeypatch):
    """A part whose rows all lack a value (e.g. failed designs: no retention) holds a column of nulls; DuckDB
    reads it with the parts that have numbers or text there."""
    monkeypatch.setattr(store_mod, "BATCH_ROWS", 1)  # one part per row
    st = Store(tmp_path / "s.store").prepare()
    st.write(_row(1, status="failed", message="solver", retention=None, claim_2=None))
    st.write(_row(2, retention=0.9, claim_2="met"))
    st.close()
    assert len(list(st.designs_dir.glob("*.parquet"))) == 2
    a, b = st.rows()
    assert (a["retention"], a["claim_2"], a["status"]) == (None, None, "failed")
    assert (b["retention"], b["claim_2"]) == (0.9, "met")
    df = st.query("SELECT avg(retention) AS r, count(claim_2) AS n FROM designs")
    assert df["r"][0] == 0.9 and df["n"][0] == 1
