"""The arena protocol (spec 000, ``/v1``): requests ``{id, type, event, data, timestamp}``
answered by a response or an error echoing the id; server events by name. Request
methods return the response's ``data`` and raise ArenaRequestError for an error.

After a reconnect the client re-joins what it had joined: its chat channels, the
matchmaking queue if it was waiting there (the server drops a connection's queue entry
when it closes), and its battle if one is running (the server answers with the battle
as it stands). Each re-join is reported as a ``rejoin`` event.

Close 4401 (bad or expired token) is final unless ``token`` is a function, which may
return a fresh one.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Literal, NamedTuple, Optional

from .base import ProtocolClient
from .endpoint import TokenSource
from .errors import ArenaRequestError, RingsideClientError
from .pending import PendingRequests, new_request_id
from .reconnecting import OpenInfo

Difficulty = Literal["easy", "medium", "hard"]
Language = Literal["python", "javascript"]
Mode = Literal["quick-battle", "ranked", "practice"]
RequestType = Literal["subscribe", "unsubscribe", "action"]

#: The server events, each delivered to ``on(name)`` handlers with the event's ``data``.
EVENTS = (
    "battle:matched",
    "battle:submission",
    "battle:execution_result",
    "battle:ended",
    "chat:message",
    "notification:system",
    "notification:user",
    "team:member_joined",
    "team:practice_started",
    "team:code_shared",
)

CLOSE_UNAUTHORIZED = 4401
RECENT_EVENT_IDS = 200


class RejoinReport(NamedTuple):
    event: str
    data: dict[str, Any]
    response: Any = None
    error: Optional[BaseException] = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ArenaClient(ProtocolClient):
    """A client of ``/v1``. Events (``@client.on(name)``): every name in ``EVENTS`` with
    the event's data; ``event`` with every server event's whole envelope; ``error`` with
    an ArenaRequestError that answers no request of this client (e.g. UNAUTHORIZED on
    connect); ``rejoin`` with a RejoinReport. Connection events are on ``client.socket``.
    """

    def __init__(self, token: TokenSource = None, url: Optional[str] = None, **options: Any):
        super().__init__(
            "/v1",
            token=token,
            url=url,
            should_reconnect=lambda close: close.code != CLOSE_UNAUTHORIZED or callable(token),
            **options,
        )
        self._requests = PendingRequests(self.socket)
        self._labels: dict[str, str] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._queued: Optional[dict[str, Any]] = None
        self._recent: OrderedDict[Any, None] = OrderedDict()
        self._rejoins: set[asyncio.Task[Any]] = set()
        #: The battle this user plays, from battle:matched to battle:ended.
        self.battle_id: Optional[str] = None
        self.socket.add_open_hook(self._opened)

    # -- requests ------------------------------------------------------------------

    async def request(
        self,
        event: str,
        data: Optional[dict[str, Any]] = None,
        kind: RequestType = "action",
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends a request and returns its response's ``data`` (matched by request id).
        ``kind`` is the envelope's informational ``type`` (the server dispatches on
        ``event``); ``timeout`` overrides ``request_timeout``.

        Raises ArenaRequestError, RequestTimeoutError, ConnectionLostError (sent, then the
        connection dropped), QueueFullError or SocketClosedError.
        """
        request_id, future = await self._start(event, data or {}, kind, timeout)
        return await self._requests.wait(request_id, future, timeout or self.request_timeout)

    async def _start(
        self, event: str, data: dict[str, Any], kind: str, timeout: Optional[float] = None
    ) -> tuple[str, asyncio.Future[Any]]:
        request_id = new_request_id()
        message = {"id": request_id, "type": kind, "event": event, "data": data, "timestamp": _now()}
        self._labels[request_id] = event
        try:
            future = await self._requests.start(
                request_id,
                event,
                request_id,
                timeout or self.request_timeout,
                lambda on_sent: self._send_json(message, on_sent),
            )
        except BaseException:
            self._labels.pop(request_id, None)
            raise
        future.add_done_callback(lambda _: self._labels.pop(request_id, None))
        return request_id, future

    async def join_battle(
        self,
        difficulty: Optional[Difficulty] = None,
        language: Optional[Language] = None,
        mode: Optional[Mode] = None,
        battle_id: Optional[str] = None,
    ) -> dict[str, Any]:
        """Joins the matchmaking queue (``difficulty``, ``language``, ``mode``) or a battle
        by id (``battle_id``). Returns the response (e.g. ``{'status': 'queued', ...}``);
        the match itself arrives as ``battle:matched``."""
        if (difficulty is None) == (battle_id is None):
            raise ValueError("join_battle: pass difficulty= or battle_id=")
        data: dict[str, Any] = {"battleId": battle_id} if battle_id else {"difficulty": difficulty}
        if language:
            data["language"] = language
        if mode and not battle_id:
            data["mode"] = mode
        response = await self.request("battle:join", data, "subscribe")
        if difficulty is not None and response.get("status") == "queued":
            self._queued = dict(data)
        if battle_id is not None and response.get("status") != "pending":
            self.battle_id = battle_id
        return response

    async def leave_battle(self, battle_id: Optional[str] = None) -> Any:
        """Leaves the queue (no battle_id), or gives up / withdraws from a battle."""
        response = await self.request(
            "battle:leave", {"battleId": battle_id} if battle_id else {}, "unsubscribe"
        )
        if not battle_id:
            self._queued = None
        return response

    async def submit(self, code: str, language: Language, battle_id: Optional[str] = None) -> Any:
        """Submits code to the current battle (or ``battle_id``). Returns the verdict
        (``battle:submitted``); ``battle:execution_result`` carries it too."""
        battle = battle_id or self.battle_id
        if not battle:
            raise RingsideClientError("submit: no battle (pass battle_id)")
        return await self.request(
            "battle:submit", {"battleId": battle, "code": code, "language": language}
        )

    async def invite(
        self,
        username: str,
        difficulty: Difficulty,
        language: Optional[Language] = None,
        mode: Optional[Mode] = None,
    ) -> Any:
        data: dict[str, Any] = {"username": username, "difficulty": difficulty}
        if language:
            data["language"] = language
        if mode:
            data["mode"] = mode
        return await self.request("battle:invite", data)

    async def respond_to_notification(
        self,
        notification_id: str,
        action: Literal["accept", "decline"],
        language: Optional[Language] = None,
    ) -> Any:
        data: dict[str, Any] = {"notificationId": notification_id, "action": action}
        if language:
            data["language"] = language
        return await self.request("notification:respond", data)

    async def join_channel(self, channel: str, battle_id: Optional[str] = None) -> dict[str, Any]:
        """Joins a chat channel (re-joined after every reconnect until leave_channel)."""
        data: dict[str, Any] = {"channel": channel}
        if battle_id:
            data["battleId"] = battle_id
        response = await self.request("chat:join", data, "subscribe")
        name = response.get("channel", channel)
        self._channels[name] = {**data, "channel": name}
        return response

    async def leave_channel(self, channel: str) -> Any:
        self._channels.pop(channel, None)
        return await self.request("chat:leave", {"channel": channel}, "unsubscribe")

    async def send_chat(self, channel: str, message: str, reply_to: Optional[str] = None) -> Any:
        """Sends a chat message to a joined channel; everyone in it gets ``chat:message``."""
        data: dict[str, Any] = {"channel": channel, "message": message}
        if reply_to:
            data["replyTo"] = reply_to
        return await self.request("chat:send", data)

    async def start_team_practice(
        self, team_id: str, topic: str, participants: Optional[list[str]] = None
    ) -> Any:
        data: dict[str, Any] = {"teamId": team_id, "topic": topic}
        if participants is not None:
            data["participants"] = participants
        return await self.request("team:practice_start", data)

    async def share_code(
        self,
        team_id: str,
        problem_id: str,
        code: str,
        language: Language,
        note: Optional[str] = None,
    ) -> Any:
        data: dict[str, Any] = {
            "teamId": team_id,
            "problemId": problem_id,
            "code": code,
            "language": language,
        }
        if note is not None:
            data["note"] = note
        return await self.request("team:share_code", data)

    async def ping(self) -> dict[str, Any]:
        """Round trip: ``{'serverTime': ..., 'latency': seconds}``."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await self.request("system:ping")
        return {**response, "latency": loop.time() - started}

    @property
    def joined_channels(self) -> list[str]:
        """The channels this client has joined (and will re-join)."""
        return list(self._channels)

    # -- incoming ------------------------------------------------------------------

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        message_id = message.get("id")
        if kind == "response" and isinstance(message_id, str):
            if self._requests.resolve(message_id, message.get("data")):
                return
        if kind == "error":
            body = message.get("error") if isinstance(message.get("error"), dict) else {}
            error = ArenaRequestError(
                str(body.get("code", "UNKNOWN")),
                str(body.get("message", "unknown error")),
                body.get("details") if isinstance(body.get("details"), dict) else {},
                message_id,
                self._labels.get(message_id) if isinstance(message_id, str) else None,
            )
            if isinstance(message_id, str) and self._requests.reject(message_id, error):
                return
            self._emit("error", error)
            return
        event = message.get("event")
        if kind != "event" or not isinstance(event, str):
            return
        # Events carry a fresh id, the same for every recipient: drop one seen already.
        if message_id is not None:
            if message_id in self._recent:
                return
            self._recent[message_id] = None
            if len(self._recent) > RECENT_EVENT_IDS:
                self._recent.popitem(last=False)
        data = message.get("data")
        self._track(event, data)
        self._emit(event, data)
        self._emit("event", message)

    def _track(self, event: str, data: Any) -> None:
        """Keeps what a reconnect must re-join in step with the events."""
        if not isinstance(data, dict):
            return
        if event == "battle:matched" and isinstance(data.get("battleId"), str):
            self._queued = None
            self.battle_id = data["battleId"]
        elif event == "battle:ended" and data.get("battleId") == self.battle_id:
            self.battle_id = None

    # -- re-joining after a reconnect ------------------------------------------------

    async def _opened(self, info: OpenInfo) -> None:
        if not info.reconnected:
            return
        # Only sent here (nothing is read until the open hooks are done); the answers
        # are awaited in tasks.
        for channel in list(self._channels.values()):
            await self._rejoin("chat:join", dict(channel))
        if self.battle_id:
            await self._rejoin("battle:join", {"battleId": self.battle_id})
        elif self._queued:
            await self._rejoin("battle:join", dict(self._queued))

    async def _rejoin(self, event: str, data: dict[str, Any]) -> None:
        try:
            request_id, future = await self._start(event, data, "subscribe")
        except Exception as error:
            self._emit("rejoin", RejoinReport(event, data, error=error))
            return
        task = asyncio.ensure_future(self._rejoined(event, data, request_id, future))
        self._rejoins.add(task)
        task.add_done_callback(self._rejoins.discard)

    async def _rejoined(
        self, event: str, data: dict[str, Any], request_id: str, future: asyncio.Future[Any]
    ) -> None:
        try:
            response = await self._requests.wait(request_id, future, self.request_timeout)
        except Exception as error:
            self._rejoin_failed(event, data, error)
            self._emit("rejoin", RejoinReport(event, data, error=error))
            return
        if event == "battle:join" and "difficulty" in data and response.get("status") != "queued":
            self._queued = None
        self._emit("rejoin", RejoinReport(event, data, response=response))

    def _rejoin_failed(self, event: str, data: dict[str, Any], error: Exception) -> None:
        if event != "battle:join":
            return
        if "battleId" in data:
            # The battle ended while we were away.
            if self.battle_id == data["battleId"]:
                self.battle_id = None
            return
        self._queued = None
        # Matched just before the drop (battle:matched was lost with it): go to the battle.
        battle_id = error.details.get("battleId") if isinstance(error, ArenaRequestError) else None
        if isinstance(error, ArenaRequestError) and error.code == "ALREADY_IN_BATTLE" and isinstance(battle_id, str):
            self.battle_id = battle_id
            task = asyncio.ensure_future(self._rejoin("battle:join", {"battleId": battle_id}))
            self._rejoins.add(task)
            task.add_done_callback(self._rejoins.discard)
