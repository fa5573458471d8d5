"""Product catalogue mutations: launch, revise, withdraw."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kamcore.api import enums
from kamcore.api.commands import Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import CommandPayload, execute

CODE = "Code of the product (as launched)."


@strawberry.input(description="A new product on sale; effectiveDate is the launch date.")
class LaunchProductInput(CommandInput):
    code: str = strawberry.field(description="Unique product code: 1-64 letters, digits or . _ : @ -.")
    name: str = strawberry.field(description="Name of the product (1-200 characters).")
    line_of_business: str = strawberry.field(description="Line of business, e.g. property (1-100 characters).")
    target_segments: list[enums.Segment] = strawberry.field(description="Segments it is sold to (at least one).")
    needs_covered: list[str] = strawberry.field(
        default_factory=list, description="Customer needs it covers, in the words used for Need.description."
    )


@strawberry.input(description="Fields to change; omitted fields keep their value.")
class ReviseProductInput(CommandInput):
    code: str = strawberry.field(description=CODE)
    name: str | None = strawberry.field(default=None, description="New name; null = unchanged.")
    target_segments: list[enums.Segment] | None = strawberry.field(
        default=None, description="New target segments (at least one); null = unchanged."
    )
    needs_covered: list[str] | None = strawberry.field(
        default=None, description="New list of needs covered (replaces the old one); null = unchanged."
    )


@strawberry.input(description="Take a product off sale (a reason is required); bound policies are unaffected.")
class WithdrawProductInput(CommandInput):
    code: str = strawberry.field(description=CODE)


@strawberry.type(description="The product after a catalogue change.")
class ProductPayload(CommandPayload):
    code: str | None = strawberry.field(description="Code of the product; null when refused.")


async def product_payload(info: Info, data: CommandInput, command: Command) -> ProductPayload:
    done = await execute(info, data, command)
    return ProductPayload(**done.common, code=done.detail("code"))


@strawberry.type
class ProductMutations:
    @strawberry.mutation(description="Launch a product: put it on sale to its target segments.")
    async def launch_product(
        self,
        info: Info,
        input: Annotated[LaunchProductInput, strawberry.argument(description="The product to launch.")],
    ) -> ProductPayload:
        app = info.context.runtime.app
        return await product_payload(
            info,
            input,
            lambda ctx, _: app.launch_product(
                ctx,
                code=input.code,
                name=input.name,
                line_of_business=input.line_of_business,
                target_segments=input.target_segments,
                needs_covered=input.needs_covered,
            ),
        )

    @strawberry.mutation(description="Revise a product's name, target segments or needs covered.")
    async def revise_product(
        self,
        info: Info,
        input: Annotated[ReviseProductInput, strawberry.argument(description="The product and what changes.")],
    ) -> ProductPayload:
        app = info.context.runtime.app
        return await product_payload(
            info,
            input,
            lambda ctx, _: app.revise_product(
                ctx,
                input.code,
                name=input.name,
                target_segments=input.target_segments,
                needs_covered=input.needs_covered,
            ),
        )

    @strawberry.mutation(description="Withdraw a product from sale (a reason is required).")
    async def withdraw_product(
        self,
        info: Info,
        input: Annotated[WithdrawProductInput, strawberry.argument(description="The product; pass reason.")],
    ) -> ProductPayload:
        app = info.context.runtime.app
        return await product_payload(info, input, lambda ctx, _: app.withdraw_product(ctx, input.code))
