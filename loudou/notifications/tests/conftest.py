"""A local HTTP receiver standing in for the robot webhooks (127.0.0.1 only)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """Records every POST (path with query, parsed JSON body) and answers `reply`.

    reply: (status, JSON object) to answer, or "hang" to answer nothing until teardown.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.reply: tuple[int, dict] | str = (200, {"errcode": 0, "errmsg": "ok"})
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    receiver.requests.append((self.path, body))
                if receiver.reply == "hang":
                    receiver.release.wait(10)
                    return
                status, reply = receiver.reply
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def receiver():
    receiver = Receiver()
    thread = threading.Thread(
        target=receiver.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(autouse=True)
def fast_webhooks(settings):
    """Webhooks give up after half a second in tests (a hanging receiver costs no more)."""
    settings.LOUDOU_WEBHOOK_TIMEOUT = 0.5
    settings.SITE_URL = "https://crm.example.com"
