"""The demo company's commerce: a catalogue, quotes and contracts in every state, orders
over two years with repeat purchases, and a second run that adds nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from loudou.commerce.demo import load_demo_commerce
from loudou.commerce.models import Contract, Order, Product, Quote
from loudou.commerce.selectors import repurchase_rate
from loudou.demo.services import load_demo
from loudou.org.models import User

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(NOW, tick=False)
    load_demo(leads=60)


def test_the_demo_has_commerce_in_every_state_and_a_second_run_adds_nothing(demo):
    # given the demo loaded (fixture)
    before = (Product.objects.count(), Quote.objects.count(), Contract.objects.count())
    orders = Order.objects.count()
    # when
    again = load_demo_commerce(users={"director": User.objects.get(username="director")}, now=NOW)
    # then
    assert before[0] == 8
    assert set(Quote.objects.values_list("status", flat=True)) == {
        "draft",
        "approved",
        "pending",
        "rejected",
    }
    statuses = set(Contract.objects.values_list("status", flat=True))
    assert {"draft", "review", "signed", "cancelled"} <= statuses
    assert Order.objects.filter(contract__isnull=True).exists()
    assert repurchase_rate() is not None
    assert again == {"products": 0, "quotes": 0, "contracts": 0, "orders": 0, "signed": 0}
    assert (Product.objects.count(), Quote.objects.count(), Contract.objects.count()) == before
    assert Order.objects.count() == orders
