"""The customer's de-duplication key follows its name (the customers import matches on it)."""

from loudou.customers.models import Customer
from loudou.customers.services import create_customer, update_customer
from loudou.leads.dedupe import company_key


def test_the_key_is_written_on_create_and_follows_a_renaming(rep):
    # given
    customer = create_customer(actor=rep, values={"name": "杭州数智科技有限公司"})
    # when
    update_customer(actor=rep, customer=customer, values={"name": "上海云帆信息技术股份有限公司"})
    # then
    stored = Customer.objects.values_list("company_key", flat=True).get(pk=customer.pk)
    renamed = company_key("上海云帆信息技术股份有限公司")
    former = company_key("杭州数智科技有限公司")
    assert stored == renamed != former
    assert stored
