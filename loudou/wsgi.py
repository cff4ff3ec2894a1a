import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudou.settings")
application = get_wsgi_application()

# Import every URLconf and view now (the first request would), then keep all the objects
# loaded so far out of the cyclic garbage collector's scans: a full collection over the
# ≈ 490,000 objects of the loaded app took ≈ 340 ms of one request in twenty. Before the
# workers fork (gunicorn --preload), frozen objects also stay shared between them.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
