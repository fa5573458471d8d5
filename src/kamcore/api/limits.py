"""Query cost: priced before execution, refused above the limit, reported in `extensions.cost`.

Validation rules cannot see variables, so the price is computed in `on_execute`: every field that
selects sub-fields costs 1, multiplied by the page sizes (`first`) of the lists above it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

MAX_COST = 5_000
DEFAULT_PAGE = 20


def _page_size(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            value = (
                variables.get(argument.value.name.value)
                if isinstance(argument.value, VariableNode)
                else value_from_ast_untyped(argument.value, variables)
            )
            return value if isinstance(value, int) and value > 0 else DEFAULT_PAGE
    return 1


def fields_of(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]) -> Iterator[FieldNode]:
    """The fields a selection set asks for at its own level, through inline fragments and fragment spreads."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from fields_of(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from fields_of(fragments[selection.name.value].selection_set, fragments)


def selected_operation(
    context: ExecutionContext,
) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]] | None:
    """The operation a request runs (by its operationName) and the document's fragments; None before parsing."""
    document = context.graphql_document
    if document is None:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (context.operation_name is None or (d.name and d.name.value == context.operation_name))
    ]
    return (operations[0], fragments) if operations else None


def query_cost(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    multiplier: int = 1,
) -> int:
    cost = 0
    for field in fields_of(selection_set, fragments):
        if field.selection_set is not None:
            size = _page_size(field, variables)
            cost += multiplier + query_cost(field.selection_set, fragments, variables, multiplier * size)
    return cost


class CostLimiter(SchemaExtension):
    """Refuses operations priced above `MAX_COST` with MAX_COST_EXCEEDED; nothing is executed."""

    def __init__(self, *, max_cost: int = MAX_COST) -> None:
        self.max_cost = max_cost
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        selected = selected_operation(context)
        if selected is not None:
            operation, fragments = selected
            self.cost = query_cost(operation.selection_set, fragments, context.variables or {})
            if self.cost > self.max_cost:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"query cost {self.cost} exceeds the limit of {self.max_cost}; ask for smaller pages",
                            extensions={"code": "MAX_COST_EXCEEDED"},
                        )
                    ],
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requestedQueryCost": self.cost, "maximumAvailable": self.max_cost}}
