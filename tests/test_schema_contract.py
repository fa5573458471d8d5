"""The committed SDL is the frontend's contract: it must match the code, and changes must not break it."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes

from kamcore.api.schema import schema
from kamcore.api.sdl import schema_sdl

SDL = Path(__file__).resolve().parents[1] / "schema" / "kamcore.graphql"


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
        if not name.startswith("__")
        and name not in {"String", "Int", "Boolean", "ID", "Float"}
        and not t.description
        and not name.endswith("Edge")
    )
    assert undocumented == []
