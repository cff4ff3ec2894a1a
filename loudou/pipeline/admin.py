"""Pipeline configuration for administrators; saves go through the audited services.
The stage ledger is shown read-only: it is append-only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loudou.core.admin import ReadOnlyAdmin
from loudou.pipeline.models import LostReason, Pipeline, Stage, StageChange, WinFactor
from loudou.pipeline.services import reorder_stages, save_pipeline, save_stage
from loudou.pipeline.services.configuration import PIPELINE_FIELDS, STAGE_FIELDS

_STAGE_FORM_FIELDS = [name for name in STAGE_FIELDS if name != "order"]


class StageInlineForm(forms.ModelForm):
    """`position` stands in for `order`, so that stages can swap places: the admin
    renumbers them all at once after saving (reorder_stages)."""

    position = forms.IntegerField(label=_("顺序"), min_value=1, required=False)

    class Meta:
        model = Stage
        fields = _STAGE_FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["position"].initial = self.instance.order


class StageInline(admin.StackedInline):
    model = Stage
    form = StageInlineForm
    extra = 0
    can_delete = False
    ordering = ["order"]
    fields = ["position", *_STAGE_FORM_FIELDS]


def _stage_values(inline: forms.ModelForm, stage: Stage | None) -> dict:
    names = _STAGE_FORM_FIELDS if stage is None else inline.changed_data
    return {n: inline.cleaned_data[n] for n in names if n in _STAGE_FORM_FIELDS}


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    records_own_events = True  # saved through save_pipeline / save_stage, which record
    list_display = ["name", "name_en", "product_line", "is_default", "is_active"]
    inlines = [StageInline]

    def save_model(self, request, obj, form, change):
        original = Pipeline.objects.get(pk=obj.pk) if change else obj
        names = form.changed_data if change else PIPELINE_FIELDS
        values = {n: form.cleaned_data[n] for n in names if n in PIPELINE_FIELDS}
        save_pipeline(actor=request.user, pipeline=original, values=values)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Stage:
            return super().save_formset(request, form, formset, change)
        pipeline, positions = form.instance, {}
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            created = inline.instance.pk is None
            stage = _save_inline(request.user, pipeline, inline)
            if stage is None:
                continue
            positions[stage.pk] = inline.cleaned_data.get("position")
            if created:
                formset.new_objects.append(stage)
            elif inline.has_changed():
                formset.changed_objects.append((stage, inline.changed_data))
        stages = list(pipeline.stages.order_by("order"))
        wanted = sorted(stages, key=lambda s: _place(s, positions.get(s.pk)))
        if wanted != stages:
            reorder_stages(actor=request.user, pipeline=pipeline, stage_ids=[s.pk for s in wanted])
        return None


def _place(stage: Stage, position: int | None) -> tuple[int, int, int]:
    """Sort key: the wanted position; on a tie, the stage placed there goes first."""
    wanted = position or stage.order
    return (wanted, 0 if wanted != stage.order else 1, stage.order)


def _save_inline(actor, pipeline: Pipeline, inline: forms.ModelForm) -> Stage | None:
    """Create or edit the stage of one inline form through the audited service."""
    if not inline.cleaned_data or (inline.instance.pk is None and not inline.has_changed()):
        return None
    stage = Stage.objects.get(pk=inline.instance.pk) if inline.instance.pk else None
    values = _stage_values(inline, stage)
    if values or stage is None:
        stage = save_stage(actor=actor, stage=stage, pipeline=pipeline, values=values)
    return stage


@admin.register(LostReason, WinFactor)
class ReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    """Read-only: the stage ledger is append-only."""

    list_display = ["at", "lead", "from_stage", "to_stage", "actor", "owner", "via"]
    list_filter = ["via", "pipeline", "to_stage"]
    list_select_related = ["lead", "from_stage", "to_stage", "actor", "owner"]
    raw_id_fields = ["lead"]
