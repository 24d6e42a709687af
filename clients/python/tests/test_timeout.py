"""A request the server never answers times out: a local WebSocket server (websockets'
own) accepts every connection and every message and never replies."""
from __future__ import annotations

import asyncio
import time

import pytest
import websockets

from conftest import within
from ringside import ArenaClient, RequestTimeoutError, RunnerClient


async def silent_server():
    received: list[str] = []

    async def swallow(ws, *_path):  # websockets < 13 passes the path too
        async for message in ws:
            received.append(message)

    server = await websockets.serve(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"ws://127.0.0.1:{port}", received


def test_a_request_the_server_never_answers_times_out():
    async def main() -> None:
        server, url, received = await silent_server()
        client = ArenaClient(token="t", url=url, request_timeout=0.5)
        try:
            await client.connect()
            started = time.monotonic()
            with pytest.raises(RequestTimeoutError) as caught:
                await client.join_battle(difficulty="medium")
            elapsed = time.monotonic() - started
            assert 0.45 <= elapsed < 5, elapsed
            assert isinstance(caught.value, TimeoutError)
            assert caught.value.request == "battle:join"
            assert caught.value.request_id.startswith("req-")
            assert f"request id {caught.value.request_id}" in str(caught.value)
            # It did go out, with the id the error names; the connection stays usable.
            assert any(caught.value.request_id in m for m in received)
            assert client.state == "open"
            with pytest.raises(RequestTimeoutError):
                await client.request("system:ping", timeout=0.2)
            assert len(client._requests) == 0
        finally:
            await client.close()
            server.close()
            await server.wait_closed()

    asyncio.run(main())


def test_a_run_the_server_never_answers_times_out():
    async def main() -> None:
        server, url, _ = await silent_server()
        client = RunnerClient(url=url, request_timeout=0.3)
        try:
            with pytest.raises(RequestTimeoutError, match="runCode"):
                await within(client.run_code("print(1)"), 5)
        finally:
            await client.close()
            server.close()
            await server.wait_closed()

    asyncio.run(main())
