"""Text search through the trigram index (ADR 0021): the same rows as the plain rule, on
whichever database the suite runs, and an index that follows every kind of write."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from loudou.compliance.phones import normalise_phone
from loudou.leads import search
from loudou.leads.models import Lead
from loudou.leads.search import pinyin_key
from loudou.leads.selectors import phone_digits, search_leads, visible_leads

CITIES = ["杭州", "广州", "北京", "上海", "哈尔滨", "绵阳"]
WORDS = ["数智", "顺达", "恒远", "同创", "海纳", "科技", "物流", "生物", "建设", "超市"]
SUFFIXES = ["有限公司", "股份有限公司", "集团", ""]
LATIN = ["Acme", "acme", "ACME", "Café", "CAFÉ", "café", "Ωmega", "ωmega", "Hangzhou", "Ltd."]
ODD = ["100%", "a_b", 'say "hi"', "O'Neil", "  ", "-", "数智 科技"]
SURNAMES = ["王", "李", "张", "曹", "欧阳"]
GIVEN = ["伟", "娜", "强", "文华", "春娟"]
ENGLISH = ["John Smith", "JOHN SMITH", "Émile Zola", "émile zola", "Li Na"]


def _company(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return rng.choice(CITIES) + "".join(rng.sample(WORDS, 2)) + rng.choice(SUFFIXES)
    if kind < 0.75:
        return " ".join(rng.sample(LATIN, 2))
    if kind < 0.9:  # mixed
        return rng.choice(LATIN) + rng.choice(WORDS) + rng.choice(SUFFIXES)
    return rng.choice(ODD) + rng.choice(WORDS)


def _contact(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)
    return rng.choice(ENGLISH) if kind < 0.9 else ""


def _phone(rng: random.Random) -> str:
    digits = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return rng.choice([f"+86{digits}", f"+86{digits}", digits, ""])


def _lead(rng: random.Random, n: int, owners: list, capturers: list) -> Lead:
    company, contact = _company(rng), _contact(rng)
    return Lead(
        number=f"LX2026{n:06d}",
        company_name=company,
        contact_name=contact,
        search_key=pinyin_key(company, contact),  # save() derives it; bulk_create does not
        phone=_phone(rng),
        owner=rng.choice(owners),
        captured_by=rng.choice(capturers),
        captured_at=timezone.now() - timedelta(minutes=n),
    )


def _random_leads(rng: random.Random, cast: dict, n: int) -> list[Lead]:
    owners = [cast["rep"], cast["teammate"], cast["other_team_rep"], None]
    capturers = [cast["rep"], cast["marketing"], cast["manager"]]
    leads = [_lead(rng, i, owners, capturers) for i in range(n)]
    for lead in leads[: n // 3]:
        lead.save()  # INSERT through save(); the rest in one bulk_create
    Lead.objects.bulk_create(leads[n // 3 :])
    return leads


def _queries(rng: random.Random, leads: list[Lead]) -> list[str]:
    """Fragments of the leads' texts (any length, case changed), pinyin, phone tails and
    whole phones written differently, numbers, and text that means something to LIKE or
    to an FTS5 query."""
    queries = ["科技", "有限公司", "acme", "ACME", "café", "CAFÉ", "ωMEGA", "%", "_", "a_b", '"']
    queries += ["100%", "O'Neil", "a b", "li na", "zhang", "hz", "kjyx", "数智 科技", "-"]
    for lead in rng.sample(leads, 40):
        for text in (lead.company_name, lead.contact_name, lead.search_key):
            if text:
                start = rng.randrange(len(text))
                fragment = text[start : start + rng.randint(1, 8)]
                queries += [fragment, fragment.swapcase()]
        if lead.phone:
            national = lead.phone.removeprefix("+86")
            queries += [national[-4:], national, f"{national[:3]} {national[3:7]} {national[7:]}"]
            queries.append(national[2:9])  # 7 digits inside the number
        queries += [lead.number, lead.number.lower()]
    return queries


def _fold(text: str) -> str:
    """What icontains compares: SQLite's LIKE folds ASCII letters only; PostgreSQL's
    UPPER() every letter that has a one-letter upper case."""
    if connection.vendor == "postgresql":
        return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)
    return "".join(c.upper() if c.isascii() else c for c in text)


def _matches(lead: Lead, text: str, viewer) -> bool:
    """search_leads' rule, in Python."""
    text = text.strip()[:100]
    if not text:
        return True
    if lead.number == text.upper():
        return True
    if _fold(text) in _fold(lead.company_name) or _fold(text) in _fold(lead.contact_name):
        return True
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 4 and len(text) <= 5:
        if lead.phone.endswith(digits):
            return True
    elif phone_digits(text):
        hit = lead.phone == (normalise_phone(text) or text) or digits in lead.phone
        shown = viewer.may_reveal_contacts or lead.owner_id == viewer.pk
        shown = shown or (lead.owner_id is None and lead.captured_by_id == viewer.pk)
        if hit and shown:
            return True
    if text.isascii() and text.replace(" ", "").isalpha():
        return text.lower().replace(" ", "") in lead.search_key
    return False


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("cap", [search.CANDIDATE_CAP, 1])  # 1: every term "common"
def test_indexed_search_finds_exactly_the_leads_the_rule_finds(cast, monkeypatch, seed, cap):
    if cap == 1 and connection.vendor != "sqlite":
        pytest.skip("the cap is SQLite's")
    # given 150 random leads: Chinese, English, mixed, accented and odd names
    rng = random.Random(seed)
    leads = _random_leads(rng, cast, 150)
    monkeypatch.setattr(search, "CANDIDATE_CAP", cap)
    stored = list(Lead.objects.all())
    for role in ["rep", "manager", "director", "other_team_rep"]:
        viewer = cast[role]
        ids = set(visible_leads(viewer).values_list("id", flat=True))
        visible = [lead for lead in stored if lead.pk in ids]
        for text in _queries(rng, leads):
            # when
            found = set(_found(text, viewer))
            # then
            expected = {lead.pk for lead in visible if _matches(lead, text, viewer)}
            assert found == expected, (role, text)


