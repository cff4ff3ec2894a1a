"""The real Olist funnel, imported through the product's own import, gives the conversion
by origin, the overall conversion and the cycle medians that pandas computes from the raw
CSVs.

The import file is the MQL file joined with the closed deals: each won lead carries the
stage 签约客户 and its won_date as 成交日期; each lead gets a made-up e-mail address
(the data set has no contact details, and a lead without any is 无效线索, kept out of
the funnel). The product refuses a deal dated before the lead's first contact (a stage
change cannot go back in time), so pandas leaves those leads out too; in the full file one
mql_id reads as a bank-card number and is refused (PIPL), which the test takes from the
import job.
By default the first 400 MQL rows; LOUDOU_OLIST_FULL=1 takes all 8,000.
"""

import os
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.scope import Scope
from loudou.imports import services
from loudou.imports.models import ImportRow
from loudou.leads.models import SourceChannel

DATA = Path(settings.BASE_DIR).parent / "shared/data/olist_marketing_funnel"
MQL = DATA / "olist_marketing_qualified_leads_dataset.csv"
DEALS = DATA / "olist_closed_deals_dataset.csv"
ROWS = None if os.environ.get("LOUDOU_OLIST_FULL") else 400
MAPPING = {
    "mql_id": "company_name",
    "first_contact_date": "captured_at",
    "origin": "source",
    "email": "email",
    "stage": "stage",
    "won_date": "closed_at",
}


def _joined() -> pd.DataFrame:
    mql = pd.read_csv(MQL, dtype=str, keep_default_na=False)
    if ROWS is not None:
        mql = mql.head(ROWS)
    deals = pd.read_csv(DEALS, dtype=str, keep_default_na=False)[["mql_id", "won_date"]]
    frame = mql.merge(deals, on="mql_id", how="left").fillna({"won_date": ""})
    frame["email"] = frame["mql_id"].str[:12] + "@olist.example.com"
    frame["stage"] = frame["won_date"].map(lambda won: "signed" if won else "")
    return frame


def _add_channels(origins: pd.Series) -> None:
    """One source channel per Olist origin that none of ours matches, as an administrator
    would configure before importing."""
    known = {
        key.casefold()
        for row in SourceChannel.objects.values_list("code", "name", "name_en")
        for key in row
    }
    for origin in sorted(set(origins.str.strip()) - {""}):
        if origin.casefold() not in known:
            SourceChannel.objects.create(code=origin, name=origin, name_en=origin)


def _source_codes(origins: pd.Series) -> pd.Series:
    codes = {}
    for channel in SourceChannel.objects.all():
        for key in (channel.code, channel.name, channel.name_en):
            codes[key.casefold()] = channel.code
    origin = origins.str.strip()
    return origin.map(lambda o: "" if o == "" else codes.get(o.casefold(), "other"))


def _expected(frame: pd.DataFrame, refused: set[str]) -> dict:
    """pandas over the raw rows: {source code: (leads, deals, rate, avg, median)}."""
    frame = frame.drop_duplicates("mql_id")
    frame = frame[~frame["mql_id"].isin(refused)].copy()
    contact = pd.to_datetime(frame["first_contact_date"])
    won = pd.to_datetime(frame["won_date"].replace("", None))
    frame = frame[~(won < contact)].copy()  # refused by the product: won before contact
    frame["cycle"] = (won - contact).dt.total_seconds() / 86400
    frame["deal"] = frame["won_date"] != ""
    frame["code"] = _source_codes(frame["origin"])
    result = {}
    groups = [(code, g) for code, g in frame.groupby("code")] + [(None, frame)]
    for code, group in groups:
        cycles = group.loc[group["deal"], "cycle"]
        leads, deals = len(group), int(group["deal"].sum())
        result[code] = (
            leads,
            deals,
            round(deals * 100 / leads, 1),
            None if cycles.empty else round(float(cycles.mean()), 2),
            None if cycles.empty else round(float(cycles.median()), 2),
        )
    return result


@pytest.mark.skipif(not (MQL.exists() and DEALS.exists()), reason="shared data not present")
def test_olist_conversion_by_origin_equals_pandas_over_the_raw_files(
    admin_user, director, tmp_path, settings
):
    # given
    settings.DATA_DIR = tmp_path
    frame = _joined()
    _add_channels(frame["origin"])
    path = tmp_path / "olist_joined.csv"
    frame[list(MAPPING)].to_csv(path, index=False)
    with path.open("rb") as handle:
        job = services.create_job(actor=admin_user, upload=handle, original_name=path.name)
    services.set_mapping(actor=admin_user, job=job, mapping=MAPPING, to_pool=True)
    job = services.run_job(job=job)
    dates = pd.to_datetime(frame["first_contact_date"])
    scope = Scope.build(director, start=dates.min().date(), end=dates.max().date())
    # when
    rows = conversion(scope, by="source")
    # then  rows the product refuses: a deal before the first contact (pandas finds those
    # itself) and an mql_id that reads as a bank-card number (PIPL, read from the job)
    rejected = ImportRow.objects.filter(job=job, outcome="rejected")
    refused = {r.values["mql_id"] for r in rejected if "个人信息保护法" in r.reason}
    backwards = {r.values["mql_id"] for r in rejected if "早于" in r.reason}
    contact = pd.to_datetime(frame["first_contact_date"])
    won = pd.to_datetime(frame["won_date"].replace("", None))
    assert backwards == set(frame.loc[won < contact, "mql_id"])
    assert len(refused) + len(backwards) == job.rejected
    assert len(refused) <= 2
    expected = _expected(frame, refused)
    assert job.status == "done"
    codes = dict(SourceChannel.objects.values_list("pk", "code"))
    got = {
        (None if row["key"] is None else codes.get(row["key"], "")): (
            row["leads"],
            row["deals"],
            row["rate"],
            row["avg_cycle_days"],
            row["median_cycle_days"],
        )
        for row in rows
    }
    assert got == expected
    assert expected[None][1] > 10  # the slice holds real deals
    assert len(expected) > 6  # origins kept apart
