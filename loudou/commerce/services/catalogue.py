"""The product catalogue: directors and administrators maintain it, everyone reads it."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.commerce.models import Product
from loudou.core.audit import save_with_audit
from loudou.org.models import User

PRODUCT_FIELDS = frozenset({"sku", "name", "product_line", "list_price", "unit", "is_active"})


def may_edit_catalogue(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.sees_all


def _check(actor: User) -> None:
    if not may_edit_catalogue(actor):
        raise PermissionDenied(_("只有销售总监或管理员可以维护产品目录。"))


@transaction.atomic
def create_product(*, actor: User, values: dict[str, Any]) -> Product:
    _check(actor)
    product = Product()
    save_with_audit(obj=product, actor=actor, verb="product.created", values=values)
    return product


@transaction.atomic
def update_product(*, product: Product, actor: User, values: dict[str, Any]) -> Product:
    _check(actor)
    save_with_audit(obj=product, actor=actor, verb="product.updated", values=values)
    return product
