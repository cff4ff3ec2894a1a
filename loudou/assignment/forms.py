"""UI input for the handover page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from loudou.assignment.choices import HandoverSpread
from loudou.org.selectors import assignable_users, visible_users


class HandoverForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("交出人"), queryset=None)
    successors = forms.ModelMultipleChoiceField(label=_("接手人"), queryset=None)
    rule = forms.ChoiceField(
        label=_("分配方式"), choices=HandoverSpread.choices, initial=HandoverSpread.ONE
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = visible_users(actor).exclude(pk=actor.pk)
        self.fields["successors"].queryset = assignable_users(actor)
