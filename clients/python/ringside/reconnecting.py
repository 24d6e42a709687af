"""A WebSocket that comes back.

After an unexpected close it reconnects with exponential backoff and jitter, up to
``max_attempts`` consecutive attempts (the count starts again once a connection has
stayed open ``reset_after`` seconds). Dead connections are found by websockets' own
ping/pong (``ping_interval``, ``ping_timeout``). Open hooks run on every (re)connection,
before the offline queue is flushed, so clients re-join what they were subscribed to
first. Sends made while offline wait in a bounded queue (``max_queued``).

States: idle -> connecting -> open -> (drop) -> reconnecting -> connecting -> open ...
        any -> closed (close() was called, or reconnecting gave up: 'failed').
"""
from __future__ import annotations

import asyncio
import inspect
import random as _random
import time
from collections import deque
from typing import Any, Awaitable, Callable, NamedTuple, Optional, Union

import websockets
from websockets.exceptions import ConnectionClosed, InvalidURI

from .backoff import backoff_delay
from .emitter import Emitter, logger
from .errors import QueueFullError, SocketClosedError

UrlSource = Union[str, Callable[[], Union[str, Awaitable[str]]]]


class OpenInfo(NamedTuple):
    url: str
    #: False on the first connection, True on every later one.
    reconnected: bool


class CloseInfo(NamedTuple):
    code: int
    reason: str
    #: Whether a reconnect follows. False: the socket is now 'closed'.
    will_reconnect: bool = False
    #: Whether this connection had opened (False: an attempt that failed).
    was_open: bool = False


class ReconnectingInfo(NamedTuple):
    attempt: int
    delay: float
    max_attempts: float


class FailedInfo(NamedTuple):
    attempts: int
    last_close: CloseInfo
    #: Queued messages thrown away.
    dropped: int
    error: Optional[BaseException] = None


OpenHook = Callable[[OpenInfo], Union[None, Awaitable[None]]]


