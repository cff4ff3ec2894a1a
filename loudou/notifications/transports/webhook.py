"""POSTing JSON to a robot webhook with the standard library, and reading its JSON reply."""

import json
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.conf import settings

from loudou.notifications.transports import TransportError


def post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST `payload` to `url`; the reply's JSON object. TransportError on any failure."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise TransportError(f"not an http(s) URL: {url}")
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = Request(  # noqa: S310 - the scheme is checked above
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urlopen(request, timeout=settings.LOUDOU_WEBHOOK_TIMEOUT) as response:  # noqa: S310
            raw = response.read(65536)
    except HTTPError as error:
        raise TransportError(f"HTTP {error.code}") from error
    except (URLError, TimeoutError, OSError) as error:
        raise TransportError(f"{error.__class__.__name__}: {error}") from error
    try:
        reply = json.loads(raw)
    except ValueError as error:
        raise TransportError(f"not a JSON reply: {raw[:200]!r}") from error
    if not isinstance(reply, dict):
        raise TransportError(f"unexpected reply: {raw[:200]!r}")
    return reply


def check_code(reply: dict[str, Any], *keys: str) -> None:
    """Raise unless one of `keys` in the reply is 0 (the robots' success code)."""
    for key in keys:
        if reply.get(key) == 0:
            return
    raise TransportError(f"refused: {json.dumps(reply, ensure_ascii=False)[:500]}")
