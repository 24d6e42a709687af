"""The chat protocol (spec 003, ``/ws/chat/<host>/<room>/``): send, edit and delete
messages, receive every room event. The room is in the address, so a reconnect re-joins
it by itself; after a reconnect the client also fetches the messages posted while it was
away (REST history) and delivers them, in order, before the live ones that came since.

Events: ``message`` (a new message's dict, with ``recovered``: True when it was fetched
after a reconnect rather than received live), ``update``, ``delete``, ``error`` (the
server's sentence, e.g. "Message not found."), ``catch-up`` (``{'recovered': n,
'complete': bool, 'error': exception or None}``).
"""
from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import quote, urlencode

from .base import ProtocolClient
from .endpoint import TokenSource, endpoint_url, http_origin, token_value
from .reconnecting import OpenInfo

RECENT_IDS = 500
CATCH_UP_LIMIT = 100


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ChatClient(ProtocolClient):
    def __init__(
        self,
        host: str,
        room: str,
        token: TokenSource = None,
        url: Optional[str] = None,
        catch_up: bool = True,
        **options: Any,
    ):
        """``host``: the room host's username; ``room``: the room's slug."""
        self.host = host
        self.room = room
        self.catch_up = catch_up
        super().__init__(
            f"/ws/chat/{quote(host, safe='')}/{quote(room, safe='')}/", token=token, url=url, **options
        )
        self._last_seen: Optional[str] = None
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._held_back: Optional[list[dict[str, Any]]] = None
        self._catch_up_run = 0
        self._catch_up_task: Optional[asyncio.Task[None]] = None
        self.socket.add_open_hook(self._opened)

    async def send_message(self, text: str) -> str:
        """Posts a message: the stored message comes back as a ``message`` event."""
        return await self._send_json({"type": "text", "message": text, "timestamp": _now()})

    async def edit_message(self, message_id: str, text: str) -> str:
        """Edits one of this user's messages (an ``update`` event, or an ``error``)."""
        return await self._send_json(
            {"type": "update", "messageId": message_id, "message": text, "timestamp": _now()}
        )

    async def delete_message(self, message_id: str) -> str:
        """Deletes one of this user's messages (a ``delete`` event, or an ``error``)."""
        return await self._send_json(
            {"type": "delete", "messageId": message_id, "timestamp": _now()}
        )

    async def history(
        self, before: Optional[str] = None, limit: Optional[int] = None, timeout: Optional[float] = None
    ) -> list[dict[str, Any]]:
        """The room's history over REST, newest first (``before``: a message id)."""
        query = {k: v for k, v in (("before", before), ("limit", limit)) if v is not None}
        path = f"/api/rooms/{quote(self.host, safe='')}/{quote(self.room, safe='')}/messages"
        url = http_origin(endpoint_url(self.base, "/")) + path + (f"?{urlencode(query)}" if query else "")
        token = await token_value(self.token)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        wait = timeout or self.request_timeout

        def fetch() -> tuple[int, Any]:
            request = urllib.request.Request(url, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=wait) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                try:
                    return error.code, json.loads(error.read() or b"null")
                except ValueError:
                    return error.code, None

        status, body = await asyncio.wait_for(asyncio.to_thread(fetch), wait)
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            detail = body.get("error", "") if isinstance(body, dict) else ""
            raise RuntimeError(f"GET {path}: {status} {detail}".strip())
        return body["messages"]

    def _on_message(self, message: dict[str, Any]) -> None:
        if self._held_back is not None:
            self._held_back.append(message)
        else:
            self._deliver(message, False)

    def _deliver(self, message: dict[str, Any], recovered: bool) -> None:
        if isinstance(message.get("error"), str) and "type" not in message:
            self._emit("error", message["error"])
            return
        if message.get("type") != "chat_message":
            return
        action = message.get("action")
        if action == "new":
            message_id = message.get("id")
            if not isinstance(message_id, str) or message_id in self._recent:
                return
            self._remember(message_id)
            self._emit("message", {**message, "recovered": recovered})
        elif action == "update":
            self._emit("update", message)
        elif action == "delete":
            self._emit("delete", message)

    def _remember(self, message_id: str) -> None:
        self._last_seen = message_id
        self._recent[message_id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)

    def _opened(self, info: OpenInfo) -> None:
        if not info.reconnected or not self.catch_up or self._last_seen is None:
            return
        self._catch_up_run += 1
        # Live events wait until the missed ones are delivered (nothing is read before
        # the open hooks are done, so none can slip past).
        if self._held_back is None:
            self._held_back = []
        self._catch_up_task = asyncio.ensure_future(self._fetch_missed(self._catch_up_run, self._last_seen))

    async def _fetch_missed(self, run: int, since: str) -> None:
        try:
            newest_first = await self.history(limit=CATCH_UP_LIMIT, timeout=10.0)
        except Exception as error:
            if run == self._catch_up_run:
                self._release()
                self._emit("catch-up", {"recovered": 0, "complete": False, "error": error})
            return
        if run != self._catch_up_run:
            return
        ids = [m.get("id") for m in newest_first]
        at = ids.index(since) if since in ids else -1
        missed = list(reversed(newest_first[:at] if at >= 0 else newest_first))
        recovered = 0
        for message in missed:
            if message.get("id") in self._recent:
                continue
            recovered += 1
            self._deliver({"type": "chat_message", "action": "new", **message}, True)
        self._release()
        self._emit("catch-up", {"recovered": recovered, "complete": at >= 0, "error": None})

    def _release(self) -> None:
        held, self._held_back = self._held_back or [], None
        for message in held:
            self._deliver(message, False)
