"""A whole battle with two ArenaClients against `ringside serve`: matched, chat in the
battle's channel, a wrong submission, a right one, battle:ended for both."""
from __future__ import annotations

import asyncio

import pytest

from conftest import FAST, RIGHT, WRONG, waiter, within
from ringside import ArenaClient, ArenaRequestError, SocketClosedError


def test_two_clients_play_a_whole_battle(server_url, new_user):
    alice, bob = new_user(), new_user()

    async def main() -> None:
        # Judging may start a sandbox worker: room for a busy machine.
        a = ArenaClient(token=alice["token"], url=server_url, request_timeout=90, **FAST)
        b = ArenaClient(token=bob["token"], url=server_url, request_timeout=90, **FAST)
        seen_by_a: list[str] = []
        a.on("event", lambda envelope: seen_by_a.append(envelope["event"]))
        try:
            await asyncio.gather(a.connect(), b.connect())
            matched_a, matched_b = waiter(a, "battle:matched"), waiter(b, "battle:matched")
            queued = await a.join_battle(difficulty="easy", language="javascript")
            assert queued["status"] == "queued"
            assert queued["difficulty"] == "easy"
            await b.join_battle(difficulty="easy", language="javascript")
            for_a, for_b = await within(asyncio.gather(matched_a, matched_b))
            assert for_a["battleId"] == for_b["battleId"]
            assert for_a["opponent"]["username"] == bob["user"]["username"]
            assert for_b["opponent"]["username"] == alice["user"]["username"]
            assert for_a["problem"]["id"] == "add-easy"
            assert a.battle_id == for_a["battleId"] == b.battle_id

            channel = f"battle:{for_a['battleId']}"
            joined = await a.join_channel("general", battle_id=for_a["battleId"])
            assert joined["channel"] == channel
            await b.join_channel(channel)
            chat = waiter(b, "chat:message")
            sent = await a.send_chat(channel, "good luck")
            message = await within(chat)
            assert message["message"] == "good luck"
            assert message["messageId"] == sent["messageId"]
            assert message["username"] == alice["user"]["username"]

            # Bob's wrong answer: judged, one test of four passed; Alice hears of it.
            opponent_submitted = waiter(a, "battle:submission")
            bob_result = waiter(b, "battle:execution_result")
            verdict = await b.submit(WRONG, "javascript")
            assert verdict["verdict"] == "Wrong Answer"
            assert (verdict["testsPassed"], verdict["totalTests"]) == (1, 4)
            assert verdict["score"] == 25
            assert (await within(bob_result))["testsPassed"] == 1
            submission = await within(opponent_submitted)
            assert submission["userId"] == bob["user"]["id"]
            assert submission["status"] == "submitted"

            # Alice's right answer ends the battle for both.
            ended_a, ended_b = waiter(a, "battle:ended"), waiter(b, "battle:ended")
            verdict = await a.submit(RIGHT, "javascript")
            assert verdict["verdict"] == "Accepted"
            assert verdict["testsPassed"] == verdict["totalTests"] == 4
            for ended in await within(asyncio.gather(ended_a, ended_b)):
                assert ended["battleId"] == for_a["battleId"]
                assert ended["winner"] == alice["user"]["id"]
                assert ended["reason"] == "solved"
                assert ended["results"][alice["user"]["id"]]["score"] == 100
                assert ended["results"][bob["user"]["id"]]["score"] == 25
            assert a.battle_id is None and b.battle_id is None
            assert seen_by_a.index("battle:matched") < seen_by_a.index("battle:ended")

            # An error answer raises with the server's code, the request and its id.
            with pytest.raises(ArenaRequestError) as caught:
                await a.submit(RIGHT, "javascript", battle_id=for_a["battleId"])
            assert caught.value.code == "INVALID_BATTLE_ID"
            assert caught.value.event == "battle:submit"
            assert str(caught.value.request_id).startswith("req-")
            assert caught.value.details["battleId"] == for_a["battleId"]
        finally:
            await asyncio.gather(a.close(), b.close())

    asyncio.run(main())


def test_a_bad_token_is_not_retried(server_url):
    async def main() -> None:
        client = ArenaClient(token="forged", url=server_url, **FAST)
        error, failed = waiter(client, "error"), waiter(client.socket, "failed")
        client.socket.start()
        info = await within(failed, 10)
        assert info.last_close.code == 4401
        assert info.attempts == 0
        assert (await within(error, 1)).code == "UNAUTHORIZED"
        with pytest.raises(SocketClosedError, match="reconnecting would not help"):
            await client.ping()

    asyncio.run(main())
