"""The data converters: exact round-trips, botoflow's wire format, and decoding that runs no code."""

from __future__ import annotations

import base64
import collections
import datetime
import enum
import json
import math
import pickle
import sys
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsflow.data_converter import (
    AbstractDataConverter,
    JSONDataConverter,
    PickleDataConverter,
    UnknownRemoteException,
)

converter = JSONDataConverter()


class PaymentDeclinedError(Exception):
    """An exception class of the test module, to check user exception classes round-trip."""


class Point:
    """A plain class instance: only the pickle converter accepts it."""

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))


def assert_same(expected: Any, actual: Any) -> None:
    """Assert equal values of identical types, recursively; NaN equals NaN."""
    assert type(actual) is type(expected), f"{actual!r} is a {type(actual)}, expected {type(expected)}"
    if isinstance(expected, float):
        assert (math.isnan(expected) and math.isnan(actual)) or expected == actual, (expected, actual)
    elif isinstance(expected, Decimal):
        # as_tuple is exact (keeps the exponent) and avoids comparing a signalling NaN, which raises.
        assert expected.as_tuple() == actual.as_tuple()
    elif isinstance(expected, datetime.datetime):
        assert expected.replace(tzinfo=None) == actual.replace(tzinfo=None)
        assert expected.utcoffset() == actual.utcoffset()
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(actual)
        for want, got in zip(expected, actual, strict=True):
            assert_same(want, got)
    elif isinstance(expected, dict):
        # Order is part of what round-trips, so the items pair up positionally.
        assert len(expected) == len(actual)
        for (want_key, want_value), (got_key, got_value) in zip(
            expected.items(), actual.items(), strict=True
        ):
            assert_same(want_key, got_key)
            assert_same(want_value, got_value)
    elif isinstance(expected, (set, frozenset)):
        # Rebuilt sets may iterate in another order; match every element to a same-typed one.
        assert len(expected) == len(actual)
        for want in expected:
            assert any(_is_same(want, got) for got in actual), f"{want!r} missing from {actual!r}"
    elif isinstance(expected, BaseException):
        assert_same(expected.args, actual.args)
        assert_same(expected.__dict__, actual.__dict__)
    else:
        assert expected == actual


def _is_same(expected: Any, actual: Any) -> bool:
    try:
        assert_same(expected, actual)
    except AssertionError:
        return False
    return True


def roundtrip(value: Any) -> Any:
    return converter.loads(converter.dumps(value))


# --- strategies ----------------------------------------------------------------------------------

fixed_offsets = st.builds(
    datetime.timezone,
    st.timedeltas(
        min_value=datetime.timedelta(hours=-23, minutes=-59),
        max_value=datetime.timedelta(hours=23, minutes=59),
    ),
)

# Values that can sit in a set or be a dict key. NaN is left out here: a set holding NaN does not
# even equal itself after copying, which says nothing about the converter.
hashable_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.decimals(allow_nan=False),
    st.datetimes(),
    st.datetimes(timezones=fixed_offsets),
    st.dates(),
    st.timedeltas(),
)
hashables = st.recursive(
    hashable_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(tuple),
        st.frozensets(children, max_size=4),
    ),
    max_leaves=10,
)
scalars = st.one_of(hashable_scalars, st.floats(), st.decimals())
# The tag names as dict keys: user data that looks like our wire format must still be a dict.
tag_like_keys = st.sampled_from(["__tuple", "__dict", "__obj", "__exc", "__date", "__class", "__dict__"])


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=5), children, max_size=4),
        st.dictionaries(st.one_of(tag_like_keys, st.text(max_size=3)), children, max_size=2),
        st.dictionaries(hashables, children, max_size=4),
        st.sets(hashables, max_size=4),
        st.frozensets(hashables, max_size=4),
        st.lists(children, max_size=3).map(lambda args: ValueError(*args)),
        st.lists(children, max_size=3).map(lambda args: PaymentDeclinedError(*args)),
    )


values = st.recursive(scalars, containers, max_leaves=25)


# --- JSON: round trips ----------------------------------------------------------------------------


@given(values)
def test_any_supported_value_round_trips_with_the_same_types(value: Any) -> None:
    assert_same(value, roundtrip(value))


