"""Runs every example of docs/client-python.md as a program against the server. Each
``python`` block there is preceded by ``<!-- example: NAME -->``; NAME is a scenario
below (what to prepare, which arguments, what the output must say)."""
from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path

from conftest import CLIENT_ROOT, FAST, RIGHT, WRONG, post_json, restart_server, waiter, within
from ringside import ArenaClient

DOC = CLIENT_ROOT.parent.parent / "docs" / "client-python.md"
BLOCK = re.compile(r"<!-- example: (\w+) -->\s*```python\n(.*?)```", re.S)


def examples() -> dict[str, str]:
    text = DOC.read_text()
    found = dict(BLOCK.findall(text))
    blocks = text.count("```python")
    assert len(found) == blocks, f"{blocks - len(found)} python block(s) without an example marker"
    return found


async def start(code: str, server_url: str, token: str = "", *args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "RINGSIDE_URL": server_url, "RINGSIDE_TOKEN": token, "PYTHONPATH": str(CLIENT_ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def finish(process: asyncio.subprocess.Process, seconds: float = 60) -> str:
    out, _ = await within(process.communicate(), seconds)
    text = out.decode()
    assert process.returncode == 0, text
    return text


def run(code: str, server_url: str, token: str = "", *args: str) -> str:
    async def main() -> str:
        return await finish(await start(code, server_url, token, *args))

    return asyncio.run(main())


def test_every_block_has_a_scenario():
    assert set(examples()) == {"spec", "connect", "battle", "errors", "reconnect", "chat", "collab", "runner"}


def test_spec_example_as_written(server_url, new_user):
    code = examples()["spec"]
    assert code.count("'your-jwt-token'") == 1
    opponent, player = new_user(), new_user()

    async def main() -> None:
        async with ArenaClient(token=opponent["token"], url=server_url, **FAST) as waiting:
            matched = waiter(waiting, "battle:matched")
            await waiting.join_battle(difficulty="medium")
            output = await finish(await start(code.replace("'your-jwt-token'", repr(player["token"])), server_url))
            assert (await within(matched))["opponent"]["username"] == player["user"]["username"]
            assert re.search(r"^Battle matched: \{'battleId': '[0-9a-f-]+', 'opponent': \{", output, re.M), output
            assert opponent["user"]["username"] in output

    asyncio.run(main())


def test_connect_example(server_url, new_user):
    output = run(examples()["connect"], server_url, new_user()["token"])
    assert re.search(r"^connected; server time \d{4}-\d\d-\d\dT.*Z, \d+ ms$", output, re.M), output


def test_battle_example_two_bots_play(server_url, new_user):
    alice, bob = new_user(), new_user()
    code = examples()["battle"]

    async def main() -> None:
        with tempfile.TemporaryDirectory() as folder:
            right, wrong = Path(folder, "right.js"), Path(folder, "wrong.js")
            right.write_text(RIGHT)
            wrong.write_text(WRONG)
            winner = await start(code, server_url, alice["token"], str(right))
            loser = await start(code, server_url, bob["token"], str(wrong))
            won, lost = await asyncio.gather(finish(winner, 120), finish(loser, 120))
        assert f"matched with {bob['user']['username']} on Add (easy)" in won, won
        assert "verdict: Accepted (4/4)" in won and "winner: you" in won, won
        assert f"matched with {alice['user']['username']} on Add (easy)" in lost, lost
        assert "winner: opponent" in lost, lost
        # Judged before the end, or refused because Alice had already won.
        assert "verdict: Wrong Answer (1/4)" in lost or "submission refused: INVALID_BATTLE_ID" in lost, lost

    asyncio.run(main())


def test_errors_example(server_url, new_user):
    output = run(examples()["errors"], server_url, new_user()["token"])
    assert "battle:submit: INVALID_BATTLE_ID {'battleId': 'battle123', 'status': 'not_found'}" in output, output


def test_reconnect_example_through_a_restart(server_url, new_user):
    async def main() -> None:
        process = await start(examples()["reconnect"], server_url, new_user()["token"])
        first = await within(process.stdout.readline(), 30)
        assert first.decode().strip() == "connected; joined general", first
        await restart_server()
        output = first.decode() + await finish(process)
        assert "closed 1001, reconnecting: True" in output, output
        assert re.search(r"^attempt 1 in \d\.\d\d s$", output, re.M), output
        assert "re-joined chat:join general: ok" in output, output

    asyncio.run(main())


def test_chat_example(server_url, http_url, new_user):
    host = new_user()
    post_json(f"{http_url}/api/rooms", {"slug": "docs-room", "name": "Docs"}, host["token"])
    output = run(examples()["chat"], server_url, host["token"], host["user"]["username"], "docs-room")
    assert re.search(rf"^{host['user']['username']}: Hello world! \(\d{{4}}-", output, re.M), output


def test_collab_example(server_url, http_url):
    session = post_json(f"{http_url}/api/sessions", {"language": "python", "code": "x = 1"})["sessionId"]
    output = run(examples()["collab"], server_url, "", session)
    assert "joined; the code is 'x = 1'" in output, output
    assert "now \"print('hello')\\n\"" in output, output


def test_runner_example(server_url):
    output = run(examples()["runner"], server_url)
    assert "output [ 2, 4, 6 ], error None" in output, output
