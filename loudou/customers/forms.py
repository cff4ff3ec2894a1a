from django import forms
from django.forms.models import fields_for_model, model_to_dict

from loudou.compliance.forms import mask_contact_inputs, refuse_masks
from loudou.customers.models import Contact, Customer
from loudou.customers.services import CONTACT_FIELDS, CUSTOMER_FIELDS
from loudou.org.selectors import assignable_users


class RecordForm(forms.Form):
    """A plain form over a model's editable fields; the service validates and saves."""

    model = None
    field_names: list[str] = []

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=self.field_names))
        super().__init__(*args, **kwargs)
        self.editing = instance is not None
        self.fields.update(fields_for_model(self.model, fields=self.field_names))

    def values(self) -> dict:
        """The form's values; when editing, only those the user changed."""
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.changed_data or not self.editing
        }


class CustomerForm(RecordForm):
    model = Customer
    field_names = CUSTOMER_FIELDS

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(actor)


class ContactForm(RecordForm):
    model = Contact
    field_names = [name for name in CONTACT_FIELDS if name != "customer"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].max_length = 40
        self.masked = mask_contact_inputs(self, kwargs.get("instance"), actor)

    def clean(self):
        cleaned = super().clean()
        refuse_masks(self, self.masked)
        return cleaned
