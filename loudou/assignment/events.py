"""Labels of the audit verbs this app writes, for the lead timeline (the integrator merges
them into leads.selectors._VERBS / activities.selectors._VERB_LABELS)."""

from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "lead.claimed": _("从公海领取"),
    "lead.released": _("放回公海"),
    "lead.recycled": _("自动回收到公海"),
    "lead.pooled": _("放入公海"),
    "lead.assigned": _("按规则分配"),
    "lead.handed_over": _("人员交接"),
    "next_action.handed_over": _("下一步行动交接"),
    "customer.owner_followed": _("客户随线索转给新负责人"),
}
