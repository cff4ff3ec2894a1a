"""Quote totals (Decimal, rounded to the fen per line) and the discount approval."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.commerce import services
from loudou.commerce.choices import QuoteStatus
from loudou.commerce.models import Quote
from loudou.commerce.tests.factories import make_product, make_quote
from loudou.core.models import Event

pytestmark = pytest.mark.django_db


def test_totals_round_each_line_to_the_fen_and_discount_is_measured_against_list(rep):
    # given  A: 3 × 1000 at list, 5 % off = 2850.00; B: 3 × 300 (list 333.33) = 900.00;
    # C: 1 × 99.99 at 33.33 % off = 66.663333 → 66.66
    a, b = make_product(price="1000.00"), make_product(price="333.33")
    c = make_product(price="99.99")
    lines = [
        {"product": a, "quantity": 3, "discount_pct": Decimal("5")},
        {"product": b, "quantity": 3, "unit_price": Decimal("300.00")},
        {"product": c, "quantity": 1, "discount_pct": Decimal("33.33")},
    ]
    # when
    quote = make_quote(actor=rep, lines=lines)
    # then  list 3000 + 999.99 + 99.99 = 4099.98; total 3816.66; off 283.32 / 4099.98 = 6.910 %
    assert [x.amount for x in quote.lines.order_by("pk")] == [
        Decimal("2850.00"),
        Decimal("900.00"),
        Decimal("66.66"),
    ]
    assert (quote.list_total, quote.total, quote.discount_pct) == (
        Decimal("4099.98"),
        Decimal("3816.66"),
        Decimal("6.91"),
    )
    assert quote.status == QuoteStatus.DRAFT


def test_unit_price_defaults_to_the_list_price(rep):
    # given
    product = make_product(price="1280.00")
    # when
    quote = make_quote(actor=rep, lines=[{"product": product, "quantity": 2}])
    # then
    line = quote.lines.get()
    assert (line.unit_price, line.amount, quote.discount_pct) == (
        Decimal("1280.00"),
        Decimal("2560.00"),
        Decimal("0.00"),
    )


def test_a_discount_at_the_threshold_is_approved_on_submission(rep):
    # given  exactly 10 % off list
    quote = make_quote(
        actor=rep, lines=[{"product": make_product(), "quantity": 1, "discount_pct": Decimal(10)}]
    )
    # when
    services.submit_quote(quote=quote, actor=rep)
    # then
    quote.refresh_from_db()
    assert (quote.status, quote.discount_pct, quote.decided_by) == (
        QuoteStatus.APPROVED,
        Decimal("10.00"),
        None,
    )


def test_a_discount_beyond_the_threshold_waits_for_the_manager(rep, manager):
    # given  899.90 for a list price of 1000: 10.01 % off
    line = {"product": make_product(), "quantity": 1, "unit_price": Decimal("899.90")}
    quote = make_quote(actor=rep, lines=[line])
    # when
    services.submit_quote(quote=quote, actor=rep)
    pending = Quote.objects.get(pk=quote.pk).status
    services.decide_quote(quote=quote, actor=manager, approve=True, reason="战略客户")
    # then
    quote.refresh_from_db()
    assert pending == QuoteStatus.PENDING
    assert (quote.status, quote.decided_by, quote.decision_reason) == (
        QuoteStatus.APPROVED,
        manager,
        "战略客户",
    )
    assert list(Event.objects.for_object(quote).values_list("verb", flat=True)) == [
        "quote.approved",
        "quote.pending",
        "quote.created",
    ]


def test_the_threshold_is_a_setting(rep, settings):
    # given
    settings.LOUDOU_QUOTE_APPROVAL_DISCOUNT_PCT = 20
    line = {"product": make_product(), "quantity": 1, "discount_pct": Decimal(15)}
    quote = make_quote(actor=rep, lines=[line])
    # when
    services.submit_quote(quote=quote, actor=rep)
    # then
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.APPROVED


@pytest.fixture
def pending(rep):
    line = {"product": make_product(), "quantity": 1, "discount_pct": Decimal(30)}
    quote = make_quote(actor=rep, lines=[line])
    return services.submit_quote(quote=quote, actor=rep)


@pytest.mark.parametrize("who", ["rep", "teammate", "other_manager", "other_team_rep"])
def test_only_the_owners_manager_or_a_director_may_decide(pending, cast, other_manager, who):
    # given
    actor = other_manager if who == "other_manager" else cast[who]
    # when / then
    with pytest.raises(PermissionDenied):
        services.decide_quote(quote=pending, actor=actor, approve=True)
    assert Quote.objects.get(pk=pending.pk).status == QuoteStatus.PENDING
    assert not Event.objects.for_object(pending).filter(verb="quote.approved").exists()


def test_a_managers_own_quote_goes_to_a_director(manager, director):
    # given
    line = {"product": make_product(), "quantity": 1, "discount_pct": Decimal(30)}
    quote = services.submit_quote(quote=make_quote(actor=manager, lines=[line]), actor=manager)
    # when / then
    with pytest.raises(PermissionDenied):
        services.decide_quote(quote=quote, actor=manager, approve=True)
    services.decide_quote(quote=quote, actor=director, approve=True)
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.APPROVED


def test_a_rejection_needs_a_reason_and_the_quote_can_be_reworked(pending, rep, manager):
    # given
    with pytest.raises(ValidationError):
        services.decide_quote(quote=pending, actor=manager, approve=False, reason=" ")
    # when
    services.decide_quote(quote=pending, actor=manager, approve=False, reason="折扣过大")
    rejected = Quote.objects.get(pk=pending.pk)
    reason = rejected.decision_reason
    line = {"product": rejected.lines.get().product, "quantity": 1, "discount_pct": Decimal(8)}
    services.update_quote(quote=rejected, actor=rep, values={}, lines=[line])
    services.submit_quote(quote=rejected, actor=rep)
    # then
    assert reason == "折扣过大"
    assert Quote.objects.get(pk=pending.pk).status == QuoteStatus.APPROVED


def test_a_pending_quote_cannot_be_edited(pending, rep):
    # when / then
    with pytest.raises(ValidationError):
        services.update_quote(quote=pending, actor=rep, values={"title": "改"}, lines=None)
    assert Quote.objects.get(pk=pending.pk).title == "年度订阅报价"


def test_a_quote_needs_a_line_and_a_visible_party(rep, other_team_rep):
    # given
    from loudou.commerce.tests.factories import make_customer_lead

    theirs = make_customer_lead(owner=other_team_rep)
    # when / then
    with pytest.raises(ValidationError):
        make_quote(actor=rep, lines=[])
    with pytest.raises(ValidationError):
        make_quote(actor=rep, lead=theirs)
    assert Quote.objects.count() == 0


def test_marketing_cannot_quote(marketing, rep):
    # given
    from loudou.commerce.tests.factories import make_customer_lead

    lead = make_customer_lead(owner=rep)
    # when / then
    with pytest.raises(PermissionDenied):
        services.create_quote(
            actor=marketing,
            values={"title": "x", "lead": lead},
            lines=[{"product": make_product(), "quantity": 1}],
        )
    assert Quote.objects.count() == 0
