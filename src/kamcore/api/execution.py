"""GraphQL execution with a short path for plain leaf fields.

graphql-core builds a resolve info, parses arguments and walks `complete_value` for every field; on a
scorecard (44 KPIs with their trends) or a page of 50 accounts that is hundreds of scalar fields read
straight off plain objects, and most of the request's GraphQL time. A field strawberry resolves by
reading the attribute (no resolver, no extension, no argument) whose type is a scalar or an enum is
answered here by the same read and the same serialisation. Anything else, or anything unusual on the
way (a null for a non-null field, a value that does not serialise, an awaitable), goes the ordinary
way, so results and errors are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

Plan = tuple[Callable[[Any], Any], Any, bool] | None  # (read, leaf type, non-null) for a plain leaf, else None
# Per schema, per (type name, field name): a field's plan, worked out the first time it is asked for.
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = WeakKeyDictionary()


def plain_leaf(field: GraphQLField) -> Plan:
    """How to read a field the short way, or None when it must go the ordinary way."""
    non_null = isinstance(field.type, GraphQLNonNull)
    leaf_type = field.type.of_type if non_null else field.type  # type: ignore[attr-defined]
    if not (getattr(field.resolve, "_is_default", False) and not field.args and is_leaf_type(leaf_type)):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if getattr(definition, "default_resolver", None) is getattr:  # what strawberry's basic read does
        return attrgetter(definition.python_name), leaf_type, non_null  # type: ignore[union-attr]
    resolve = field.resolve
    return (lambda source: resolve(source, None)), leaf_type, non_null  # its basic read takes no info


class PlainLeafExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, reading plain leaf fields without the per-field machinery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = _PLANS.setdefault(self.schema, {})

    def execute_field(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        key = (parent_type.name, node.name.value)
        if key in self.plans:
            plain = self.plans[key]
        else:
            field = self.schema.get_field(parent_type, node.name.value)
            plain = self.plans[key] = plain_leaf(field) if field is not None else None
        if node.arguments:
            plain = None
        middleware = self.middleware_manager
        if plain is not None and (middleware is None or not middleware.middlewares):
            read, leaf_type, non_null = plain
            try:
                value = read(source)
                if value is None or value is Undefined:
                    if not non_null:
                        return None
                elif not isinstance(value, Exception) and not self.is_awaitable(value):
                    serialized = leaf_type.serialize(value)
                    if serialized is not None and serialized is not Undefined:
                        return serialized
            except Exception:  # noqa: BLE001, S110 - the ordinary way reports it, with its path
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
