"""The default converter: exact round-trips of Python's common value types through compact JSON.

JSON has lists, string-keyed objects, strings, numbers, booleans and null. Everything else is
written as a one-key object whose key names the type (a *tag*)::

    (1, 2)                     {"__tuple":[1,2]}
    {1, 2} / frozenset({1})    {"__set":[1,2]} / {"__frozenset":[1]}
    b"hi"                      {"__bin":"aGk="}
    Decimal("1.5")             {"__decimal":[0,[1,5],-1]}          (Decimal.as_tuple())
    datetime(2020,1,2,3,4,5,6) {"__datetime":"2020-01-02T03:04:05.000006"}  (+ offset if aware)
    timedelta(1, 2, 3)         {"__timedelta":[1,2,3]}
    date(2020, 1, 2)           {"__date":"2020-01-02"}             (new in awsflow)
    {1: "a"}                   {"__dict":[[1,"a"]]}                (new in awsflow)
    ValueError("boom")         {"__obj":["builtins:ValueError",{}],"__exc":[["boom"],null]}
    RuntimeError (the class)   {"__class":"builtins:RuntimeError"}

All but ``__date`` and ``__dict`` are what botoflow 0.8 wrote, so its histories decode. A dict is
written as a plain JSON object only when every key is a ``str`` and the object could not be mistaken
for a tag; otherwise it becomes a ``__dict`` list of pairs, which also keeps non-string keys (JSON
would turn ``1`` into ``"1"``) and a user's ``{"__tuple": 1}`` intact.

Decoding never imports a module nor calls ``__setstate__``/``__init__``/``__reduce__`` of a class
named by the data: the data come from SWF and anyone who can start or signal an execution writes
them. The only objects rebuilt from a class name are exceptions of classes already loaded (looked up
in ``sys.modules``), and an unknown one becomes :class:`UnknownRemoteException` so the failure is
still reported. A class itself (``yield Acts.f(RuntimeError)``) is written as botoflow wrote it and
read back only if it is already loaded, the same lookup: naming a class makes nothing run. Arbitrary
objects need :class:`~awsflow.data_converter.PickleDataConverter`.

Encoding walks the value itself instead of using ``json.JSONEncoder.default``: that hook never sees
tuples (they are silently written as lists) nor dict keys. The walk dispatches on ``type(obj)``
through a dict first because this runs for every input, result and signal on the decider's hot path.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import reprlib
import sys
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ._abstract import AbstractDataConverter


class UnknownRemoteException(Exception):
    """Stands in for a remote exception whose class is not loaded here (or is not an exception).

    The JSON converter never imports a module named by the data, so an activity failing with
    ``billing.errors:CardDeclined`` reaches a decider that has not imported ``billing.errors`` as
    this exception. ``args`` are the remote exception's args.

    Args:
        class_name: the remote class as ``"module:QualName"``.
        args: the remote exception's args.
        attributes: the remote exception's ``__dict__``, if any.

    >>> str(UnknownRemoteException("billing.errors:CardDeclined", ("card 42",)))
    "billing.errors:CardDeclined('card 42',)"
    """

    def __init__(
        self, class_name: str, args: tuple[Any, ...] = (), *, attributes: dict[str, Any] | None = None
    ) -> None:
        super().__init__(*args)
        self.class_name = class_name
        self.attributes: dict[str, Any] = dict(attributes) if attributes else {}

    def __str__(self) -> str:
        return f"{self.class_name}{self.args!r}"


# --- encoding -----------------------------------------------------------------------------------

_Encoded = Any  # a tree of dict/list/str/int/float/bool/None that json can write as is


def _encode(obj: Any) -> _Encoded:
    encoder = _ENCODERS.get(type(obj))
    if encoder is not None:
        return encoder(obj)
    return _encode_by_base(obj)


def _same(obj: Any) -> _Encoded:
    return obj


def _encode_list(obj: list[Any]) -> _Encoded:
    return [_encode(item) for item in obj]


def _encode_tuple(obj: tuple[Any, ...]) -> _Encoded:
    return {"__tuple": [_encode(item) for item in obj]}


def _encode_set(obj: set[Any]) -> _Encoded:
    return {"__set": [_encode(item) for item in obj]}


def _encode_frozenset(obj: frozenset[Any]) -> _Encoded:
    return {"__frozenset": [_encode(item) for item in obj]}


def _encode_bytes(obj: bytes) -> _Encoded:
    return {"__bin": base64.b64encode(obj).decode("ascii")}


def _encode_decimal(obj: Decimal) -> _Encoded:
    sign, digits, exponent = Decimal.as_tuple(obj)
    # exponent is an int, or "n"/"N"/"F" for NaN/sNaN/Infinity; both survive JSON unchanged.
    return {"__decimal": [sign, list(digits), exponent]}


def _encode_datetime(obj: datetime.datetime) -> _Encoded:
    # For a naive value this is exactly botoflow's "%Y-%m-%dT%H:%M:%S.%f", except that the year is
    # always four digits (glibc's strftime writes year 5 as "5", which no parser reads back). An
    # aware value gets its UTC offset appended. Unbound call: a subclass cannot change the format.
    return {"__datetime": datetime.datetime.isoformat(obj, timespec="microseconds")}


def _encode_date(obj: datetime.date) -> _Encoded:
    return {"__date": datetime.date.isoformat(obj)}


def _encode_timedelta(obj: datetime.timedelta) -> _Encoded:
    return {"__timedelta": [obj.days, obj.seconds, obj.microseconds]}


def _encode_dict(obj: dict[Any, Any]) -> _Encoded:
    encoded: dict[str, _Encoded] = {}
    for key, value in obj.items():
        if type(key) is not str:
            return _encode_pairs(obj)
        encoded[key] = _encode(value)
    if len(encoded) <= 2 and _looks_tagged(encoded):
        return _encode_pairs(obj)
    return encoded


def _encode_pairs(obj: dict[Any, Any]) -> _Encoded:
    return {"__dict": [[_encode(key), _encode(value)] for key, value in obj.items()]}


def _encode_exception(obj: BaseException) -> _Encoded:
    cls = type(obj)
    # botoflow's layout; the null was Python 2's exception .message.
    return {
        "__obj": [f"{cls.__module__}:{cls.__qualname__}", _encode_dict(obj.__dict__)],
        "__exc": [[_encode(arg) for arg in obj.args], None],
    }


def _encode_class(obj: type) -> _Encoded:
    # botoflow wrote "module:Name"; the qualified name also finds a nested class when read back.
    if "<locals>" in obj.__qualname__:
        raise TypeError(
            f"JSONDataConverter cannot encode the class {obj.__module__}.{obj.__qualname__}: it is "
            "defined inside a function, so no reader can find it by name. Define it at module level."
        )
    return {"__class": f"{obj.__module__}:{obj.__qualname__}"}


_ENCODERS: dict[type, Callable[[Any], _Encoded]] = {
    str: _same,
    int: _same,
    float: _same,  # inf and nan are written as JSON's common extension Infinity/NaN
    bool: _same,
    type(None): _same,
    list: _encode_list,
    dict: _encode_dict,
    tuple: _encode_tuple,
    set: _encode_set,
    frozenset: _encode_frozenset,
    bytes: _encode_bytes,
    Decimal: _encode_decimal,
    datetime.datetime: _encode_datetime,
    datetime.date: _encode_date,
    datetime.timedelta: _encode_timedelta,
    type: _encode_class,
}

# Subclasses of the supported types are written as their base type (an IntEnum member as its int,
# a namedtuple as a tuple, an OrderedDict as a dict): the JSON converter never names a user class
# in the data. Order matters: datetime before date, its base class.
_BASE_ENCODERS: tuple[tuple[type, Callable[[Any], _Encoded]], ...] = (
    (BaseException, _encode_exception),
    (type, _encode_class),  # a class with a metaclass (an Enum, an ABC)
    # The unbound calls return the exact builtin value even where the subclass overrides
    # __str__/__int__/__float__ (a str-mixin Enum's str() is "Cls.NAME" before Python 3.11).
    (str, str.__str__),
    (int, int.__int__),
    (float, float.__float__),
    (dict, _encode_dict),
    (list, _encode_list),
    (tuple, _encode_tuple),
    (set, _encode_set),
    (frozenset, _encode_frozenset),
    (bytes, _encode_bytes),
    (datetime.datetime, _encode_datetime),
    (datetime.date, _encode_date),
    (datetime.timedelta, _encode_timedelta),
    (Decimal, _encode_decimal),
)


def _encode_by_base(obj: Any) -> _Encoded:
    for base, encoder in _BASE_ENCODERS:
        if isinstance(obj, base):
            return encoder(obj)
    cls = type(obj)
    raise TypeError(
        f"JSONDataConverter cannot encode a value of type {cls.__module__}.{cls.__qualname__}: it "
        "encodes str, int, float, bool, None, list, tuple, dict, set, frozenset, bytes, Decimal, "
        "datetime, date, timedelta, exceptions, classes, and subclasses of these. Convert the value "
        "to one of them, or use PickleDataConverter for arbitrary objects."
    )


# --- decoding -----------------------------------------------------------------------------------


def _decode_tuple(value: Any) -> Any:
    return tuple(_expect_list(value))


def _decode_set(value: Any) -> Any:
    return set(_expect_list(value))


def _decode_frozenset(value: Any) -> Any:
    return frozenset(_expect_list(value))


def _decode_bytes(value: Any) -> Any:
    return base64.b64decode(_expect_str(value), validate=True)


def _decode_decimal(value: Any) -> Any:
    if isinstance(value, str):
        return Decimal(value)
    sign, digits, exponent = _expect_list(value, length=3)
    # botoflow wrote the digits as a tuple ({"__tuple": [1, 5]}, decoded by now); we write a list.
    return Decimal((sign, digits if type(digits) is tuple else tuple(_expect_list(digits)), exponent))


def _decode_datetime(value: Any) -> Any:
    text = _expect_str(value)
    decoded = datetime.datetime.fromisoformat(text)
    if decoded.tzinfo is not None and not decoded.utcoffset():
        # CPython 3.11's fromisoformat reads a nonzero offset under one second ("+00:00:00.000001",
        # only a hand-built timezone has one) as zero; restore it so the round trip stays exact.
        match = _SUBSECOND_OFFSET.search(text)
        if match is not None:
            sign = -1 if match[1] == "-" else 1
            offset = datetime.timedelta(microseconds=sign * int(match[2]))
            decoded = decoded.replace(tzinfo=datetime.timezone(offset))
    return decoded


_SUBSECOND_OFFSET = re.compile(r"([+-])00:00:00\.(\d{6})$")


def _decode_date(value: Any) -> Any:
    return datetime.date.fromisoformat(_expect_str(value))


def _decode_timedelta(value: Any) -> Any:
    days, seconds, microseconds = _expect_list(value, length=3)
    return datetime.timedelta(days=days, seconds=seconds, microseconds=microseconds)


def _decode_pairs(value: Any) -> Any:
    # botoflow wrote an OrderedDict as the same list of pairs; a plain dict keeps the order too.
    return {key: item for key, item in (_expect_list(pair, length=2) for pair in _expect_list(value))}


def _expect_list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        shape = "a JSON array" if length is None else f"a JSON array of {length} items"
        raise ValueError(f"expected {shape}, got {reprlib.repr(value)}")
    return value


def _expect_str(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"expected a JSON string, got {reprlib.repr(value)}")
    return value


_VALUE_DECODERS: dict[str, Callable[[Any], Any]] = {
    "__tuple": _decode_tuple,
    "__set": _decode_set,
    "__frozenset": _decode_frozenset,
    "__bin": _decode_bytes,
    "__base64str": _decode_bytes,  # botoflow's Python 2 str holding non-UTF-8 bytes
    "__decimal": _decode_decimal,
    "__datetime": _decode_datetime,
    "__date": _decode_date,
    "__timedelta": _decode_timedelta,
    "__dict": _decode_pairs,
    "__ordereddict": _decode_pairs,
}

# botoflow tags that name a class: an instance of one is refused rather than built by running the
# class's code (exceptions excepted, see _decode_obj); "__class" is the class itself.
_CLASS_TAGS = frozenset({"__obj", "__class", "__listclass", "__dictclass", "__namedtuple"})
_ONE_KEY_TAGS = frozenset(_VALUE_DECODERS) | _CLASS_TAGS
# botoflow's two-key shapes: an exception, and list/dict subclasses with their __dict__.
_TWO_KEY_TAGS = (
    frozenset({"__obj", "__exc"}),
    frozenset({"__listclass", "__dict__"}),
    frozenset({"__dictclass", "__dict__"}),
)


def _looks_tagged(obj: dict[str, Any]) -> bool:
    """Whether the decoder would read this JSON object as a tag rather than as a plain dict."""
    if len(obj) == 1:
        return next(iter(obj)) in _ONE_KEY_TAGS
    return len(obj) == 2 and obj.keys() in _TWO_KEY_TAGS


def _object_hook(obj: dict[str, Any]) -> Any:
    # json calls this innermost first, so the tagged values inside obj are already decoded.
    if len(obj) > 2 or not _looks_tagged(obj):
        return obj
    if "__obj" in obj:
        return _decode_obj(obj)
    if "__class" in obj:
        return _decode_class(obj["__class"])
    # A two-key shape other than __obj is botoflow's __listclass/__dictclass with a "__dict__".
    tag = next(key for key in obj if key != "__dict__")
    decoder = _VALUE_DECODERS.get(tag)
    if decoder is None:
        raise _unsupported_class(tag, _class_name_of(obj[tag]))
    value = obj[tag]
    try:
        return decoder(value)
    # What malformed input makes the builders raise: wrong JSON types (TypeError), bad base64,
    # dates or digits (ValueError, binascii.Error), out-of-range timedelta (OverflowError). All
    # are reported as ValueError, the one error loads() documents, with the tag and value.
    except (TypeError, ValueError, ArithmeticError, binascii.Error) as err:
        raise ValueError(f"cannot decode {tag} value {reprlib.repr(value)}: {err}") from err


def _class_name_of(value: Any) -> str:
    # botoflow wrote "module:Name" alone for __class and as the first item of a list otherwise.
    if type(value) is list and value:
        value = value[0]
    return value if type(value) is str else reprlib.repr(value)


def _unsupported_class(tag: str, class_name: str) -> ValueError:
    return ValueError(
        f"cannot decode {tag} {class_name!r}: the JSON converter decodes only exceptions and "
        "str, int, float, bool, None, list, tuple, dict, set, frozenset, bytes, Decimal, datetime, "
        "date and timedelta. Data holding other objects must be written and read with "
        "PickleDataConverter."
    )


def _decode_obj(obj: dict[str, Any]) -> Any:
    spec = obj["__obj"]
    if type(spec) is not list or len(spec) != 2 or type(spec[0]) is not str or type(spec[1]) is not dict:
        raise ValueError(f'cannot decode __obj {reprlib.repr(spec)}: expected ["module:Name", {{...}}]')
    class_name, attributes = spec
    cls = _find_loaded_class(class_name)
    exc_class = cls if isinstance(cls, type) and issubclass(cls, BaseException) else None
    if "__exc" not in obj:
        if exc_class is None:
            raise _unsupported_class("__obj", class_name)
        args: tuple[Any, ...] = ()
    else:
        exc_info = obj["__exc"]
        if type(exc_info) is not list or not exc_info or type(exc_info[0]) is not list:
            raise ValueError(f"cannot decode __exc {reprlib.repr(exc_info)}: expected [[args...], null]")
        args = tuple(exc_info[0])
    if exc_class is None:
        return UnknownRemoteException(class_name, args, attributes=attributes)
    try:
        exc = exc_class.__new__(exc_class)
    # A loaded exception class whose __new__ insists on arguments cannot be rebuilt without
    # calling user code with remote data; reporting the failure by name and args beats losing it
    # to a decode error in the decider.
    except TypeError:
        return UnknownRemoteException(class_name, args, attributes=attributes)
    exc.args = args
    exc.__dict__.update(attributes)
    return exc


def _decode_class(name: Any) -> type:
    if type(name) is not str:
        raise ValueError(f'cannot decode __class {reprlib.repr(name)}: expected "module:Name"')
    found = _find_loaded_class(name)
    if not isinstance(found, type):
        module = name.partition(":")[0]
        why = "is not a class" if found is not None else f"is not loaded here (module {module!r})"
        raise ValueError(
            f"cannot decode __class {name!r}: it {why}. The JSON converter resolves a class only "
            "among modules this process has already imported, and imports nothing for the data; "
            "import the class's module before the value is read."
        )
    return found


def _find_loaded_class(class_name: str) -> object | None:
    """Resolve ``"module:Qual.Name"`` among already-imported modules, or return None.

    Reads namespaces with ``vars()`` rather than ``getattr`` so that neither a module-level
    ``__getattr__`` (PEP 562, which may import lazily) nor a descriptor runs.
    """
    module_name, sep, qualname = class_name.partition(":")
    if not sep:
        return None
    found: object | None = sys.modules.get(module_name)
    for part in qualname.split("."):
        if not isinstance(found, (types.ModuleType, type)):
            return None
        found = vars(found).get(part)
    return found


# --- the converter ------------------------------------------------------------------------------

# Built once: json.dumps/loads with non-default options construct a new coder on every call.
# ensure_ascii=False keeps non-ASCII text one character each (SWF limits fields in characters);
# check_circular=False because the tree is freshly built and a cycle already failed in _encode.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)
_JSON_DECODER = json.JSONDecoder(object_hook=_object_hook)
_SCAN_ONCE = _JSON_DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__


class JSONDataConverter(AbstractDataConverter):
    """The default converter: compact, readable JSON that round-trips common Python values exactly.

    Supported: str, int, float (with inf and nan), bool, None, list, tuple, dict (with any
    encodable hashable keys), set, frozenset, bytes, :class:`~decimal.Decimal`,
    :class:`~datetime.datetime` (naive or aware), :class:`~datetime.date`,
    :class:`~datetime.timedelta`, exceptions, classes, and any nesting of these. Subclasses are
    written as their base type. Decoding never runs code named by the data; an exception whose
    class is not loaded in the reading process decodes as :class:`UnknownRemoteException`, a class
    that is not loaded is refused. For other objects use
    :class:`~awsflow.data_converter.PickleDataConverter`. Reads what botoflow 0.8 wrote.

    >>> converter = JSONDataConverter()
    >>> converter.dumps((1, {2: b"x"}))
    '{"__tuple":[1,{"__dict":[[2,{"__bin":"eA=="}]]}]}'
    >>> converter.loads('{"__tuple":[1,{"__dict":[[2,{"__bin":"eA=="}]]}]}')
    (1, {2: b'x'})
    """

    def dumps(self, obj: Any) -> str:
        """Encode *obj* as compact JSON.

        Args:
            obj: a value built from the supported types.

        Returns:
            JSON text without insignificant whitespace.

        Raises:
            TypeError: *obj* holds a value of an unsupported type (or a class defined inside a
                function); the message names it.
            ValueError: *obj* contains itself, or is nested deeper than the recursion limit.
        """
        try:
            tree = _encode(obj)
        except RecursionError as err:
            raise ValueError(
                "JSONDataConverter cannot encode a value that contains itself or is nested deeper "
                f"than the recursion limit ({sys.getrecursionlimit()})"
            ) from err
        return _JSON_ENCODER.encode(tree)

    def loads(self, data: str) -> Any:
        """Decode JSON written by :meth:`dumps` or by botoflow's JSON converter.

        Args:
            data: the JSON text.

        Returns:
            The decoded value.

        Raises:
            ValueError: *data* is not JSON, holds a malformed tag, names a class whose instance is
                not an exception (only :class:`PickleDataConverter` can rebuild those), or names
                as a value a class that is not loaded in this process.
        """
        # The C scanner alone when the text is one compact value (what dumps writes); the full
        # decoder otherwise, for whitespace and for its error messages.
        try:
            value, end = _SCAN_ONCE(data, 0)
        except (StopIteration, TypeError):
            return _JSON_DECODER.decode(data)
        if end != len(data):
            return _JSON_DECODER.decode(data)
        return value