def test_output_has_no_insignificant_whitespace() -> None:
    assert converter.dumps({"a": [1, (2, 3)], "b": None}) == '{"a":[1,{"__tuple":[2,3]}],"b":null}'


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key"},
        {(1, "a"): "tuple key"},
        {frozenset({1, 2}): "frozenset key"},
        {True: "bool key", None: "None key"},
        {1.5: "float key", b"raw": "bytes key"},
    ],
)
def test_dicts_with_non_string_keys_keep_their_keys(value: dict[Any, str]) -> None:
    assert_same(value, roundtrip(value))


@pytest.mark.parametrize(
    "value", [{"__tuple": 5}, {"__obj": ["builtins:ValueError", {}], "__exc": [[], None]}]
)
def test_a_user_dict_shaped_like_a_tag_stays_a_dict(value: dict[str, Any]) -> None:
    assert '"__dict"' in converter.dumps(value)
    assert_same(value, roundtrip(value))


def test_special_floats_and_decimals_round_trip() -> None:
    for value in [math.inf, -math.inf, -0.0, Decimal("NaN"), Decimal("-Infinity"), Decimal("1.500")]:
        assert_same(value, roundtrip(value))
    assert math.isnan(roundtrip(math.nan))


def test_aware_and_naive_datetimes_keep_their_offset() -> None:
    ist = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    aware = datetime.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=ist)
    assert converter.dumps(aware) == '{"__datetime":"2020-01-02T03:04:05.000006+05:30"}'
    assert_same(aware, roundtrip(aware))
    early = datetime.datetime(5, 1, 2)
    assert converter.dumps(early) == '{"__datetime":"0005-01-02T00:00:00.000000"}'
    assert_same(early, roundtrip(early))
    assert converter.dumps(datetime.date(2020, 1, 2)) == '{"__date":"2020-01-02"}'


class Color(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def test_subclasses_of_supported_types_encode_as_their_base_type() -> None:
    pair = collections.namedtuple("pair", "a b")
    value = [Color.RED, Level.HIGH, pair(1, 2), collections.OrderedDict(a=1), collections.Counter("aa")]
    assert_same(["red", 3, (1, 2), {"a": 1}, {"a": 2}], roundtrip(value))


# --- JSON: what botoflow wrote --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('{"__tuple":[1,2]}', (1, 2)),
        ('[[1,"a"],{"k":{"__set":[1]}}]', [[1, "a"], {"k": {1}}]),
        ('{"__frozenset":["a"]}', frozenset({"a"})),
        ('{"__bin":"aGk="}', b"hi"),
        ('{"__base64str":"/w=="}', b"\xff"),
        ('{"__decimal":[0,{"__tuple":[1,5]},-1]}', Decimal("1.5")),  # botoflow's digits are a tuple
        ('{"__decimal":[0,[1,5],-1]}', Decimal("1.5")),  # awsflow's
        ('{"__decimal":"2.50"}', Decimal("2.50")),
        ('{"__datetime":"2020-01-02T03:04:05.000006"}', datetime.datetime(2020, 1, 2, 3, 4, 5, 6)),
        ('{"__timedelta":[1,2,3]}', datetime.timedelta(1, 2, 3)),
        ('{"__ordereddict":[["b",1],["a",{"__tuple":[]}]]}', {"b": 1, "a": ()}),
    ],
)
def test_decodes_values_botoflow_wrote(data: str, expected: Any) -> None:
    assert_same(expected, converter.loads(data))


def test_decodes_a_builtin_exception_botoflow_wrote() -> None:
    error = converter.loads('{"__obj":["builtins:ValueError",{}],"__exc":[["boom"],null]}')
    assert_same(ValueError("boom"), error)


def test_writes_exceptions_in_botoflows_layout() -> None:
    assert converter.dumps(KeyError("k")) == '{"__obj":["builtins:KeyError",{}],"__exc":[["k"],null]}'


# --- JSON: exceptions and classes named by the data -------------------------------------------------


