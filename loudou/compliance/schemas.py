"""Masking in API output: one mixin for every schema that shows contact details."""

from ninja import Schema

from loudou.compliance.masking import shown


class MaskedContactSchema(Schema):
    """Base for output schemas with `phone`, `email` and `wechat`: resolved through
    compliance masking for the caller (ninja collects resolvers from Schema bases only)."""

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return shown(obj, "phone", context["request"].user)

    @staticmethod
    def resolve_email(obj, context) -> str:
        return shown(obj, "email", context["request"].user)

    @staticmethod
    def resolve_wechat(obj, context) -> str:
        return shown(obj, "wechat", context["request"].user)


class ContactDetailsOut(Schema):
    """A record's contact details, unmasked (a logged reveal)."""

    phone: str
    email: str
    wechat: str
