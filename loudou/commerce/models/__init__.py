"""Commerce after the signature (SPEC §9): products, quotes, contracts with their payment
plan, payments and attachments, and orders (purchase history)."""

from loudou.commerce.models.catalogue import Product
from loudou.commerce.models.contracts import Attachment, Contract, Payment, PaymentMilestone
from loudou.commerce.models.orders import Order
from loudou.commerce.models.quotes import Quote, QuoteLine

__all__ = [
    "Attachment",
    "Contract",
    "Order",
    "Payment",
    "PaymentMilestone",
    "Product",
    "Quote",
    "QuoteLine",
]
