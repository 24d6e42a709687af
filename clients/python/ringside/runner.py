"""The runner protocol (spec 002, ``/appws``, or ``/devws`` with debugging detail): run
code, background tasks with progress, a live leaderboard.

runCode has no request id in the spec; the server answers every runCode of a connection
exactly once, in request order (an ``output``, or an ``error`` for a refused run). So
``run_code()`` returns the next ``output`` in line. An ``error`` is taken as the answer
of the oldest runCode in flight unless it is one of the errors that answer other actions
(OTHER_ERRORS). The client also sends an ``id`` with each runCode; a server that echoes
it is matched exactly.

Events: ``output``, ``taskUpdate``, ``leaderboardUpdate`` (the message's ``data``) and
``error`` (``{'error': str, 'details': dict or None}``, one not taken as a run's answer).
"""
from __future__ import annotations

import asyncio
import re
from typing import Any, Literal, Optional, Union

from .base import ProtocolClient
from .endpoint import TokenSource
from .errors import RunnerRequestError
from .pending import PendingRequests, new_request_id
from .reconnecting import CloseInfo, OpenInfo

OTHER_ERRORS = [
    re.compile(p)
    for p in (
        r"^Rate limited$",
        r"^Invalid JSON$",
        r"^Invalid message",
        r"^Binary messages",
        r"^Unknown action",
        r"^Unknown player",
        r"^Invalid data for (?!runCode\b)",
        r"^Too many tasks",
        r"^Duplicate task id",
        r"^Connection closing",
    )
]


class RunnerClient(ProtocolClient):
    def __init__(self, token: TokenSource = None, url: Optional[str] = None, dev: bool = False, **options: Any):
        """``dev``: use /devws (errors and outputs carry debugging details)."""
        super().__init__("/devws" if dev else "/appws", token=token, url=url, **options)
        self._runs = PendingRequests(self.socket)
        self._tasks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.socket.add_open_hook(self._opened)
        self.socket.on("close", self._closed)

    async def run_code(
        self,
        code: str,
        language: Literal["python", "javascript"] = "python",
        mode: Literal["standalone", "cluster"] = "standalone",
        stdin: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> dict[str, Any]:
        """Runs code in the server's sandbox: ``{'output', 'error', 'executionTime',
        'memoryUsed'}``. Raises RunnerRequestError for a refused run."""
        request_id = new_request_id()
        data: dict[str, Any] = {"mode": mode, "language": language, "code": code}
        if stdin is not None:
            data["stdin"] = stdin
        if timeout_ms is not None:
            data["timeoutMs"] = timeout_ms
        message = {"action": "runCode", "id": request_id, "data": data}
        return await self._runs.call(
            request_id,
            "runCode",
            request_id,
            timeout or self.request_timeout,
            lambda on_sent: self._send_json(message, on_sent),
        )

    async def start_tasks(self, tasks: list[dict[str, Any]]) -> str:
        """Starts background tasks (``{'id', 'action', 'params'?}``); progress comes as ``taskUpdate``."""
        return await self._send_json({"action": "startTasks", "data": {"tasks": tasks}})

    def task_result(self, task_id: str) -> "asyncio.Future[dict[str, Any]]":
        """A future of the task's final update (completed or failed). Call before it can end."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._tasks[task_id] = future
        return future

    async def start_game(self, players: Optional[list[Union[str, dict[str, Any]]]] = None) -> str:
        """Starts a game (optionally with players); everyone gets ``leaderboardUpdate``."""
        message: dict[str, Any] = {"action": "startGame"}
        if players is not None:
            message["data"] = {"players": players}
        return await self._send_json(message)

    async def update_score(self, player_id: int, change: int) -> str:
        return await self._send_json(
            {"action": "updateScore", "data": {"playerId": player_id, "change": change}}
        )

    async def get_leaderboard(self, timeout: Optional[float] = None) -> list[dict[str, Any]]:
        """The current standings (the next leaderboardUpdate, always the whole board)."""
        future: asyncio.Future[list[dict[str, Any]]] = asyncio.get_running_loop().create_future()

        def on_update(entries: list[dict[str, Any]]) -> None:
            if not future.done():
                future.set_result(entries)

        self.on("leaderboardUpdate", on_update)
        try:
            await self._send_json({"action": "getLeaderboard"})
            return await asyncio.wait_for(future, timeout or self.request_timeout)
        except asyncio.TimeoutError:
            raise RunnerRequestError(f"no leaderboard within {timeout or self.request_timeout:g} s") from None
        finally:
            self.off("leaderboardUpdate", on_update)

    async def _opened(self, info: OpenInfo) -> None:
        # Standings may have changed while offline: ask again if anyone is listening.
        if info.reconnected and self.listener_count("leaderboardUpdate") > 0:
            await self._send_json({"action": "getLeaderboard"})

    def _closed(self, info: CloseInfo) -> None:
        # The server cancels a connection's tasks when it closes.
        for task_id, future in list(self._tasks.items()):
            del self._tasks[task_id]
            if not future.done():
                future.set_exception(
                    RunnerRequestError(f"task {task_id} cancelled: connection closed ({info.code})")
                )

    def _on_message(self, message: dict[str, Any]) -> None:
        message_id = message.get("id") if isinstance(message.get("id"), str) else None
        action = message.get("action")
        if action == "output":
            key = message_id if message_id in self._runs else self._runs.oldest_sent()
            if key:
                self._runs.resolve(key, message.get("data"))
            self._emit("output", message.get("data"))
        elif action == "error":
            error = str(message.get("error"))
            details = message.get("details") if isinstance(message.get("details"), dict) else None
            if message_id in self._runs:
                key: Optional[str] = message_id
            elif any(p.search(error) for p in OTHER_ERRORS):
                key = None
            else:
                key = self._runs.oldest_sent()
            if key:
                self._runs.reject(key, RunnerRequestError(error, details))
            else:
                self._emit("error", {"error": error, "details": details})
        elif action == "taskUpdate":
            update = message.get("data")
            if not isinstance(update, dict):
                return
            self._emit("taskUpdate", update)
            if update.get("status") != "running":
                future = self._tasks.pop(str(update.get("taskId")), None)
                if future is not None and not future.done():
                    future.set_result(update)
        elif action == "leaderboardUpdate":
            self._emit("leaderboardUpdate", message.get("data"))
