"""Regression corpus of hostile but plausible inputs (issue 12), each through the command line in a subprocess:
one line per problem, the documented exit code, no traceback, no hang (a subprocess timeout guards each)."""

import copy
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRESET = ROOT / "src" / "solidstack" / "stack" / "presets" / "example-1.toml"
ENTRY = Path(sys.executable).with_name("solidstack")
CMD = [str(ENTRY)] if ENTRY.exists() else [sys.executable, "-m", "solidstack"]
TIMEOUT = 120  # a hang guard only; bad input answers in about a second


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)


def base() -> dict:
    return tomllib.loads(PRESET.read_text(encoding="utf-8"))


def assert_input_error(r: subprocess.CompletedProcess, needle: str, lines: int | None = 1) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-500:])
    assert "Traceback" not in r.stderr + r.stdout
    errors = r.stderr.strip().splitlines()
    assert all(line.startswith(("error: ", "note: ")) for line in errors), r.stderr
    if lines is not None:
        assert len([e for e in errors if e.startswith("error: ")]) == lines, r.stderr
    assert needle in r.stderr, r.stderr


def mutate(fn):
    def build(tmp: Path) -> Path:
        d = base()
        fn(d)
        path = tmp / "cell.json"
        path.write_text(json.dumps(d, ensure_ascii=True), encoding="utf-8")
        return path

    return build


def text_file(name: str, content: str | bytes):
    def build(tmp: Path) -> Path:
        path = tmp / name
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        return path

    return build


def fifo(tmp: Path) -> Path:
    path = tmp / "cell.toml"
    os.mkfifo(path)
    return path


def big_file(tmp: Path) -> Path:
    path = tmp / "cell.toml"
    path.write_text("# " + "x" * 11_000_000 + "\n")
    return path


def deep_json(tmp: Path) -> Path:
    path = tmp / "cell.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    return path


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))