def _found(text: str, viewer) -> list[int]:
    return sorted(search_leads(visible_leads(viewer), text, viewer).values_list("id", flat=True))


def _index_agrees_with_the_table() -> None:
    """SQLite: FTS5 compares every row of leads_lead with its index entries (an error if
    any differs). PostgreSQL's GIN indexes are maintained by the database itself."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            check = "INSERT INTO leads_lead_search(leads_lead_search, rank) VALUES (%s, 1)"
            cursor.execute(check, ["integrity-check"])


def test_the_index_follows_create_update_bulk_create_queryset_update_and_delete(director):
    # given a lead saved, then renamed
    now = timezone.now()
    lead = Lead.objects.create(
        number="LX2026000001", company_name="海纳咨询有限公司", captured_at=now
    )
    lead.company_name = "同创生物有限公司"
    lead.save()
    # then the new name is found, the old one no longer
    assert _found("同创生物", director) == [lead.pk]
    assert _found("海纳咨询", director) == []
    _index_agrees_with_the_table()

    # when two leads come through bulk_create
    bulk = Lead.objects.bulk_create(
        [
            Lead(number=f"LX202600001{i}", company_name=f"恒远建设{i}号", captured_at=now)
            for i in range(2)
        ]
    )
    # then
    assert _found("恒远建设", director) == sorted(b.pk for b in bulk)
    _index_agrees_with_the_table()

    # when a queryset update renames them and sets a phone
    Lead.objects.filter(pk__in=[b.pk for b in bulk]).update(
        company_name="顺达物流", contact_name="曹文华", phone="+8613042954077"
    )
    # then
    assert _found("恒远建设", director) == []
    assert _found("顺达物流", director) == sorted(b.pk for b in bulk)
    assert _found("曹文华", director) == sorted(b.pk for b in bulk)
    assert _found("13042954077", director) == sorted(b.pk for b in bulk)
    _index_agrees_with_the_table()

    # when one is deleted as an instance, the other through a queryset
    bulk[0].delete()
    Lead.objects.filter(pk=bulk[1].pk).delete()
    # then
    assert _found("顺达物流", director) == []
    assert _found("同创生物", director) == [lead.pk]
    _index_agrees_with_the_table()


def test_a_search_reads_the_trigram_index(director):
    # given
    now = timezone.now()
    Lead.objects.create(number="LX2026000001", company_name="海纳咨询有限公司", captured_at=now)
    leads = search_leads(visible_leads(director), "海纳咨询", director).order_by()
    sql, params = leads.query.sql_with_params()
    # when
    if connection.vendor == "sqlite":
        # then: the FTS5 table narrows the rows
        assert "leads_lead_search" in sql
        return
    with connection.cursor() as cursor:
        # a handful of rows would be read whole: leave only the bitmap scans
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then: number, company and contact each from an index
    assert "BitmapOr" in plan, plan
    assert "lead_search_company" in plan, plan
    assert "lead_search_contact" in plan, plan


def test_a_term_shorter_than_a_trigram_scans_instead(director):
    # given
    leads = search_leads(visible_leads(director), "海纳", director)
    # then
    assert "leads_lead_search" not in str(leads.query)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
@pytest.mark.django_db
def test_the_sqlite_index_triggers_exist_after_every_migration():
    # a later migration that remakes leads_lead on SQLite (AlterField and the like) drops
    # these triggers with the old table: it must create them again (ADR 0021)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'leads_lead'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "leads_lead_search_insert",
        "leads_lead_search_update",
        "leads_lead_search_delete",
    } <= names
