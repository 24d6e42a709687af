"""Reconnecting: the server restarts under a queued player, who comes back, is queued
again by the client (the new process has an empty queue) and is still matched; the
offline queue is bounded."""
from __future__ import annotations

import asyncio

import pytest

from conftest import FAST, closed_port, restart_server, waiter, within
from ringside import ArenaClient, QueueFullError, RequestTimeoutError, SocketClosedError, backoff_delay


def test_survives_a_server_restart_and_rejoins_the_queue(server_url, new_user):
    alice, bob = new_user(), new_user()

    async def main() -> None:
        a = ArenaClient(token=alice["token"], url=server_url, **FAST)
        closes, opens, reconnecting = [], [], []
        a.socket.on("close", closes.append)
        a.socket.on("open", opens.append)
        a.socket.on("reconnecting", reconnecting.append)
        b = None
        try:
            await a.connect()
            assert (await a.join_battle(difficulty="medium", language="javascript"))["status"] == "queued"
            rejoined = waiter(a, "rejoin")
            await within(restart_server(), 60)
            report = await within(rejoined, 30)

            assert closes[0].code == 1001, closes  # the server's shutdown close
            assert closes[0].will_reconnect and closes[0].was_open
            assert len(reconnecting) >= 1
            assert [o.reconnected for o in opens] == [False, True]
            assert report.event == "battle:join"
            assert report.error is None, report.error
            assert report.response["status"] == "queued"
            assert report.data == {"difficulty": "medium", "language": "javascript"}

            # The re-joined queue entry is real: a new player is matched with Alice.
            matched = waiter(a, "battle:matched")
            b = ArenaClient(token=bob["token"], url=server_url, **FAST)
            await b.join_battle(difficulty="medium", language="javascript")
            data = await within(matched)
            assert data["opponent"]["username"] == bob["user"]["username"]
            assert (await a.ping())["serverTime"]
        finally:
            await a.close()
            if b is not None:
                await b.close()

    asyncio.run(main())


def test_the_offline_queue_is_bounded_and_dropped_on_close():
    async def main() -> None:
        client = ArenaClient(
            token="t", url=f"ws://127.0.0.1:{closed_port()}", max_queued=2, request_timeout=30, **{**FAST, "base_delay": 0.2}
        )
        first = asyncio.ensure_future(client.ping())
        second = asyncio.ensure_future(client.request("chat:join", {"channel": "general"}, "subscribe"))
        await asyncio.sleep(0.1)
        assert client.socket.queued == 2
        assert client.state in ("connecting", "reconnecting")
        with pytest.raises(QueueFullError):
            await client.ping()
        await client.close()
        for queued in (first, second):
            with pytest.raises(SocketClosedError, match="was never sent"):
                await within(queued, 5)
        with pytest.raises(SocketClosedError):
            await client.ping()

    asyncio.run(main())


def test_gives_up_after_max_attempts():
    async def main() -> None:
        client = ArenaClient(token="t", url=f"ws://127.0.0.1:{closed_port()}", base_delay=0.01, max_delay=0.02, max_attempts=3)
        delays: list[float] = []
        client.socket.on("reconnecting", lambda info: delays.append(info.delay))
        failed = waiter(client.socket, "failed")
        with pytest.raises(SocketClosedError, match="gave up after 3 reconnect attempts"):
            await within(client.connect(), 10)
        info = await within(failed, 1)
        assert info.attempts == 3
        assert len(delays) == 3
        assert client.state == "closed"

    asyncio.run(main())


def test_connect_again_after_close_and_async_handlers_may_await_requests(server_url, new_user):
    user = new_user()

    async def main() -> None:
        client = ArenaClient(token=user["token"], url=server_url, **FAST)
        opens = []
        client.socket.on("open", opens.append)
        await client.connect()
        await client.close()
        with pytest.raises(SocketClosedError):
            await client.ping()
        await client.connect()
        assert [o.reconnected for o in opens] == [False, True]

        # An async handler runs as a task: awaiting a request of the same client there
        # does not stop the reading of its answer.
        pinged = asyncio.get_running_loop().create_future()

        @client.on("chat:message")
        async def on_message(data):
            pinged.set_result(await client.ping())

        channel = f"py-{user['user']['id'][:8]}"
        await client.join_channel(channel)
        await client.send_chat(channel, "hello")
        assert (await within(pinged))["serverTime"]
        await client.close()

    asyncio.run(main())


def test_a_request_that_times_out_offline_is_never_sent_later():
    async def main() -> None:
        client = ArenaClient(token="t", url=f"ws://127.0.0.1:{closed_port()}", request_timeout=0.3, **FAST)
        kept = asyncio.ensure_future(client.request("system:ping", timeout=30))
        with pytest.raises(RequestTimeoutError, match="never sent") as caught:
            await within(client.request("chat:join", {"channel": "general"}, "subscribe"), 5)
        assert caught.value.sent is False
        assert client.socket.queued == 1  # only the request still waiting
        await client.close()
        with pytest.raises(SocketClosedError):
            await within(kept, 5)

    asyncio.run(main())


def test_backoff_grows_with_jitter_and_is_capped():
    assert [backoff_delay(n, 0.5, 30, 0.5, lambda: 0.5) for n in range(4)] == [0.5, 1, 2, 4]
    assert backoff_delay(40, 0.5, 30, 0.5, lambda: 0.0) == 15
    assert 1.49 < backoff_delay(0, 1, 30, 0.5, lambda: 0.999999) < 1.5
