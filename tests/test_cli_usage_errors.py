"""CLI usage errors through the installed entry point and ``python -m solidstack``: one line ``error: ...``,
exit code 2, no traceback, whatever Click copy Typer ships (``typer._click`` since Typer 0.26)."""

import subprocess
import sys
from pathlib import Path

import pytest

from solidstack import __version__

ENTRY = Path(sys.executable).with_name("solidstack")


def run(*args: str, module: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "solidstack"] if module or not ENTRY.exists() else [str(ENTRY)]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--bogus",), "No such option: --bogus"),  # unknown option of the app
        (("show", "example-1", "--nope"), "No such option: --nope"),  # unknown option of a command
        (("show",), "Missing argument"),  # missing argument
        (("simulate", "example-1", "--cycles", "abc"), "--cycles"),  # not an integer
        (("reproduce", "--cycles", "0"), "--cycles"),  # out of the option's range
        (("claims", "example-1", "--format", "xx"), "--format"),  # bad choice
        (("nosuchcommand",), "nosuchcommand"),  # unknown command
        (("show", "example-1", "extra"), "extra"),  # extra argument
    ],
)
def test_usage_error_is_one_line_exit_2(args, needle):
    r = run(*args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert needle in lines[0]
    assert "Traceback" not in r.stderr + r.stdout


@pytest.mark.parametrize("args", [("--bogus",), ("show",), ("simulate", "example-1", "--cycles", "abc")])
def test_usage_error_through_python_m(args):
    r = run(*args, module=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ")
    assert "Traceback" not in r.stderr


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"solidstack {__version__}"


def test_python_m_help():
    r = run("--help", module=True)
    assert r.returncode == 0 and "simulate" in r.stdout and "Traceback" not in r.stderr


def test_no_arguments_shows_help_and_exits_2():
    r = run()
    assert r.returncode == 2 and "Usage" in r.stdout and "Traceback" not in r.stderr
