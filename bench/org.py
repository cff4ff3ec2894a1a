"""The organisation of the benchmark: teams, managers and reps with capacity, read back
with the reference data (sources, regions, industries, default pipeline) as a `simulate.Org`,
plus pools of company and contact names with their precomputed search keys."""

from dataclasses import dataclass

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction

from bench.simulate import Org
from loudou.demo import names as demo_names
from loudou.leads.dedupe import company_key
from loudou.leads.models import SourceChannel
from loudou.leads.search import pinyin_key
from loudou.org.choices import Role
from loudou.org.models import Industry, Region, Team, User
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import LostReason, Pipeline, WinFactor

PREFIX = "bench-"
LEADS_PER_TEAM = 50_000
COMPANIES_PER_CELL = 40  # per (region, industry)
CONTACTS = 3_000


@dataclass
class Names:
    """Pools the leads draw their text from; keys precomputed once per pool entry."""

    company: list[str]
    company_key: list[str]
    company_pinyin: list[str]
    contact: list[str]
    contact_pinyin: list[str]
    cells: int  # companies per (region, industry) cell


class AlreadyGenerated(Exception):
    """The database already holds a benchmark organisation."""


def _users(rng: np.random.Generator, n_teams: int, regions: list[Region]) -> list[Team]:
    password = make_password(None)
    teams = Team.objects.bulk_create(
        [
            Team(
                name=f"{PREFIX}{regions[i % len(regions)].name}{i // len(regions) + 1}组",
                region=regions[i % len(regions)],
            )
            for i in range(n_teams)
        ]
    )
    people = [
        User(username=f"{PREFIX}director", role=Role.DIRECTOR, password=password, capacity=10),
        User(username=f"{PREFIX}admin", role=Role.ADMIN, password=password, capacity=0),
        User(username=f"{PREFIX}marketing", role=Role.MARKETING, password=password, capacity=0),
    ]
    for t, team in enumerate(teams):
        people.append(
            User(
                username=f"{PREFIX}t{t:02d}-manager",
                role=Role.MANAGER,
                team=team,
                password=password,
                capacity=15,
                display_name=demo_names.person_name(_py(rng)),
            )
        )
        for r in range(int(rng.integers(6, 9))):
            senior = rng.random() < 0.4
            people.append(
                User(
                    username=f"{PREFIX}t{t:02d}-rep{r}",
                    role=Role.SENIOR_REP if senior else Role.JUNIOR_REP,
                    team=team,
                    password=password,
                    capacity=int(rng.integers(35, 46) if senior else rng.integers(20, 31)),
                    display_name=demo_names.person_name(_py(rng)),
                )
            )
    User.objects.bulk_create(people)
    for t, team in enumerate(teams):
        team.manager = User.objects.get(username=f"{PREFIX}t{t:02d}-manager")
        team.save(update_fields=["manager"])
    return teams


def _py(rng: np.random.Generator):
    import random

    return random.Random(int(rng.integers(1 << 62)))  # noqa: S311 (not crypto)


def _names(rng: np.random.Generator, regions: list[Region], industries: list[Industry]) -> Names:
    r = _py(rng)
    company = [
        demo_names.company_name(r, region.name, industry.name)[0]
        for region in regions
        for industry in industries
        for _ in range(COMPANIES_PER_CELL)
    ]
    contact = [demo_names.person_name(r) for _ in range(CONTACTS)]
    return Names(
        company=company,
        company_key=[company_key(c) for c in company],
        company_pinyin=[pinyin_key(c) for c in company],
        contact=contact,
        contact_pinyin=[pinyin_key(c) for c in contact],
        cells=COMPANIES_PER_CELL,
    )


@transaction.atomic
def build_org(rng: np.random.Generator, *, leads: int, now: int) -> tuple[Org, Names]:
    """Create teams and people (refusing a second run) and describe them for simulate."""
    if User.objects.filter(username=f"{PREFIX}director").exists():
        raise AlreadyGenerated("benchmark data already present; generate with --fresh")
    regions = list(Region.objects.order_by("order", "pk"))
    industries = list(Industry.objects.order_by("order", "pk"))
    n_teams = min(max(2, round(leads / LEADS_PER_TEAM)), 60)
    teams = _users(rng, n_teams, regions)
    reps = list(
        User.objects.filter(
            username__startswith=PREFIX, role__in=[Role.SENIOR_REP, Role.JUNIOR_REP]
        )
        .order_by("pk")
        .values_list("pk", "team_id")
    )
    rep_ids = np.array([pk for pk, _ in reps], dtype=np.int64)
    team_pos = {team.pk: i for i, team in enumerate(teams)}
    rep_team = np.array([team_pos[t] for _, t in reps])
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.order_by("order"))
    sources = list(SourceChannel.objects.filter(is_active=True).order_by("order", "pk"))
    org = Org(
        stage_ids=[s.pk for s in stages if s.kind != StageKind.LOST],
        lost_stage_id=next(s.pk for s in stages if s.kind == StageKind.LOST),
        pipeline_id=pipeline.pk,
        source_ids=[s.pk for s in sources],
        source_codes=[s.code for s in sources],
        region_ids=[r.pk for r in regions],
        industry_ids=[i.pk for i in industries],
        rep_ids=rep_ids,
        team_reps=[np.nonzero(rep_team == i)[0] for i in range(len(teams))],
        region_teams=[
            np.array([i for i, t in enumerate(teams) if t.region_id == r.pk], dtype=np.int64)
            for r in regions
        ],
        lost_reason_ids=list(
            LostReason.objects.filter(is_active=True).values_list("pk", flat=True)
        ),
        win_factor_ids=list(WinFactor.objects.filter(is_active=True).values_list("pk", flat=True)),
        capturer_id=User.objects.get(username=f"{PREFIX}marketing").pk,
        now=now,
    )
    return org, _names(rng, regions, industries)