class ReconnectingSocket(Emitter):
    """Events: ``open`` (OpenInfo), ``message`` (str | bytes), ``close`` (CloseInfo),
    ``reconnecting`` (ReconnectingInfo), ``failed`` (FailedInfo), ``error`` (exception),
    ``state`` (str)."""

    def __init__(
        self,
        url: UrlSource,
        *,
        auto_reconnect: bool = True,
        max_attempts: float = 10,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        jitter: float = 0.5,
        reset_after: float = 3.0,
        connect_timeout: float = 10.0,
        ping_interval: Optional[float] = 15.0,
        ping_timeout: Optional[float] = 10.0,
        close_timeout: float = 5.0,
        max_queued: int = 100,
        max_size: int = 16 * 1024 * 1024,
        should_reconnect: Optional[Callable[[CloseInfo], bool]] = None,
        random: Callable[[], float] = _random.random,
    ) -> None:
        super().__init__()
        self._url = url
        self.auto_reconnect = auto_reconnect
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self.reset_after = reset_after
        self.connect_timeout = connect_timeout
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.close_timeout = close_timeout
        self.max_queued = max_queued
        self.max_size = max_size
        self.should_reconnect = should_reconnect
        self._random = random

        self._state = "idle"
        self._ws: Any = None
        self._task: Optional[asyncio.Task[None]] = None
        self._queue: deque[tuple[Union[str, bytes], Optional[Callable[[], None]]]] = deque()
        self._hooks: list[OpenHook] = []
        self._attempt = 0
        self._ever_opened = False
        self._close_reason = "not connected yet"
        self._waiters: set[asyncio.Future[None]] = set()

    @property
    def state(self) -> str:
        """'idle', 'connecting', 'open', 'reconnecting' or 'closed'."""
        return self._state

    @property
    def attempts(self) -> int:
        """Consecutive failed attempts since the last stable connection."""
        return self._attempt

    @property
    def close_reason(self) -> str:
        """Why the socket is closed (or 'not connected yet')."""
        return self._close_reason

    @property
    def queued(self) -> int:
        """Messages waiting for a connection."""
        return len(self._queue)

    def start(self) -> None:
        """Starts connecting in the background if idle or closed (no waiting)."""
        if self._state in ("idle", "closed"):
            self._attempt = 0
            self._set_state("connecting")
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def connect(self) -> None:
        """Connects if not connected; returns once open. Raises SocketClosedError if the
        socket gives up first."""
        self.start()
        await self.wait_open()

    async def wait_open(self) -> None:
        if self._state == "open":
            return
        if self._state == "closed":
            raise SocketClosedError(self._close_reason)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await waiter
        finally:
            self._waiters.discard(waiter)

    async def send(
        self, data: Union[str, bytes], on_sent: Optional[Callable[[], None]] = None
    ) -> str:
        """Sends now when open, else queues (sent in order after the next connection's
        open hooks). Returns 'sent' or 'queued'. ``on_sent`` runs as the data is handed
        to the connection. Raises SocketClosedError or QueueFullError."""
        if self._state == "closed":
            raise SocketClosedError(self._close_reason)
        ws = self._ws
        if self._state == "open" and ws is not None:
            # Marked sent before the write: if the connection drops now, the caller is
            # told it was lost (at most once) rather than having it resent.
            if on_sent:
                on_sent()
            try:
                await ws.send(data)
            except ConnectionClosed:
                pass  # the run loop reports the close
            return "sent"
        if len(self._queue) >= self.max_queued:
            raise QueueFullError(self.max_queued)
        self._queue.append((data, on_sent))
        return "queued"

    def discard(self, on_sent: Callable[[], None]) -> bool:
        """Takes a queued message (the one sent with this ``on_sent``) out of the offline
        queue: a request given up on before it went out is then never sent."""
        for item in self._queue:
            if item[1] == on_sent:
                self._queue.remove(item)
                return True
        return False

    def add_open_hook(self, hook: OpenHook) -> Callable[[], None]:
        """Runs ``hook(OpenInfo)`` on every open, before queued sends go out. A hook may
        send (it must not wait for an answer: nothing is read until the hooks are done).
        Returns a function removing it."""
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook) if hook in self._hooks else None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Closes for good (until connect() is called again): no reconnect; queued sends
        are dropped."""
        if self._state == "closed":
            return
        ws, task = self._ws, self._task
        was_open = self._state == "open"
        self._close_reason = "close() was called"
        self._ws = None
        self._task = None
        self._queue.clear()
        self._set_state("closed")
        self._release_waiters()
        self._emit("close", CloseInfo(code, reason, False, was_open))
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(code, reason), self.close_timeout)
            except Exception:
                pass
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass

    # -- the connection loop -------------------------------------------------------

    async def _run(self) -> None:
        me = asyncio.current_task()
        while self._task is me:
            close, was_open, opened_at, fatal = await self._one_connection(me)
            if self._task is not me:
                return  # close() was called
            self._ws = None
            if was_open and time.monotonic() - opened_at >= self.reset_after:
                self._attempt = 0
            described = f"{close.code}{f' {close.reason!r}' if close.reason else ''}"
            if fatal is not None:
                self._close_reason = f"cannot connect: {fatal}"
                return self._finish(close, was_open, True, fatal)
            if not self.auto_reconnect:
                self._close_reason = f"connection closed ({described}) and auto_reconnect is off"
                return self._finish(close, was_open, False)
            if self.should_reconnect is not None and not self.should_reconnect(close):
                self._close_reason = f"connection closed ({described}); reconnecting would not help"
                return self._finish(close, was_open, True)
            if self._attempt >= self.max_attempts:
                self._close_reason = (
                    f"gave up after {self._attempt} reconnect attempts; last close {described}"
                )
                return self._finish(close, was_open, True)
            delay = backoff_delay(
                self._attempt, self.base_delay, self.max_delay, self.jitter, self._random
            )
            self._attempt += 1
            self._set_state("reconnecting")
            self._emit("close", close._replace(will_reconnect=True, was_open=was_open))
            self._emit("reconnecting", ReconnectingInfo(self._attempt, delay, self.max_attempts))
            await asyncio.sleep(delay)
            if self._task is not me:
                return
            self._set_state("connecting")

    async def _one_connection(
        self, me: Optional[asyncio.Task[None]]
    ) -> tuple[CloseInfo, bool, float, Optional[BaseException]]:
        """One attempt and, if it opens, the connection's life. Returns how it ended,
        whether it had opened, when, and an error that makes retrying pointless."""
        try:
            url = self._url if isinstance(self._url, str) else self._url()
            if inspect.isawaitable(url):
                url = await url
        except Exception as error:
            self._emit("error", error)
            return CloseInfo(1006, f"no address: {error}"), False, 0.0, None
        try:
            ws = await websockets.connect(
                url,
                open_timeout=self.connect_timeout,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                close_timeout=self.close_timeout,
                max_size=self.max_size,
            )
        except (InvalidURI, ValueError) as error:
            self._emit("error", error)
            return CloseInfo(1006, "invalid address"), False, 0.0, error
        except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as error:
            self._emit("error", error)
            reason = str(error) or type(error).__name__
            return CloseInfo(1006, f"cannot connect: {reason}"), False, 0.0, None
        if self._task is not me:
            await ws.close()
            return CloseInfo(1000, ""), False, 0.0, None
        self._ws = ws
        opened_at = time.monotonic()
        info = OpenInfo(str(url), self._ever_opened)
        self._ever_opened = True
        self._set_state("open")
        for hook in list(self._hooks):
            try:
                result = hook(info)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("ringside: an open hook raised")
        while self._queue and self._ws is ws:
            data, on_sent = self._queue.popleft()
            if on_sent:
                on_sent()
            try:
                await ws.send(data)
            except ConnectionClosed:
                break
        if self._ws is ws:
            self._release_waiters()
            self._emit("open", info)
        try:
            async for message in ws:
                if self._ws is not ws:
                    break
                self._emit("message", message)
        except ConnectionClosed:
            pass
        except asyncio.CancelledError:
            # The loop is shutting down (asyncio.run returned without close()): drop the
            # TCP connection now rather than let websockets wait close_timeout for a
            # closing handshake nobody will finish.
            transport = getattr(ws, "transport", None)
            if transport is not None:
                transport.abort()
            raise
        code = ws.close_code if ws.close_code is not None else 1006
        return CloseInfo(code, ws.close_reason or ""), True, opened_at, None

    def _finish(
        self, close: CloseInfo, was_open: bool, failed: bool, error: Optional[BaseException] = None
    ) -> None:
        dropped = len(self._queue)
        self._queue.clear()
        self._task = None
        self._set_state("closed")
        self._release_waiters()
        self._emit("close", close._replace(will_reconnect=False, was_open=was_open))
        if failed:
            self._emit("failed", FailedInfo(self._attempt, close, dropped, error))

    def _release_waiters(self) -> None:
        for waiter in list(self._waiters):
            if waiter.done():
                continue
            if self._state == "open":
                waiter.set_result(None)
            else:
                waiter.set_exception(SocketClosedError(self._close_reason))
        self._waiters.clear()

    def _set_state(self, state: str) -> None:
        if self._state != state:
            self._state = state
            self._emit("state", state)
