"""Vendor front-end files from the npm registry into loudou/static/vendor/ (committed).

Run: uv run python scripts/vendor_static.py. Running the app never needs Node.
"""

import hashlib
import io
import json
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
TARGET = Path(__file__).resolve().parent.parent / "loudou" / "static" / "vendor"
#: package, version, file inside the package tarball, name under static/vendor/
FILES = [
    ("htmx.org", "2.0.11", "package/dist/htmx.min.js", "htmx.min.js"),
    ("sortablejs", "1.15.7", "package/Sortable.min.js", "Sortable.min.js"),
    ("echarts", "6.1.0", "package/dist/echarts.min.js", "echarts.min.js"),
]


def fetch(package: str, version: str) -> tarfile.TarFile:
    with urllib.request.urlopen(f"{REGISTRY}/{package}/{version}", timeout=30) as response:  # noqa: S310
        meta = json.load(response)
    with urllib.request.urlopen(meta["dist"]["tarball"], timeout=60) as response:  # noqa: S310
        data = response.read()
    expected = meta["dist"].get("shasum")
    if expected and hashlib.sha1(data).hexdigest() != expected:  # noqa: S324 (npm's own checksum)
        raise SystemExit(f"checksum mismatch for {package}@{version}")
    return tarfile.open(fileobj=io.BytesIO(data))


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for package, version, member, name in FILES:
        with fetch(package, version) as archive:
            content = archive.extractfile(member).read()
        (TARGET / name).write_bytes(content)
        print(f"{package}@{version} → static/vendor/{name} ({len(content)} bytes)")  # noqa: T201


if __name__ == "__main__":
    main()
