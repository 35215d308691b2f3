"""Record classes: what :func:`dataclasses.dataclass` makes, made cheaply at import.

The standard decorator compiles half a dozen methods from source text for every class,
when the module is imported; with about fifty such classes a `check` spent more time
making its classes than checking. :func:`record` makes the same class - the same
``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, frozen attributes, ``__slots__``,
``__match_args__`` and pickling - from functions written once, here: no source text is
made or run. The standard
library's description (``__dataclass_fields__``, which :func:`dataclasses.fields`,
:func:`dataclasses.replace` and pydantic read) is made when first asked for.
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """An attribute of a frozen record was set or deleted."""


class Field:
    """One field's options, as :func:`field` gives them (name and type filled in by
    :func:`record`)."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr", "type")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool) -> None:
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] = _MISSING,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field's default (or a function that makes it) and whether it is shown and
    compared, as :func:`dataclasses.field` takes them."""
    return Field(default, default_factory, repr, compare)


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(
    *, frozen: bool = False, eq: bool = True, slots: bool = False
) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(field_specifiers=(field, Field))
def record(
    cls: type[T] | None = None,
    /,
    *,
    frozen: bool = False,
    eq: bool = True,
    slots: bool = False,
) -> Any:
    """A class as ``@dataclass(frozen=..., eq=..., slots=...)`` makes it."""

    def make(cls: type[T]) -> type[T]:
        return _make(cls, frozen, eq, slots)

    return make if cls is None else make(cls)


def _own_fields(cls: type) -> list[Field]:
    out = []
    # Not inspect.get_annotations: importing inspect is what this module saves.
    for name, kind in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if isinstance(kind, str) and kind.replace("typing.", "").startswith("ClassVar"):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(value, _MISSING, True, True)
        f.name, f.type = name, kind
        out.append(f)
    return out


def _make(cls: type[T], frozen: bool, eq: bool, slots: bool) -> type[T]:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, "__record_fields__", {}))
    own = _own_fields(cls)
    for f in own:
        fields[f.name] = f
    names = tuple(fields)
    body = dict(cls.__dict__)
    for f in own:  # a class attribute holds a plain default (with slots, none can)
        body.pop(f.name, None)
        if not slots and f.default is not _MISSING:
            body[f.name] = f.default
    if slots:
        body["__slots__"] = tuple(f.name for f in own)
        body.pop("__dict__", None)
        body.pop("__weakref__", None)
    meta: Any = type(cls)
    new: Any = meta(cls.__name__, cls.__bases__, body) if slots else cls
    if slots:
        new.__qualname__ = cls.__qualname__
    defined = set(cls.__dict__)

    def put(name: str, value: Any) -> None:
        if name not in defined:
            setattr(new, name, value)

    new.__record_fields__ = fields
    new.__record_params__ = (frozen, eq, slots)
    new.__dataclass_fields__ = _Described("__dataclass_fields__")
    new.__dataclass_params__ = _Described("__dataclass_params__")
    put("__match_args__", names)
    put("__init__", _init(new, fields, frozen))
    put("__repr__", _repr([f.name for f in fields.values() if f.repr]))
    compared = [f.name for f in fields.values() if f.compare]
    # A tuple of the compared fields, as the standard methods compare and hash it.
    get: Callable[[Any], Any] = (
        operator.attrgetter(*compared) if len(compared) > 1 else _one_or_none(compared)
    )
    if eq:
        put("__eq__", _eq(get))
        if frozen:
            put("__hash__", _hash(get))
        elif "__hash__" not in defined:
            new.__hash__ = None
    if frozen:
        put("__setattr__", _refuse(new, set(names), "cannot assign to field"))
        put("__delattr__", _refuse(new, set(names), "cannot delete field"))
        if slots:
            put("__getstate__", _getstate(names))
            put("__setstate__", _setstate(names))
    return new  # type: ignore[no-any-return]


def _one_or_none(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda self: ()
    name = names[0]
    return lambda self: (getattr(self, name),)


def _init(cls: Any, fields: dict[str, Field], frozen: bool) -> Callable[..., None]:
    """The ``__init__`` the standard decorator writes, as one function for every class:
    no source text is made or run (the core runs none). Arguments by position and by
    name, defaults, default factories, and the standard messages for a wrong call."""
    names = tuple(fields)
    count = len(names)
    defaults = {n: f.default for n, f in fields.items() if f.default is not _MISSING}
    factories = {
        n: f.default_factory for n, f in fields.items() if f.default_factory is not _MISSING
    }
    put = object.__setattr__ if frozen else setattr
    slotted = any(c.__dict__.get("__slots__") for c in cls.__mro__)

    # The common calls, kept short: by position, the fields left out having plain
    # defaults (tails[n]: the defaults after n arguments); or every field by name.
    tails = {
        n: tuple(defaults[k] for k in names[n:])
        for n in range(count + 1)
        if all(k in defaults for k in names[n:])
    }
    every = set(names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        values: Any = None
        if not kwargs:
            tail = tails.get(len(args))
            if tail is not None:
                values = zip(names, args + tail, strict=True)
        elif not args and kwargs.keys() == every:
            values = ((n, kwargs[n]) for n in names)
        if values is not None:
            if slotted:
                for name, value in values:
                    put(self, name, value)
            else:  # as the standard __init__ sets them (past a frozen __setattr__)
                self.__dict__.update(values)
            return
        if len(args) > count:
            raise TypeError(
                f"{cls.__qualname__}.__init__() takes {count + 1} positional arguments "
                f"but {len(args) + 1} were given"
            )
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name in values:
                raise TypeError(
                    f"{cls.__qualname__}.__init__() got multiple values for argument {name!r}"
                )
            if name not in fields:
                raise TypeError(
                    f"{cls.__qualname__}.__init__() got an unexpected keyword argument {name!r}"
                )
            values[name] = value
        ordered = {}
        for name in names:
            if name in values:
                ordered[name] = values[name]
            elif name in defaults:
                ordered[name] = defaults[name]
            elif name in factories:
                ordered[name] = factories[name]()
            else:
                raise TypeError(
                    f"{cls.__qualname__}.__init__() missing required argument: {name!r}"
                )
        if slotted:
            for name, value in ordered.items():
                put(self, name, value)
        else:
            self.__dict__.update(ordered)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _repr(names: list[str]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _eq(get: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return get(self) == get(other)
        return NotImplemented

    return __eq__


def _hash(get: Callable[[Any], Any]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(get(self))

    return __hash__


def _refuse(cls: Any, names: set[str], what: str) -> Callable[..., None]:
    def refuse(self: Any, name: str, *value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"{what} {name!r}")
        if value:
            super(cls, self).__setattr__(name, *value)
        else:
            super(cls, self).__delattr__(name)

    return refuse


def _getstate(names: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, n) for n in names]

    return __getstate__


def _setstate(names: tuple[str, ...]) -> Callable[[Any, list[Any]], None]:
    def __setstate__(self: Any, state: list[Any]) -> None:
        for n, v in zip(names, state, strict=False):
            object.__setattr__(self, n, v)

    return __setstate__


class _Described:
    """``__dataclass_fields__`` and ``__dataclass_params__``: the standard library's
    description of a record, made on first use (it needs :mod:`dataclasses`, whose
    import costs a check's start-up)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any) -> Any:
        import dataclasses  # seam: dataclasses and inspect, which a check never needs

        cls = owner
        while "__record_fields__" not in cls.__dict__:
            cls = cls.__mro__[1]
        frozen, eq, _ = cls.__record_params__
        described: dict[str, Any] = {}
        for f in cls.__record_fields__.values():
            std: Any = dataclasses.field(
                default=f.default if f.default is not _MISSING else dataclasses.MISSING,
                default_factory=(
                    f.default_factory if f.default_factory is not _MISSING else dataclasses.MISSING
                ),
                repr=f.repr,
                compare=f.compare,
            )
            std.name, std.type, std.kw_only = f.name, f.type, False
            std._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
            described[f.name] = std
        params = types.SimpleNamespace(
            init=True, repr=True, eq=eq, order=False, unsafe_hash=False, frozen=frozen
        )
        type.__setattr__(cls, "__dataclass_fields__", described)
        type.__setattr__(cls, "__dataclass_params__", params)
        return getattr(cls, self.name)


def replace(obj: T, **changes: Any) -> T:
    """A copy of a record with some fields changed, as :func:`dataclasses.replace` makes
    it (without importing :mod:`dataclasses`)."""
    fields = type(obj).__record_fields__  # type: ignore[attr-defined]
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    values = {n: changes[n] if n in changes else getattr(obj, n) for n in fields}
    return type(obj)(**values)
