"""Checkpoints of a long cycling run: the end state of every finished cycle and the state to continue from.

A run given a checkpoint folder writes ``checkpoint.npz`` there after every chunk of cycles (atomically: a killed
run leaves the previous checkpoint whole), so SIGKILL loses at most one chunk. ``simulate(..., resume=DIR)`` (and
``solidstack simulate ... --resume DIR``) reads it, checks that it belongs to the same stack, protocol (apart from
the cycle count), model and options, and continues from its last state: the per-cycle table is the one of an
uninterrupted run, since the continuation is the same one made between chunks.

The file is NumPy's ``.npz`` without pickles (plain arrays and one JSON string), so loading it runs no code.
Time series of the cycles before the checkpoint are not in it: after a resume, ``result.timeseries`` holds the
cycles solved since, preceded by the earlier cycles' rows if the folder holds the interrupted run's time series.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from solidstack.errors import InputError, Problem

FILE_NAME = "checkpoint.npz"
FORMAT_VERSION = 1


@dataclass
class Checkpoint:
    """What a run needs to continue: the fingerprint of what was run, the end state of each finished cycle
    (``t``: n, ``y``: states x n, ``integrals``: n x 4, see :class:`~solidstack.sim.result.CycleEnds`), the
    inputs of those states, and the state to continue from (``start_t``, ``start_y``)."""

    fingerprint: dict[str, Any]
    t: np.ndarray
    y: np.ndarray
    integrals: np.ndarray
    inputs: dict[str, float]
    start_t: np.ndarray
    start_y: np.ndarray
    termination: str

    @property
    def cycles(self) -> int:
        return int(self.t.size)


def path_in(folder: str | Path) -> Path:
    return Path(folder) / FILE_NAME


def save(folder: str | Path, fingerprint: dict[str, Any], ends: Any, start: Any) -> Path:
    """Write the checkpoint of ``ends`` (a CycleEnds) and ``start`` (the one-point solution to continue from)
    into ``folder`` atomically."""
    from solidstack.fsio import atomic_open

    meta = {"version": FORMAT_VERSION, "fingerprint": fingerprint,
            "inputs": {k: float(np.ravel(v)[0]) for k, v in ends.inputs[-1].items()},
            "termination": str(start.termination)}
    path = path_in(folder)
    with atomic_open(path, "wb") as fh:
        np.savez(fh, meta=np.array(json.dumps(meta, sort_keys=True, default=str)),
                 t=np.concatenate(ends.t), y=np.hstack(ends.y), integrals=np.vstack(ends.integrals),
                 start_t=np.asarray(start.all_ts[-1], dtype=float), start_y=np.asarray(start.all_ys[-1], dtype=float))
    return path


def load(folder: str | Path, where: str = "--resume") -> Checkpoint:
    """Read the checkpoint in ``folder``; a missing, unreadable or foreign file is an :class:`InputError`."""
    path = path_in(folder)
    if not path.is_file():
        raise InputError(Problem(where, f"no {FILE_NAME} in {str(folder)!r} (a run writes one into its --out folder)"))
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            data = {k: np.array(z[k], dtype=float) for k in ("t", "y", "integrals", "start_t", "start_y")}
    except (OSError, ValueError, KeyError) as err:
        raise InputError(Problem(where, f"{str(path)!r} is not a solidstack checkpoint ({err})")) from None
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        raise InputError(Problem(where, f"{str(path)!r} is a checkpoint of another format version"))
    n = data["t"].size
    if data["y"].ndim != 2 or data["y"].shape[1] != n or data["integrals"].shape != (n, 4) or data["start_y"].ndim != 2:
        raise InputError(Problem(where, f"{str(path)!r} is damaged (arrays of inconsistent sizes)"))
    return Checkpoint(fingerprint=meta["fingerprint"], inputs=meta["inputs"], termination=meta["termination"], **data)


def check_matches(cp: Checkpoint, fingerprint: dict[str, Any], where: str = "--resume") -> None:
    """Refuse a checkpoint of another stack, protocol, model or options than the run asked for."""
    mine = json.loads(json.dumps(fingerprint, sort_keys=True, default=str))
    differs = [k for k in sorted(set(mine) | set(cp.fingerprint)) if mine.get(k) != cp.fingerprint.get(k)]
    if differs:
        raise InputError(Problem(where, f"the checkpoint is of a different run ({', '.join(differs)} differ); "
                                 "resume with the same stack, protocol, model and options"))


def restore(cp: Checkpoint, ends: Any, model: Any) -> Any:
    """Fill ``ends`` (an empty CycleEnds) with the checkpoint's cycles and return the one-point PyBaMM solution
    to continue from; ``model`` is the built model of a cycle's last step (the one those states belong to)."""
    import pybamm

    inputs = {k: np.array([v]) for k, v in cp.inputs.items()}
    for i in range(cp.cycles):
        ends.t.append(cp.t[i : i + 1].copy())
        ends.y.append(cp.y[:, i : i + 1].copy())
        ends.models.append(model)
        ends.inputs.append(inputs)
        ends.integrals.append(cp.integrals[i].copy())
    start = pybamm.Solution(cp.start_t.copy(), cp.start_y.copy(), model, inputs, termination=cp.termination)
    start.cycles, start.all_summary_variables, start.all_first_states = [], [], []
    return start


def with_earlier_timeseries(folder: str | Path, timeseries: Any, upto: int) -> Any:
    """``timeseries`` (of the cycles solved after a resume) preceded by the rows of cycles 1..``upto`` from the
    interrupted run's ``timeseries.parquet`` (or ``.csv``) in ``folder``, when it is there with the same columns
    (an interrupted run writes its finished cycles; a killed one may not have)."""
    import pandas as pd

    for name, reader in (("timeseries.parquet", pd.read_parquet), ("timeseries.csv", pd.read_csv)):
        path = Path(folder) / name
        if not path.is_file():
            continue
        try:
            earlier = reader(path)
        except Exception:  # noqa: BLE001 - an unreadable earlier file is skipped, the new cycles are kept
            continue
        if "cycle" not in earlier or (len(timeseries) and list(earlier.columns) != list(timeseries.columns)):
            continue
        earlier = earlier[earlier["cycle"] <= upto].reset_index(drop=True)
        if not len(timeseries):  # nothing solved since (the checkpoint already had every cycle asked for)
            return earlier
        return pd.concat([earlier, timeseries], ignore_index=True) if len(earlier) else timeseries
    return timeseries
