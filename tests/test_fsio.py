"""Atomic writes: nothing half-written, no temporary file left, a planted symlink replaced and not followed."""

import os

import pytest

from solidstack.errors import InputError
from solidstack.fsio import atomic_open, atomic_path, atomic_write, prepare_out_dir, prepare_out_file


def _temporaries(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "cycles.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target, "w") as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and not _temporaries(tmp_path)


def test_interrupted_write_leaves_no_temporary(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_open(tmp_path / "a.png") as fh:
        fh.write(b"x")
        raise KeyboardInterrupt
    assert not list(tmp_path.iterdir())


def test_symlink_at_target_is_replaced(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / "out.json").symlink_to(victim)
    atomic_write(tmp_path / "out.json", "{}")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "out.json").is_symlink() and (tmp_path / "out.json").read_text() == "{}"


def test_mode_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_replaced_temporary_is_not_published(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    with pytest.raises(OSError, match="replaced"), atomic_path(tmp_path / "fig.png") as tmp:
        tmp.unlink()
        tmp.symlink_to(victim)  # a symlink planted at the temporary name while the writer works
    assert not (tmp_path / "fig.png").exists() and victim.read_text() == "precious"


def test_out_checks(tmp_path):
    assert prepare_out_dir(tmp_path / "new" / "dir").is_dir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="--out"):
        prepare_out_dir(tmp_path / "f")
    with pytest.raises(InputError, match="--json"):
        prepare_out_file(tmp_path)
    assert prepare_out_file(tmp_path / "made" / "n.json") == tmp_path / "made" / "n.json"
    assert (tmp_path / "made").is_dir()
