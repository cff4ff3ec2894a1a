"""The lists, the Kanban and search of a rep, a manager and the director (issue 14), as
pages rendered through Django's test client: target p95 ≤ 50 ms at 1M leads.

The generator writes no customers; `ensure_customers()` adds CUSTOMERS of them (owned
like the leads, bulk inserted, not timed) the first time the cases are built.
"""

LIST_BUDGET_MS = 50.0
CUSTOMERS = 100_000


def list_people():
    from loudou.org.models import User

    bench = User.objects.filter(username__startswith="bench-t").order_by("username")
    rep = bench.filter(role__in=["senior_rep", "junior_rep"])[0]
    manager = bench.filter(role="manager")[0]
    return {
        "rep": rep,
        "manager": manager,
        "director": User.objects.get(username="bench-director"),
    }


def ensure_customers(count: int = CUSTOMERS) -> None:
    """Bulk insert customers named after leads, owned by their leads' owners."""
    from django.db import OperationalError

    from loudou.customers.models import Customer

    have = Customer.objects.count()
    if have >= count:
        return
    try:
        _insert_customers(have, count)
    except OperationalError as error:  # SQLite busy with another writer: time what is there
        print(f"customers not added: {error}")  # noqa: T201


def _insert_customers(have: int, count: int) -> None:
    from loudou.customers.models import Customer
    from loudou.leads.models import Lead

    rows = Lead.objects.filter(owner__isnull=False).order_by("id")
    rows = rows.values_list("company_name", "owner_id", "region_id", "captured_by_id")
    batch = []
    for name, owner, region, capturer in rows[have:count].iterator(chunk_size=5000):
        batch.append(Customer(name=name, owner_id=owner, region_id=region, captured_by_id=capturer))
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)


def _search_terms(rep) -> dict[str, str]:
    """Searches for the rep's newest lead: four characters of its company name, two (too
    short for a trigram index), its pinyin initials' middle four letters, its whole phone
    and the phone's last 4 digits; and the contact name (3 characters) of the rep's newest
    lead that has one."""
    from django.db.models.functions import Length

    from loudou.leads.models import Lead

    mine = Lead.objects.filter(owner=rep).order_by("-captured_at")
    lead = mine.first()
    contact = mine.annotate(n=Length("contact_name")).filter(n=3).first()
    return {
        "company": lead.company_name[2:6],
        "company 2 chars": lead.company_name[2:4],
        "contact": contact.contact_name,
        "pinyin": lead.search_key.split()[0][2:6],
        "phone": lead.phone,
        "phone4": lead.phone[-4:],
    }


def query_cases(people: dict, terms: dict[str, str]) -> list:
    """The same reads without the page around them (view, form widgets, template): the
    part that grows with the number of leads."""
    from bench.run import Case
    from loudou.core.paging import capped_count
    from loudou.customers.selectors import listed_customers
    from loudou.leads.filters import LeadFilterForm, keyset_page, paging_owners
    from loudou.leads.selectors import visible_leads
    from loudou.pipeline.selectors import board_columns, board_pipeline

    def lead_list(user, params):
        def run():
            form = LeadFilterForm(params, user=user)
            leads = form.filter(visible_leads(user)) if form.is_valid() else visible_leads(user)
            owners = paging_owners(form, user)
            rows = keyset_page(leads, sort=form.sort_key(), cursor=None, size=50, owners=owners)
            return rows, capped_count(leads)

        return run

    def customers(user):
        return lambda: (list(listed_customers(user)[:51]), capped_count(listed_customers(user)))

    pipeline = board_pipeline(None)
    cases = []
    for role, user in people.items():
        cases += [
            Case(
                f"q kanban.{role}",
                lambda user=user: board_columns(user, pipeline, {}),
                LIST_BUDGET_MS,
            ),
            Case(f"q leads.{role}", lead_list(user, {}), LIST_BUDGET_MS),
            Case(
                f"q leads status=in_progress.{role}",
                lead_list(user, {"status": "in_progress"}),
                LIST_BUDGET_MS,
            ),
            *[
                Case(f"q search {term}.{role}", lead_list(user, {"q": text}), LIST_BUDGET_MS)
                for term, text in terms.items()
            ],
            Case(f"q customers.{role}", customers(user), LIST_BUDGET_MS),
        ]
    return cases


def list_cases() -> list:
    from django.conf import settings
    from django.test import Client

    from bench.run import Case

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    ensure_customers()
    people = list_people()
    terms = _search_terms(people["rep"])
    urls = [
        ("kanban", "/pipeline/board/"),
        ("leads", "/leads/"),
        ("leads status=in_progress", "/leads/?status=in_progress"),
        ("leads grade=A sort=company_name", "/leads/?intent_grade=A&sort=company_name"),
        ("leads sort=-updated_at", "/leads/?sort=-updated_at"),
        ("search company", f"/leads/?q={terms['company']}"),
        ("search phone last 4", f"/leads/?q={terms['phone4']}"),
        ("customers", "/customers/"),
    ]
    cases = []
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        for label, url in urls:

            def get(url=url, client=client):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} -> {response.status_code}")
                return response

            cases.append(Case(f"page {label}.{role}", get, LIST_BUDGET_MS, url))
    return query_cases(people, terms) + cases
