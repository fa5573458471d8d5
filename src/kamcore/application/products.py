"""Product catalogue commands: launch, revise, withdraw."""

from __future__ import annotations

from collections.abc import Sequence

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.product import Product
from kamcore.domain.values import Segment


class ProductCommands(CommandHandling):
    def launch_product(
        self,
        ctx: CommandContext,
        *,
        code: str,
        name: str,
        line_of_business: str,
        target_segments: Sequence[Segment | str],
        needs_covered: Sequence[str] = (),
    ) -> CommandResult:
        arguments = {
            "code": code,
            "name": name,
            "line_of_business": line_of_business,
            "target_segments": list(target_segments),
            "needs_covered": list(needs_covered),
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Product], dict[str, str]]:
            product = Product.launch(
                code=code,
                name=name,
                line_of_business=line_of_business,
                target_segments=target_segments,
                needs_covered=needs_covered,
                envelope=envelope,
            )
            if self.find(Product, product.id) is not None:
                raise Conflict(f"product {code} exists", field="code", code="DUPLICATE")
            return [product], {"code": product.code}

        return self.execute(ctx, "launch_product", arguments, body)

    def revise_product(
        self,
        ctx: CommandContext,
        code: str,
        *,
        name: str | None = None,
        target_segments: Sequence[Segment | str] | None = None,
        needs_covered: Sequence[str] | None = None,
    ) -> CommandResult:
        arguments = {
            "code": code,
            "name": name,
            "target_segments": list(target_segments) if target_segments is not None else None,
            "needs_covered": list(needs_covered) if needs_covered is not None else None,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Product], dict[str, str]]:
            product = self._product(ctx, code)
            product.revise(name=name, target_segments=target_segments, needs_covered=needs_covered, envelope=envelope)
            return [product], {"code": product.code}

        return self.execute(ctx, "revise_product", arguments, body)

    def withdraw_product(self, ctx: CommandContext, code: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Product], dict[str, str]]:
            product = self._product(ctx, code)
            product.withdraw(envelope=envelope)
            return [product], {"code": product.code}

        return self.execute(ctx, "withdraw_product", {"code": code}, body)

    def _product(self, ctx: CommandContext, code: str) -> Product:
        return self.load(Product, Product.id_for(code), field="code", expected_version=ctx.expected_version)
