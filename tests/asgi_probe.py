"""Instruments for tests at the ASGI boundary (the application itself is the real one)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyReads:
    """Counts the request-body bytes the application pulls through ``receive``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.bytes = app, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counting() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counting, send)
