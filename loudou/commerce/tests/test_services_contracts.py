"""Contract moves and their checks, the order made at signing, payments and the plan."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from loudou.commerce import services
from loudou.commerce.choices import ContractStatus, OrderSource, OrderStatus
from loudou.commerce.models import Contract, Order, Payment
from loudou.commerce.selectors import milestone_states, overdue_milestones
from loudou.commerce.tests.factories import make_contract, sign
from loudou.core.models import Event

pytestmark = pytest.mark.django_db


def _pay(contract, actor, amount, on=date(2026, 3, 20)):
    values = {"paid_on": on, "amount": Decimal(amount), "method": "transfer"}
    return services.record_payment(contract=contract, actor=actor, values=values)


def test_signing_needs_a_date_and_an_amount_and_makes_nothing_without_them(rep):
    # given
    contract = make_contract(actor=rep, amount=None)
    services.move_contract(contract=contract, to="review", actor=rep)
    # when
    with pytest.raises(ValidationError) as refused:
        services.move_contract(contract=contract, to="signed", actor=rep)
    # then
    assert set(refused.value.error_dict) == {"signed_on", "amount"}
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.REVIEW
    assert Order.objects.count() == 0


def test_signing_makes_the_contracts_order(rep):
    # given
    contract = make_contract(actor=rep, amount="12000.00")
    # when
    sign(contract, actor=rep, on=date(2026, 3, 10))
    # then
    order = Order.objects.get()
    assert (order.contract, order.customer, order.lead, order.owner) == (
        contract,
        contract.customer,
        contract.lead,
        rep,
    )
    assert (order.ordered_on, order.amount, order.source, order.status) == (
        date(2026, 3, 10),
        Decimal("12000.00"),
        OrderSource.CONTRACT,
        OrderStatus.CONFIRMED,
    )
    assert list(Event.objects.for_object(contract).values_list("verb", flat=True)[:2]) == [
        "contract.signed",
        "contract.review",
    ]


def test_a_draft_cannot_jump_to_signed(rep):
    # given
    contract = make_contract(actor=rep)
    # when / then
    with pytest.raises(ValidationError):
        services.move_contract(
            contract=contract, to="signed", actor=rep, signed_on=date(2026, 3, 1)
        )
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.DRAFT


def test_paid_needs_the_payments_to_cover_the_amount(rep):
    # given
    contract = sign(make_contract(actor=rep, amount="10000.00"), actor=rep)
    _pay(contract, rep, "4000.00")
    # when
    with pytest.raises(ValidationError):
        services.move_contract(contract=contract, to="paid", actor=rep)
    status_before = Contract.objects.get(pk=contract.pk).status
    _pay(contract, rep, "6000.00")
    # then  the covering payment moves it to paid by itself
    assert status_before == ContractStatus.SIGNED
    contract.refresh_from_db()
    assert (contract.status, services.paid_total(contract)) == (
        ContractStatus.PAID,
        Decimal("10000.00"),
    )
    services.move_contract(contract=contract, to="accepted", actor=rep)
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACCEPTED


def test_payments_never_exceed_the_amount_nor_come_before_signing(rep):
    # given
    draft = make_contract(actor=rep, amount="1000.00")
    signed = sign(make_contract(actor=rep, amount="1000.00"), actor=rep)
    # when / then
    with pytest.raises(ValidationError):
        _pay(draft, rep, "100.00")
    with pytest.raises(ValidationError):
        _pay(signed, rep, "1000.01")
    assert Payment.objects.count() == 0


def test_cancelling_a_signed_contract_needs_a_reason_and_cancels_its_order(rep):
    # given
    contract = sign(make_contract(actor=rep), actor=rep)
    with pytest.raises(ValidationError):
        services.move_contract(contract=contract, to="cancelled", actor=rep)
    # when
    services.move_contract(contract=contract, to="cancelled", actor=rep, reason="客户预算冻结")
    # then
    assert Order.objects.get().status == OrderStatus.CANCELLED
    event = Event.objects.for_object(contract).first()
    assert (event.verb, event.reason) == ("contract.cancelled", "客户预算冻结")


def test_an_instalment_is_overdue_once_due_and_not_covered_in_plan_order(rep, teammate):
    # given  10000: 3000 due 1 March, 7000 due 1 May; 2000 paid
    contract = sign(make_contract(actor=rep, amount="10000.00"), actor=rep)
    for name, due, amount in (
        ("首付款", date(2026, 3, 1), "3000"),
        ("尾款", date(2026, 5, 1), "7000"),
    ):
        values = {"name": name, "due_on": due, "amount": Decimal(amount)}
        services.add_milestone(contract=contract, actor=rep, values=values)
    _pay(contract, rep, "2000.00")
    # when
    april = milestone_states(contract, date(2026, 4, 1))
    june = milestone_states(contract, date(2026, 6, 1))
    # then
    assert [(s.covered, s.overdue) for s in april] == [
        (Decimal("2000.00"), True),
        (Decimal("0"), False),
    ]
    assert [s.overdue for s in june] == [True, True]
    assert [s.outstanding for s in overdue_milestones(rep, date(2026, 6, 1))] == [
        Decimal("1000.00"),
        Decimal("7000"),
    ]
    assert overdue_milestones(teammate, date(2026, 6, 1)) == []
    _pay(contract, rep, "8000.00")
    assert overdue_milestones(rep, date(2026, 6, 1)) == []


def test_after_signing_only_the_notes_change(rep):
    # given
    contract = sign(make_contract(actor=rep), actor=rep)
    # when / then
    with pytest.raises(ValidationError):
        services.update_contract(contract=contract, actor=rep, values={"amount": Decimal("1.00")})
    services.update_contract(contract=contract, actor=rep, values={"notes": "分两期实施"})
    contract.refresh_from_db()
    assert (contract.amount, contract.notes) == (Decimal("10000.00"), "分两期实施")


def test_a_contract_from_a_quote_takes_its_total(rep):
    # given
    from loudou.commerce.tests.factories import make_quote

    quote = make_quote(actor=rep)
    # when
    contract = make_contract(actor=rep, lead=quote.lead, amount=None, quote=quote)
    # then  2 × 1000.00
    assert contract.amount == Decimal("2000.00")
