"""The Starlette application: GraphQL on /graphql, health on /healthz, readiness on /readyz, runtime in the lifespan."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from kamcore import __version__
from kamcore.api.auth import Authenticator, AuthError
from kamcore.api.context import Context
from kamcore.api.errors import with_code
from kamcore.api.live import EventHub
from kamcore.api.schema import schema
from kamcore.runtime import Runtime
from kamcore.settings import Settings

MAX_BODY_BYTES = 1024 * 1024


class KamGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        """Without a thread hop when the token was looked up in the last seconds (most requests)."""
        state = request.app.state
        principal = state.authenticator.cached_principal(request.headers.get("authorization"))
        if principal is not None:
            return Context.for_principal(state.runtime, principal, request, response)
        return await run_in_threadpool(Context.for_request, state.runtime, state.authenticator, request, response)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error carries `extensions.code`, so frontends can branch on it (limits and validation too)."""
        response = await super().process_result(request, result)
        if response.get("errors"):
            response["errors"] = [with_code(e) for e in response["errors"]]
        return response

    async def on_ws_connect(self, context: Context) -> dict[str, Any]:
        """Browsers cannot set headers on a WebSocket: the token comes in the connection_init payload."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        token = params.get("authorization") or params.get("Authorization")
        if isinstance(token, str) and not token.lower().startswith("bearer "):
            token = f"Bearer {token}"
        authenticator: Authenticator = context.request.app.state.authenticator
        principal = await run_in_threadpool(authenticator.principal, token if isinstance(token, str) else None)
        if isinstance(principal, AuthError):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "reason": principal.message})
        context.principal = principal
        return {"actor": principal.actor}


def create_app(settings: Settings, *, run_projections: bool = True) -> Starlette:
    """An app whose lifespan opens the runtime (and, embedded, follows the log in-process)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(Runtime, settings)
        if run_projections:
            await run_in_threadpool(runtime.start)
        app.state.runtime = runtime
        app.state.authenticator = Authenticator(runtime.app)
        app.state.hub = await run_in_threadpool(EventHub, runtime)
        try:
            yield
        finally:
            await run_in_threadpool(app.state.hub.close)
            await run_in_threadpool(runtime.close)

    async def healthz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        statuses = await run_in_threadpool(runtime.status)
        failed = [s for s in statuses if s.error]
        body = {
            "status": "failing" if failed else "ok",
            "version": __version__,
            "pid": os.getpid(),  # with `serve --workers N`, which worker process answered
            "backend": runtime.backend.describe(),
            "projections": [
                {
                    "name": s.name,
                    "position": s.position,
                    "head": s.head,
                    "lag": s.lag,
                    "running": s.running,
                    "error": s.error,
                }
                for s in statuses
            ],
        }
        return JSONResponse(body, status_code=503 if failed else 200)

    async def readyz(request: Request) -> JSONResponse:
        """Readiness for a load balancer: 200 once start-up work is done, so traffic meets a server at full speed."""
        runtime: Runtime = request.app.state.runtime
        readiness = await run_in_threadpool(runtime.readiness)
        return JSONResponse({"status": readiness}, status_code=200 if readiness == "ready" else 503)

    graphql = KamGraphQL(
        schema,
        graphql_ide="graphiql" if settings.development else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=list(settings.cors_origins),
        max_subscriptions_per_connection=20,
    )
    cors = Middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["authorization", "content-type", "x-correlation-id", "x-min-position"],
        max_age=600,
    )
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[cors] if settings.cors_origins else [],
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )


SERVE_PROJECTIONS_ENV = "KAMCORE_SERVE_PROJECTIONS"


def create_app_from_env() -> Starlette:
    """The app factory `serve --workers N` hands uvicorn: each worker process builds its own app and runtime.

    Worker processes are spawned, so they get their settings from `KAMCORE_*` variables (set by `serve`).
    """
    return create_app(Settings.from_env(), run_projections=os.environ.get(SERVE_PROJECTIONS_ENV, "1") != "0")
