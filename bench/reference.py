"""The company funnel computed by DuckDB from the base tables: the reference engine.

The columns it needs are read from the benchmark database into pandas and copied into
DuckDB tables first (not timed); only the queries are timed. They compute the same
figures as `loudou.analytics.services.funnel.funnel` for the director's default scope
(leads not merged, in the default pipeline, captured in the last 90 local days): reached
per stage, current per stage, held per stage and per rep, the median and p75 time in
stage (open stays up to now, re-entries summed) and the move rate per open stage —
straight from the stage ledger, without the analytics projections.
"""

import time
from datetime import timedelta

import pandas as pd

VIEWS = """
    CREATE OR REPLACE TEMP VIEW scope_leads AS SELECT * FROM leads
        WHERE merged_into_id IS NULL AND pipeline_id = $pipeline;
    CREATE OR REPLACE TEMP VIEW cohort AS SELECT * FROM scope_leads
        WHERE captured >= $start AND captured < $end;
"""
QUERIES = {
    "reached": """
        WITH progress AS (
            SELECT c.lead_id,
                   max(s."order") FILTER (WHERE s.kind <> 'lost') AS max_order,
                   bool_or(s.kind = 'lost') AS lost
            FROM ledger c JOIN stages s ON s.id = c.to_stage_id
            WHERE c.lead_id IN (SELECT id FROM cohort)
            GROUP BY c.lead_id)
        SELECT s.id, CASE WHEN s.kind = 'lost' THEN count(*) FILTER (WHERE p.lost)
                          ELSE count(*) FILTER (WHERE p.max_order >= s."order") END
        FROM stages s, progress p GROUP BY s.id, s.kind""",
    "current": "SELECT stage_id, count(*) FROM cohort GROUP BY stage_id",
    "held": """SELECT owner_id, stage_id, count(*) FROM leads
               WHERE merged_into_id IS NULL AND pipeline_id = $pipeline
               GROUP BY owner_id, stage_id""",
    "days": """
        WITH stays AS (
            SELECT lead_id, to_stage_id AS stage_id,
                   coalesce(lead(ts) OVER (PARTITION BY lead_id ORDER BY ts, id), $now) - ts
                       AS spent
            FROM ledger WHERE lead_id IN (SELECT id FROM cohort)),
        per_lead AS (SELECT stage_id, lead_id, sum(spent) AS spent FROM stays GROUP BY ALL)
        SELECT stage_id, count(*), quantile_cont(spent, 0.5), quantile_cont(spent, 0.75)
        FROM per_lead GROUP BY stage_id""",
    "move_rate": """
        WITH seq AS (
            SELECT c.lead_id, c.to_stage_id AS stage_id, c.ts, s."order", s.kind,
                   row_number() OVER (PARTITION BY c.lead_id ORDER BY c.ts, c.id) AS n
            FROM ledger c JOIN stages s ON s.id = c.to_stage_id
            WHERE c.lead_id IN (SELECT id FROM scope_leads)
              AND c.lead_id IN (SELECT lead_id FROM ledger WHERE ts >= $start AND ts < $end)),
        first AS (
            SELECT stage_id, lead_id, min(n) AS n, any_value("order") AS "order"
            FROM seq WHERE ts >= $start AND ts < $end AND kind = 'open' GROUP BY ALL)
        SELECT f.stage_id, count(DISTINCT f.lead_id), count(DISTINCT x.lead_id)
        FROM first f LEFT JOIN seq x ON x.lead_id = f.lead_id AND x.n > f.n
            AND x."order" > f."order" AND x.kind <> 'lost' AND x.ts < $end
        GROUP BY f.stage_id""",
}


