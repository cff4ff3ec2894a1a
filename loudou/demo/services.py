"""The demo company (演示数据): a sales organisation and a year of leads, idempotently.

Everything is drawn from `random.Random` seeded with `seed`, so the same seed always gives
the same company. People are found by username and teams by name; every demo lead carries
an external reference ``demo-00001``…, and a second run creates only what is missing.
Leads go through `register_lead`, so numbering, grading, customer linking and audit apply.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from loudou.assignment.models import Pool, PoolEntry
from loudou.commerce.demo import load_demo_commerce
from loudou.core.database import refresh_statistics
from loudou.customers.models import Contact, Customer
from loudou.demo import names
from loudou.demo.life import Funnel, Tally, hand_to_pool, live
from loudou.leads.choices import (
    BudgetFit,
    CustomerType,
    DecisionCycle,
    NeedLevel,
    PurchasingPower,
)
from loudou.leads.models import Lead, SourceChannel
from loudou.leads.services.grading import assess_needs
from loudou.leads.services.registration import register_lead
from loudou.org.choices import Role
from loudou.org.models import Industry, Region, Team, User
from loudou.service.demo import load_demo_service
from loudou.targets.demo import load_demo_targets
from loudou.teamwork.demo import load_demo_teamwork

#: The one password of every demo user; published on purpose, set only on creation.
DEMO_PASSWORD = "Loudou-demo-2026"  # noqa: S105
REF_PREFIX = "demo-"
DEFAULT_LEADS = 1500
PROGRESS_EVERY = 250

#: (team name, home region, regions the team covers).
TEAMS = [
    ("华东一组", "华东", ("华东", "华中")),
    ("华南一组", "华南", ("华南", "西南")),
    ("华北一组", "华北", ("华北", "东北", "西北")),
]
REP_ROLES = [Role.SENIOR_REP, Role.SENIOR_REP, Role.JUNIOR_REP] + [
    Role.SENIOR_REP,
    Role.JUNIOR_REP,
    Role.JUNIOR_REP,
]
CAPACITY = {
    Role.ADMIN: 0,
    Role.DIRECTOR: 10,
    Role.MANAGER: 15,
    Role.SENIOR_REP: 40,
    Role.JUNIOR_REP: 25,
    Role.ASSISTANT: 30,
    Role.SUPPORT: 0,
    Role.MARKETING: 0,
}


# the cast -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """One person of the demo company: who they are and which team (index) they sit in."""

    username: str
    role: str
    team: int | None = None


def cast_plan() -> list[Seat]:
    """Admin, director, three teams (manager, six reps, an assistant), support, marketing."""
    seats = [Seat("admin", Role.ADMIN), Seat("director", Role.DIRECTOR)]
    for t in range(len(TEAMS)):
        seats.append(Seat(f"manager{t + 1}", Role.MANAGER, t))
        seats += [
            Seat(f"rep{t * len(REP_ROLES) + j + 1}", role, t) for j, role in enumerate(REP_ROLES)
        ]
        seats.append(Seat(f"assistant{t + 1}", Role.ASSISTANT, t))
    seats += [Seat("support1", Role.SUPPORT), Seat("support2", Role.SUPPORT)]
    seats += [Seat("marketing1", Role.MARKETING), Seat("marketing2", Role.MARKETING)]
    return seats


def _ensure_teams() -> tuple[list[Team], int]:
    """The three demo teams (created when missing), in TEAMS order, and how many were new."""
    teams, created = [], 0
    for name, region_name, _covered in TEAMS:
        region = Region.objects.filter(name=region_name).first()
        team, is_new = Team.objects.get_or_create(name=name, defaults={"region": region})
        teams.append(team)
        created += is_new
    return teams, created


def _regions_of(seat: Seat) -> list[Region]:
    """The regions a person is responsible for: their team's, or all of them."""
    if seat.team is None:
        return list(Region.objects.filter(is_active=True))
    return list(Region.objects.filter(name__in=TEAMS[seat.team][2]))


