from datetime import datetime

from ninja import Field, Schema

from loudou.assignment.choices import IntakeMode
from loudou.core.schemas import Id


class WebFormIn(Schema):
    name: str = Field(max_length=100)
    channel: str = Field(description="source channel code")
    is_active: bool = True
    require_fill_time: bool = True
    banned_company_names: str = Field("", max_length=20000)
    stop_phrases: str = Field("", max_length=20000)
    thank_you_text: str = Field("感谢您的留言，我们会尽快与您联系。", max_length=2000)
    consent_text: str = Field(
        "我同意贵公司为联系我、介绍产品和服务而处理我在本表单中填写的信息。",
        min_length=1,
        max_length=2000,
    )
    intake_mode: IntakeMode = IntakeMode.POOL


class WebFormOut(Schema):
    id: int
    name: str
    channel: str = Field(alias="channel.code")
    token: str
    url: str
    is_active: bool
    require_fill_time: bool
    banned_company_names: str
    stop_phrases: str
    thank_you_text: str
    consent_text: str
    intake_mode: str
    lead_count: int
    spam_count: int

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("webforms:form", args=[obj.token])


class SpamSubmissionOut(Schema):
    id: int
    form_id: Id
    at: datetime
    reason: str
    reason_label: str
    ip_hash: str
    payload: dict[str, str]

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display())
