"""Every bad-input case of the stack loader gives a located, one-line problem, never a traceback."""

import copy
import json

import pytest

from solidstack.errors import InputError, UnknownNameError
from solidstack.stack import Stack


def problems(data) -> list[str]:
    with pytest.raises(InputError) as info:
        Stack.from_dict(data)
    return [str(p) for p in info.value.problems]


def test_example1_is_valid(example1_dict):
    Stack.from_dict(example1_dict)


def test_unknown_material_suggests(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"][2]["active"]["material"] = "grafite"
    lines = problems(d)
    assert len(lines) == 1
    assert lines[0].startswith("layers[2].active.material")
    assert "'graphite'" in lines[0]


def test_unknown_metal_and_collector(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"][1]["material"] = "Indium-ish"
    d["layers"][0]["material"] = "unobtainium"
    lines = problems(d)
    assert any(line.startswith("layers[1].material: unknown metal") for line in lines)
    assert any(line.startswith("layers[0].material: unknown collector material") for line in lines)


@pytest.mark.parametrize("kind", ["anode", "cathode", "separator"])
def test_missing_layer(example1_dict, kind):
    d = copy.deepcopy(example1_dict)
    d["layers"] = [la for la in d["layers"] if la["type"] != kind]
    assert any(f"no {kind} layer" in line for line in problems(d))


def test_missing_collector(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"] = d["layers"][1:]
    assert any("collector" in line for line in problems(d))


def test_layers_out_of_order(example1_dict):
    d = copy.deepcopy(example1_dict)
    layers = d["layers"]
    ia = next(i for i, la in enumerate(layers) if la["type"] == "anode")
    ic = next(i for i, la in enumerate(layers) if la["type"] == "cathode")
    layers[ia], layers[ic] = layers[ic], layers[ia]
    assert any("out of order" in line for line in problems(d))


def test_metal_layer_inside_cell(example1_dict):
    d = copy.deepcopy(example1_dict)
    isep = next(i for i, la in enumerate(d["layers"]) if la["type"] == "separator")
    d["layers"].insert(isep, {"type": "metal", "material": "Cu", "thickness": "15 um"})
    assert problems(d)


def test_fractions_must_sum_to_one(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"][2]["active"]["fraction"] = 0.6
    lines = problems(d)
    assert len(lines) == 1 and "sum to 1.1" in lines[0] and lines[0].startswith("layers[2] (anode)")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("thickness", "-5 um", "at least 0.1 um"),
        ("thickness", "3 m", "implausibly large"),
        ("thickness", "100", "has no unit"),
        ("thickness", 100, "has no unit"),
        ("thickness", "100 mg", "is not a length"),
        ("thickness", "100 parsecz", "unknown unit"),
    ],
)
def test_bad_metal_thickness(example1_dict, field, value, message):
    d = copy.deepcopy(example1_dict)
    d["layers"][1][field] = value
    lines = problems(d)
    assert len(lines) == 1
    assert lines[0].startswith(f"layers[1].{field}: ") and message in lines[0]


def test_negative_fraction_and_bad_porosity(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"][2]["active"]["fraction"] = -0.5
    d["layers"][2]["porosity"] = 1.5
    lines = problems(d)
    assert any(line.startswith("layers[2].active.fraction") for line in lines)
    assert any(line.startswith("layers[2].porosity") for line in lines)


def test_bad_top_level_fields(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["area"] = "1 cm"
    d["working_ion"] = "Mg"
    d["stack_pressure"] = "-3 MPa"
    d["colour"] = "blue"
    lines = problems(d)
    assert any(line.startswith("area:") and "not a area" in line for line in lines)
    assert any(line.startswith("working_ion:") for line in lines)
    assert any(line.startswith("stack_pressure:") and "at least 0" in line for line in lines)
    assert any(line.startswith("colour:") and "unknown field" in line for line in lines)


def test_missing_fields(example1_dict):
    d = copy.deepcopy(example1_dict)
    del d["area"]
    del d["layers"][1]["thickness"]
    lines = problems(d)
    assert "area: required field is missing" in lines
    assert "layers[1].thickness: required field is missing" in lines


def test_unknown_layer_type(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"][1]["type"] = "foil"
    assert any("unknown layer type 'foil'" in line for line in problems(d))
    del d["layers"][1]["type"]
    assert any("missing 'type'" in line for line in problems(d))


def test_working_ion_not_stored(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["working_ion"] = "Na"
    lines = problems(d)
    assert any("graphite does not store Na+" in line for line in lines)
    assert any("NMC111 does not store Na+" in line for line in lines)


def test_swapped_electrode_materials(example1_dict):
    d = copy.deepcopy(example1_dict)
    anode = next(la for la in d["layers"] if la["type"] == "anode")
    cathode = next(la for la in d["layers"] if la["type"] == "cathode")
    anode["active"], cathode["active"] = dict(cathode["active"], fraction=0.5), dict(anode["active"], fraction=0.73)
    assert any("is not above the anode" in line for line in problems(d))


def test_sizing_needs_two_of_three(example1_dict):
    d = copy.deepcopy(example1_dict)
    del d["layers"][2]["porosity"]
    assert any("exactly two of mass" in line for line in problems(d))


def test_cycling_window_reversed(example1_dict):
    d = copy.deepcopy(example1_dict)
    d["cycling"]["lower_cutoff"], d["cycling"]["upper_cutoff"] = "4.37 V", "3.0 V"
    assert any(line.startswith("cycling:") and "below" in line for line in problems(d))


def test_not_a_table():
    assert problems([1, 2, 3])[0].startswith("a stack must be a table")


def test_unknown_name_error_is_keyerror():
    from solidstack.materials import catalog

    with pytest.raises(KeyError):
        catalog.metal("Inn")
    with pytest.raises(UnknownNameError, match="did you mean 'In'"):
        catalog.metal("Inn")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.toml", "name = [unclosed", "malformed TOML"),
        ("bad.json", "{", "malformed JSON"),
        ("bad.yaml", "a: [1, 2\nb: :", "malformed YAML"),
        ("bin.toml", b"\x00\x01\x02garbage\xff", "binary file"),
        ("latin.toml", b"name = \"\xe9\"", "not UTF-8"),
        ("cell.txt", "x", "unknown file type"),
    ],
)
def test_malformed_files(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(InputError) as info:
        Stack.from_file(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        Stack.from_file(tmp_path / "nope.toml")


def test_file_errors_carry_file_name(tmp_path, example1_dict):
    d = copy.deepcopy(example1_dict)
    d["layers"][1]["thickness"] = "-1 um"
    path = tmp_path / "cell.json"
    path.write_text(json.dumps(d))
    with pytest.raises(InputError) as info:
        Stack.from_file(path)
    assert str(info.value).startswith(f"{path}: layers[1].thickness:")