def _frame(sql: str, columns: list[str]) -> pd.DataFrame:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def _epoch(column: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"CAST(extract(epoch FROM {column}) AS bigint)"
    return f"CAST(strftime('%s', {column}) AS integer)"


def load(con) -> None:
    """Copy the needed columns of leads, ledger and stages into DuckDB tables."""
    leads = _frame(
        f"SELECT id, {_epoch('captured_at')}, pipeline_id, stage_id, owner_id, merged_into_id"  # noqa: S608
        " FROM leads_lead",
        ["id", "captured", "pipeline_id", "stage_id", "owner_id", "merged_into_id"],
    )
    ledger = _frame(
        f"SELECT id, lead_id, pipeline_id, to_stage_id, {_epoch('at')} FROM pipeline_stagechange",  # noqa: S608
        ["id", "lead_id", "pipeline_id", "to_stage_id", "ts"],
    )
    stages = _frame(
        'SELECT id, pipeline_id, "order", kind FROM pipeline_stage',
        ["id", "pipeline_id", "order", "kind"],
    )
    for name, frame in [("leads", leads), ("ledger", ledger), ("stages", stages)]:
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_df")  # noqa: S608
        con.unregister(f"{name}_df")


def parameters() -> dict:
    from django.utils import timezone

    from loudou.analytics.services.scope import DEFAULT_DAYS, local_midnight
    from loudou.pipeline.models import Pipeline

    today = timezone.localdate()
    start = local_midnight(today - timedelta(days=DEFAULT_DAYS - 1))
    end = local_midnight(today + timedelta(days=1))
    return {
        "pipeline": Pipeline.objects.get(is_default=True).pk,
        "start": int(start.timestamp()),
        "end": int(end.timestamp()),
        "now": int(timezone.now().timestamp()),
    }


def company_funnel(con, params: dict) -> dict:
    """Run every query of the funnel; returns their rows by name."""

    def bind(sql: str) -> str:  # integers only, so inlining them is safe
        for key, value in params.items():
            sql = sql.replace(f"${key}", str(int(value)))
        return sql

    con.execute(bind(VIEWS))
    return {name: con.execute(bind(sql)).fetchall() for name, sql in QUERIES.items()}


_LAST: dict = {}


def agrees() -> bool | str:
    """Whether Loudou's company funnel has the same reached, current and move counts and
    (to the second) the same median stay as the DuckDB one computed last."""
    from loudou.analytics.services.funnel import funnel
    from loudou.analytics.services.scope import Scope
    from loudou.org.models import User

    if not _LAST:
        return "not run"
    from datetime import UTC, datetime

    now = datetime.fromtimestamp(_LAST["now"], UTC)
    scope = Scope.build(User.objects.get(username="bench-director"))
    rows = funnel(scope, now=now)["stages"]
    reached = {int(k): v for k, v in _LAST["reached"]}
    current = {int(k): v for k, v in _LAST["current"] if k is not None}
    moves = {int(k): (a, b) for k, a, b in _LAST["move_rate"]}
    medians = {int(k): med / 86_400 for k, _n, med, _p in _LAST["days"]}
    differences = []
    for row in rows:
        sid = row["stage_id"]
        mine = (
            row["reached"],
            row["current"],
            row["moves"] and (row["moves"]["entered"], row["moves"]["moved_forward"]),
        )
        theirs = (reached.get(sid, 0), current.get(sid, 0), row["moves"] and moves.get(sid, (0, 0)))
        if mine != theirs or (
            row["median_days"] is not None and abs(row["median_days"] - medians.get(sid, 0)) > 0.01
        ):
            differences.append(f"stage {sid}: loudou {mine} duckdb {theirs}")
    return True if not differences else "; ".join(differences)


def time_company_funnel(repeat: int) -> list[float]:
    """Milliseconds per run of the DuckDB company funnel (after one untimed warm-up)."""
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    load(con)
    loaded = time.perf_counter() - started
    import sys

    print(f"  duckdb: loaded in {loaded:.1f}s", file=sys.stderr)  # noqa: T201
    params = parameters()
    _LAST.update(company_funnel(con, params), now=params["now"])
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        company_funnel(con, params)
        runs.append((time.perf_counter() - started) * 1000)
    return runs
