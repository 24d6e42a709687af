"""The errors the clients raise. Each says what happened and what the caller can do."""
from __future__ import annotations

from typing import Any, Optional, Union

RequestId = Union[str, int, None]


class RingsideClientError(Exception):
    """Base class: ``except RingsideClientError`` catches every error of this package."""


class ConnectionLostError(RingsideClientError):
    """The connection dropped after a request went out and before its answer came.

    The server may or may not have acted on it; the client does not resend it (at most once).
    """

    def __init__(self, request: str, request_id: RequestId, close_code: int, close_reason: str):
        self.request = request
        self.request_id = request_id
        self.close_code = close_code
        self.close_reason = close_reason
        id_part = f" (request id {request_id})" if request_id else ""
        reason = f' "{close_reason}"' if close_reason else ""
        super().__init__(
            f"Connection lost before the response to {request}{id_part} arrived "
            f"(close {close_code}{reason}); the server may or may not have processed it"
        )


class SocketClosedError(RingsideClientError):
    """The socket is closed for good: close() was called, or reconnecting gave up."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"Socket is closed ({reason}); call connect() again or make a new client")


class QueueFullError(RingsideClientError):
    """Offline, and the queue of messages waiting for the connection is full."""

    def __init__(self, max_queued: int):
        self.max_queued = max_queued
        super().__init__(
            f"Offline and {max_queued} messages are already queued (max_queued); "
            "this one was not queued"
        )


class RequestTimeoutError(RingsideClientError, TimeoutError):
    """No answer within the request timeout (also a ``TimeoutError``)."""

    def __init__(self, request: str, request_id: RequestId, timeout: float, sent: bool = True):
        self.request = request
        self.request_id = request_id
        self.timeout = timeout
        #: False: it never left the offline queue (and now never will).
        self.sent = sent
        id_part = f" (request id {request_id})" if request_id else ""
        never = "" if sent else "; it was never sent (offline), and will not be"
        super().__init__(f"No response to {request}{id_part} within {timeout:g} s{never}")


class ArenaRequestError(RingsideClientError):
    """The arena server answered a request with ``{"type": "error"}``."""

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any],
        request_id: RequestId,
        event: Optional[str],
    ):
        self.code = code
        self.server_message = message
        self.details = details
        self.request_id = request_id
        self.event = event
        super().__init__(f"{event or 'arena'} failed: {code}: {message}")


class RunnerRequestError(RingsideClientError):
    """The runner refused a request (``{"action": "error"}``)."""

    def __init__(self, error: str, details: Optional[dict[str, Any]] = None):
        self.error = error
        self.details = details
        super().__init__(f"runner refused the request: {error}")
