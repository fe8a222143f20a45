"""tests/_stacks.py, the one writer of the tests' stack files: its TOML reads back as the dict it was written from,
and spells each kind of value as TOML does (hand-written below)."""

import tomllib

from _stacks import graphite_nmc111_cell, stack_toml, toml_value


def test_values_are_spelt_as_toml_spells_them():
    assert toml_value("3 mS/cm") == '"3 mS/cm"'
    assert toml_value(3) == "3" and toml_value(0.15) == "0.15" and toml_value(1e-5) == "1e-05"
    assert toml_value(True) == "true" and toml_value(False) == "false"
    assert toml_value({"material": "Li6PS5Cl", "fraction": 0.4}) == '{ material = "Li6PS5Cl", fraction = 0.4 }'
    assert toml_value(["a", 1]) == '["a", 1]'


def test_a_small_stack_is_written_as_by_hand():
    data = {"name": "x", "cycling": {"cycles": 2},
            "layers": [{"type": "collector", "material": "SUS"}, {"type": "anode", "active": {"material": "Li"}}]}
    assert stack_toml(data) == ('name = "x"\n\n[cycling]\ncycles = 2\n\n[[layers]]\ntype = "collector"\n'
                                'material = "SUS"\n\n[[layers]]\ntype = "anode"\nactive = { material = "Li" }\n')


def test_the_test_cell_reads_back_as_written():
    data = graphite_nmc111_cell("round trip", separator={"conductivity": 3}, anode_active={"particle_size": "-5 um"},
                                cathode_electrolyte={"conductivity": True})
    data["cycling"] = {"current_density": "0.2 mA/cm2", "cycles": 2}
    data["layers"][2]["mass"] = "80 mg"
    assert tomllib.loads(stack_toml(data)) == data
