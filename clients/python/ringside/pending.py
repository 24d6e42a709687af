"""Requests waiting for their answer. A request is 'queued' until its message is handed
to a connection, then 'sent'. When a connection drops, the sent ones fail with
ConnectionLostError (the server may or may not have acted on them, so they are not
resent: at most once); the queued ones go out on the next connection. When the socket
closes for good, every one fails."""
from __future__ import annotations

import asyncio
import itertools
import os
import time
from typing import Any, Awaitable, Callable, Optional

from .errors import ConnectionLostError, RequestTimeoutError, SocketClosedError
from .reconnecting import CloseInfo, ReconnectingSocket

_counter = itertools.count(1)


def new_request_id() -> str:
    """A request id unique in this process (the server only needs it per connection)."""
    return f"req-{os.getpid():x}-{next(_counter):x}-{os.urandom(3).hex()}"


class _Pending:
    __slots__ = ("label", "request_id", "sent", "future", "deadline")

    def __init__(self, label: str, request_id: Optional[str], future: asyncio.Future[Any], deadline: float):
        self.label = label
        self.request_id = request_id
        self.sent = False
        self.future = future
        self.deadline = deadline

    def mark_sent(self) -> None:
        self.sent = True


class PendingRequests:
    def __init__(self, socket: ReconnectingSocket) -> None:
        self._socket = socket
        self._pending: dict[str, _Pending] = {}
        socket.on("close", self._connection_closed)

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, key: object) -> bool:
        return key in self._pending

    async def start(
        self,
        key: str,
        label: str,
        request_id: Optional[str],
        timeout: float,
        send: Callable[[Callable[[], None]], Awaitable[Any]],
    ) -> asyncio.Future[Any]:
        """Registers a request and sends it with ``send(on_sent)``; returns the future of
        its answer. Wait for it with ``wait(key)``; the timeout counts from now."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = _Pending(label, request_id, future, time.monotonic() + timeout)
        self._pending[key] = entry
        try:
            await send(entry.mark_sent)
        except BaseException:
            self._pending.pop(key, None)
            raise
        return future

    async def wait(self, key: str, future: asyncio.Future[Any], timeout: float) -> Any:
        entry = self._pending.get(key)
        remaining = (entry.deadline - time.monotonic()) if entry else timeout
        try:
            return await asyncio.wait_for(future, max(0.0, remaining))
        except asyncio.TimeoutError:
            if future.done() and not future.cancelled():
                return future.result()
            label = entry.label if entry else key
            raise RequestTimeoutError(
                label, entry.request_id if entry else None, timeout, bool(entry and entry.sent)
            ) from None
        finally:
            if entry is not None and self._pending.get(key) is entry:
                self._pending.pop(key, None)
                # Given up (timed out, or the caller was cancelled) while still offline:
                # it must not go out later.
                if not entry.sent:
                    self._socket.discard(entry.mark_sent)

    async def call(
        self,
        key: str,
        label: str,
        request_id: Optional[str],
        timeout: float,
        send: Callable[[Callable[[], None]], Awaitable[Any]],
    ) -> Any:
        future = await self.start(key, label, request_id, timeout, send)
        return await self.wait(key, future, timeout)

    def oldest_sent(self) -> Optional[str]:
        """The key of the oldest request already sent (for protocols answering in order)."""
        for key, entry in self._pending.items():
            if entry.sent:
                return key
        return None

    def resolve(self, key: str, value: Any) -> bool:
        entry = self._pending.pop(key, None)
        if entry is None:
            return False
        if not entry.future.done():
            entry.future.set_result(value)
        return True

    def reject(self, key: str, error: BaseException) -> bool:
        entry = self._pending.pop(key, None)
        if entry is None:
            return False
        if not entry.future.done():
            entry.future.set_exception(error)
        return True

    def _connection_closed(self, info: CloseInfo) -> None:
        for key, entry in list(self._pending.items()):
            if entry.sent:
                self.reject(
                    key, ConnectionLostError(entry.label, entry.request_id, info.code, info.reason)
                )
            elif not info.will_reconnect:
                self.reject(
                    key,
                    SocketClosedError(f"{self._socket.close_reason}; {entry.label} was never sent"),
                )
