"""Demo commerce: a product catalogue, quotes in every state, contracts in every status
(signed on the demo's won leads, with payment plans, payments and overdue instalments),
and orders over the last two years with repeat purchases. Made through the real services
by the director (who sees everything) for the leads' owners; a second run creates nothing.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from loudou.commerce import services
from loudou.commerce.choices import ContractStatus
from loudou.commerce.models import Contract, Product, Quote
from loudou.leads.models import Lead
from loudou.org.models import ProductLine, User
from loudou.pipeline.choices import Currency, StageKind
from loudou.pipeline.models import StageChange

MARK = "【演示】"
#: (sku, name, product line, list price, unit)
CATALOGUE = [
    ("LD-STD-01", "标准版软件授权", "标准版", "38000.00", "套"),
    ("LD-STD-02", "标准版年度维保", "标准版", "6800.00", "年"),
    ("LD-ENT-01", "企业版软件授权", "企业版", "128000.00", "套"),
    ("LD-ENT-02", "企业版私有化部署服务", "企业版", "45000.00", "次"),
    ("LD-ENT-03", "企业版年度维保", "企业版", "22000.00", "年"),
    ("LD-SVC-01", "现场实施服务", None, "3500.00", "人天"),
    ("LD-SVC-02", "操作培训", None, "2800.00", "场"),
    ("LD-SVC-03", "数据迁移服务", None, "15000.00", "次"),
]
MAX_CONTRACTS = 60
REPEAT_SHARE = 3  # one customer in three buys again


def _products(director: User) -> int:
    lines = list(ProductLine.objects.order_by("order", "pk"))
    made = 0
    for sku, name, line_name, price, unit in CATALOGUE:
        if Product.objects.filter(sku=sku).exists() or not lines:
            continue
        line = next((x for x in lines if x.name == line_name), lines[0])
        values = {"sku": sku, "name": name, "product_line": line, "list_price": Decimal(price)}
        services.create_product(actor=director, values={**values, "unit": unit})
        made += 1
    return made


def _won_leads(limit: int) -> list[tuple[Lead, date]]:
    """The demo's earliest won leads with a customer and an active owner, and the local
    day each was won."""
    rows = (
        StageChange.objects.filter(to_stage__kind=StageKind.WON, lead__customer__isnull=False)
        .filter(lead__owner__is_active=True, lead__merged_into__isnull=True)
        .exclude(lead__currency__in=[c for c in Currency.values if c != Currency.CNY])
        .order_by("at", "pk")
        .values_list("lead_id", "at")
    )
    seen: dict[int, datetime] = {}
    for lead_id, at in rows:
        seen.setdefault(lead_id, at)
        if len(seen) >= limit:
            break
    leads = Lead.objects.select_related("customer", "owner").in_bulk(list(seen))
    return [(leads[pk], timezone.localdate(at)) for pk, at in seen.items()]


def _pay(contract: Contract, actor: User, on: date, amount: Decimal) -> None:
    values = {"paid_on": on, "amount": amount, "method": "transfer", "notes": MARK}
    services.record_payment(contract=contract, actor=actor, values=values)


def _plan_and_pay(contract: Contract, director: User, signed: date, today: date) -> None:
    """Half on signing and half 60 days later; old contracts are paid (and accepted)."""
    half = (contract.amount / 2).quantize(Decimal("0.01"))
    for name, due, amount in (
        ("首付款", signed + timedelta(days=15), half),
        ("尾款", signed + timedelta(days=75), contract.amount - half),
    ):
        values = {"name": name, "due_on": due, "amount": amount}
        services.add_milestone(contract=contract, actor=director, values=values)
    age = (today - signed).days
    if age > 20:
        _pay(contract, director, min(signed + timedelta(days=12), today), half)
    if age > 120 and contract.pk % 4:  # one in four old contracts still owes its last half
        _pay(contract, director, signed + timedelta(days=70), contract.amount - half)
        if age > 200:
            services.move_contract(contract=contract, to="accepted", actor=director)


def _contracts(director: User, today: date, rng: random.Random) -> tuple[int, list[Contract]]:
    made, signed = 0, []
    for lead, won_on in _won_leads(MAX_CONTRACTS):
        if Contract.objects.filter(lead=lead).exists():
            continue
        amount = lead.amount or Decimal(rng.choice(["38000", "76000", "128000", "173000"]))
        values = {
            "title": f"{MARK}{lead.company_name}采购合同",
            "customer": lead.customer,
            "lead": lead,
            "owner": lead.owner,
            "amount": amount,
        }
        contract = services.create_contract(actor=director, values=values)
        services.move_contract(contract=contract, to="review", actor=director)
        services.move_contract(contract=contract, to="signed", actor=director, signed_on=won_on)
        _plan_and_pay(contract, director, won_on, today)
        signed.append(contract)
        made += 1
    return made, signed


def _direct_order(director: User, contract: Contract, on: date, what: str, amount: str) -> None:
    values = {
        "customer": contract.customer,
        "owner": contract.owner,
        "ordered_on": on,
        "amount": Decimal(amount),
        "description": f"{MARK}{what}",
    }
    services.create_order(actor=director, values=values)


def _repeat_orders(director: User, signed: list[Contract], today: date, rng: random.Random) -> int:
    """Purchases outside the contracts: one customer in two bought before (up to two years
    back), one in three buys again (maintenance renewals) after signing."""
    made = 0
    for index, contract in enumerate(signed):
        before = contract.signed_on - timedelta(days=rng.randint(200, 700))
        if index % 2 == 0 and before >= today - timedelta(days=730):
            amount = rng.choice(["38000.00", "45000.00", "76000.00"])
            _direct_order(director, contract, before, "历史采购", amount)
            made += 1
        after = contract.signed_on + timedelta(days=rng.randint(120, 330))
        if index % REPEAT_SHARE == 0 and after < today:
            amount = rng.choice(["6800.00", "13600.00", "22000.00", "44000.00"])
            _direct_order(director, contract, after, "年度维保续费", amount)
            made += 1
    return made


def _open_leads(limit: int) -> list[Lead]:
    return list(
        Lead.objects.filter(
            stage__kind=StageKind.OPEN, customer__isnull=False, owner__is_active=True
        )
        .exclude(contracts__isnull=False)
        .select_related("customer", "owner")
        .order_by("pk")[:limit]
    )


def _early_contracts(director: User) -> int:
    """Contracts not yet signed: a draft, two in review, a cancelled one."""
    if Contract.objects.filter(title__startswith=f"{MARK}洽谈").exists():
        return 0
    plan = [("draft", None), ("review", None), ("review", None), ("cancelled", "客户预算冻结")]
    made = 0
    for lead, (status, reason) in zip(_open_leads(len(plan)), plan, strict=False):
        values = {
            "title": f"{MARK}洽谈中：{lead.company_name}",
            "customer": lead.customer,
            "lead": lead,
            "owner": lead.owner,
            "amount": lead.amount or Decimal("56000.00"),
        }
        contract = services.create_contract(actor=director, values=values)
        if status != "draft":
            services.move_contract(contract=contract, to="review", actor=director)
        if status == "cancelled":
            services.move_contract(contract=contract, to=status, actor=director, reason=reason)
        made += 1
    return made


def _quote_leads(count: int) -> list[Lead]:
    """Open leads with a customer first, then any others with one."""
    leads = Lead.objects.filter(customer__isnull=False, owner__is_active=True).select_related(
        "customer", "owner"
    )
    found = list(leads.filter(stage__kind=StageKind.OPEN).order_by("pk")[:count])
    found += list(leads.exclude(pk__in=[x.pk for x in found]).order_by("pk")[: count - len(found)])
    return found


def _quotes(director: User) -> int:
    """Quotes in every state: draft, approved within the threshold, pending, rejected."""
    if Quote.objects.filter(title__startswith=MARK).exists():
        return 0
    products = list(Product.objects.filter(is_active=True).order_by("sku"))
    if not products:
        return 0
    plan = [("draft", 0), ("approved", 8), ("pending", 18), ("rejected", 25), ("approved", 5)]
    made = 0
    for lead, (status, discount) in zip(_quote_leads(len(plan)), plan, strict=False):
        lines = [
            {"product": products[made % len(products)], "quantity": 1 + made % 3,
             "discount_pct": Decimal(discount)},
            {"product": products[-1], "quantity": 2, "discount_pct": Decimal(discount)},
        ]  # fmt: skip
        values = {"title": f"{MARK}{lead.company_name}报价", "lead": lead,
                  "customer": lead.customer, "owner": lead.owner}  # fmt: skip
        quote = services.create_quote(actor=director, values=values, lines=lines)
        if status != "draft":
            services.submit_quote(quote=quote, actor=director)
        if status == "rejected":
            services.decide_quote(quote=quote, actor=director, approve=False, reason="折扣过大")
        made += 1
    return made


def load_demo_commerce(*, users: dict[str, User], now: datetime) -> dict[str, int]:
    """Create what is missing; returns how many products, quotes, contracts and orders."""
    director = users["director"]
    today = timezone.localdate(now)
    rng = random.Random("2026:commerce")  # noqa: S311 (demo data, not secrets)
    products = _products(director)
    contracts, signed = _contracts(director, today, rng)
    orders = _repeat_orders(director, signed, today, rng)
    contracts += _early_contracts(director)
    quotes = _quotes(director)
    return {
        "products": products,
        "quotes": quotes,
        "contracts": contracts,
        "orders": orders + len(signed),
        "signed": sum(1 for c in signed if c.status != ContractStatus.CANCELLED),
    }
