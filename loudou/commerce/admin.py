"""Admin: the catalogue is editable (every admin save is audited by the admin site);
quotes, contracts and orders are read-only here: their pages and API go through the
services that check the transitions and keep the history."""

from django.contrib import admin

from loudou.commerce.models import Contract, Order, Payment, PaymentMilestone, Product, Quote


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "product_line", "list_price", "unit", "is_active"]
    list_filter = ["product_line", "is_active"]
    search_fields = ["sku", "name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # quote lines and history point at products: deactivate instead


@admin.register(Quote)
class QuoteAdmin(ReadOnly):
    list_display = ["id", "title", "owner", "status", "total", "discount_pct"]
    list_filter = ["status"]


class MilestoneInline(admin.TabularInline):
    model = PaymentMilestone
    extra = 0


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(Contract)
class ContractAdmin(ReadOnly):
    list_display = ["id", "title", "customer", "owner", "status", "amount", "signed_on"]
    list_filter = ["status"]
    inlines = [MilestoneInline, PaymentInline]


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ["id", "customer", "ordered_on", "amount", "source", "status", "owner"]
    list_filter = ["source", "status"]
