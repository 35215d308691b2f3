"""A record class (records.py) behaves as the standard library's dataclass of the same
options: construction, defaults, equality, hashing, repr, frozen fields, pickling, and the
description that dataclasses.fields/replace and pydantic read."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from xrntx_guide.records import FrozenInstanceError, field, record, replace


def _pair(**options: Any) -> tuple[Any, Any]:
    """The same class made by both decorators."""

    def body() -> dict[str, Any]:
        return {
            "__annotations__": {"a": "int", "b": "str", "c": "list[int]", "d": "int"},
            "b": "x",
            "c": None,
            "d": 0,
            "__module__": __name__,
        }

    std_body, rec_body = body(), body()
    std_body["c"] = dataclasses.field(default_factory=list)
    std_body["d"] = dataclasses.field(default=0, repr=False, compare=False)
    rec_body["c"] = field(default_factory=list)
    rec_body["d"] = field(default=0, repr=False, compare=False)
    name = "Thing" + "".join(f"_{k}_{v}" for k, v in sorted(options.items()))
    std: Any = dataclasses.dataclass(**options)(type(name, (), std_body))
    rec: Any = record(**options)(type(name, (), rec_body))
    globals()[name] = rec  # where pickle looks the class up
    return std, rec


OPTIONS: list[dict[str, Any]] = [
    {},
    {"frozen": True},
    {"frozen": True, "slots": True},
    {"frozen": True, "eq": False},
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_a_record_behaves_as_the_dataclass_of_its_options(options: dict[str, Any]) -> None:
    std, rec = _pair(**options)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((1,), {}),
        ((1, "y"), {"c": [2]}),
        ((), {"a": 3, "d": 4}),
    ]
    for args, kwargs in calls:
        s, r = std(*args, **kwargs), rec(*args, **kwargs)
        assert repr(s) == repr(r)
        assert (s == std(*args, **kwargs)) == (r == rec(*args, **kwargs))
        assert (s == std(9)) == (r == rec(9))
        assert (std.__hash__ is None) == (rec.__hash__ is None)
        if options.get("frozen") and options.get("eq", True):
            assert hash(std(*args, **{**kwargs, "c": (2,)})) == hash(
                rec(*args, **{**kwargs, "c": (2,)})
            )
        assert [getattr(r, n) for n in "abcd"] == [getattr(s, n) for n in "abcd"]
        back = pickle.loads(pickle.dumps(r))
        assert [getattr(back, n) for n in "abcd"] == [getattr(r, n) for n in "abcd"]
        assert [(f.name, f.default, f.repr, f.compare) for f in dataclasses.fields(r)] == [
            (f.name, f.default, f.repr, f.compare) for f in dataclasses.fields(s)
        ]
        assert dataclasses.replace(r, a=7).a == replace(r, a=7).a == 7
        assert rec.__match_args__ == std.__match_args__
        assert hasattr(r, "__dict__") == hasattr(s, "__dict__")
    assert rec(1).c is not rec(1).c, "a default factory makes a new value each time"
    if options.get("frozen"):
        with pytest.raises(FrozenInstanceError):
            rec(1).a = 2
        with pytest.raises(FrozenInstanceError):
            del rec(1).a
    else:
        r = rec(1)
        r.a = 2
        assert r.a == 2


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), ((1, "b", [], 0, 5), {}), ((1,), {"a": 2}), ((1,), {"e": 2})],
)
def test_a_wrong_call_is_refused_as_the_dataclass_refuses_it(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    std, rec = _pair(frozen=True)
    with pytest.raises(TypeError):
        std(*args, **kwargs)
    with pytest.raises(TypeError):
        rec(*args, **kwargs)


def test_fields_of_a_base_record_come_first() -> None:
    @record(frozen=True)
    class Base:
        a: int
        b: int = 0

    @record(frozen=True)
    class Child(Base):
        c: int = 1

    assert Child(5, c=2) == Child(5, 0, 2)
    assert repr(Child(5)) == "test_fields_of_a_base_record_come_first.<locals>.Child(a=5, b=0, c=1)"
    assert [f.name for f in dataclasses.fields(Child)] == ["a", "b", "c"]
