"""Hostile uploads through the web path: `uv run python bench/upload_bench.py`.

Builds, under /tmp/loudou-upload-bench/ (kept between runs; --rebuild to redo):
- bomb.xlsx: a 1.5 MB workbook whose xl/sharedStrings.xml inflates to about 1.5 GB;
- one-line.csv: 200 MB without a single line break;
- rows.csv: 200 MB of ordinary lead rows (about 1.8 million of them);
- wide.csv: 200 MB whose header has 20,000 columns (5,000 rows);
- leads-80mb.csv (740,000 rows) and leads-200k.xlsx (10 MB, 100 MB inflated): ordinary
  large files, accepted;
- strings-60mb.xlsx: 2.8 MB whose shared-string table inflates to 60 MB (a million
  distinct strings), just under the cap, accepted;
- sniff.csv: a 64 KB first line crafted against csv.Sniffer's quadratic quote regexes.

Each case starts `python -m loudou.cli runserver --noreload` (one process: its peak RSS
is the web process's) on a throwaway SQLite database and POSTs the file as a streamed
multipart body (as a browser or curl does), either to the API (/api/imports, with a
token) or to the upload page (/imports/, with a session; when it redirects to the job's
page, that page is fetched too: it renders the column mapping). It prints the answer
(status, its first bytes), the time to answer, the server's RSS before the upload and its
peak RSS (VmHWM of /proc/<pid>/status). A server that grows past --kill-above MB is
killed and reported as such; one that has not answered after --timeout seconds too.

The 200 MB files are over the default byte cap (LOUDOU_IMPORT_MAX_BYTES, 100 MB), so the
CSV cases run twice: with the defaults, and with the cap raised to 300 MB so that the
file reaches the reader. Files the web process accepts are analysed by the worker:
`python -m loudou.cli worker --once` then runs once and its peak RSS (ru_maxrss), its
time and each job's status are printed; then, on a new server, each accepted job's
preview (POST /api/imports/<id>/preview), with that server's peak RSS.

Options: --only NAME (a case name's part), --timeout S (300), --kill-above MB (6000),
--no-worker, --rebuild, --keep (leave the database and server logs in place).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FILES = Path(tempfile.gettempdir()) / "loudou-upload-bench"
MB = 1024 * 1024
CSV_BYTES = 200 * MB
BOMB_INFLATED = 1536 * MB
RAISED_CAP = {"LOUDOU_IMPORT_MAX_BYTES": str(300 * MB)}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/'
    f'relationships"><Relationship Id="rId1" Type="{OFFICE}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    f'xmlns:r="{OFFICE}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>",
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    f'xmlns="{PKG}/relationships"><Relationship Id="rId1" Type="{OFFICE}/worksheet" '
    f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{OFFICE}/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    f'xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s">'
    '<v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v>'
    "</c></row></sheetData></worksheet>",
}


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def build_bomb(path: Path, inflated: int = BOMB_INFLATED) -> None:
    """A well-formed workbook (header 公司名称/手机, one row) whose shared-string table
    holds `inflated` bytes of strings of a million characters."""
    block = b"<si><t>" + b"A" * (MB - 17) + b"</t></si>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            member.write("<si><t>公司名称</t></si><si><t>手机</t></si>".encode())
            member.write("<si><t>甲公司</t></si><si><t>13812345678</t></si>".encode())
            for _ in range(inflated // len(block)):
                member.write(block)
            member.write(b"</sst>")


def build_strings(path: Path, size: int = 60 * MB) -> None:
    """A workbook (header, one row) whose shared-string table holds `size` bytes of
    distinct strings (about a million): just under LOUDOU_IMPORT_MAX_XLSX_SHARED_STRINGS."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w") as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            member.write("<si><t>公司名称</t></si><si><t>手机</t></si>".encode())
            member.write("<si><t>甲公司</t></si><si><t>13812345678</t></si>".encode())
            written = i = 0
            while written < size:
                names = (
                    f"<si><t>上海某某科技有限公司第{j}号</t></si>" for j in range(i, i + 10_000)
                )
                written += member.write("".join(names).encode())
                i += 10_000
            member.write(b"</sst>")


