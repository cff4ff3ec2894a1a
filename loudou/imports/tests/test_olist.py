"""The real Olist marketing funnel imports with every row in (issue 12): the 8,000 MQLs
joined with the 842 closed deals, as they are — no contact details, empty origins beside
a literal `unknown`, a deal won before its first contact, hex ids that contain
Luhn-valid runs of digits.

A won deal without a contact is closed history (flagged `is_historical`, in the funnel);
an MQL without a deal is an open lead without a contact, so 无效线索 (kept out of the
funnel, as any open lead without a contact method). Nothing is refused.
LOUDOU_OLIST_ROWS=N imports the first N MQLs only (default: all).
"""

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
from loudou.leads.models import Lead, SourceChannel
from loudou.pipeline.models import StageChange

DATA = Path(settings.BASE_DIR).parent / "shared/data/olist_marketing_funnel"
MQL = DATA / "olist_marketing_qualified_leads_dataset.csv"
DEALS = DATA / "olist_closed_deals_dataset.csv"
ROWS = int(os.environ.get("LOUDOU_OLIST_ROWS", "0")) or None
MAPPING = {
    "mql_id": "company_name",
    "first_contact_date": "captured_at",
    "landing_page_id": "notes",
    "origin": "source",
    "deal_stage": "stage",
    "won_date": "closed_at",
}


def joined() -> pd.DataFrame:
    """The MQLs with their deal (if any): `deal_stage` "won" and its `won_date`."""
    mql = pd.read_csv(MQL, dtype=str, keep_default_na=False)
    if ROWS is not None:
        mql = mql.head(ROWS)
    deals = pd.read_csv(DEALS, dtype=str, keep_default_na=False)[["mql_id", "won_date"]]
    frame = mql.merge(deals, on="mql_id", how="left").fillna({"won_date": ""})
    frame["deal_stage"] = frame["won_date"].map(lambda won: "won" if won else "")
    return frame


def source_codes(origins: pd.Series) -> pd.Series:
    """The source code each origin gets: a channel by code or name, else 其他 (`other`);
    an empty origin none."""
    codes = {}
    for channel in SourceChannel.objects.all():
        for key in (channel.code, channel.name, channel.name_en):
            codes[key.casefold()] = channel.code
    origin = origins.str.strip()
    return origin.map(lambda o: "" if o == "" else codes.get(o.casefold(), "other"))


@pytest.mark.skipif(not (MQL.exists() and DEALS.exists()), reason="shared data not present")
def test_every_olist_row_imports_and_closed_deals_are_flagged_history(
    admin_user, tmp_path, settings
):
    # given
    settings.DATA_DIR = tmp_path
    frame = joined()
    path = tmp_path / "olist_mql_with_deals.csv"
    frame[list(MAPPING)].to_csv(path, index=False)
    with path.open("rb") as handle:
        job = services.create_job(actor=admin_user, upload=handle, original_name=path.name)
    job = services.set_mapping(actor=admin_user, job=job, mapping=MAPPING, to_pool=True)
    # when
    started = time.perf_counter()
    job = services.run_job(job=job)
    elapsed = time.perf_counter() - started
    # then
    print(f"olist: {job.total} rows in {elapsed:.1f}s ({job.total / elapsed:.0f} rows/s)")  # noqa: T201
    won = frame["won_date"] != ""
    backwards = pd.to_datetime(frame["won_date"].replace("", None)) < pd.to_datetime(
        frame["first_contact_date"]
    )
    rows = ImportRow.objects.filter(job=job)
    leads = Lead.objects.filter(pk__in=rows.values("lead_id"))
    assert job.value_mapping["deal_stage"] == {"won": str(_signed().pk)}
    assert (job.status, job.total, job.imported, job.rejected, job.duplicates) == (
        "done",
        len(frame),
        len(frame),
        0,
        0,
    )
    assert leads.count() == len(frame) == frame["mql_id"].nunique()
    assert leads.filter(is_historical=True, is_valid=True, stage=_signed()).count() == won.sum()
    assert leads.filter(is_valid=False, stage=None).count() == (~won).sum()
    assert job.warned == won.sum()
    late = rows.filter(warning__contains="早于上一步").values_list("lead__company_name", flat=True)
    assert set(late) == set(frame.loc[backwards, "mql_id"])
    counted = leads.values_list("source__code").order_by().annotate(n=Count("id"))
    assert {code or "": n for code, n in counted} == source_codes(
        frame["origin"]
    ).value_counts().to_dict()
    got_days = pd.Series(
        [str(timezone.localtime(at).date()) for at in leads.values_list("captured_at", flat=True)]
    ).value_counts()
    assert got_days.to_dict() == frame["first_contact_date"].value_counts().to_dict()
    won_at = dict(
        StageChange.objects.filter(lead__in=leads, to_stage=_signed()).values_list(
            "lead__company_name", "at"
        )
    )
    for mql_id, won_date, contact in frame.loc[
        won, ["mql_id", "won_date", "first_contact_date"]
    ].values:
        expected = max(pd.Timestamp(won_date), pd.Timestamp(contact))
        assert timezone.localtime(won_at[mql_id]).replace(tzinfo=None) == expected


def _signed():
    from loudou.pipeline.models import Stage

    return Stage.objects.get(pipeline__is_default=True, code="signed")