def _new_user(seat: Seat, team: Team | None, display_name: str, password_hash: str) -> User:
    """Create one demo user with the shared password and their specialties."""
    user = User.objects.create(
        username=seat.username,
        role=seat.role,
        team=team,
        display_name=display_name,
        password=password_hash,
        capacity=CAPACITY[seat.role],
        is_staff=seat.role == Role.ADMIN,
        is_superuser=seat.role == Role.ADMIN,
    )
    user.specialty_regions.set(_regions_of(seat))
    return user


def _pick_industries(rng: random.Random, seat: Seat, industries: list[Industry]) -> list:
    """Two to four specialty industries for a seller; none for the others."""
    count = min(rng.randint(2, 4), len(industries))
    picked = rng.sample(industries, count)
    return [] if seat.role in (Role.ADMIN, Role.MARKETING, Role.SUPPORT) else picked


@dataclass
class Cast:
    """The demo company as loaded: users by username, the teams, and what was created."""

    users: dict[str, User]
    teams: list[Team]
    users_created: int = 0
    teams_created: int = 0


@transaction.atomic
def build_cast(rng: random.Random) -> Cast:
    """Create the missing demo people and teams; existing ones are left as they are.

    Names and specialties are drawn for every seat, created or not, so that the random
    stream (and therefore the leads that follow) does not depend on what already exists.
    """
    teams, teams_created = _ensure_teams()
    industries = list(Industry.objects.filter(is_active=True))
    seats = cast_plan()
    existing = {
        u.username: u for u in User.objects.filter(username__in=[s.username for s in seats])
    }
    password_hash = make_password(DEMO_PASSWORD) if len(existing) < len(seats) else ""
    used_names: set[str] = set()
    cast = Cast(users={}, teams=teams, teams_created=teams_created)
    for seat in seats:
        display_name = _unique(rng, names.person_name, used_names)
        specialty_industries = _pick_industries(rng, seat, industries)
        user = existing.get(seat.username)
        if user is None:
            team = None if seat.team is None else teams[seat.team]
            user = _new_user(seat, team, display_name, password_hash)
            user.specialty_industries.set(specialty_industries)
            cast.users_created += 1
        cast.users[seat.username] = user
    _appoint_managers(cast)
    return cast


def _appoint_managers(cast: Cast) -> None:
    """Make managerN the manager of team N unless the team already has one."""
    for t, team in enumerate(cast.teams):
        manager = cast.users.get(f"manager{t + 1}")
        if team.manager_id is None and manager is not None:
            team.manager = manager
            team.save(update_fields=["manager"])


def _unique(rng: random.Random, make, used: set[str]) -> str:
    """Call make(rng) until it yields a value not in `used` (then remember it)."""
    for _attempt in range(50):
        value = make(rng)
        if value not in used:
            used.add(value)
            return value
    raise RuntimeError("demo data generator ran out of unique values")


def logins(cast: Cast) -> list[dict[str, str]]:
    """The demo logins in seat order: username, role label and team name."""
    rows = []
    for seat in cast_plan():
        user = User.objects.select_related("team").get(pk=cast.users[seat.username].pk)
        rows.append(
            {
                "username": user.username,
                "name": user.display_name,
                "role": str(user.get_role_display()),
                "team": user.team.name if user.team else "",
            }
        )
    return rows


# lead generation --------------------------------------------------------------------------

