"""The life of a batch of leads, drawn with numpy: funnel depth, stage stays, losses, owners
and follow-ups, as plain arrays (no database here).

Times are int64 seconds since the epoch (UTC). A lead enters the first open stage when it
is captured, then climbs one stage at a time with a probability that depends on the stage,
its intent grade and its source; each stay lasts a log-normal number of days. Moves that
would fall after `now` do not happen yet (the lead is still open); leads that stopped
climbing are mostly abandoned (放弃) a while later, with a lost reason. Follow-ups fall
between assignment and the end of the engagement; each leaves a next action that the
next follow-up closes, and the last one of an open lead stays open (sometimes overdue).
"""

from dataclasses import dataclass, field

import numpy as np

DAY = 86_400
HOUR = 3_600
#: Chance to climb from stage k to k+1 (resource→graded … signed→implemented).
STEP_P = np.array([0.90, 0.72, 0.50, 0.42, 0.35, 0.80])
#: How much the grade/source factor weighs on each step (none on grading and implementing).
STEP_WEIGHT = np.array([0.0, 0.5, 1.0, 1.0, 1.0, 0.0])
#: Median days spent in stage k before moving on.
STAY_MEDIAN_DAYS = np.array([1.0, 3.0, 7.0, 12.0, 20.0, 30.0])
GRADES = np.array(["A", "B", "C"])
GRADE_P = [0.15, 0.35, 0.50]
GRADE_FACTOR = np.array([1.35, 1.0, 0.75])
#: Source code → (share of leads, conversion factor).
SOURCE_MIX = {
    "trade_show": (0.15, 1.1),
    "website": (0.30, 1.0),
    "partner": (0.10, 1.4),
    "social": (0.15, 0.8),
    "customer_referral": (0.08, 1.6),
    "cold_visit": (0.17, 0.7),
    "other": (0.05, 0.9),
}
VALID_SHARE = 0.93
LOST_SHARE = 0.75  # of the leads that stopped climbing
WON_FROM = 5  # index of the first won stage in the ordered open+won stages
OPPORTUNITY_FROM = 4
VIA = np.array(["form", "kanban", "api"])
CHANNELS = np.array(["phone", "wechat", "visit", "email", "meeting", "other"])
CHANNEL_P = [0.45, 0.25, 0.12, 0.1, 0.06, 0.02]


@dataclass
class Org:
    """Ids of everything the simulated leads point at, read from the database."""

    stage_ids: list[int]  # the open and won stages in order (7 in the default pipeline)
    lost_stage_id: int
    pipeline_id: int
    source_ids: list[int]
    source_codes: list[str]
    region_ids: list[int]
    industry_ids: list[int]
    rep_ids: np.ndarray  # one per rep
    team_reps: list[np.ndarray]  # per team, indices into rep_ids
    region_teams: list[np.ndarray]  # per region index, team indices covering it
    lost_reason_ids: list[int]
    win_factor_ids: list[int]
    capturer_id: int
    now: int
    source_p: np.ndarray = field(init=False)
    source_factor: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        mix = [SOURCE_MIX.get(code, (0.02, 1.0)) for code in self.source_codes]
        weights = np.array([m[0] for m in mix])
        self.source_p = weights / weights.sum()
        self.source_factor = np.array([m[1] for m in mix])


def lognormal_days(rng: np.random.Generator, median: np.ndarray | float, size) -> np.ndarray:
    """Durations in seconds, log-normal around `median` days (sigma 0.8), at least a minute."""
    days = np.asarray(median) * np.exp(0.8 * rng.standard_normal(size))
    return np.maximum((days * DAY).astype(np.int64), 60)


def capture_times(rng: np.random.Generator, n: int, now: int, months: int = 24) -> np.ndarray:
    """`n` sorted capture times over the last `months`, growing ~40% over the period,
    on working hours more than at night."""
    span = months * 30 * DAY
    # density rising linearly from 1 to 1.4 over the span: inverse-CDF sampling
    u = rng.random(n)
    a, b = 1.0, 0.4
    x = (-a + np.sqrt(a * a + 2 * b * u * (a + b / 2))) / b
    days = np.floor(x * span / DAY).astype(np.int64)
    hour = np.clip(rng.normal(13, 3.5, n), 0, 23.99)
    seconds = now - span + days * DAY + (hour * HOUR).astype(np.int64) - 8 * HOUR
    return np.sort(np.minimum(seconds, now - 60))


