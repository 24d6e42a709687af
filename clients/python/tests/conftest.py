"""What the tests share: the server's addresses (set by test/clients/python.test.ts,
which starts `ringside serve`), accounts, a server restart, and waiting for events."""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

CLIENT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CLIENT_ROOT))

#: The test problem bank's `add` (test/apps/arena-client.ts): four tests, two hidden.
RIGHT = "function add(a, b) {\n  return a + b;\n}\n"
#: Passes only the test whose second argument is 0.
WRONG = "function add(a, b) {\n  return a - b;\n}\n"


def setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through test/clients/python.test.ts")
    return value


@pytest.fixture
def server_url() -> str:
    return setting("RINGSIDE_TEST_URL")


@pytest.fixture
def http_url() -> str:
    return setting("RINGSIDE_TEST_HTTP")


def post_json(url: str, body: Any = None, token: str | None = None, timeout: float = 30) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body if body is not None else {}).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def register(http: str) -> dict[str, Any]:
    """A new account: ``{'token', 'user': {'id', 'username'}}``."""
    username = f"py_{secrets.token_hex(5)}"
    return post_json(f"{http}/api/auth/register", {"username": username, "password": "correct-horse-battery"})


@pytest.fixture
def new_user(http_url: str):
    return lambda: register(http_url)


async def restart_server() -> None:
    """Stops `ringside serve` and starts it again on the same port and data."""
    control = setting("RINGSIDE_TEST_CONTROL")
    await asyncio.to_thread(post_json, f"{control}/restart", {}, None, 60)


def waiter(emitter: Any, event: str) -> "asyncio.Future[Any]":
    """A future of the next ``event``'s argument."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def handler(*args: Any) -> None:
        if not future.done():
            future.set_result(args[0] if len(args) == 1 else args)

    emitter.once(event, handler)
    return future


async def within(awaitable: Any, seconds: float = 30) -> Any:
    return await asyncio.wait_for(awaitable, seconds)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Fast reconnects for tests.
FAST = {"base_delay": 0.05, "max_delay": 0.5, "max_attempts": 100}
