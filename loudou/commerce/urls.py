from django.urls import path
from django.views.generic import RedirectView

from loudou.commerce.views import contracts, orders, products, quotes

app_name = "commerce"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="commerce:contracts"), name="home"),
    path("products/", products.product_list, name="products"),
    path("products/new/", products.product_form, name="product_create"),
    path("products/<id:pk>/edit/", products.product_form, name="product_edit"),
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/export/", quotes.quote_export, name="quote_export"),
    path("quotes/new/", quotes.quote_form, name="quote_create"),
    path("quotes/<id:pk>/", quotes.quote_detail, name="quote"),
    path("quotes/<id:pk>/edit/", quotes.quote_form, name="quote_edit"),
    path("quotes/<id:pk>/submit/", quotes.quote_submit, name="quote_submit"),
    path("quotes/<id:pk>/decide/", quotes.quote_decide, name="quote_decide"),
    path("quotes/<id:pk>/pdf/", quotes.quote_pdf_view, name="quote_pdf"),
    path("contracts/", contracts.contract_list, name="contracts"),
    path("contracts/export/", contracts.contract_export, name="contract_export"),
    path("contracts/new/", contracts.contract_form, name="contract_create"),
    path("contracts/<id:pk>/", contracts.contract_detail, name="contract"),
    path("contracts/<id:pk>/edit/", contracts.contract_form, name="contract_edit"),
    path("contracts/<id:pk>/move/", contracts.contract_move, name="contract_move"),
    path("contracts/<id:pk>/milestones/", contracts.milestone_add, name="milestone_add"),
    path(
        "contracts/<id:pk>/milestones/<id:milestone_pk>/remove/",
        contracts.milestone_remove,
        name="milestone_remove",
    ),
    path("contracts/<id:pk>/payments/", contracts.payment_add, name="payment_add"),
    path("contracts/<id:pk>/attachments/", contracts.attachment_add, name="attachment_add"),
    path(
        "contracts/<id:pk>/attachments/<id:attachment_pk>/",
        contracts.attachment_download,
        name="attachment",
    ),
    path(
        "contracts/<id:pk>/attachments/<id:attachment_pk>/remove/",
        contracts.attachment_remove,
        name="attachment_remove",
    ),
    path("orders/", orders.order_list, name="orders"),
    path("orders/export/", orders.order_export, name="order_export"),
    path("orders/new/", orders.order_form, name="order_create"),
    path("orders/<id:pk>/", orders.order_detail, name="order"),
    path("orders/<id:pk>/edit/", orders.order_form, name="order_edit"),
    path("orders/<id:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("customers/<id:customer_pk>/history/", orders.customer_history, name="customer_history"),
]