def _owners(rng: np.random.Generator, org: Org, region: np.ndarray) -> np.ndarray:
    """A rep of a team covering the lead's region (any team when none covers it)."""
    n = len(region)
    team = rng.integers(0, len(org.team_reps), n)
    for r, teams in enumerate(org.region_teams):
        mask = region == r
        if len(teams) and mask.any():
            team[mask] = rng.choice(teams, int(mask.sum()))
    sizes = np.array([len(t) for t in org.team_reps])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(org.team_reps)
    pick = offsets[team] + (rng.random(n) * sizes[team]).astype(np.int64)
    return org.rep_ids[flat[pick]]


def simulate_leads(rng: np.random.Generator, org: Org, captured: np.ndarray) -> dict:
    """Attributes and funnel path of leads captured at `captured` (sorted)."""
    n, now = len(captured), org.now
    grade = rng.choice(3, n, p=GRADE_P)
    source = rng.choice(len(org.source_ids), n, p=org.source_p)
    region = rng.integers(0, len(org.region_ids), n)
    valid = rng.random(n) < VALID_SHARE
    factor = GRADE_FACTOR[grade] * org.source_factor[source]
    p = np.clip(STEP_P[None, :] * factor[:, None] ** STEP_WEIGHT[None, :], 0, 0.97)
    success = rng.random((n, len(STEP_P))) < p
    depth = np.where(success.all(axis=1), len(STEP_P), (~success).argmax(axis=1))
    enter = np.empty((n, len(STEP_P) + 1), dtype=np.int64)
    enter[:, 0] = captured
    stays = lognormal_days(rng, STAY_MEDIAN_DAYS[None, :], (n, len(STEP_P)))
    enter[:, 1:] = captured[:, None] + np.cumsum(stays, axis=1)
    reachable = (enter[:, 1:] <= now).sum(axis=1)
    assigned = captured + np.minimum(rng.exponential(HOUR, n).astype(np.int64), now - captured)
    unassigned = valid & (captured > now - 3 * DAY) & (rng.random(n) < 0.3)
    truncated = reachable < depth
    depth = np.where(unassigned, 0, np.minimum(depth, reachable))
    last_move = enter[np.arange(n), depth]
    lost_at = last_move + lognormal_days(rng, 10.0, n)
    lost = valid & ~unassigned & ~truncated & (depth < WON_FROM)
    lost &= (rng.random(n) < LOST_SHARE) & (lost_at <= now)
    return {
        "n": n,
        "captured": captured,
        "grade": grade,
        "rating": rng.choice(3, n, p=[0.2, 0.4, 0.4]),
        "source": source,
        "region": region,
        "industry": rng.integers(0, len(org.industry_ids), n),
        "valid": valid,
        "depth": np.where(valid, depth, -1),
        "enter": enter,
        "truncated": truncated,
        "lost": lost,
        "lost_at": lost_at,
        "won": valid & (depth >= WON_FROM),
        "owner": np.where(unassigned, 0, _owners(rng, org, region)),
        "assigned": np.where(unassigned, -1, assigned),
    }


def stage_changes(rng: np.random.Generator, org: Org, leads: dict) -> dict:
    """The ledger rows of the simulated leads, lead by lead in time order."""
    n, depth = leads["n"], leads["depth"]
    steps = np.arange(len(org.stage_ids))
    lead_idx, k = np.nonzero(steps[None, :] <= depth[:, None])
    stage_ids = np.asarray(org.stage_ids)
    lost_idx = np.nonzero(leads["lost"])[0]
    lead_all = np.concatenate([lead_idx, lost_idx])
    at = np.concatenate([leads["enter"][lead_idx, k], leads["lost_at"][lost_idx]])
    to = np.concatenate([stage_ids[k], np.full(len(lost_idx), org.lost_stage_id)])
    frm = np.concatenate(
        [np.where(k > 0, stage_ids[np.maximum(k - 1, 0)], 0), stage_ids[depth[lost_idx]]]
    )
    order = np.lexsort((at, lead_all))
    lead_all, at, to, frm = lead_all[order], at[order], to[order], frm[order]
    is_lost = to == org.lost_stage_id
    m = len(lead_all)
    via = VIA[rng.choice(3, m, p=[0.45, 0.45, 0.10])]
    via = np.where(frm == 0, "form", via)
    lost_reason = np.where(is_lost, rng.choice(org.lost_reason_ids, m), 0)
    won_row = to == stage_ids[WON_FROM]
    return {
        "lead": lead_all,
        "at": at,
        "to": to,
        "from": frm,
        "via": via,
        "lost_reason": lost_reason,
        "win_factors": _win_factors(rng, org, won_row),
        "owner": leads["owner"][lead_all],
        "n_leads": n,
    }


