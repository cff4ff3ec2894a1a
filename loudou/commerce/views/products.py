"""The product catalogue: list for everyone, add and edit for directors/admins."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from loudou.commerce import services
from loudou.commerce.forms import ProductForm
from loudou.commerce.selectors import access_product, listed_products
from loudou.commerce.views.common import add_errors, paged


@login_required
def product_list(request):
    products = listed_products(request.user, q=request.GET.get("q", ""))
    context = {
        "page": paged(request, products),
        "q": request.GET.get("q", ""),
        "may_edit": services.may_edit_catalogue(request.user),
    }
    return render(request, "commerce/products.html", context)


@login_required
def product_form(request, pk: int | None = None):
    if not services.may_edit_catalogue(request.user):
        raise PermissionDenied
    product = access_product(request.user, pk) if pk else None
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                services.create_product(actor=request.user, values=form.values())
            else:
                fresh = access_product(request.user, pk)  # the form wrote into `product`
                services.update_product(product=fresh, actor=request.user, values=form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("commerce:products")
    title = _("新增产品") if product is None else _("修改产品")
    return render(request, "commerce/form.html", {"form": form, "title": title})
