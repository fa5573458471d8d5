"""The GraphQL API: strawberry schema on Starlette, served by uvicorn."""
