"""ChatClient, CollabClient and RunnerClient against `ringside serve`."""
from __future__ import annotations

import asyncio
import secrets

from conftest import FAST, post_json, restart_server, waiter, within
from ringside import ChatClient, CollabClient, RunnerClient


def test_chat_room_messages_edits_and_catch_up_after_a_restart(server_url, http_url, new_user):
    host, guest = new_user(), new_user()
    slug = f"room-{secrets.token_hex(3)}"
    post_json(f"{http_url}/api/rooms", {"slug": slug, "name": "Python test"}, host["token"])
    post_json(
        f"{http_url}/api/rooms/{host['user']['username']}/{slug}/participants",
        {"username": guest["user"]["username"]},
        host["token"],
    )

    async def main() -> None:
        h = ChatClient(host["user"]["username"], slug, token=host["token"], url=server_url, **FAST)
        g = ChatClient(host["user"]["username"], slug, token=guest["token"], url=server_url, **FAST)
        received: list[dict] = []
        g.on("message", received.append)
        try:
            await asyncio.gather(h.connect(), g.connect())
            got = waiter(g, "message")
            await h.send_message("Hello world!")
            message = await within(got)
            assert message["body"] == "Hello world!"
            assert message["user"] == host["user"]["username"]
            assert message["recovered"] is False

            updated = waiter(g, "update")
            await h.edit_message(message["id"], "Hello, world!")
            assert (await within(updated))["body"] == "Hello, world!"
            refused = waiter(h, "error")
            await h.delete_message("no-such-message")
            assert "not found" in (await within(refused)).lower()

            # The guest is away during a restart while the host posts: the missed message
            # is fetched and delivered once, marked recovered.
            caught_up = waiter(g, "catch-up")
            await g.socket.close()
            await restart_server()
            await within(h.socket.wait_open())
            missed = waiter(h, "message")
            await h.send_message("while you were away")
            await within(missed)
            await g.connect()
            info = await within(caught_up)
            assert info == {"recovered": 1, "complete": True, "error": None}
            assert [m["body"] for m in received] == ["Hello world!", "while you were away"]
            assert received[1]["recovered"] is True
            assert (await h.history(limit=1))[0]["body"] == "while you were away"
        finally:
            await asyncio.gather(h.close(), g.close())

    asyncio.run(main())


def test_collab_session_code_cursor_and_language(server_url, http_url):
    session_id = post_json(f"{http_url}/api/sessions", {"language": "python", "code": "print(1)"})["sessionId"]

    async def main() -> None:
        a = CollabClient(session_id, "user-a", "Alice", url=server_url, **FAST)
        b = CollabClient(session_id, "user-b", "Bob", url=server_url, **FAST)
        try:
            state_a = waiter(a, "session-state")
            await a.connect()
            assert (await within(state_a))["code"] == "print(1)"
            joined = waiter(a, "participant-joined")
            state_b = waiter(b, "session-state")
            await b.connect()
            await within(state_b)
            assert (await within(joined))["username"] == "Bob"

            update = waiter(b, "code-update")
            await a.change_code("print(2)")
            assert (await within(update))["code"] == "print(2)"
            assert a.session["code"] == b.session["code"] == "print(2)"

            cursor = waiter(b, "cursor-update")
            await a.move_cursor(1, 5)
            assert (await within(cursor))["cursor"] == {"line": 1, "column": 5}
            language = waiter(b, "language-updated")
            await a.change_language("javascript")
            assert (await within(language))["language"] == "javascript"
            assert b.session["language"] == "javascript"
            assert {p["username"] for p in b.session["participants"]} == {"Alice", "Bob"}
        finally:
            await asyncio.gather(a.close(), b.close())

    asyncio.run(main())


def test_runner_runs_code_in_the_sandbox(server_url):
    async def main() -> None:
        async with RunnerClient(url=server_url, request_timeout=60, **FAST) as runner:
            first, second = await asyncio.gather(
                runner.run_code("console.log(6 * 7)", language="javascript"),
                runner.run_code("throw new Error('boom')", language="javascript"),
            )
            assert first["output"] == "42\n" and first["error"] is None
            assert "boom" in second["error"]

    asyncio.run(main())
