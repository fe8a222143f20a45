"""Running a study's designs: in this process, on a local process pool, or on a Dask cluster (one code path).

Every backend is a :class:`concurrent.futures.Executor`: a process pool (``forkserver`` where available, its
server warmed up once by :mod:`solidstack.studies.warm`, else ``spawn``; never ``fork`` from the calling
process, which may hold threads), or ``dask.distributed``'s
``Client.get_executor()``. Workers receive each design as data (the resolved stack as JSON, the protocol as a
dict), never PyBaMM objects, and build or reuse simulations from their own bounded cache
(``solidstack.sim.run``). Designs are sorted by structure (``study.structure_group``) and sent in small batches
of one structure, so a worker builds a structure once and re-solves the rest of its batch by inputs.
Thread pools of numerical libraries are limited to one thread per worker (``THREAD_ENV``); the IDAKLU solver is
single-threaded by default. A failing design is a row with its error, never the end of the sweep. Each finished
row goes to a journal of the store at once (the worker's own, or this process's for Dask and in-process runs);
at the end of a run this process compacts every journal into Parquet (:mod:`solidstack.studies.store`).
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from solidstack.errors import InputError, Problem
from solidstack.studies.store import Store
from solidstack.studies.study import Design, Study

#: Environment that keeps BLAS/OpenMP libraries to one thread in each worker (set before workers start).
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}
#: Most designs sent to a worker in one task (a killed run loses at most the unfinished designs of running tasks).
MAX_BATCH = 4

ProgressFn = Callable[[int, int, int], None]  # (finished, failed, total)


@dataclass
class StudyRun:
    """What :func:`run_study` did: ``rows`` (pandas DataFrame of every design of the study, including those found
    in the store), and how many designs were ``ran``, ``skipped`` (already in the store) and ``failed``."""

    rows: Any
    ran: int = 0
    skipped: int = 0
    failed: int = 0
    wall_s: float = 0.0
    backend: str = ""
    messages: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- worker side
def _init_worker() -> None:
    for k, v in THREAD_ENV.items():
        os.environ[k] = v


def run_batch(tasks_json: str) -> list[dict[str, Any]]:
    """Run a batch of designs (JSON list of tasks, see :func:`_task`) and return one row per design. Runs in a
    worker process; appends each row to its own journal of the store when the task names one (a shared
    filesystem), as soon as the design is done (see :mod:`solidstack.studies.store`)."""
    return _run_tasks(json.loads(tasks_json))


def _run_tasks(tasks: list[dict[str, Any]], stacks: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """:func:`run_batch` on tasks as dicts; ``stacks``: their validated stacks when already at hand (a run in
    this process), else each is read from its task's JSON."""
    _init_worker()
    rows: list[dict[str, Any]] = []
    store = Store(tasks[0]["store"]) if tasks and tasks[0].get("store") else None  # one store per batch
    for i, task in enumerate(tasks):
        row = run_task(task, stacks[i] if stacks is not None else None)
        if store is not None:
            store.write(row)  # this process's journal of the store: one write call, kept after kill -9
        rows.append(row)
    return rows


