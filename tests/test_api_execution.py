"""The short path for plain leaf fields answers exactly what strawberry's ordinary execution does:
values, nulls, enums, and the errors (with their paths) of values that cannot be served."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from kamcore.api.execution import PlainLeafExecution
from kamcore.api.schema import schema as kam_schema
from kamcore.application import CommandContext
from kamcore.runtime import Runtime


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Item:
    name: str
    count: int | None
    colour: Colour
    broken_count: int  # set to values that cannot be served as Int
    missing: str  # set to None: a non-null field without a value

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [
            Item(name="a", count=1, colour=Colour.RED, broken_count=2, missing="m"),
            Item(name="b", count=None, colour=Colour.RED, broken_count="x", missing=None),  # type: ignore[arg-type]
            Item(name="c", count=3, colour="nope", broken_count=2**40, missing="m"),  # type: ignore[arg-type]
        ]


def results(execution: type, query: str) -> Any:
    return strawberry.Schema(query=Query, execution_context_class=execution).execute_sync(query)


@pytest.mark.parametrize(
    "query",
    [
        "{ items { name count colour shout } }",
        '{ items { name shout(suffix: "?") } }',
        "{ items { name broken: brokenCount } }",
        "{ items { missing } }",
        "{ items { colour } }",
        "{ items { __typename name } }",
    ],
)
def test_plain_leaves_read_the_same_as_the_ordinary_way(query: str) -> None:
    short = results(PlainLeafExecution, query)
    ordinary = results(StrawberryGraphQLCoreExecutionContext, query)
    assert short.data == ordinary.data
    assert [(e.message, e.path) for e in short.errors or []] == [(e.message, e.path) for e in ordinary.errors or []]


async def test_kamcore_queries_read_the_same_as_the_ordinary_way(
    runtime: Runtime, ctx: CommandContext, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from bench.over_http import ACCOUNT_360, SCORECARD, TOP_50

    from kamcore.demo import seed_demo

    from .conftest import grant_token
    from .test_api_dataloader import request_context

    seed_demo(runtime.app, accounts=6)
    assert runtime.wait_for(runtime.app.head_position())
    token = grant_token(settings)

    async def both(query: str, variables: dict[str, Any] | None = None) -> Any:
        answers = []
        for execution in (PlainLeafExecution, StrawberryGraphQLCoreExecutionContext):
            monkeypatch.setattr(kam_schema, "execution_context_class", execution)
            result = await kam_schema.execute(
                query, variable_values=variables, context_value=request_context(runtime, token)
            )
            assert result.errors is None, result.errors
            answers.append(result.data)
        assert answers[0] == answers[1]
        return answers[0]

    page = await both(TOP_50)
    rm = next(a["leadRelationshipManagerId"] for a in page["accounts"]["nodes"] if a["leadRelationshipManagerId"])
    await both(ACCOUNT_360, {"id": page["accounts"]["nodes"][0]["id"]})
    year = date.today().year
    card = await both(SCORECARD, {"rm": rm, "year": year, "q": (date.today().month - 1) // 3 + 1})
    assert card["scorecard"]["kras"]