INDUSTRY_WEIGHTS = {
    "制造业": 22, "零售业": 12, "服务业": 12, "软件与信息技术": 14, "金融": 7,
    "医疗健康": 8, "教育": 7, "物流": 8, "建筑与地产": 6, "其他": 4,
}  # fmt: skip
REGION_WEIGHTS = {"华东": 30, "华南": 24, "华北": 20, "华中": 10, "西南": 8, "西北": 4, "东北": 4}
SOURCE_WEIGHTS = {
    "trade_show": 15, "website": 25, "partner": 12, "social": 18,
    "customer_referral": 12, "cold_visit": 10, "other": 8,
}  # fmt: skip
MARKETING_SOURCES = {"trade_show", "website", "social"}
MARKETING_SHARE = 0.18  # of leads from those sources: about 10% of all leads
NEED_WEIGHTS = [
    (NeedLevel.EXPLICIT, 28),
    (NeedLevel.INITIAL, 37),
    (NeedLevel.AWARE, 25),
    (NeedLevel.UNKNOWN, 10),
]
#: Budget fit and decision cycle follow how explicit the need is.
BUDGET_GIVEN_NEED = {
    NeedLevel.EXPLICIT: (60, 22, 5, 13),
    NeedLevel.INITIAL: (30, 30, 15, 25),
    NeedLevel.AWARE: (10, 20, 30, 40),
    NeedLevel.UNKNOWN: (5, 10, 20, 65),
}
CYCLE_GIVEN_NEED = {
    NeedLevel.EXPLICIT: (50, 32, 10, 8),
    NeedLevel.INITIAL: (15, 45, 28, 12),
    NeedLevel.AWARE: (3, 17, 50, 30),
    NeedLevel.UNKNOWN: (2, 8, 30, 60),
}
CUSTOMER_TYPE_BY_SOURCE = {
    "website": ((CustomerType.INBOUND, 55), (CustomerType.TRIAL, 30), (CustomerType.ORDINARY, 15)),
    "social": ((CustomerType.INBOUND, 40), (CustomerType.ORDINARY, 60)),
    "partner": ((CustomerType.REFERRAL, 75), (CustomerType.ORDINARY, 25)),
    "customer_referral": ((CustomerType.REFERRAL, 85), (CustomerType.ORDINARY, 15)),
}
OTHER_CUSTOMER_TYPES = ((CustomerType.ORDINARY, 85), (CustomerType.INBOUND, 15))
#: Days until the expected purchase, per decision cycle.
PURCHASE_DAYS = {
    DecisionCycle.WITHIN_1M: (10, 30),
    DecisionCycle.M1_3: (30, 90),
    DecisionCycle.OVER_3M: (90, 240),
}
EMPLOYEE_BANDS = [((10, 49), 30), ((50, 199), 35), ((200, 999), 22), ((1000, 5000), 13)]
BUDGET_LADDER = [3, 5, 8, 10, 15, 20, 30, 50, 80, 100, 150, 200, 300]
SCORE_WEIGHTS = {
    NeedLevel.EXPLICIT: (5, 10, 25, 35, 25),
    NeedLevel.INITIAL: (10, 20, 35, 25, 10),
}
LOW_SCORE_WEIGHTS = (25, 30, 30, 10, 5)
HOUR_WEIGHTS = [2, 8, 10, 9, 5, 8, 10, 9, 7, 4, 2, 1]  # 8:00 … 19:00, lunch is quiet
NO_CONTACT_SHARE = 0.05
NEEDS_SHEET_SHARE = 0.3


@dataclass(frozen=True)
class Reference:
    """The reference rows leads are spread over."""

    sources: list[SourceChannel]
    industries: list[Industry]
    regions: list[Region]

    @classmethod
    def load(cls) -> "Reference":
        return cls(
            sources=list(SourceChannel.objects.filter(is_active=True)),
            industries=list(Industry.objects.filter(is_active=True)),
            regions=list(Region.objects.filter(is_active=True)),
        )


@dataclass(frozen=True)
class Staff:
    """Who owns leads: sellers per team, assistants per team, and marketing."""

    reps: list[list[User]]
    assistants: list[User | None]
    marketing: list[User]
    specialties: dict[int, set[int]]

    @classmethod
    def of(cls, cast: Cast) -> "Staff":
        plan = cast_plan()
        per_team = [
            [cast.users[s.username] for s in plan if s.team == t] for t in range(len(TEAMS))
        ]
        rep_roles = (Role.SENIOR_REP, Role.JUNIOR_REP)
        return cls(
            reps=[[u for u in team if u.role in rep_roles] for team in per_team],
            assistants=[next((u for u in t if u.role == Role.ASSISTANT), None) for t in per_team],
            marketing=[cast.users[s.username] for s in plan if s.role == Role.MARKETING],
            specialties=_specialties([u for team in per_team for u in team]),
        )


