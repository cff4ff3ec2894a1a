"""Start-up of the long-lived processes (WSGI workers, `loudou worker`)."""

import gc


def load_and_freeze() -> None:
    """Load what the first request or task would (every URLconf and view, pypinyin's and
    phonenumbers' tables), then keep everything loaded so far out of the cyclic garbage
    collector's scans (`gc.freeze`). A full collection walks every tracked object: over
    the ≈ 490,000 of the loaded app it took ≈ 340 ms of one request in twenty, and 2.8 s
    of a 20,000-row import (bench/RESULTS.md). Frozen before gunicorn forks its workers
    (--preload), the objects also stay shared between them."""
    from django.urls import get_resolver

    from loudou.compliance.phones import normalise_phone
    from loudou.leads.dedupe import company_key

    get_resolver().url_patterns  # noqa: B018 (imports every URLconf and view)
    normalise_phone("13800000000")
    company_key("北京华泰科技有限公司")
    gc.freeze()
