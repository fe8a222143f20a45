"""Property test: random layer lists and random field values never crash the loader with anything but an
InputError (and valid stacks come out valid)."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidstack.errors import InputError
from solidstack.stack import Stack

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["100 um", "-1 um", "15 mg", "0.2 mA/cm2", "98 MPa", "1e999 um", "nan V", "3 V", "In", "graphite",
                     "NMC111", "SUS", "metal", "anode", "cathode", "separator", "collector", "25 degC", "1 cm2"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)
FIELDS = ["type", "material", "thickness", "mass", "porosity", "active", "electrolyte", "additive", "fraction", "role", "areal_loading"]


def _load(data):
    try:
        Stack.from_dict(data)
    except InputError as err:
        assert err.problems and all(str(p) for p in err.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layers=st.lists(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6), max_size=8))
def test_random_layer_lists(example1_dict, layers):
    d = copy.deepcopy(example1_dict)
    d["layers"] = layers
    _load(d)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_field_values(example1_dict, data):
    d = copy.deepcopy(example1_dict)
    i = data.draw(st.integers(0, len(d["layers"]) - 1))
    field = data.draw(st.sampled_from(sorted(set(FIELDS) | set(d["layers"][i]))))
    d["layers"][i][field] = data.draw(values)
    top = data.draw(st.sampled_from(["area", "working_ion", "temperature", "stack_pressure", "name", "cycling"]))
    if data.draw(st.booleans()):
        d[top] = data.draw(values)
    _load(d)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(perm=st.permutations(range(7)))
def test_permuted_layers(example1_dict, perm):
    d = copy.deepcopy(example1_dict)
    d["layers"] = [d["layers"][i] for i in perm]
    if list(perm) == list(range(7)):
        Stack.from_dict(d)
    else:
        _load(d)
