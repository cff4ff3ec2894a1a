from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("审核中")
    SIGNED = "signed", _("已签约")
    PAID = "paid", _("已回款")
    ACCEPTED = "accepted", _("已实施验收")
    CANCELLED = "cancelled", _("已取消")


#: The moves a contract may make (services.contracts.move_contract checks the rest).
CONTRACT_MOVES: dict[str, set[str]] = {
    ContractStatus.DRAFT: {ContractStatus.REVIEW, ContractStatus.CANCELLED},
    ContractStatus.REVIEW: {ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.CANCELLED},
    ContractStatus.SIGNED: {ContractStatus.PAID, ContractStatus.CANCELLED},
    ContractStatus.PAID: {ContractStatus.ACCEPTED},
    ContractStatus.ACCEPTED: set(),
    ContractStatus.CANCELLED: set(),
}


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("银行转账")
    ACCEPTANCE = "acceptance", _("承兑汇票")
    CHEQUE = "cheque", _("支票")
    CASH = "cash", _("现金")
    OTHER = "other", _("其他")


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


class OrderSource(models.TextChoices):
    CONTRACT = "contract", _("合同签约")
    DIRECT = "direct", _("直接录入")
