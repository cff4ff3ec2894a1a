"""The WSGI entry point loads the whole app up front and freezes it for the collector
(loudou.core.startup.load_and_freeze)."""

import subprocess
import sys

PROBE = """
import gc, sys
import loudou.wsgi
loaded = all(m in sys.modules for m in ("loudou.leads.views", "pypinyin", "phonenumbers"))
print(gc.get_freeze_count(), len(gc.get_objects()), loaded)
"""


def test_wsgi_loads_every_view_and_freezes_the_loaded_objects():
    # when a server imports the WSGI application (a fresh interpreter)
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    frozen, tracked, loaded = int(out[0]), int(out[1]), out[2] == "True"
    # then the views and libraries are loaded before the first request, and the collector
    # no longer scans what was loaded: far more frozen objects than tracked ones
    assert loaded
    assert frozen > 50_000
    assert tracked < frozen / 10
