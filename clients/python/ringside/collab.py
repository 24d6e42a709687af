"""The collab protocol (spec 001, ``/ws/<sessionId>``): one shared document per session.
The client joins the session on every (re)connection (join-session goes out before any
queued edit), so after a reconnect the server sends a fresh ``session-state``.
``session`` mirrors the session from the events (code, language, version, participants).

Events (each handler gets the message's ``payload``): ``session-state``,
``participant-joined``, ``participant-left``, ``code-update``, ``code-ack``,
``cursor-update``, ``language-updated``, ``execute-code``, ``execution-result``,
``error``.
"""
from __future__ import annotations

import copy
from typing import Any, Optional
from urllib.parse import quote

from .base import ProtocolClient
from .endpoint import TokenSource


class CollabClient(ProtocolClient):
    def __init__(
        self,
        session_id: str,
        user_id: str,
        username: str,
        token: TokenSource = None,
        url: Optional[str] = None,
        join: bool = True,
        **options: Any,
    ):
        """``user_id``/``username``: the identity for join-session (with a token, the
        server uses the token's). ``join``: join at once and after every reconnect."""
        super().__init__(f"/ws/{quote(session_id, safe='')}", token=token, url=url, **options)
        self.session_id = session_id
        self.user_id = user_id
        self.username = username
        #: The session as last known (None until the first session-state).
        self.session: Optional[dict[str, Any]] = None
        self._joined = join
        self._own_code_since_join: Optional[str] = None
        self.socket.add_open_hook(self._opened)

    async def _opened(self, _info: Any) -> None:
        if self._joined:
            await self._send_join()

    async def join(self) -> None:
        """Joins (again) and stays joined across reconnects."""
        self._joined = True
        # Offline, the open hook sends it; sending here too would join twice.
        if self.socket.state == "open":
            await self._send_join()
        elif self.socket.state == "idle":
            self.socket.start()

    async def leave(self) -> None:
        """Leaves the session (the socket stays open and keeps receiving its events)."""
        self._joined = False
        if self.socket.state == "open":
            await self._send("leave-session", {"userId": self.user_id})

    async def change_code(self, code: str, version: Optional[int] = None) -> str:
        """Full code, the spec's form (last writer wins); with ``version``, merged on the server."""
        payload: dict[str, Any] = {"userId": self.user_id, "changes": code}
        if version is not None:
            payload["version"] = version

        def sent() -> None:
            # The server does not echo a change to its sender: mirror it as it goes out.
            if version is None:
                self._own_code_since_join = code
                if self.session is not None:
                    self.session["code"] = code

        return await self._send_json({"type": "code-change", "payload": payload}, sent)

    async def send_changes(self, version: int, changes: list[Any], client_id: Optional[str] = None) -> str:
        """A versioned ChangeSet (JSON form, as @codemirror/collab makes); answered by ``code-ack``."""
        payload: dict[str, Any] = {"userId": self.user_id, "version": version, "changes": changes}
        if client_id is not None:
            payload["clientID"] = client_id
        return await self._send("code-change", payload)

    async def move_cursor(self, line: int, column: int) -> str:
        return await self._send(
            "cursor-move", {"userId": self.user_id, "cursor": {"line": line, "column": column}}
        )

    async def change_language(self, language: str) -> str:
        return await self._send("language-change", {"userId": self.user_id, "language": language})

    async def execute_code(self, language: str, code: str) -> str:
        """Asks the other participants' browsers to run code (the server runs nothing)."""
        return await self._send("execute-code", {"language": language, "code": code})

    async def send_execution_result(self, output: str, error: Optional[str]) -> str:
        """Shares the result of a run with everyone in the session."""
        return await self._send("execution-result", {"output": output, "error": error})

    async def _send_join(self) -> None:
        self._own_code_since_join = None
        await self._send("join-session", {"userId": self.user_id, "username": self.username})

    async def _send(self, type: str, payload: dict[str, Any]) -> str:
        return await self._send_json({"type": type, "payload": payload})

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        payload = message.get("payload")
        if not isinstance(kind, str) or payload is None:
            return
        if isinstance(payload, dict):
            self._mirror(kind, payload)
        self._emit(kind, payload)

    def _mirror(self, kind: str, payload: dict[str, Any]) -> None:
        """Keeps ``session`` in step with the events."""
        if kind == "session-state":
            self.session = copy.deepcopy(payload)
            # The answer to a join was made before this client's later changes were applied.
            if self._own_code_since_join is not None:
                self.session["code"] = self._own_code_since_join
            self._own_code_since_join = None
            return
        state = self.session
        if state is None:
            return
        participants: list[dict[str, Any]] = state.setdefault("participants", [])
        if kind == "code-update":
            state["code"] = payload.get("code")
            state["version"] = payload.get("version")
        elif kind == "code-ack":
            state["version"] = payload.get("version")
        elif kind == "language-updated":
            state["language"] = payload.get("language")
        elif kind == "participant-joined":
            if not any(p.get("userId") == payload.get("userId") for p in participants):
                participants.append(
                    {"userId": payload.get("userId"), "username": payload.get("username"), "cursor": None}
                )
        elif kind == "participant-left":
            state["participants"] = [p for p in participants if p.get("userId") != payload.get("userId")]
        elif kind == "cursor-update":
            for p in participants:
                if p.get("userId") == payload.get("userId"):
                    p["cursor"] = payload.get("cursor")
        elif kind == "execution-result":
            state["lastExecution"] = payload
