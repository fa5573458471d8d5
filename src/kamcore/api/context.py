"""Per-request context: the runtime, who is calling, and request-scoped DataLoaders."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import strawberry
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader

from kamcore.api.auth import Authenticator, AuthError, Principal
from kamcore.api.hops import SharedHop
from kamcore.runtime import Runtime

Row = dict[str, Any]


def by_key(hop: SharedHop, fetch: Callable[[Sequence[str]], list[Row | None]]) -> DataLoader[str, Row | None]:
    """Rows by id: every `load` in one tick becomes one `fetch` of all the ids (off the event loop, in
    the hop the other loaders dispatching in the same turn share)."""

    async def load(keys: list[str]) -> list[Row | None]:
        return await hop.run(lambda: fetch(keys))

    return DataLoader(load, max_batch_size=500)


class Loaders:
    """Batches and caches reads for one request, so N accounts cost one query, not N."""

    def __init__(self, runtime: Runtime) -> None:
        self.hop = hop = SharedHop()
        self.account = by_key(hop, runtime.accounts.get_many)
        self.policy = by_key(hop, runtime.sales.policies.get_many)
        self.claim = by_key(hop, runtime.sales.claims.get_many)
        self.recommendation = by_key(hop, runtime.sales.recommendations.get_many)
        self.interaction = by_key(hop, runtime.activity.interactions.get_many)
        self.relationship_manager = by_key(hop, runtime.people.relationship_managers.get_many)
        self.team = by_key(hop, runtime.people.teams.get_many)
        self.product = by_key(hop, runtime.products.listing.get_many)
        self.criteria_version = by_key(hop, runtime.programme.criteria.get_many)
        self.service_standard = by_key(hop, runtime.programme.standards.get_many)
        self.kpi_target = by_key(hop, runtime.programme.targets.get_many)
        self.process_review = by_key(hop, runtime.programme.reviews.get_many)
        self.survey_response = by_key(hop, runtime.feedback.survey_responses.get_many)
        self.complaint = by_key(hop, runtime.feedback.complaints.get_many)
        self.referral = by_key(hop, runtime.feedback.referrals.get_many)
        self.market_research = by_key(hop, runtime.market.records.get_many)
        self._children: dict[Hashable, DataLoader[str, list[Row]]] = {}

        async def load_subject_keys(subject_ids: list[str]) -> list[bytes | None]:
            found = await hop.run(lambda: runtime.app.subject_keys(subject_ids))
            return [found.get(subject_id) for subject_id in subject_ids]

        # Not cached: an erasure earlier in the same request must already hide the contact.
        self.subject_keys = DataLoader(load_subject_keys, max_batch_size=500, cache=False)

    def children(
        self, arguments: Hashable, fetch: Callable[[Sequence[str]], dict[str, list[Row]]]
    ) -> DataLoader[str, list[Row]]:
        """Each parent's rows (an account's policies, an RM's records) for one field and its arguments.

        The same field on a page of parents shares one loader, so the page costs one query.
        """
        loader = self._children.get(arguments)
        if loader is None:

            async def load(parents: list[str]) -> list[list[Row]]:
                found = await self.hop.run(lambda: fetch(parents))
                return [found.get(parent, []) for parent in parents]

            loader = self._children[arguments] = DataLoader(load, max_batch_size=500)
        return loader


@dataclass
class Context:
    runtime: Runtime
    request: HTTPConnection
    principal: Principal | AuthError
    correlation_id: str
    loaders: Loaders
    response: Any = None
    connection_params: dict[str, Any] | None = field(default=None)
    # The log position every read of the current operation includes (see `reads.RequestPosition`).
    read_position: int = 0

    @classmethod
    def for_request(
        cls, runtime: Runtime, authenticator: Authenticator, request: HTTPConnection, response: Any
    ) -> Context:
        """Reads the token when it is not cached: call off the event loop (see `for_principal`)."""
        principal = authenticator.principal(request.headers.get("authorization"))
        return cls.for_principal(runtime, principal, request, response)

    @classmethod
    def for_principal(
        cls, runtime: Runtime, principal: Principal | AuthError, request: HTTPConnection, response: Any
    ) -> Context:
        correlation_id = request.headers.get("x-correlation-id") or str(uuid4())
        return cls(
            runtime=runtime,
            request=request,
            principal=principal,
            correlation_id=correlation_id[:200],
            loaders=Loaders(runtime),
            response=response,
        )


Info = strawberry.Info[Context, None]
