"""What every protocol client shares: the options, the reconnecting socket, JSON in and
out, and ``on()`` for the protocol's events. Connection life (open, close, reconnecting,
failed) is on ``client.socket``, so protocol event names never collide with it."""
from __future__ import annotations

import json
from typing import Any, Callable, Optional, TypeVar

from .emitter import Emitter
from .endpoint import TokenSource, base_address, endpoint_url, token_value
from .reconnecting import CloseInfo, ReconnectingSocket

C = TypeVar("C", bound="ProtocolClient")


class ProtocolClient(Emitter):
    def __init__(
        self,
        path: str,
        *,
        token: TokenSource = None,
        url: Optional[str] = None,
        request_timeout: float = 30.0,
        should_reconnect: Optional[Callable[[CloseInfo], bool]] = None,
        **socket_options: Any,
    ) -> None:
        """``url``: the server's base address (the protocol's path is added) or a full
        endpoint URL; default ``$RINGSIDE_URL``, else ws://localhost:8080. ``token``: a
        JWT, or a function returning one (called before every connection attempt).
        Other keyword arguments go to ReconnectingSocket (auto_reconnect, max_attempts,
        base_delay, max_delay, jitter, reset_after, connect_timeout, ping_interval,
        ping_timeout, max_queued, ...)."""
        super().__init__()
        self.base = base_address(url)
        self.token = token
        self.request_timeout = request_timeout
        endpoint_url(self.base, path)  # a malformed address fails here, not in the background

        async def address() -> str:
            return endpoint_url(self.base, path, await token_value(token))

        self.socket = ReconnectingSocket(
            address, should_reconnect=should_reconnect, **socket_options
        )
        self.socket.on("message", self._on_text)

    @property
    def state(self) -> str:
        return self.socket.state

    async def connect(self) -> None:
        """Connects if not connected; returns once open."""
        await self.socket.connect()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Closes for good (no reconnect)."""
        await self.socket.close(code, reason)

    async def __aenter__(self: C) -> C:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _send_json(self, message: Any, on_sent: Optional[Callable[[], None]] = None) -> str:
        # Anything sent before connect() starts the connection (and waits in the queue).
        if self.socket.state == "idle":
            self.socket.start()
        return await self.socket.send(json.dumps(message, separators=(",", ":")), on_sent)

    def _on_text(self, data: Any) -> None:
        try:
            message = json.loads(data)
        except (TypeError, ValueError):
            return self._on_unparsable(data)
        if isinstance(message, dict):
            self._on_message(message)

    def _on_message(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    def _on_unparsable(self, data: Any) -> None:
        pass