def _win_factors(rng: np.random.Generator, org: Org, won_row: np.ndarray) -> list[str]:
    """JSON lists of 1-3 win factor ids on the rows entering the first won stage."""
    ids = np.asarray(org.win_factor_ids)
    out = ["[]"] * len(won_row)
    for i in np.nonzero(won_row)[0]:
        k = int(rng.integers(1, 4))
        picked = sorted(int(x) for x in rng.choice(ids, min(k, len(ids)), replace=False))
        out[i] = "[" + ", ".join(str(x) for x in picked) + "]"
    return out


def _engagement_end(rng: np.random.Generator, leads: dict, now: int) -> np.ndarray:
    """When follow-ups stop: at the loss or the win, now for leads still climbing, and a
    few weeks after the last move for open leads left to go cold."""
    n, depth = leads["n"], np.maximum(leads["depth"], 0)
    last_move = leads["enter"][np.arange(n), depth]
    cold = np.minimum(now, last_move + lognormal_days(rng, 30.0, n))
    end = np.where(leads["truncated"], now, cold)
    end = np.where(leads["won"], last_move, end)
    end = np.where(leads["lost"], leads["lost_at"], end)
    return np.maximum(end, leads["assigned"] + 60)


def follow_ups(rng: np.random.Generator, org: Org, leads: dict) -> dict:
    """Follow-up rows (lead by lead, in time order) and each lead's last contact."""
    n, now = leads["n"], org.now
    depth = np.maximum(leads["depth"], 0)
    lam = 2.1 + 1.6 * depth + 1.0 * leads["lost"]
    count = np.where(leads["valid"], 1 + rng.poisson(lam), rng.random(n) < 0.5)
    fresh = leads["assigned"] > now - DAY
    count = np.where(fresh & (rng.random(n) < 0.5), 0, count)
    count = np.where(leads["owner"] == 0, 0, count).astype(np.int64)
    start, end = leads["assigned"], np.minimum(_engagement_end(rng, leads, now), now)
    lead = np.repeat(np.arange(n), count)
    first_row = np.concatenate([[0], np.cumsum(count)[:-1]])[count > 0]
    span = np.maximum(end - start, 60)[lead]
    at = start[lead] + (rng.random(len(lead)) * span).astype(np.int64)
    first_gap = np.minimum(
        rng.exponential(8 * HOUR, len(first_row)).astype(np.int64), span[first_row]
    )
    at[first_row] = start[lead[first_row]] + first_gap
    at = np.minimum(at, now)
    order = np.lexsort((at, lead))
    lead, at = lead[order], at[order]
    last_row = np.concatenate([first_row[1:] - 1, [len(lead) - 1]]) if len(lead) else first_row
    rows = _next_actions(rng, org, leads, lead, at, last_row)
    last_contact = np.full(n, -1, dtype=np.int64)
    last_contact[lead[last_row]] = at[last_row]
    rows.update(lead=lead, at=at, owner=leads["owner"][lead], last_contact=last_contact)
    return rows


def _next_actions(rng, org: Org, leads: dict, lead, at, last_row) -> dict:
    """Next action of every follow-up: closed by the next follow-up, open on the last
    follow-up of an open lead, none after a win or a loss."""
    m = len(lead)
    is_last = np.zeros(m, dtype=bool)
    is_last[last_row] = True
    closed_lead = leads["won"] | leads["lost"] | ~leads["valid"]
    has = rng.random(m) < 0.85
    has &= ~(is_last & closed_lead[lead])
    has |= is_last & ~closed_lead[lead]
    following = np.append(at[1:], at[-1:] if m else at)
    due = at + (rng.integers(1, 8, m) * DAY)
    done = np.where(has & ~is_last, following, -1)
    failed = rng.random(m) < 0.08
    result = np.where(has & is_last, "pending", np.where(failed & has, "failed", "done"))
    return {
        "has_action": has,
        "due": np.where(has, due, -1),
        "done": done,
        "result": result,
        "channel": CHANNELS[rng.choice(len(CHANNELS), m, p=CHANNEL_P)],
        "text": rng.integers(0, 1 << 30, m),
    }
