"""A bounded load test: `uv run --group bench python bench/load.py --users 100 500`.

Serves the app with gunicorn (a multi-process WSGI server; `runserver` is one process
and not meant to be measured) on a free loopback port, against the benchmark database
of the settings (LOUDOU_DATABASE_URL, else LOUDOU_SQLITE_PATH, default
/tmp/loudou-bench.sqlite3; build one with `bench/generate.py --leads 20000`). Then, for
each USERS figure, that many simulated users, each logged in with a session of their
own as a rep, a manager or the director of the bench organisation (`--mix`, default
8:2:1), after unmeasured warm-up requests, open the home page (their dashboard) and the
lead list in turn, with `--think` seconds (±50 %) between two pages, for `--duration`
seconds. Prints requests, errors (any answer but 200, or no answer within `--timeout`),
requests/s and the p50/p95/p99 latency per page and overall; exit status 1 if any
request failed.

Sessions are created the way `django.contrib.auth.login` stores them (no password: the
bench users have none) and deleted afterwards; nothing else is written.
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE = "/tmp/loudou-bench.sqlite3"  # noqa: S108 (bench/generate.py's)
PAGES = {"home": "/", "list": "/leads/"}
ROLES = ("rep", "manager", "director")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _setup_django() -> None:
    if not os.environ.get("LOUDOU_DATABASE_URL"):
        os.environ.setdefault("LOUDOU_SQLITE_PATH", DEFAULT_SQLITE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudou.settings")
    os.environ["LOUDOU_DEBUG"] = "0"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def _accounts() -> dict[str, list]:
    from loudou.org.choices import Role
    from loudou.org.models import User

    bench = User.objects.filter(username__startswith="bench-", is_active=True)
    found = {
        "rep": list(bench.filter(role__in=[Role.SENIOR_REP, Role.JUNIOR_REP])),
        "manager": list(bench.filter(role=Role.MANAGER)),
        "director": list(bench.filter(role=Role.DIRECTOR)),
    }
    missing = [role for role, users in found.items() if not users]
    if missing:
        raise SystemExit(f"no bench {', '.join(missing)} in this database: run bench/generate.py")
    return found


def _sessions(roles: list[str], accounts: dict[str, list]) -> list[tuple[str, str]]:
    """(role, session key) per simulated user: a session as login() leaves it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    out = []
    for i, role in enumerate(roles):
        user = accounts[role][i % len(accounts[role])]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append((role, session.session_key))
    return out


def _drop_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "LOUDOU_DEBUG": "0", "LOUDOU_ALLOWED_HOSTS": "127.0.0.1"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "loudou.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--timeout=300",
        "--backlog=2048",
        # idle connections outlive the client's (httpx: 5 s), so that the server never
        # closes one the client is reusing at that moment (a ReadError, not an app error)
        "--keep-alive=30",
        "--log-level=warning",
        "--preload",  # import the app once, before the workers fork
    ]
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise SystemExit("gunicorn did not start within 60 s")


def _stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _user(client, key: str, until: float, think: float, tally: Tally, rng) -> None:
    import httpx

    cookies = {"sessionid": key}
    await asyncio.sleep(rng.uniform(0, think or 0.1))  # users do not all start at once
    pages = list(PAGES.items())
    turn = rng.randrange(len(pages))
    while time.monotonic() < until:
        name, path = pages[turn % len(pages)]
        turn += 1
        started = time.monotonic()
        try:
            response = await client.get(path, cookies=cookies)
        except httpx.HTTPError as error:
            tally.error(f"{name}: {type(error).__name__}")
        else:
            if response.status_code == 200:
                tally.latencies[name].append(time.monotonic() - started)
            else:
                tally.error(f"{name}: HTTP {response.status_code}")
        if think:
            await asyncio.sleep(rng.uniform(think / 2, think * 1.5))


async def _warm_up(port: int, sessions, requests: int, timeout: float) -> None:
    """Unmeasured requests, so that every server process has imported the app and
    compiled its templates before the clock starts (the first request of a process
    takes seconds)."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as client:
        calls = [
            client.get(path, cookies={"sessionid": sessions[i % len(sessions)][1]})
            for i in range(requests)
            for path in PAGES.values()
        ]
        await asyncio.gather(*calls, return_exceptions=True)


async def _run(port: int, sessions, duration: float, think: float, timeout: float) -> Tally:
    import httpx

    tally = Tally()
    limits = httpx.Limits(max_connections=len(sessions), max_keepalive_connections=len(sessions))
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=timeout, limits=limits
    ) as client:
        until = time.monotonic() + duration
        rng = random.Random(20261203)  # noqa: S311 (think times)
        await asyncio.gather(
            *(_user(client, key, until, think, tally, rng) for _role, key in sessions)
        )
    return tally


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _report(users: int, tally: Tally, elapsed: float) -> None:
    everything = [x for values in tally.latencies.values() for x in values]
    errors = sum(tally.errors.values())
    requests = len(everything) + errors
    say(
        f"{users} users: {requests:,} requests in {elapsed:.0f} s ({requests / elapsed:.1f}/s), "
        f"{errors} errors"
    )
    rows = [*tally.latencies.items(), ("all", everything)]
    for name, values in rows:
        say(
            f"  {name:5} n={len(values):6,}  p50 {_pct(values, 50) * 1000:7.0f} ms  "
            f"p95 {_pct(values, 95) * 1000:7.0f} ms  p99 {_pct(values, 99) * 1000:7.0f} ms"
        )
    for what, n in sorted(tally.errors.items()):
        say(f"  error {what}: {n}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between pages")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--mix", default="8:2:1", help="reps:managers:directors")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings

    weights = [int(w) for w in args.mix.split(":")]
    accounts = _accounts()
    database = settings.DATABASES["default"]
    say(
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}; gunicorn "
        f"{args.workers} workers × {args.threads} threads; think {args.think} s; mix {args.mix}"
    )
    port = _free_port()
    server = _start_server(port, args.workers, args.threads)
    failed = False
    try:
        for users in args.users:
            roles = random.Random(users).choices(  # noqa: S311
                ROLES, weights=weights, k=users
            )
            sessions = _sessions(roles, accounts)
            try:
                asyncio.run(_warm_up(port, sessions, 4 * args.workers * args.threads, args.timeout))
                started = time.monotonic()
                tally = asyncio.run(_run(port, sessions, args.duration, args.think, args.timeout))
                _report(users, tally, time.monotonic() - started)
                failed = failed or bool(tally.errors)
            finally:
                _drop_sessions([key for _role, key in sessions])
    finally:
        _stop_server(server)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
