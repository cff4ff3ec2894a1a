"""Every write of commerce records; the views and the API call these and nothing else."""

from loudou.commerce.services.attachments import add_attachment, remove_attachment
from loudou.commerce.services.catalogue import create_product, may_edit_catalogue, update_product
from loudou.commerce.services.contracts import (
    add_milestone,
    create_contract,
    move_contract,
    paid_total,
    record_payment,
    remove_milestone,
    update_contract,
)
from loudou.commerce.services.orders import cancel_order, create_order, update_order
from loudou.commerce.services.quotes import (
    create_quote,
    decide_quote,
    may_approve_quote,
    may_sell,
    submit_quote,
    update_quote,
)

__all__ = [
    "add_attachment",
    "add_milestone",
    "cancel_order",
    "create_contract",
    "create_order",
    "create_product",
    "create_quote",
    "decide_quote",
    "may_approve_quote",
    "may_edit_catalogue",
    "may_sell",
    "move_contract",
    "paid_total",
    "record_payment",
    "remove_attachment",
    "remove_milestone",
    "submit_quote",
    "update_contract",
    "update_order",
    "update_product",
    "update_quote",
]