def run_task(task: dict[str, Any], stack: Any = None) -> dict[str, Any]:
    """Simulate one design and collect its outputs; errors become the row's status and message. ``stack``: the
    design's validated :class:`~solidstack.stack.Stack` if at hand (else read from ``task["stack"]``)."""
    from solidstack import __version__

    t0 = time.perf_counter()
    row: dict[str, Any] = {"design_id": task["design_id"], "study": task["study"], "status": "ok", "message": "",
                           "wall_s": 0.0, "model": task["model"], "solidstack_version": __version__, **task["values"]}
    try:
        from solidstack.sim import Protocol, SimulationError, simulate
        from solidstack.stack import Stack
        from solidstack.studies.outputs import cycling_outputs, stack_outputs

        if stack is None:
            stack = Stack.from_dict(json.loads(task["stack"]))
        groups = tuple(task["outputs"])
        row.update(stack_outputs(stack, groups))
        protocol = Protocol(**task["protocol"])
        try:
            result = simulate(stack, protocol, model=task["model"])
        except SimulationError as e:
            row.update(status="failed", message=str(e))
            result = None
        if result is not None:
            row.update(cycling_outputs(result, stack, groups, task.get("retention_cycle")))
    except InputError as e:
        row.update(status="input error", message="; ".join(str(p) for p in e.problems))
    except Exception as e:  # any other failure of one design is recorded, the sweep goes on
        row.update(status="failed", message=f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")
    row["wall_s"] = time.perf_counter() - t0
    row["stack"] = task["stack"]
    return row


# ---------------------------------------------------------------------------------------------- parent side
def _task(d: Design, study_name: str, outputs: Sequence[str], retention_cycle: int | None, store: str | None) -> dict[str, Any]:
    return {"design_id": d.id, "study": study_name, "model": d.model, "stack": d.stack_json, "protocol": d.protocol,
            "values": d.values, "outputs": list(outputs), "retention_cycle": retention_cycle, "store": store}


def _input_error_row(d: Design, study_name: str) -> dict[str, Any]:
    from solidstack import __version__

    return {"design_id": d.id, "study": study_name, "status": "input error", "message": d.error or "", "wall_s": 0.0,
            "model": d.model, "solidstack_version": __version__, **d.values,
            "stack": json.dumps(d.data, sort_keys=True, default=str)}


class _InProcess(cf.Executor):
    """An executor that runs each call when submitted (``workers=0``: no subprocess, for small runs and tests)."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:
            fut.set_exception(e)
        return fut


@contextmanager
def _thread_env() -> Iterator[None]:
    """Set :data:`THREAD_ENV` while worker processes start (they inherit the environment), then restore it."""
    old = {k: os.environ.get(k) for k in THREAD_ENV}
    os.environ.update(THREAD_ENV)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def open_executor(workers: int | None = None, dask: str | None = None) -> Iterator[tuple[cf.Executor, str, int, bool]]:
    """(executor, description, worker count, workers share this filesystem) for the chosen backend.

    ``dask``: ``"local"`` starts a ``dask.distributed.LocalCluster`` of ``workers`` single-threaded processes;
    any other value is a scheduler address (``tcp://host:8786``). Else ``workers`` processes (default: the CPU
    count; 0 runs in this process).
    """
    if dask is not None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError(Problem("--dask", "dask.distributed is not installed (pip install 'dask[distributed]')")) from None
        import logging

        cluster = None
        with _thread_env():
            try:
                if dask == "local":
                    n = workers or os.cpu_count() or 1
                    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                           silence_logs=logging.ERROR)
                    client = Client(cluster)
                else:
                    client = Client(dask, timeout="10s")
            except (OSError, TimeoutError, ValueError) as e:
                if cluster is not None:
                    cluster.close()
                raise InputError(Problem("--dask", f"cannot connect to the Dask scheduler {dask!r}: {e}")) from None
            try:
                n_workers = max(1, len(client.scheduler_info().get("workers", {})))
                yield client.get_executor(pure=False), f"dask ({dask}, {n_workers} workers)", n_workers, dask == "local"
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
        return
    n = (os.cpu_count() or 1) if workers is None else workers
    if n < 0:
        raise InputError(Problem("--workers", f"must be >= 0, got {n}"))
    if n == 0:
        yield _InProcess(), "in process", 1, True
        return
    ctx, method = _mp_context()
    with _thread_env():
        pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx)
        try:
            yield pool, f"{n} local worker process{'es' if n > 1 else ''} ({method})", n, True
        except BaseException:  # Ctrl-C or an error: drop the queued designs instead of waiting for them
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _mp_context():
    """The multiprocessing context of local pools and its start method: ``forkserver`` (workers fork from one
    process that imported and warmed up PyBaMM: :mod:`solidstack.studies.warm`) where available, else ``spawn``."""
    import multiprocessing as mp

    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        preload = ["solidstack.studies.execute", "solidstack.sim", "solidstack.studies.warm"]
        if "solidstack.cli" in sys.modules:  # each worker re-imports the parent's main module: the CLI's, here
            preload.append("solidstack.cli")
        ctx.set_forkserver_preload(preload)
    return ctx, method


def start_workers_early(workers: int | None = None, dask: str | None = None) -> None:
    """Start the forkserver of local pools now (it imports and warms up PyBaMM in its own process, ~2 s), so that
    happens while this process prepares the designs; nothing for ``workers=0``, Dask, or without a forkserver."""
    if dask is not None or workers == 0:
        return
    _, method = _mp_context()
    if method == "forkserver":
        from multiprocessing import forkserver

        with _thread_env():
            forkserver.ensure_running()


def batches(designs: Sequence[Design], n_workers: int) -> list[list[Design]]:
    """Designs sorted by structure group, cut into batches of one group each (at most :data:`MAX_BATCH`, and
    small enough that every worker gets work); the last ``n_workers x MAX_BATCH`` designs go one a batch, so the
    workers finish together instead of one waiting for another's last batch."""
    size = max(1, min(MAX_BATCH, math.ceil(len(designs) / max(1, 2 * n_workers))))
    groups: dict[str, list[Design]] = {}
    for d in designs:
        groups.setdefault(d.group, []).append(d)
    out = []
    for g in sorted(groups):
        items = groups[g]
        out += [items[i:i + size] for i in range(0, len(items), size)]
    if n_workers > 1 and size > 1:
        tail: list[list[Design]] = []
        while out and sum(map(len, tail)) < n_workers * MAX_BATCH:
            tail = [[d] for d in out.pop()] + tail
        out += tail
    return out


def run_designs(designs: Sequence[Design], *, study_name: str, outputs: Sequence[str], retention_cycle: int | None = None,
                store: Store | None = None, meta: dict[str, Any] | None = None, workers: int | None = None,
                dask: str | None = None, progress: ProgressFn | None = None) -> StudyRun:
    """Run ``designs`` (skipping those already in ``store``), recording each finished design as it comes back."""
    import pandas as pd

    t0 = time.perf_counter()
    if store is not None:
        store.prepare(meta)
    unique: dict[str, Design] = {}
    for d in designs:
        unique.setdefault(d.id, d)
    done = store.done_ids() if store is not None else set()
    todo = [d for d in unique.values() if d.id not in done]
    rows: dict[str, dict[str, Any]] = {}
    run = StudyRun(rows=None, skipped=len(unique) - len(todo))
    total, finished = len(unique), run.skipped

    def record(row: dict[str, Any], persist: bool = True) -> None:
        nonlocal finished
        rows[row["design_id"]] = row
        if store is not None and persist:
            store.write(row)
        finished += 1
        run.ran += 1
        run.failed += row["status"] != "ok"
        if progress is not None:
            progress(finished, run.failed, total)

    if progress is not None:
        progress(finished, 0, total)
    sims = [d for d in todo if d.error is None]
    for d in todo:
        if d.error is not None:
            record(_input_error_row(d, study_name))
    try:
        if sims:
            _execute(sims, run, record, study_name=study_name, outputs=outputs, retention_cycle=retention_cycle,
                     store=store, workers=workers, dask=dask)
    finally:
        if store is not None:  # this process's journal and those of the (ended) workers into Parquet parts
            store.close()
    # rows of this run from memory; those found in the store (skipped) read from it
    frames = [pd.DataFrame([rows[d.id] for d in unique.values() if d.id in rows])]
    stored = [d.id for d in unique.values() if d.id not in rows]
    if store is not None and stored:
        frames.append(pd.DataFrame(store.rows(stored)))
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames[0] if frames else pd.DataFrame())
    run.wall_s = time.perf_counter() - t0
    run.rows = frame
    return run