def _specialties(users: list[User]) -> dict[int, set[int]]:
    """Specialty industry ids per user id."""
    through = User.specialty_industries.through.objects.filter(user__in=users)
    result: dict[int, set[int]] = {u.pk: set() for u in users}
    for user_id, industry_id in through.values_list("user_id", "industry_id"):
        result[user_id].add(industry_id)
    return result


@dataclass
class LeadSpec:
    """Everything needed to register one demo lead."""

    ref: str
    captured_at: datetime
    actor: User
    owner: User | None
    values: dict[str, Any]
    needs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Used:
    """Values already handed out, so that no two demo leads collide by accident."""

    companies: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)


def capture_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` office-hour moments over the past 365 days, more recent ones denser, sorted."""
    today = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()
    times = []
    for _i in range(count):
        day = today - timedelta(days=1 + int(364 * rng.random() ** 1.3))
        if day.weekday() >= 5 and rng.random() < 0.8:
            day -= timedelta(days=day.weekday() - 4)  # moved to the Friday before
        hour = rng.choices(range(8, 20), weights=HOUR_WEIGHTS)[0]
        moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=tz)
        times.append(moment)
    return sorted(times)


def _pick(rng: random.Random, index: int, pool: list, weights: dict[str, int], key) -> Any:
    """The first leads walk through `pool` so that every entry is used; then by weight."""
    if index < len(pool):
        return pool[index]
    return rng.choices(pool, weights=[weights.get(key(item), 5) for item in pool])[0]


def _size(rng: random.Random) -> dict[str, Any]:
    """Employees, annual revenue (万元, sometimes unknown) and purchasing power."""
    low, high = names.weighted(rng, EMPLOYEE_BANDS)
    employees = rng.randint(low, high)
    if employees >= 100:
        employees = round(employees, -1)
    revenue = None
    if rng.random() < 0.85:
        revenue = Decimal(round(employees * rng.uniform(15, 120)))
    power = (PurchasingPower.HIGH, PurchasingPower.MEDIUM, PurchasingPower.LOW)
    tilt = min(employees / 1000, 1)
    weights = (10 + 60 * tilt, 50, 40 - 35 * tilt)
    return {
        "employees": employees,
        "annual_revenue": revenue,
        "purchasing_power": rng.choices(power, weights=weights)[0],
    }


def _intent(rng: random.Random, source_code: str) -> dict[str, Any]:
    """Need level, budget fit, decision cycle and customer type, drawn together."""
    need = names.weighted(rng, NEED_WEIGHTS)
    budget = rng.choices(BudgetFit.values, weights=BUDGET_GIVEN_NEED[need])[0]
    cycle = rng.choices(
        [DecisionCycle.WITHIN_1M, DecisionCycle.M1_3, DecisionCycle.OVER_3M, DecisionCycle.UNKNOWN],
        weights=CYCLE_GIVEN_NEED[need],
    )[0]
    types = CUSTOMER_TYPE_BY_SOURCE.get(source_code, OTHER_CUSTOMER_TYPES)
    return {
        "need_level": need,
        "budget_fit": budget,
        "decision_cycle": cycle,
        "customer_type": names.weighted(rng, list(types)),
    }


def _budget(rng: random.Random, employees: int, budget_fit: str) -> dict[str, Any]:
    """A budget range in 万元 on a ladder of round figures, scaled by company size."""
    if budget_fit == BudgetFit.NONE or (budget_fit == BudgetFit.UNKNOWN and rng.random() < 0.6):
        return {"budget_min": None, "budget_max": None}
    base = 0 if employees < 50 else 2 if employees < 200 else 4 if employees < 1000 else 7
    low = min(base + rng.randint(0, 3), len(BUDGET_LADDER) - 2)
    high = min(low + rng.randint(1, 2), len(BUDGET_LADDER) - 1)
    return {
        "budget_min": Decimal(BUDGET_LADDER[low]),
        "budget_max": Decimal(BUDGET_LADDER[high]),
    }


def _expected_purchase(rng: random.Random, when: datetime, cycle: str) -> Any:
    """The expected purchase date that goes with the decision cycle (None when unknown)."""
    if cycle not in PURCHASE_DAYS:
        return None
    low, high = PURCHASE_DAYS[cycle]
    return timezone.localtime(when).date() + timedelta(days=rng.randint(low, high))


def _phone(rng: random.Random, city: str, used: set[str]) -> str:
    """A valid, not yet used number: mostly mobiles, now and then a switchboard."""
    from loudou.compliance.phones import normalise_phone

    for _attempt in range(50):
        raw = names.landline_number(rng, city) if rng.random() < 0.08 else None
        raw = raw or names.mobile_number(rng)
        e164 = normalise_phone(raw, "CN")
        if e164 and e164 not in used:
            used.add(e164)
            return raw
    raise RuntimeError("demo data generator ran out of phone numbers")


def _email(rng: random.Random, person: str, city: str, brand: str, used: set[str]) -> str:
    """A work address on the company's domain, or a personal one on a big mail host."""
    family, given = names.name_pinyin(person)
    if rng.random() < 0.6:
        city_py = "".join(word[0] for word in names.lazy_pinyin(city))
        domain = f"{city_py}{''.join(names.lazy_pinyin(brand))}.{rng.choice(['com', 'com.cn'])}"
        local = rng.choice([f"{given}.{family}", f"{family}{given}", f"{given[:1]}{family}"])
    else:
        domain = rng.choice(names.EMAIL_HOSTS)
        local = f"{family}{given}{rng.randrange(10, 1000)}"
    if domain == "qq.com":
        local = str(rng.randrange(10**7, 10**10))
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rng.randrange(10)}@{domain}"
        local = email.split("@")[0]
    used.add(email)
    return email


def _wechat(rng: random.Random, person: str, phone: str) -> str:
    """A WeChat ID: the mobile number itself, or pinyin and digits."""
    if phone and phone.startswith("1") and rng.random() < 0.4:
        return phone
    family, given = names.name_pinyin(person)
    wechat = rng.choice([f"{family}{given}", f"{given}_{family}", f"wx_{family}{given}"])
    return f"{wechat}{rng.randrange(10, 10000)}"[:20]


def _contact(rng: random.Random, city: str, brand: str, used: Used) -> dict[str, Any]:
    """Contact person, title and contact methods; about 5% have no contact method at all."""
    person = names.person_name(rng)
    values = {"contact_name": person, "contact_title": names.weighted(rng, names.TITLES)}
    values.update(phone="", email="", wechat="")
    if rng.random() < NO_CONTACT_SHARE:
        return values
    has_email, has_wechat = rng.random() < 0.45, rng.random() < 0.4
    if rng.random() < 0.88 or not (has_email or has_wechat):
        values["phone"] = _phone(rng, city, used.phones)
    if has_email:
        values["email"] = _email(rng, person, city, brand, used.emails)
    if has_wechat:
        values["wechat"] = _wechat(rng, person, values["phone"])
    return values


def _texts(rng: random.Random, industry: str, source_code: str, need: str) -> dict[str, str]:
    """Need description, pain point and notes in the rep's words."""
    vague = need in (NeedLevel.AWARE, NeedLevel.UNKNOWN)
    needs = names.NEEDS.get(industry, names.NEEDS["其他"]) + names.GENERIC_NEEDS
    pains = names.PAIN_POINTS.get(industry, names.PAIN_POINTS["其他"]) + names.GENERIC_PAIN_POINTS
    description = "；".join(rng.sample(needs, rng.choice([1, 1, 2])))
    pain = rng.choice(pains)
    notes = rng.choice(names.CHANNEL_NOTES.get(source_code, names.CHANNEL_NOTES["other"]))
    return {
        "need_description": "" if vague and rng.random() < 0.4 else description,
        "pain_point": "" if vague and rng.random() < 0.6 else pain,
        "notes": notes if rng.random() < 0.6 else "",
    }


def _needs_sheet(rng: random.Random, need: str, valid: bool) -> list[dict[str, Any]]:
    """3-5 core needs scored 1-5 for about 30% of valid leads; clearer needs score higher."""
    if not valid or rng.random() >= NEEDS_SHEET_SHARE:
        return []
    weights = SCORE_WEIGHTS.get(need, LOW_SCORE_WEIGHTS)
    chosen = rng.sample(names.CORE_NEEDS, rng.randint(3, 5))
    return [
        {"need": text, "score": rng.choices(range(1, 6), weights=weights)[0]} for text in chosen
    ]


def _team_of(region: Region, regions: list[Region]) -> int:
    """The team covering `region` (by name), or one by position for unknown regions."""
    for t, (_name, _home, covered) in enumerate(TEAMS):
        if region.name in covered:
            return t
    return regions.index(region) % len(TEAMS)


def _owner(rng: random.Random, staff: Staff, team: int, industry: Industry, values: dict) -> Any:
    """(actor, owner): marketing's own captures, an assistant for vague needs, else a rep.

    Seniors get more leads than juniors, and reps get more in their specialty industries.
    """
    roll = rng.random()
    if values["source"].code in MARKETING_SOURCES and roll < MARKETING_SHARE and staff.marketing:
        return rng.choice(staff.marketing), None
    assistant = staff.assistants[team]
    vague = values["need_level"] in (NeedLevel.AWARE, NeedLevel.UNKNOWN)
    if vague and roll > 0.85 and assistant is not None:
        return assistant, assistant
    reps = staff.reps[team]
    weights = [
        (3 if rep.role == Role.SENIOR_REP else 2)
        * (2 if industry.pk in staff.specialties.get(rep.pk, ()) else 1)
        for rep in reps
    ]
    rep = rng.choices(reps, weights=weights)[0]
    return rep, rep


def lead_spec(
    rng: random.Random, index: int, when: datetime, ref: Reference, staff: Staff, used: Used
) -> LeadSpec:
    """The `index`-th demo lead (0-based), captured at `when`."""
    source = _pick(rng, index, ref.sources, SOURCE_WEIGHTS, lambda s: s.code)
    industry = _pick(rng, index, ref.industries, INDUSTRY_WEIGHTS, lambda i: i.name)
    region = _pick(rng, index, ref.regions, REGION_WEIGHTS, lambda r: r.name)
    company = _unique_company(rng, region.name, industry.name, used.companies)
    values = {"company_name": company[0], "source": source, "industry": industry}
    values |= {"region": region} | _size(rng) | _intent(rng, source.code)
    values |= _budget(rng, values["employees"], values["budget_fit"])
    values["expected_purchase_date"] = _expected_purchase(rng, when, values["decision_cycle"])
    values |= _contact(rng, company[1], company[2], used)
    values |= _texts(rng, industry.name, source.code, values["need_level"])
    actor, owner = _owner(rng, staff, _team_of(region, ref.regions), industry, values)
    valid = bool(values["phone"] or values["email"] or values["wechat"])
    return LeadSpec(
        ref=f"{REF_PREFIX}{index + 1:05d}",
        captured_at=when,
        actor=actor,
        owner=owner,
        values=values,
        needs=_needs_sheet(rng, values["need_level"], valid),
    )


def _unique_company(
    rng: random.Random, region: str, industry: str, used: set[str]
) -> tuple[str, str, str]:
    """A company name (with its city and brand) not yet given to another demo lead."""
    for _attempt in range(50):
        company = names.company_name(rng, region, industry)
        if company[0] not in used:
            used.add(company[0])
            return company
    raise RuntimeError("demo data generator ran out of company names")


def lead_specs(rng: random.Random, count: int, cast: Cast, now: datetime) -> list[LeadSpec]:
    """All `count` demo leads, oldest first; the same seed always gives the same leads."""
    ref, staff, used = Reference.load(), Staff.of(cast), Used()
    times = capture_times(rng, count, now)
    return [lead_spec(rng, i, when, ref, staff, used) for i, when in enumerate(times)]


# the 公海 ------------------------------------------------------------------------------------

#: The demo's one pool. Abandoned leads stay with their reps (so each team's analytics keep
#: their lost reasons); neglected ones come back after 30 days (45 for A-grade leads).
DEMO_POOL = {
    "name": "公共公海",
    "order": 0,
    "is_active": True,
    "max_claims_per_day": 5,
    "max_holding": None,
    "protection_days": 30,
    "protection_days_by_grade": {"A": 45},
    "recycle_lost": False,
    "cooldown_days": 7,
    "previous_owner_cooldown_days": 30,
}


def ensure_pool(*, actor: User) -> Pool:
    """The demo pool, created through `save_pool` when missing (an existing one, however
    edited since, is left alone)."""
    from loudou.assignment.services.configuration import save_pool

    pool = Pool.objects.filter(name=DEMO_POOL["name"]).first()
    return pool or save_pool(actor=actor, pool=None, values=dict(DEMO_POOL))


# registration -----------------------------------------------------------------------------


def _register(spec: LeadSpec) -> Lead:
    """Register one demo lead and, for some, assess its needs."""
    lead = register_lead(
        actor=spec.actor,
        values=spec.values,
        owner=spec.owner,
        captured_at=spec.captured_at,
        external_ref=spec.ref,
        via="system",
    )
    if spec.needs:
        assess_needs(lead=lead, actor=spec.owner or spec.actor, needs=spec.needs)
    return lead


def _backdate(leads: list[Lead]) -> None:
    """Date the leads, their customers and contacts to the capture time, in bulk."""
    rows: dict[type, list] = {Lead: [], Customer: [], Contact: []}
    for lead in leads:
        when = lead.captured_at
        assigned = when if lead.owner_id else None
        lead.created_at, lead.updated_at, lead.assigned_at = when, when, assigned
        rows[Lead].append(Lead(pk=lead.pk, created_at=when, updated_at=when, assigned_at=assigned))
        rows[Customer].append(Customer(pk=lead.customer_id, created_at=when, updated_at=when))
        if lead.contact_id:
            rows[Contact].append(Contact(pk=lead.contact_id, created_at=when, updated_at=when))
    for model, objs in rows.items():
        fields = ["created_at", "updated_at", *(["assigned_at"] if model is Lead else [])]
        model.objects.bulk_update(objs, fields, batch_size=250)


@dataclass
class Life:
    """What a run needs to bring its new leads to life, and what it wrote."""

    seed: int
    now: datetime
    pool: Pool
    funnels: dict[int, Funnel] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    pooled: int = 0

    def funnel(self, lead: Lead) -> Funnel | None:
        if lead.pipeline_id is None:
            return None
        if lead.pipeline_id not in self.funnels:
            self.funnels[lead.pipeline_id] = Funnel.of(list(lead.pipeline.stages.all()))
        return self.funnels[lead.pipeline_id]

    def bring(self, lead: Lead) -> None:
        """The lead's story, or marketing's hand-over to the pool, from its own generator."""
        rng = random.Random(f"{self.seed}:life:{lead.external_ref}")
        funnel = self.funnel(lead)
        if funnel is not None:
            live(lead=lead, rng=rng, funnel=funnel, now=self.now, tally=self.tally)
        self.pooled += hand_to_pool(lead=lead, rng=rng, pool=self.pool, now=self.now)


def register_missing(specs: list[LeadSpec], life: Life, stdout: TextIO | None = None) -> int:
    """Register the specs whose external reference is not in the database yet, and bring
    each to life in the same transaction: a lead exists with its whole story or not at
    all, so a second run (which registers nothing) adds nothing."""
    existing = set(
        Lead.objects.filter(external_ref__startswith=REF_PREFIX).values_list(
            "external_ref", flat=True
        )
    )
    missing = [spec for spec in specs if spec.ref not in existing]
    for start in range(0, len(missing), PROGRESS_EVERY):
        with transaction.atomic():
            leads = [_register(spec) for spec in missing[start : start + PROGRESS_EVERY]]
            _backdate(leads)
            refresh_statistics()  # the planner's figures for the leads' lives that follow
            for lead in leads:
                life.bring(lead)
        done = min(start + PROGRESS_EVERY, len(missing))
        _say(stdout, f"  线索、漏斗与跟进 leads, funnel and follow-ups: {done}/{len(missing)}")
    return len(missing)


def catch_up(*, now: datetime, stdout: TextIO | None) -> None:
    """What the worker would have done by now: recycle neglected leads to the 公海, ring
    the due reminders, open the exceptions and write last week's health reports. Each is
    idempotent, so a second run adds nothing."""
    from loudou.activities.services import process_due_reminders
    from loudou.assignment.services import recycle
    from loudou.health.services.exceptions import sweep
    from loudou.health.services.reports import generate_weekly_reports

    recycled = recycle(now)
    _say(stdout, f"  公海 pool: {recycled} neglected leads recycled")
    reminders = process_due_reminders(now)
    _say(stdout, f"  提醒 reminders: {reminders} new")
    swept = sweep(now=now)
    reports = generate_weekly_reports(now)
    _say(stdout, f"  意外状态 exceptions: {swept.opened} new; 健康度报告 reports: {reports} new")


def _say(stdout: TextIO | None, line: str) -> None:
    if stdout is not None:
        stdout.write(line + "\n")


def load_demo(
    *, seed: int = 2026, leads: int = DEFAULT_LEADS, stdout: TextIO | None = None
) -> dict[str, Any]:
    """Load the demo company; safe to run again (only what is missing is created).

    Returns counts of what was created, the demo password and the logins table.
    """
    now = timezone.now()
    cast = build_cast(random.Random(f"{seed}:people"))
    _say(stdout, f"  人员 users: {cast.users_created} new, 团队 teams: {cast.teams_created} new")
    pool = ensure_pool(actor=cast.users["director"])
    specs = lead_specs(random.Random(f"{seed}:leads"), leads, cast, now)
    life = Life(seed=seed, now=now, pool=pool)
    created = register_missing(specs, life, stdout)
    catch_up(now=now, stdout=stdout)
    planned = load_demo_targets(now=now)
    said = "  目标 targets: {targets} new, 策略 plans: {plans} new, 改进措施 actions: {actions} new"
    _say(stdout, said.format(**planned))
    teamwork = load_demo_teamwork(users=cast.users, teams=cast.teams, now=now)
    _say(stdout, "  协作 teamwork: {tasks} tasks, {actions} actions new".format(**teamwork))
    commerce = load_demo_commerce(users=cast.users, now=now)
    _say(stdout, "  合同 commerce: {contracts} contracts, {orders} orders new".format(**commerce))
    service = load_demo_service(users=cast.users, now=now)  # after the orders: tiers need them
    _say(stdout, "  服务 service: {tickets} tickets, {logged} actions logged new".format(**service))
    return {
        "stage_moves": life.tally.moves,
        "follow_ups": life.tally.follow_ups,
        "users_created": cast.users_created,
        "teams_created": cast.teams_created,
        "leads_created": created,
        "leads_total": Lead.objects.filter(external_ref__startswith=REF_PREFIX).count(),
        "pool": pool.name,
        "pooled": PoolEntry.objects.filter(pool=pool, lead__owner=None).count(),
        "password": DEMO_PASSWORD,
        "logins": logins(cast),
    }
