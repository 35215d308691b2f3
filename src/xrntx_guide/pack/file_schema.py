"""The JSON Schema of one step file (``schema steps``), for editors that check TOML as
authors type: the file models' types (pack/model.py), with the docstrings under their
fields as descriptions."""

from __future__ import annotations

import ast
import inspect
from typing import Any

from pydantic import TypeAdapter

from . import model
from .model import PackFile


def pack_file_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of one step file, with the docstrings above as
    descriptions, for editors that check TOML against a schema while authors type.

    TOML has no null: a key that may be left out is simply not required, so the null
    branch pydantic gives optional keys is dropped. Dates are TOML dates (``format:
    date``). The schema checks each file's shape only; names across files, sources,
    expressions and the order of the walk are checked by ``xrntx-guide validate``.
    """
    schema: dict[str, Any] = TypeAdapter(PackFile).json_schema()
    docs = _field_docs()
    for name, definition in [("PackFile", schema), *schema.get("$defs", {}).items()]:
        for field_name, spec in definition.get("properties", {}).items():
            doc = docs.get((name, field_name))
            if doc:
                spec["description"] = doc
    _tighten(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "xrntx-guide step file",
    }


def _field_docs() -> dict[tuple[str, str], str]:
    """(class, field) -> the docstring under the field in pack/model.py's source."""
    tree = ast.parse(inspect.getsource(model))
    docs: dict[tuple[str, str], str] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for field_node, doc in zip(cls.body, cls.body[1:], strict=False):
            if (
                isinstance(field_node, ast.AnnAssign)
                and isinstance(field_node.target, ast.Name)
                and isinstance(doc, ast.Expr)
                and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)
            ):
                docs[(cls.name, field_node.target.id)] = inspect.cleandoc(doc.value.value)
    return docs


def _tighten(node: Any) -> None:
    """Say in the schema what the validator does: no null (TOML has none), and no key of
    a table outside its pattern (a source key with a capital letter)."""
    if isinstance(node, dict):
        if "patternProperties" in node:
            node.setdefault("additionalProperties", False)
        branches = node.get("anyOf")
        if isinstance(branches, list) and {"type": "null"} in branches:
            branches.remove({"type": "null"})
            if len(branches) == 1:
                del node["anyOf"]
                node.update(branches[0])
            if node.get("default", 0) is None:
                del node["default"]
        for value in node.values():
            _tighten(value)
    elif isinstance(node, list):
        for value in node:
            _tighten(value)
