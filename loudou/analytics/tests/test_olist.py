"""The real Olist funnel, imported through the product's own import, gives the funnel, the
conversion by origin and the cycle figures that pandas computes from the raw CSVs.

Every one of the 8,000 MQLs is imported as it is (issue 12): no made-up contact details
and no refused row. The import file is the MQL file joined with the closed deals, with a
`deal_stage` column: "won" for an MQL with a deal row, "not won" for the others (the data
set's README: "a lead with no deal row was not won by the end of the data"); the value
mapping sends them to 签约客户 and 放弃. Both are closed history without contacts, so
flagged and counted in the funnel (ADR 0012). A lost lead has no date: it is lost at its
capture. The deal won before its first contact is recorded at the first contact (a
warning on its row), so its cycle is 0 days here and in pandas. The period is the
analysis default: the last 90 days hold no lead, so it is the data's own range.
LOUDOU_OLIST_ROWS=N takes the first N MQLs only (default: all).
"""

import os
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.scope import Scope
from loudou.imports import services
from loudou.leads.models import Lead, SourceChannel
from loudou.pipeline.models import Stage

DATA = Path(settings.BASE_DIR).parent / "shared/data/olist_marketing_funnel"
MQL = DATA / "olist_marketing_qualified_leads_dataset.csv"
DEALS = DATA / "olist_closed_deals_dataset.csv"
ROWS = int(os.environ.get("LOUDOU_OLIST_ROWS", "0")) or None
MAPPING = {
    "mql_id": "company_name",
    "first_contact_date": "captured_at",
    "origin": "source",
    "deal_stage": "stage",
    "won_date": "closed_at",
}


def _joined() -> pd.DataFrame:
    mql = pd.read_csv(MQL, dtype=str, keep_default_na=False)
    if ROWS is not None:
        mql = mql.head(ROWS)
    deals = pd.read_csv(DEALS, dtype=str, keep_default_na=False)[["mql_id", "won_date"]]
    frame = mql.merge(deals, on="mql_id", how="left").fillna({"won_date": ""})
    frame["deal_stage"] = frame["won_date"].map(lambda won: "won" if won else "not won")
    return frame


def _add_channels(origins: pd.Series) -> None:
    """One source channel per Olist origin that none of ours matches, as an administrator
    would configure before importing (so `unknown` is a channel, an empty origin none)."""
    known = {
        key.casefold()
        for row in SourceChannel.objects.values_list("code", "name", "name_en")
        for key in row
    }
    for origin in sorted(set(origins.str.strip()) - {""}):
        if origin.casefold() not in known:
            SourceChannel.objects.create(code=origin, name=origin, name_en=origin)


def _expected_conversion(frame: pd.DataFrame) -> dict:
    """pandas over the raw rows: {origin ("" when empty; None: all): (leads, deals, rate,
    average and median cycle days)}. A cycle runs from the first contact to the won date,
    never below 0."""
    contact = pd.to_datetime(frame["first_contact_date"])
    won = pd.to_datetime(frame["won_date"].replace("", None))
    frame = frame.assign(
        cycle=((won - contact).dt.total_seconds() / 86400).clip(lower=0),
        deal=frame["won_date"] != "",
        code=frame["origin"].str.strip(),
    )
    result = {}
    for code, group in [*frame.groupby("code"), (None, frame)]:
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


def _expected_reached(frame: pd.DataFrame) -> dict:
    """Reached per stage: every lead entered the first stage; a won deal passed every open
    stage (it skipped them) and reached 签约客户; the others reached 放弃 only."""
    won = int((frame["won_date"] != "").sum())
    return {
        "resource": len(frame),
        "graded": won,
        "contacted": won,
        "lead_customer": won,
        "opportunity": won,
        "signed": won,
        "implemented": 0,
        "abandoned": len(frame) - won,
    }


@pytest.mark.skipif(not (MQL.exists() and DEALS.exists()), reason="shared data not present")
def test_olist_funnel_and_conversion_by_origin_equal_pandas_over_the_raw_files(
    admin_user, director, tmp_path, settings
):
    # given: every MQL, imported with a value mapping for the deal stage
    settings.DATA_DIR = tmp_path
    frame = _joined()
    _add_channels(frame["origin"])
    path = tmp_path / "olist_joined.csv"
    frame[list(MAPPING)].to_csv(path, index=False)
    with path.open("rb") as handle:
        job = services.create_job(actor=admin_user, upload=handle, original_name=path.name)
    stages = dict(Stage.objects.filter(pipeline__is_default=True).values_list("code", "pk"))
    values = {"deal_stage": {"won": str(stages["signed"]), "not won": str(stages["abandoned"])}}
    services.set_mapping(actor=admin_user, job=job, mapping=MAPPING, values=values, to_pool=True)
    job = services.run_job(job=job)
    # when
    scope = Scope.build(director)
    rows = conversion(scope, by="source")
    result = funnel(scope)
    # then
    codes = dict(SourceChannel.objects.values_list("pk", "code"))
    got = {
        None if r["key"] is None else codes.get(r["key"], ""): (
            r["leads"],
            r["deals"],
            r["rate"],
            r["avg_cycle_days"],
            r["median_cycle_days"],
        )
        for r in rows
    }
    dates = pd.to_datetime(frame["first_contact_date"])
    expected = _expected_conversion(frame)
    summary = f"olist: {job.imported} in, {job.rejected} refused, {job.warned} warned"
    print(f"{summary}; {expected[None]}")  # noqa: T201
    assert (job.status, job.imported, job.rejected) == ("done", len(frame), 0)
    assert Lead.objects.filter(is_historical=True).count() == len(frame)
    assert (scope.start, scope.end) == (dates.min().date(), dates.max().date())
    assert got == expected
    assert {r["code"]: r["reached"] for r in result["stages"]} == _expected_reached(frame)
    assert result["totals"]["won"] == expected[None][1]
    assert result["totals"]["conversion_pct"] == expected[None][2]
    assert len(expected) > 6  # origins kept apart, the empty one and `unknown` included