def _execute(sims: Sequence[Design], run: StudyRun, record: Callable[..., None], *, study_name: str,
             outputs: Sequence[str], retention_cycle: int | None, store: Store | None, workers: int | None,
             dask: str | None) -> None:
    """Send ``sims`` to the chosen backend and :func:`record` each row as it comes back (persisted here unless a
    worker sharing this filesystem has written it to its own journal)."""
    with open_executor(workers, dask) as (executor, backend, n_workers, shared_fs):
        run.backend = backend
        worker_store = str(store.path.resolve()) if store is not None and shared_fs and dask is None else None
        futures = {}
        for batch in batches(sims, n_workers):
            tasks = [_task(d, study_name, outputs, retention_cycle, worker_store) for d in batch]
            if isinstance(executor, _InProcess):  # the validated stacks are at hand: no JSON round trip
                futures[executor.submit(_run_tasks, tasks, [d.stack for d in batch])] = batch
            else:
                futures[executor.submit(run_batch, json.dumps(tasks))] = batch
        for fut in cf.as_completed(futures):
            try:
                for row in fut.result():
                    record(row, persist=worker_store is None)
            except Exception as e:  # a worker died (killed, out of memory): not stored, so a rerun retries
                msg = f"worker failed: {type(e).__name__}: {e}"
                run.messages.append(msg)
                for d in futures[fut]:
                    row = {**_input_error_row(d, study_name), "status": "failed", "message": msg,
                           "stack": d.stack_json}
                    record(row, persist=False)


def run_study(study: Study, store: str | os.PathLike | Store | None = None, *, workers: int | None = None,
              dask: str | None = None, progress: ProgressFn | None = None) -> StudyRun:
    """Run every design of ``study``; with ``store`` (a folder), finished designs are written there as they come
    back and designs already there are skipped. ``workers``: local processes (default the CPU count, 0 = in
    this process); ``dask``: ``"local"`` or a scheduler address. Returns a :class:`StudyRun`."""
    st = store if isinstance(store, Store) or store is None else Store(os.fspath(store))
    start_workers_early(workers, dask)
    return run_designs(study.designs(), study_name=study.name, outputs=study.outputs,
                       retention_cycle=study.retention_cycle, store=st, meta=study.to_meta(), workers=workers,
                       dask=dask, progress=progress)
