"""The SDL as committed in schema/kamcore.graphql (what `strawberry export-schema` prints)."""

from __future__ import annotations

from strawberry.printer import print_schema

from kamcore.api.schema import schema


def schema_sdl() -> str:
    return print_schema(schema) + "\n"
