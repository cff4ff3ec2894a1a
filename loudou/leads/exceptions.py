"""Domain errors of the leads app, with stable codes."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class DuplicateLead(ValidationError):
    """The lead being entered looks like existing ones (撞单); `matches` says which."""

    def __init__(self, matches: list):
        numbers = "、".join(m.lead.number for m in matches[:5])
        super().__init__(
            _("疑似重复线索：{numbers}。请选择合并、关联或仍然登记。").format(numbers=numbers),
            code="duplicate",
        )
        self.matches = matches
