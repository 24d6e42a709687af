"""asyncio clients for a ringside server (one dependency: websockets 10.4 or newer).

- ArenaClient: spec 000 (``/v1``): battles, chat channels, notifications, teams
- ChatClient: spec 003 (``/ws/chat/<host>/<room>/``)
- CollabClient: spec 001 (``/ws/<sessionId>``)
- RunnerClient: spec 002 (``/appws``, ``/devws``)
"""
from .arena import EVENTS as ARENA_EVENTS, ArenaClient, RejoinReport
from .backoff import backoff_delay
from .chat import ChatClient
from .collab import CollabClient
from .errors import (
    ArenaRequestError,
    ConnectionLostError,
    QueueFullError,
    RequestTimeoutError,
    RingsideClientError,
    RunnerRequestError,
    SocketClosedError,
)
from .reconnecting import CloseInfo, FailedInfo, OpenInfo, ReconnectingInfo, ReconnectingSocket
from .runner import RunnerClient

__all__ = [
    "ARENA_EVENTS",
    "ArenaClient",
    "ArenaRequestError",
    "ChatClient",
    "CloseInfo",
    "CollabClient",
    "ConnectionLostError",
    "FailedInfo",
    "OpenInfo",
    "QueueFullError",
    "ReconnectingInfo",
    "ReconnectingSocket",
    "RejoinReport",
    "RequestTimeoutError",
    "RingsideClientError",
    "RunnerClient",
    "RunnerRequestError",
    "SocketClosedError",
    "backoff_delay",
]
__version__ = "0.1.0"
