"""Form plumbing shared by every app."""

from django.forms.models import ModelChoiceIterator


class ListedChoiceIterator(ModelChoiceIterator):
    """A select's model choices read with one plain query. Django streams them through
    `QuerySet.iterator()`, which on PostgreSQL opens a server-side cursor (DECLARE, FETCH,
    CLOSE: three round trips; WITH HOLD outside a transaction): the lead list's filter
    form has seven selects, ≈ 15 ms of its page at 1M. The tables forms offer choices
    from are small; what is big (exports) still streams."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)
