"""The real Olist marketing funnel file imports with every row accounted for.

register_lead (with de-dup) runs at about 30 rows/s on SQLite, so by default the test
imports the first OLIST_ROWS rows; LOUDOU_OLIST_FULL=1 imports all 8,000 (about 4 min).
"""

import itertools
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from loudou.imports import services
from loudou.imports.models import ImportRow
from loudou.imports.selectors import top_reasons
from loudou.leads.models import Lead, SourceChannel

OLIST = (
    Path(settings.BASE_DIR).parent
    / "shared/data/olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv"
)
OLIST_ROWS = None if os.environ.get("LOUDOU_OLIST_FULL") else 400
MAPPING = {
    "mql_id": "company_name",
    "first_contact_date": "captured_at",
    "landing_page_id": "notes",
    "origin": "source",
}


def _slice(tmp_path: Path) -> Path:
    if OLIST_ROWS is None:
        return OLIST
    part = tmp_path / OLIST.name
    with OLIST.open(encoding="utf-8") as source:
        part.write_text("".join(itertools.islice(source, OLIST_ROWS + 1)), encoding="utf-8")
    return part


def _expected_sources(frame: pd.DataFrame) -> dict:
    codes = {}
    for channel in SourceChannel.objects.all():
        for key in (channel.code, channel.name, channel.name_en):
            codes[key.casefold()] = channel.code
    origin = frame["origin"].str.strip()
    mapped = origin.map(lambda o: "" if o == "" else codes.get(o.casefold(), "other"))
    return mapped.value_counts().to_dict()


@pytest.mark.skipif(not OLIST.exists(), reason="shared data not present")
def test_the_olist_leads_import_with_every_row_accounted_for(admin_user, tmp_path, settings):
    # given
    settings.DATA_DIR = tmp_path
    path = _slice(tmp_path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    with path.open("rb") as handle:
        job = services.create_job(actor=admin_user, upload=handle, original_name=path.name)
    services.set_mapping(actor=admin_user, job=job, mapping=MAPPING, to_pool=True)
    # when
    started = time.perf_counter()
    job = services.run_job(job=job)
    elapsed = time.perf_counter() - started
    # then
    rate = job.total / elapsed
    reasons = top_reasons(job)
    print(f"olist: {job.total} rows in {elapsed:.1f}s = {rate:.0f} rows/s; {reasons}")  # noqa: T201
    rows = ImportRow.objects.filter(job=job)
    assert job.status == "done"
    assert job.total == len(frame) == rows.count() == (OLIST_ROWS or 8000)
    assert job.imported + job.merged + job.duplicates + job.rejected == len(frame)
    assert job.duplicates == len(frame) - frame["mql_id"].nunique()
    assert not rows.filter(outcome="rejected", reason="").exists()
    leads = Lead.objects.filter(pk__in=rows.filter(outcome="imported").values("lead_id"))
    assert leads.count() == job.imported
    assert leads.filter(is_valid=False, owner=None).count() == job.imported  # no contacts
    if job.rejected == 0:
        counted = leads.values_list("source__code").order_by().annotate(n=Count("id"))
        got = {code or "": n for code, n in counted}
        assert got == _expected_sources(frame)
        dates = frame["first_contact_date"].value_counts().to_dict()
        got_dates = {}
        for captured in leads.values_list("captured_at", flat=True):
            day = str(timezone.localtime(captured).date())
            got_dates[day] = got_dates.get(day, 0) + 1
        assert got_dates == dates
