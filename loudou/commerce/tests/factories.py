"""Commerce records made through the real services (audited, permission-checked)."""

from datetime import date
from decimal import Decimal
from itertools import count

from loudou.commerce import services
from loudou.commerce.models import Contract, Order, Product, Quote
from loudou.leads.tests.factories import make_lead
from loudou.org.choices import Role
from loudou.org.models import ProductLine, User

_numbers = count(1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_product(
    *, sku: str | None = None, price="1000.00", line: str = "标准版", **values
) -> Product:
    """A product (bypassing the director check: fixtures need a catalogue for any actor)."""
    n = next(_numbers)
    return Product.objects.create(
        sku=sku or f"SKU-{n:04d}",
        name=values.pop("name", f"测试产品{n}"),
        product_line=ProductLine.objects.get(name=line),
        list_price=Decimal(price),
        **values,
    )


def make_customer_lead(*, owner: User):
    n = next(_numbers)
    return make_lead(
        actor=owner, owner=owner, company_name=f"商务测试{n}号有限公司", phone=f"1392000{n:04d}"
    )


def make_quote(*, actor: User, lines=None, lead=None, **values) -> Quote:
    """A draft quote for `lead` (a new one of the actor's when not given)."""
    lead = lead or make_customer_lead(owner=actor)
    if lines is None:
        lines = [{"product": make_product(), "quantity": 2}]
    values = {"title": "年度订阅报价", "lead": lead, "customer": lead.customer, **values}
    return services.create_quote(actor=actor, values=values, lines=lines)


def make_contract(*, actor: User, lead=None, amount="10000.00", **values) -> Contract:
    """A draft contract with `lead`'s customer (a new lead of the actor's when not given)."""
    lead = lead or make_customer_lead(owner=actor)
    values = {
        "title": "软件采购合同",
        "customer": lead.customer,
        "lead": lead,
        "amount": Decimal(amount) if amount is not None else None,
        **values,
    }
    return services.create_contract(actor=actor, values=values)


def sign(contract: Contract, *, actor: User, on: date = date(2026, 3, 10)) -> Contract:
    services.move_contract(contract=contract, to="review", actor=actor)
    return services.move_contract(contract=contract, to="signed", actor=actor, signed_on=on)


def make_order(*, actor: User, customer, on: date, amount, **values) -> Order:
    values = {"customer": customer, "ordered_on": on, "amount": Decimal(str(amount)), **values}
    return services.create_order(actor=actor, values=values)


def example_ids(*, admin: User, rep: User) -> dict[str, int]:
    """One record of each kind the commerce API has a path id for (the API fuzz test's
    world): `rep` owns them, `admin` sees them all."""
    import io

    quote = make_quote(actor=rep)
    contract = sign(make_contract(actor=rep), actor=rep)
    services.add_milestone(
        contract=contract,
        actor=rep,
        values={"name": "首付款", "due_on": date(2026, 4, 1), "amount": Decimal("5000.00")},
    )
    attachment = services.add_attachment(
        contract=contract, actor=rep, name="合同.pdf", stream=io.BytesIO(PDF)
    )
    assert admin.role == Role.ADMIN
    return {
        "product_id": quote.lines.first().product_id,
        "quote_id": quote.pk,
        "contract_id": contract.pk,
        "instalment_id": contract.milestones.get().pk,
        "attachment_id": attachment.pk,
        "order_id": contract.order.pk,
    }