FILE_CASES = {
    "fifo": (fifo, "not a regular file"),
    "dev-zero": (lambda tmp: Path("/dev/zero"), "not a regular file"),
    "dev-urandom": (lambda tmp: Path("/dev/urandom"), "not a regular file"),
    "directory": (lambda tmp: tmp, "is a directory"),
    "11-MB": (big_file, "bytes"),
    "duplicate-yaml": (text_file("cell.yaml", "name: a\nname: b\n"), "given twice"),
    "duplicate-json": (text_file("cell.json", '{"name": "a", "name": "b"}'), "given twice"),
    "deep-json": (deep_json, "nested too deeply"),
    "billion-laughs-yaml": (text_file("cell.yaml", LAUGHS), "more than"),
    "binary": (text_file("cell.toml", bytes(range(256)) * 8), "binary"),
    "ansi-name": (mutate(lambda d: d.update(name="\x1b[31mred\x1b[0m")), "control character"),
    "newline-fake-error": (mutate(lambda d: d.update(name="x\nerror: fake")), "control character"),
    "lone-surrogate": (text_file("cell.json", json.dumps(base()).replace('"Example 1"', '"a\\ud800"')), "surrogate"),
    "100k-name": (mutate(lambda d: d.update(name="n" * 100_000)), "at most 200"),
    "100k-layers": (mutate(lambda d: d.update(layers=[{}] * 100_000)), "more than 100000 values"),
    "1000-layers": (mutate(lambda d: d.update(layers=d["layers"] * 143)), "at most 64"),
    "cycles-true": (mutate(lambda d: d["cycling"].update(cycles=True)), "whole number"),
    "fraction-5e-324": (mutate(lambda d: (d["layers"][4]["active"].update(fraction=5e-324),
                                          d["layers"][4]["electrolyte"].update(fraction=0.97))), "active material fraction"),
    "foil-1e-30-um": (mutate(lambda d: d["layers"][1].update(thickness="1e-30 um")), "at least 0.1 um"),
    "area-tiny": (mutate(lambda d: d.update(area="1e-9 cm2")), "at least 0.01 cm2"),
    "current-1e-30": (mutate(lambda d: d["cycling"].update(current_density="1e-30 mA/cm2")), "outside 0.001 to 100"),
    "unit-div-zero": (mutate(lambda d: d["layers"][1].update(thickness="1 um/0")), "layers[1].thickness"),
    "unit-power": (mutate(lambda d: d["layers"][1].update(thickness="1 um**(1/0)")), "layers[1].thickness"),
    "unit-paren": (mutate(lambda d: d["layers"][1].update(thickness="1 (um")), "layers[1].thickness"),
    "unit-semicolon": (mutate(lambda d: d["layers"][1].update(thickness="1 um;")), "layers[1].thickness"),
    "unit-hash": (mutate(lambda d: d["layers"][1].update(thickness="1 um#")), "layers[1].thickness"),
    "unit-quote": (mutate(lambda d: d["layers"][1].update(thickness='1 um"')), "layers[1].thickness"),
    "unit-spaces": (mutate(lambda d: d["layers"][1].update(thickness="1" + " " * 50_000 + "um")), "too long"),
    "unit-long-name": (mutate(lambda d: d["layers"][1].update(thickness="1 " + "u" * 50_000)), "too long"),
    "unit-nan": (mutate(lambda d: d["layers"][1].update(thickness="nan um")), "not a number"),
    "porosity-true": (mutate(lambda d: d["layers"][4].update(porosity=True)), "expected a number"),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_hostile_stack_file(tmp_path, case):
    # the loader itself: exactly one located InputError line each
    from solidstack.errors import InputError
    from solidstack.stack import Stack

    build, needle = FILE_CASES[case]
    path = build(tmp_path)
    with pytest.raises(InputError) as info:
        Stack.from_file(path)
    assert len(info.value.problems) == 1 and needle in str(info.value), str(info.value)
    assert str(info.value.problems[0]).startswith(str(path))


CLI_FILE_CASES = ["fifo", "dev-zero", "directory", "duplicate-yaml", "billion-laughs-yaml", "ansi-name",
                  "newline-fake-error", "lone-surrogate", "fraction-5e-324", "unit-div-zero", "cycles-true"]


@pytest.mark.parametrize("case", CLI_FILE_CASES)
def test_hostile_stack_file_through_the_cli(tmp_path, case):
    build, needle = FILE_CASES[case]
    assert_input_error(run("validate", str(build(tmp_path))), needle)


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_byte_order_mark_is_accepted(tmp_path, fmt):
    path = tmp_path / f"cell.{fmt}"
    text = PRESET.read_text(encoding="utf-8") if fmt == "toml" else json.dumps(base())
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = run("validate", str(path))
    assert r.returncode == 0 and r.stdout.startswith("ok: Example 1"), r.stderr


def test_minus_100_degC_is_inside_the_stated_range(tmp_path):
    r = run("validate", str(mutate(lambda d: d.update(temperature="-100 degC"))(tmp_path)))
    assert r.returncode == 0, r.stderr


def test_markup_in_a_name_is_shown_as_written(tmp_path):
    path = mutate(lambda d: d.update(name="[/bold] [red]cell :smile:"))(tmp_path)
    for command in ("show", "validate", "claims"):
        r = run(command, str(path))
        assert r.returncode == 0, (command, r.stderr)
        assert "[/bold] [red]cell :smile:" in r.stdout, command


def test_markdown_and_html_escape_the_name(tmp_path):
    from solidstack.rules import check
    from solidstack.stack import Stack

    d = base()
    d["name"] = "<script>alert(1)</script> *bold*"
    stack = Stack.from_dict(d)
    page = check(stack)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    r = run("claims", str(mutate(lambda x: x.update(name=d["name"]))(tmp_path)), "--format", "markdown")
    assert r.returncode == 0, r.stderr
    heading = r.stdout.splitlines()[0]
    assert "<script>" not in heading and heading.startswith("# Claim chart: &lt;script&gt;") and "\\*bold\\*" in heading


OPTION_CASES = {
    "window-nan": (["simulate", "example-1", "--window", "nan:4.2"], "window"),
    "window-inf": (["simulate", "example-1", "--window", "3.0:inf"], "window"),
    "cycles-10**30": (["simulate", "example-1", "--cycles", str(10**30)], "cycles"),
    "cycles-expression": (["simulate", "example-1", "--cycles", "10**30"], "--cycles"),
    "current-tiny": (["simulate", "example-1", "--current", "1e-30 mA/cm2"], "current"),
    "current-junk": (["simulate", "example-1", "--current", "1 mA/cm2;"], "--current"),
    "json-dev-null": (["reproduce", "--json", "/dev/null"], "--json"),
    "out-dev-null": (["simulate", "example-1", "--out", "/dev/null"], "--out"),
    "empty-stack": (["show", ""], "empty"),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_hostile_option(case):
    args, needle = OPTION_CASES[case]
    assert_input_error(run(*args), needle)


@pytest.mark.parametrize("kind", ["existing-file", "under-a-file", "read-only"])
def test_bad_out_folder_is_refused_before_the_simulation(tmp_path, kind):
    afile = tmp_path / "afile"
    afile.write_text("x")
    target = {"existing-file": afile, "under-a-file": afile / "sub", "read-only": tmp_path / "ro" / "x"}[kind]
    if kind == "read-only":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        (tmp_path / "ro").mkdir(mode=0o555)
    r = run("simulate", "example-1", "--out", str(target))
    assert_input_error(r, "--out")
    assert "cycles" not in r.stdout  # refused before any simulation ran


def test_planted_symlink_is_replaced_not_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "voltage.png").symlink_to(victim)
    (out / "cycles.csv").symlink_to(victim)
    r = run("simulate", "example-4", "--model", "spm", "--cycles", "1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "precious"
    for name in ("voltage.png", "cycles.csv"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_preset_named_folder_does_not_hide_the_preset(tmp_path):
    (tmp_path / "example-1").mkdir()
    r = run("validate", "example-1", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("ok: Example 1"), r.stderr
    assert r.stderr.startswith("note: 'example-1' is a folder here")


def test_preset_named_file_wins_and_says_so(tmp_path):
    d = copy.deepcopy(base())
    d["name"] = "my own"
    (tmp_path / "example-1").write_text(json.dumps(d))
    r = run("validate", "example-1", cwd=tmp_path)
    assert "note: reading the file 'example-1', not the preset" in r.stderr
    assert_input_error(r, "unknown file type")  # the path wins: a file without a stack-file suffix