def test_an_exception_of_a_loaded_class_round_trips_with_args_and_attributes() -> None:
    error = PaymentDeclinedError("card 42", 99)
    error.retry_after = datetime.timedelta(minutes=5)  # type: ignore[attr-defined]
    error.__notes__ = ["from the billing activity"]  # what add_note() (3.11+) does; runs on 3.10
    decoded = roundtrip(error)
    assert type(decoded) is PaymentDeclinedError
    assert_same(error, decoded)


def test_an_exception_of_a_module_not_loaded_is_reported_without_importing_it() -> None:
    data = '{"__obj":["somemodule_not_loaded:Evil",{"code":7}],"__exc":[["boom"],null]}'
    decoded = converter.loads(data)
    assert "somemodule_not_loaded" not in sys.modules
    assert type(decoded) is UnknownRemoteException
    assert decoded.class_name == "somemodule_not_loaded:Evil"
    assert decoded.args == ("boom",)
    assert decoded.attributes == {"code": 7}
    assert str(decoded) == "somemodule_not_loaded:Evil('boom',)"


def test_an_exception_record_naming_a_non_exception_class_gives_unknown_remote_exception() -> None:
    decoded = converter.loads('{"__obj":["collections:OrderedDict",{}],"__exc":[[1],null]}')
    assert type(decoded) is UnknownRemoteException
    assert decoded.class_name == "collections:OrderedDict"


def test_unknown_remote_exception_itself_round_trips() -> None:
    error = UnknownRemoteException("m:E", ("x",), attributes={"a": 1})
    assert_same(error, roundtrip(error))


@pytest.mark.parametrize(
    "data",
    [
        '{"__obj":["collections:OrderedDict",{}]}',
        '{"__obj":["somemodule_not_loaded:Thing",{}]}',
        '{"__namedtuple":["collections:Point",[1,2]]}',
        '{"__listclass":["collections:UserList",[1]],"__dict__":{}}',
        '{"__dict__":{},"__dictclass":["collections:UserDict",{}]}',
    ],
)
def test_an_object_of_a_class_other_than_an_exception_is_refused(data: str) -> None:
    with pytest.raises(ValueError, match="PickleDataConverter") as excinfo:
        converter.loads(data)
    class_name = json.loads(data).get("__obj", [None])[0] or data.split('"')[3]
    assert class_name in str(excinfo.value)
    assert "somemodule_not_loaded" not in sys.modules


class Outer:
    class Inner:
        """A nested class: found again by its qualified name."""


class Colour(enum.Enum):
    """A class whose type is a metaclass (EnumMeta)."""

    RED = 1


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (RuntimeError, '{"__class":"builtins:RuntimeError"}'),  # what botoflow 0.8 wrote
        ([int, {"k": str}], '[{"__class":"builtins:int"},{"k":{"__class":"builtins:str"}}]'),
        (PaymentDeclinedError, f'{{"__class":"{__name__}:PaymentDeclinedError"}}'),
        (Outer.Inner, f'{{"__class":"{__name__}:Outer.Inner"}}'),
        (Colour, f'{{"__class":"{__name__}:Colour"}}'),
        ({ValueError: 1}, '{"__dict":[[{"__class":"builtins:ValueError"},1]]}'),
    ],
)
def test_a_class_is_a_value_written_as_botoflow_wrote_it_and_read_back(value: Any, written: str) -> None:
    assert converter.dumps(value) == written
    assert converter.loads(written) == value


