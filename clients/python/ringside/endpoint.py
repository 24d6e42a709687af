"""Where a client connects: the given address, else ``$RINGSIDE_URL``, else
ws://localhost:8080; plus the protocol's path, with the token in ``?token=``."""
from __future__ import annotations

import inspect
import os
from typing import Awaitable, Callable, Optional, Union
from urllib.parse import quote, urlencode, urlsplit, urlunsplit, parse_qsl

#: A JWT, or a function returning one (or an awaitable of one), called before every attempt.
TokenSource = Union[str, Callable[[], Union[str, Awaitable[str]]], None]

DEFAULT_URL = "ws://localhost:8080"


def base_address(given: Optional[str]) -> str:
    return given or os.environ.get("RINGSIDE_URL") or DEFAULT_URL


def endpoint_url(base: str, path: str, token: Optional[str] = None) -> str:
    """``base`` with ``path`` added unless ``base`` has a path of its own; http(s) becomes ws(s)."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise ValueError(f"not a ws://, wss://, http:// or https:// address: {base!r}")
    url_path = parts.path if parts.path not in ("", "/") else path
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "token"]
    if token is not None:
        query.append(("token", token))
    return urlunsplit((scheme, parts.netloc, url_path, urlencode(query, quote_via=quote), ""))


def http_origin(ws_url: str) -> str:
    """The http(s) origin of a ws(s) address, for the REST routes next to it."""
    parts = urlsplit(ws_url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"


async def token_value(token: TokenSource) -> Optional[str]:
    if token is None or isinstance(token, str):
        return token
    value = token()
    if inspect.isawaitable(value):
        value = await value
    return value  # type: ignore[return-value]
