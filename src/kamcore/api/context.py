"""Per-request context: the runtime, who is calling, and request-scoped DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import strawberry
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader

from kamcore.api.auth import Authenticator, AuthError, Principal
from kamcore.runtime import Runtime


class Loaders:
    """Batches and caches reads for one request, so N accounts cost one query, not N."""

    def __init__(self, runtime: Runtime) -> None:
        async def load_accounts(ids: list[str]) -> list[dict[str, Any] | None]:
            return await run_in_threadpool(runtime.accounts.get_many, ids)

        async def load_subject_keys(subject_ids: list[str]) -> list[bytes | None]:
            found = await run_in_threadpool(runtime.app.subject_keys, subject_ids)
            return [found.get(subject_id) for subject_id in subject_ids]

        self.account = DataLoader(load_accounts, max_batch_size=500)
        # Not cached: an erasure earlier in the same request must already hide the contact.
        self.subject_keys = DataLoader(load_subject_keys, max_batch_size=500, cache=False)


@dataclass
class Context:
    runtime: Runtime
    request: HTTPConnection
    principal: Principal | AuthError
    correlation_id: str
    loaders: Loaders
    response: Any = None
    connection_params: dict[str, Any] | None = field(default=None)

    @classmethod
    def for_request(
        cls, runtime: Runtime, authenticator: Authenticator, request: HTTPConnection, response: Any
    ) -> Context:
        correlation_id = request.headers.get("x-correlation-id") or str(uuid4())
        principal = authenticator.principal(request.headers.get("authorization"))
        return cls(
            runtime=runtime,
            request=request,
            principal=principal,
            correlation_id=correlation_id[:200],
            loaders=Loaders(runtime),
            response=response,
        )


Info = strawberry.Info[Context, None]