def test_a_class_botoflow_wrote_decodes_to_the_loaded_class() -> None:
    assert converter.loads('[{"__class":"builtins:RuntimeError"},{}]') == [RuntimeError, {}]
    assert converter.loads('{"__class":"awsflow.exceptions:ActivityTaskFailedError"}').__name__ == (
        "ActivityTaskFailedError"
    )


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ('{"__class":"somemodule_not_loaded:Thing"}', "is not loaded here"),
        ('{"__class":"builtins:NoSuchThing"}', "is not loaded here"),
        ('{"__class":"os:getcwd"}', "is not a class"),
        ('{"__class":"builtins:len"}', "is not a class"),
        ('{"__class":"no-colon"}', "is not loaded here"),
        ('{"__class":["builtins:int"]}', 'expected "module:Name"'),
    ],
)
def test_a_class_that_is_not_loaded_is_refused_and_nothing_is_imported(data: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        converter.loads(data)
    assert "somemodule_not_loaded" not in sys.modules


def test_a_class_defined_in_a_function_cannot_be_encoded_since_no_reader_could_find_it() -> None:
    class Local(Exception):
        pass

    with pytest.raises(TypeError, match="defined inside a function"):
        converter.dumps(Local)


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (object(), "builtins.object"),
        (Point(1, 2), "Point"),
        (len, "builtin_function_or_method"),
        (bytearray(b"x"), "builtins.bytearray"),
        ([1, {"a": {2: object()}}], "builtins.object"),
    ],
)
def test_encoding_an_unsupported_type_raises_type_error_naming_it(value: Any, type_name: str) -> None:
    with pytest.raises(TypeError, match="PickleDataConverter") as excinfo:
        converter.dumps(value)
    assert type_name in str(excinfo.value)


def test_encoding_a_value_that_contains_itself_raises_value_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        converter.dumps(loop)


@pytest.mark.parametrize(
    "data",
    [
        '{"__tuple":5}',
        '{"__set":[[1]]}',
        '{"__bin":"not base64!"}',
        '{"__decimal":[0,[1,"x"],0]}',
        '{"__datetime":"yesterday"}',
        '{"__timedelta":[1,2]}',
        '{"__timedelta":[1e300,0,0]}',
        '{"__dict":[[1]]}',
        '{"__obj":"builtins:ValueError"}',
        '{"__obj":["builtins:ValueError",{}],"__exc":"boom"}',
        "{",
    ],
)
def test_malformed_data_raises_value_error(data: str) -> None:
    with pytest.raises(ValueError):
        converter.loads(data)


# --- pickle ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_pickle_converter_round_trips_a_class_instance(protocol: int) -> None:
    pickler = PickleDataConverter(protocol)
    encoded = pickler.dumps({"p": Point(1, 2), "text": "h\u00e9llo \u2603"})
    assert isinstance(encoded, str)
    assert pickler.loads(encoded) == {"p": Point(1, 2), "text": "h\u00e9llo \u2603"}


def test_pickle_protocol_0_is_botoflows_text_pickle_and_others_base64() -> None:
    assert PickleDataConverter().dumps(5) == pickle.dumps(5, 0).decode("ascii")
    assert PickleDataConverter(2).dumps(5) == base64.b64encode(pickle.dumps(5, 2)).decode("ascii")


def test_pickle_converter_refuses_data_that_is_not_base64() -> None:
    with pytest.raises(ValueError, match="base64"):
        PickleDataConverter(4).loads("not base64!")


def test_converters_implement_the_abstract_interface() -> None:
    assert isinstance(converter, AbstractDataConverter)
    assert isinstance(PickleDataConverter(), AbstractDataConverter)
    with pytest.raises(TypeError):
        AbstractDataConverter()  # type: ignore[abstract]


BOTH_READ = [
    (1, "a", None, True, 2.5),
    {"k": [1, {2}], "f": frozenset({"x"})},
    b"\x00\xff",
    Decimal("-1.50"),
    datetime.datetime(2020, 1, 2, 3, 4, 5, 6),
    datetime.timedelta(days=1, seconds=2, microseconds=3),
    collections.OrderedDict([("b", 1), ("a", 2)]),
    ValueError("boom", 3),
    [RuntimeError, KeyError],
]


@pytest.mark.parametrize("value", BOTH_READ, ids=lambda value: type(value).__name__)
def test_what_botoflow_0_8_writes_reads_back_the_same(value: Any) -> None:
    """The values botoflow's own JSON converter writes (on today's Python, with the test shims)."""
    from botoflow_shims import botoflow, install_botoflow_shims

    if botoflow is None:
        pytest.skip("botoflow 0.8 is not installed (pip install botoflow==0.8, a test extra)")
    install_botoflow_shims()
    written = botoflow.data_converter.JSONDataConverter().dumps(value)
    read = converter.loads(written)
    if isinstance(value, BaseException):
        assert (type(read), read.args) == (type(value), value.args), written
    else:
        assert read == value, written
