"""Fuzzing the stack loader: the shipped presets mutated (values, units, keys, types, encodings), written as TOML,
YAML or JSON and read back with ``Stack.from_file``. Only :class:`InputError` may come out, with located one-line
problems; a stack that is accepted has finite derived quantities. 1,000 examples, each under a time limit."""

import json
import math
import tempfile
import tomllib
from datetime import timedelta
from pathlib import Path

import tomli_w
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from solidstack.errors import InputError
from solidstack.stack import Stack

PRESETS = sorted((Path(__file__).resolve().parents[1] / "src" / "solidstack" / "stack" / "presets").glob("*.toml"))
BASES = [tomllib.loads(p.read_text(encoding="utf-8")) for p in PRESETS]
WORK = Path(tempfile.mkdtemp(prefix="solidstack-fuzz-"))

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30),
    st.sampled_from([0, 1, -1, 5e-324, 1e-30, 1e308, 0.5, 0.15, 0.999999, 1e-3]),
)
units = st.sampled_from(["um", "nm", "mm", "m", "mg", "g", "kg", "cm2", "cm^2", "m**2", "mA/cm2", "A/m2", "MPa", "GPa",
                         "degC", "K", "degF", "V", "mV", "h", "s", "%", "", "um/0", "um**(1/0)", "(um", "um;", "um#",
                         'um"', "furlong", "u" * 80, "   ", "um um", "mA / cm2", "cm-2", "\x1b[31m", "µm", "C", "C/10"])
unit_strings = st.builds(lambda n, sep, u, tail: f"{n!r}{sep}{u}{tail}", numbers, st.sampled_from(["", " ", "  ", "\t"]),
                         units, st.sampled_from(["", "", "", " ", ";", "\n", "]", " x"]))
texts = st.text(max_size=30) | st.sampled_from(["[/bold]", "[red]x", "\x1b[2J", "a\nerror: fake", "<script>", "\ud800",
                                                 "In", "graphite", "SUS", "metal", "anode", "x" * 300])
leaves = st.one_of(st.none(), st.booleans(), numbers, unit_strings, texts)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=5)


def _paths(data, prefix=()):
    """Every (path, value) in a nested dict/list."""
    out = [(prefix, data)]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _set(data, path, value):
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


def _delete(data, path):
    for p in path[:-1]:
        data = data[p]
    del data[path[-1]]


@st.composite
def mutated_files(draw):
    data = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["value", "unit", "type", "delete", "rename", "add"]))
        old = _paths(data)[[p for p, _ in _paths(data)].index(path)][1]
        if kind == "value":
            _set(data, path, draw(values))
        elif kind == "unit" and isinstance(old, str) and " " in old:
            _set(data, path, old.split(" ", 1)[0] + draw(st.sampled_from(["", " "])) + draw(units))
        elif kind == "type":
            _set(data, path, draw(st.sampled_from([[old], {"value": old}, str(old), None])))
        elif kind == "delete":
            _delete(data, path)
        elif kind == "rename" and isinstance(path[-1], str):
            parent_path, key = path[:-1], path[-1]
            parent = data
            for p in parent_path:
                parent = parent[p]
            parent[draw(texts)] = parent.pop(key)
        elif kind == "add":
            parent = data
            for p in path[:-1]:
                parent = parent[p]
            if isinstance(parent, dict):
                parent[draw(texts)] = draw(values)
            elif isinstance(parent, list):
                parent.append(draw(values))
    fmt = draw(st.sampled_from(["toml", "yaml", "json"]))
    try:
        if fmt == "toml":
            text = tomli_w.dumps(data)
        elif fmt == "yaml":
            text = yaml.safe_dump(data, allow_unicode=True)
        else:
            text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    except (TypeError, ValueError, UnicodeError, yaml.YAMLError):  # e.g. None in TOML, a lone surrogate
        fmt, text = "json", json.dumps(data, ensure_ascii=True)
    raw = text.encode("utf-8", "surrogatepass")
    encoding = draw(st.sampled_from(["plain", "plain", "bom", "utf-16", "latin-1 byte", "truncate", "splice"]))
    if encoding == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif encoding == "utf-16":
        raw = text.encode("utf-16", "surrogatepass")
    elif encoding == "latin-1 byte":
        raw = raw.replace(b"a", b"\xe4", 1)
    elif encoding == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif encoding == "splice":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at:]
    return fmt, raw


@settings(max_examples=1000, deadline=timedelta(seconds=5), derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(case=mutated_files())
def test_mutated_presets_raise_only_input_errors(case):
    fmt, raw = case
    path = WORK / f"cell.{fmt}"
    path.write_bytes(raw)
    try:
        stack = Stack.from_file(path)
    except InputError as err:
        event("refused")
        assert err.problems
        for p in err.problems:
            line = str(p)
            assert line and "\n" not in line and "\r" not in line, repr(line)
        return
    event("accepted")
    for value in (stack.np_ratio, stack.specific_energy_Wh_kg, stack.energy_density_Wh_L, stack.thickness_m):
        assert math.isfinite(value) and value > 0
