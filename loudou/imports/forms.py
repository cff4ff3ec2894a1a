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


#: The value select's choice for "leave the field empty" ("" is "read the value as written").
EMPTY = "-"


class MappingForm(forms.Form):
    """One select per header, one per distinct value of each column mapped to a looked-up
    field (`values`: services.value_table, for the job's current mapping), plus the target
    (an owner or the pool; none for contacts, which belong to the customers they name)."""

    def __init__(self, *args, job, actor, values=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = target_choices(job.kind)
        for index, header in enumerate(job.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=job.mapping.get(header, "")
            )
        self.headers, self.job = job.headers, job
        self._value_fields(values)
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

    def _value_fields(self, values) -> None:
        self.value_columns = []
        for column in values:
            index = self.headers.index(column["column"])
            choices = [("", _("（按原值匹配）")), (EMPTY, _("（留空）"))]
            choices += [(o["key"], o["label"]) for o in column["options"]]
            names = []
            for number, row in enumerate(column["values"]):
                name = f"val_{index}_{number}"
                initial = EMPTY if row["target"] == "" else row["target"] or ""
                self.fields[name] = forms.ChoiceField(
                    label=row["value"], choices=choices, required=False, initial=initial
                )
                names.append((name, row["value"]))
            self.value_columns.append({**column, "index": index, "names": names})

    def column_fields(self) -> list:
        return [self[f"col_{i}"] for i in range(len(self.headers))]

    def target_fields(self) -> list:
        return [self[name] for name in ("owner", "to_pool") if name in self.fields]

    def value_groups(self) -> list[dict]:
        """Per value-mapped column: its name, field, whether it has more values than
        shown, and its selects."""
        return [
            {**c, "fields": [self[name] for name, _raw in c["names"]]} for c in self.value_columns
        ]

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}

    def values(self) -> dict[str, dict[str, str]]:
        """{column: {value: key}} of the value selects, for the columns still mapped to the
        field they were shown for (a column mapped anew gets the suggestions)."""
        out = {}
        for column in self.value_columns:
            if self.cleaned_data.get(f"col_{column['index']}") != column["field"]:
                continue
            chosen = {raw: self.cleaned_data.get(name) or "" for name, raw in column["names"]}
            out[column["column"]] = {
                raw: "" if key == EMPTY else key for raw, key in chosen.items() if key
            }
        return out
