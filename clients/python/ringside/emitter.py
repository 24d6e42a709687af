"""A small event emitter. ``on`` works as a call or as a decorator. Plain functions run
at once, in order; coroutine functions run as tasks (so a handler may await a request of
the same client). A handler that raises is logged and does not disturb the client."""
from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Callable, Optional, TypeVar

logger = logging.getLogger("ringside")

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)


class Emitter:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def on(self, event: str, handler: Optional[H] = None) -> Any:
        """``client.on('battle:matched', fn)``, or ``@client.on('battle:matched')``.

        Returns the handler (so the decorated function keeps its name).
        """
        if handler is None:
            def decorate(fn: H) -> H:
                self.on(event, fn)
                return fn

            return decorate
        self._handlers.setdefault(event, []).append(handler)
        return handler

    def once(self, event: str, handler: Handler) -> Handler:
        def wrapper(*args: Any) -> Any:
            self.off(event, wrapper)
            return handler(*args)

        return self.on(event, wrapper)

    def off(self, event: str, handler: Handler) -> None:
        handlers = self._handlers.get(event)
        if handlers and handler in handlers:
            handlers.remove(handler)

    def listener_count(self, event: str) -> int:
        return len(self._handlers.get(event, ()))

    def _emit(self, event: str, *args: Any) -> None:
        for handler in list(self._handlers.get(event, ())):
            try:
                result = handler(*args)
            except Exception:
                logger.exception("ringside: a %r handler raised", event)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)  # the loop keeps only weak references to tasks
                task.add_done_callback(self._handler_done(event))

    def _handler_done(self, event: str) -> Callable[[asyncio.Task[Any]], None]:
        def done(task: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.error(
                    "ringside: a %r handler raised", event, exc_info=task.exception()
                )

        return done