def build_sniff(path: Path) -> None:
    """A first line of 64 KB crafted against csv.Sniffer's quote regexes, then rows."""
    path.write_text('",' * 32_000 + "\n" + "甲公司,13812345678\n" * 10, encoding="utf-8")


def build_one_line(path: Path, size: int = CSV_BYTES) -> None:
    """`size` bytes of comma-separated words and no line break."""
    block = ("甲公司,13812345678," * 4096).encode()
    with path.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)


def build_rows(path: Path, size: int = CSV_BYTES) -> None:
    """About `size` bytes of ordinary lead rows (the import bench's generator)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.import_bench import HEADERS, row

    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADERS) + "\n")
        i = 0
        while handle.tell() < size:
            lines = [",".join(row(i + k)) + "\n" for k in range(10_000)]
            handle.write("".join(lines))
            i += 10_000


def build_wide(path: Path, size: int = CSV_BYTES, columns: int = 20_000) -> None:
    """A header of `columns` names, then rows of one-letter cells up to `size` bytes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(f"列{i}" for i in range(columns)) + "\n")
        line = ",".join("x" * columns) + "\n"
        for _ in range(size // len(line)):
            handle.write(line)


def build_xlsx(path: Path, rows: int = 200_000) -> None:
    """An ordinary workbook of `rows` lead rows (about 10 MB, 100 MB inflated)."""
    from openpyxl import Workbook

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.import_bench import HEADERS, row

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(row(i))
    book.save(path)


def files(rebuild: bool) -> dict[str, Path]:
    FILES.mkdir(exist_ok=True)
    built = {}
    for name, build in [
        ("bomb.xlsx", build_bomb),
        ("one-line.csv", build_one_line),
        ("rows.csv", build_rows),
        ("wide.csv", build_wide),
        ("leads-80mb.csv", lambda path: build_rows(path, 80 * MB)),
        ("leads-200k.xlsx", build_xlsx),
        ("strings-60mb.xlsx", build_strings),
        ("sniff.csv", build_sniff),
    ]:
        path = FILES / name
        if rebuild or not path.exists():
            started = time.perf_counter()
            build(path)
            say(f"built {path} in {time.perf_counter() - started:.1f} s")
        built[name] = path
    return built


@dataclass
class Case:
    name: str
    path: Path
    via: str = "api"  # or "page"
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    status: str
    answer: str
    seconds: float
    rss_before: float
    peak: float


def rss(pid: int, key: str) -> float:
    """VmRSS or VmHWM (the peak) of a process, in MB; 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """`runserver --noreload` on a free port, with a watchdog over its memory."""

    def __init__(self, env: dict[str, str], log: Path, kill_above: float):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [sys.executable, "-m", "loudou.cli", "runserver", f"127.0.0.1:{self.port}"]
        self.log = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [*command, "--noreload"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.kill_above, self.killed, self.peak = kill_above, False, 0.0
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._watchdog, daemon=True)
        self._wait_ready()
        self._watch.start()

    def _wait_ready(self) -> None:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("runserver did not start (see the log)")

    def _watchdog(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss(self.process.pid, "VmHWM"))
            if rss(self.process.pid, "VmRSS") > self.kill_above:
                self.killed = True
                self.process.kill()
                return

    def stop(self) -> None:
        self.peak = max(self.peak, rss(self.process.pid, "VmHWM"))
        self._stop.set()
        self.process.kill()
        self.process.wait()
        self.log.close()


@dataclass
class Login:
    """The API token and a session (with a CSRF token) of the bench's administrator."""

    token: str
    session: str
    csrf: str = field(default_factory=lambda: uuid.uuid4().hex)

    def headers(self, via: str) -> dict[str, str]:
        if via == "api":
            return {"Authorization": f"Bearer {self.token}"}
        return {
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }


def fetch(
    port: int, path: str, headers: dict[str, str], timeout: float, method: str = "GET"
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode(errors="replace")


def upload(port: int, case: Case, login: Login, timeout: float) -> tuple[str, str, str]:
    """POST the case's file as the `file` field, streamed 1 MB at a time: (status,
    body, Location)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{case.path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.putrequest("POST", "/api/imports" if case.via == "api" else "/imports/")
    for name, value in login.headers(case.via).items():
        connection.putheader(name, value)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + case.path.stat().st_size + len(tail)))
    connection.endheaders()
    try:
        connection.send(head)
        with case.path.open("rb") as handle:
            while chunk := handle.read(MB):
                connection.send(chunk)
        connection.send(tail)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered (or died) before the end of the body
    try:
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return str(response.status), body, response.getheader("Location") or ""
    except TimeoutError:
        return "timeout", "", ""
    except (ConnectionError, http.client.HTTPException) as error:
        return "no answer", type(error).__name__, ""


def run_case(case: Case, base_env: dict[str, str], login: Login, args) -> Result:
    env = {**base_env, **case.env}
    server = Server(env, Path(base_env["LOUDOU_DATA_DIR"]) / "server.log", args.kill_above)
    try:
        fetch(server.port, "/api/imports/0", login.headers("api"), 30)  # load the API once
        fetch(server.port, "/imports/", login.headers("page"), 30)  # and the pages
        before = rss(server.process.pid, "VmRSS")
        started = time.perf_counter()
        status, answer, location = upload(server.port, case, login, args.timeout)
        if status == "302" and location:
            code, page = fetch(server.port, location, login.headers("page"), args.timeout)
            status, answer = f"302 → {code}", page
        seconds = time.perf_counter() - started
        if status == "201":
            preview = _preview(server.port, json.loads(answer)["id"], login, args.timeout)
            answer = json.dumps({**json.loads(answer), "preview": preview})
    except TimeoutError:
        status, answer, seconds = "timeout", "", time.perf_counter() - started
    finally:
        server.stop()
    if server.killed:
        status = f"killed above {args.kill_above:.0f} MB"
    return Result(status, answer, seconds, before, server.peak)


def _preview(port: int, job_id: int, login: Login, timeout: float) -> str:
    """POST /api/imports/<id>/preview right after the upload: its status and time."""
    started = time.perf_counter()
    path = f"/api/imports/{job_id}/preview"
    code, body = fetch(port, path, login.headers("api"), timeout, method="POST")
    seconds = time.perf_counter() - started
    return f"{code} in {seconds:.1f} s {summary(body) if code != 200 else ''}".strip()


def summary(answer: str) -> str:
    """The gist of an answer: the API's JSON, or a page's title and first error."""
    try:
        data = json.loads(answer)
    except ValueError:
        title = re.search(r"<title>(.*?)</title>", answer, re.S)
        error = re.search(r'class="(?:errorlist|error)[^"]*"[^>]*>(?:<li>)?(.*?)<', answer, re.S)
        parts = [title.group(1).strip() if title else "", error.group(1) if error else ""]
        return f"{' | '.join(p for p in parts if p)} ({len(answer) / MB:.1f} MB page)"
    if "errors" in data:
        return json.dumps(data["errors"], ensure_ascii=False)[:160]
    columns = len(data.get("headers", []))
    preview = f", then preview: {data['preview']}" if "preview" in data else ""
    return f"job {data.get('id')} {data.get('status')}, {columns} columns{preview}"


def setup() -> tuple[dict[str, str], Login]:
    """A throwaway data directory and database, migrated, with an administrator."""
    folder = tempfile.mkdtemp(prefix="loudou-upload-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loudou.settings",
        "LOUDOU_DATA_DIR": folder,
        "LOUDOU_SQLITE_PATH": str(Path(folder) / "bench.sqlite3"),
        "LOUDOU_DEBUG": "false",
        "LOUDOU_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("LOUDOU_DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("LOUDOU_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from loudou.org.choices import Role
    from loudou.org.models import User
    from loudou.org.services import issue_api_token

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(
        username="upload-bench", password="x" * 20, role=Role.ADMIN, display_name="Bench"
    )
    client = Client()
    client.force_login(user)
    return env, Login(issue_api_token(user=user, label="bench"), client.cookies["sessionid"].value)


def run_worker(env: dict[str, str]) -> None:
    """Drain the queue once (the analysis of what the web accepted) and report."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "loudou.cli", "worker", "--once"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, code, usage = os.wait4(process.pid, 0)
    seconds, peak = time.perf_counter() - started, usage.ru_maxrss / 1024
    say(f"worker --once: exit {code >> 8}, {seconds:.1f} s, peak RSS {peak:.0f} MB")
    from loudou.imports.models import ImportJob

    for job in ImportJob.objects.order_by("pk"):
        say(
            f"  job {job.pk} {job.original_name}: {job.status}, {job.total:,} rows, "
            f"error {job.error or '-'}"
        )


def preview_uploaded(env: dict[str, str], login: Login, args) -> None:
    """POST /api/imports/<id>/preview for each job the worker accepted, on a new server:
    the time of each and the server's peak RSS."""
    from loudou.imports.models import ImportJob

    jobs = list(ImportJob.objects.filter(status="uploaded").order_by("pk"))
    if not jobs:
        return
    server = Server(env, Path(env["LOUDOU_DATA_DIR"]) / "server.log", args.kill_above)
    try:
        fetch(server.port, "/api/imports/0", login.headers("api"), 30)
        before = rss(server.process.pid, "VmRSS")
        for job in jobs:
            answer = _preview(server.port, job.pk, login, args.timeout)
            say(f"  preview of job {job.pk} {job.original_name}: {answer}")
    finally:
        server.stop()
    say(f"preview server: RSS before {before:.0f} MB, peak RSS {server.peak:.0f} MB")


def cases(built: dict[str, Path]) -> list[Case]:
    return [
        Case("bomb.xlsx api", built["bomb.xlsx"]),
        Case("bomb.xlsx page", built["bomb.xlsx"], "page"),
        Case("one-line.csv api", built["one-line.csv"]),
        Case("one-line.csv api, cap 300 MB", built["one-line.csv"], env=RAISED_CAP),
        Case("rows.csv api", built["rows.csv"]),
        Case("rows.csv api, cap 300 MB", built["rows.csv"], env=RAISED_CAP),
        Case("wide.csv page", built["wide.csv"], "page"),
        Case("wide.csv page, cap 300 MB", built["wide.csv"], "page", env=RAISED_CAP),
        Case("leads-80mb.csv api", built["leads-80mb.csv"]),
        Case("leads-200k.xlsx api", built["leads-200k.xlsx"]),
        Case("strings-60mb.xlsx api", built["strings-60mb.xlsx"]),
        Case("sniff.csv api", built["sniff.csv"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--kill-above", type=float, default=6000)
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    built = files(args.rebuild)
    env, login = setup()
    say("case | size | answer | time | RSS before | peak RSS")
    for case in cases(built):
        if args.only not in case.name:
            continue
        result = run_case(case, env, login, args)
        size = case.path.stat().st_size / MB
        say(
            f"{case.name} | {size:.1f} MB | {result.status} {summary(result.answer)} | "
            f"{result.seconds:.1f} s | {result.rss_before:.0f} MB | {result.peak:.0f} MB"
        )
    if not args.no_worker:
        run_worker(env)
        preview_uploaded(env, login, args)
    if args.keep:
        say(f"kept: {env['LOUDOU_DATA_DIR']}")
    else:
        shutil.rmtree(env["LOUDOU_DATA_DIR"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
