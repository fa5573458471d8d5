"""The committed SDL is the frontend's contract: it must match the code, and changes must not break it."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
    find_breaking_changes,
)

from kamcore.api.schema import schema
from kamcore.api.sdl import schema_sdl

SDL = Path(__file__).resolve().parents[1] / "schema" / "kamcore.graphql"
BUILT_IN_SCALARS = {"String", "Int", "Boolean", "ID", "Float"}


def test_committed_sdl_matches_the_code() -> None:
    assert SDL.read_text() == schema_sdl(), "run `kamcore export-schema` and commit schema/kamcore.graphql"


def test_the_code_does_not_break_the_committed_sdl() -> None:
    assert find_breaking_changes(build_schema(SDL.read_text()), schema._schema) == []


def test_every_type_and_field_of_ours_is_described() -> None:
    """The schema is the frontend's documentation: payloads, inputs and read types say what they are."""
    built = build_schema(SDL.read_text())
    undocumented = sorted(
        name
        for name, t in built.type_map.items()
        if not name.startswith("__") and name not in {"String", "Int", "Boolean", "ID", "Float"} and not t.description
    )
    assert undocumented == []


def test_every_field_argument_and_enum_value_of_ours_is_described() -> None:
    """Fields, input fields, arguments and enum values say what they are (units, formats, what null means).

    Relay's PageInfo and Node come from strawberry, already described, so they need no exemption.
    """
    built = build_schema(SDL.read_text())
    undocumented: list[str] = []
    for name, t in built.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not (t.description or "").strip():
            undocumented.append(name)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in t.fields.items():
                if not (field.description or "").strip():
                    undocumented.append(f"{name}.{field_name}")
                undocumented += [
                    f"{name}.{field_name}({arg_name}:)"
                    for arg_name, arg in field.args.items()
                    if not (arg.description or "").strip()
                ]
        elif isinstance(t, GraphQLInputObjectType):
            undocumented += [
                f"{name}.{field_name}"
                for field_name, field in t.fields.items()
                if not (field.description or "").strip()
            ]
        elif isinstance(t, GraphQLEnumType):
            undocumented += [
                f"{name}.{value_name}"
                for value_name, value in t.values.items()
                if not (value.description or "").strip()
            ]
    assert undocumented == []
