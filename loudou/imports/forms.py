from django import forms
from django.utils.translation import gettext_lazy as _

from loudou.imports.mapping import target_labels
from loudou.imports.models import ImportKind
from loudou.org.selectors import assignable_users

ENCODINGS = [("", _("自动识别")), ("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.csv / .xlsx）"))
    kind = forms.ChoiceField(
        label=_("导入类型"), choices=ImportKind.choices, initial=ImportKind.LEADS, required=False
    )
    encoding = forms.ChoiceField(label=_("编码"), choices=ENCODINGS, required=False)


def target_choices(kind: str = ImportKind.LEADS) -> list[tuple[str, str]]:
    return [("", _("（忽略）")), *target_labels(kind).items()]


class MappingForm(forms.Form):
    """One select per header, plus the target (an owner or the pool; none for contacts,
    which belong to the customers they name)."""

    def __init__(self, *args, job, actor, **kwargs):
        super().__init__(*args, **kwargs)
        choices = target_choices(job.kind)
        for index, header in enumerate(job.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=job.mapping.get(header, "")
            )
        self.headers = job.headers
        if job.kind == ImportKind.CONTACTS:
            return
        self.fields["owner"] = forms.ModelChoiceField(
            label=_("负责人"),
            queryset=assignable_users(actor),
            required=False,
            initial=job.owner_id or actor.pk,
        )
        self.fields["to_pool"] = forms.BooleanField(
            label=_("导入公海"), required=False, initial=job.to_pool
        )

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}
