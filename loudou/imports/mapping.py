"""Column mapping: which header feeds which field (of a lead, a customer or a contact, by the
job's kind), suggested from Chinese and English headers, validated, and read from a JSON file
for the CLI ({"列名": "field", ...}, or {"columns": {...}, "values": {"列名": {"值": "…"}}}).

Besides the sheet and EXTRA_FIELDS, a leads job may map a date column to "entered the stage
X" (`entered:<stage code>`, an open stage after the first of the default pipeline): the
history of a row then passes through that stage at that date (see rows.historical_path)."""

import json
import re
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from loudou.imports.exceptions import ImportFileError
from loudou.leads.services import LEAD_FIELDS

#: Fields beyond the registration sheet that an import may fill.
EXTRA_FIELDS = {
    "owner": _("负责人（用户名或姓名）"),
    "captured_at": _("录入时间"),
    "stage": _("阶段"),
    "stage_entered_at": _("进入阶段时间"),
    "closed_at": _("成交/放弃日期"),
    "lost_reason": _("放弃原因"),
    "amount": _("金额"),
    "products": _("产品线"),
    "external_id": _("外部编号（原系统 ID）"),
}
TARGETS = [*LEAD_FIELDS, *EXTRA_FIELDS]
#: "entered:<stage code>": the date a row's deal entered that stage.
STAGE_DATE_PREFIX = "entered:"
#: Fields that several columns may feed (joined line by line as "列名: 值").
MULTI = {"notes", "need_description", "pain_point"}

SYNONYMS = {
    "company_name": [
        "公司名称",
        "公司",
        "企业名称",
        "客户名称",
        "单位名称",
        "company",
        "companyname",
        "account",
        "accountname",
        "organization",
        "organisation",
    ],
    "industry": ["行业", "所属行业", "industry", "businesssegment"],
    "employees": ["员工人数", "人数", "规模", "employees", "headcount"],
    "annual_revenue": ["年营业额", "营业额", "年营收", "annualrevenue", "revenue"],
    "region": ["区域", "地区", "省份", "城市", "region", "area", "city"],
    "contact_name": ["联系人", "姓名", "联系人姓名", "contact", "contactname", "name"],
    "contact_title": ["职位", "职务", "title", "jobtitle", "position"],
    "phone": [
        "手机",
        "电话",
        "手机号",
        "手机号码",
        "联系电话",
        "电话号码",
        "phone",
        "mobile",
        "tel",
        "telephone",
        "cellphone",
    ],
    "email": ["邮箱", "电子邮件", "邮件", "email", "e-mail", "mail"],
    "wechat": ["微信", "微信号", "wechat", "weixin"],
    "source": ["来源", "渠道", "线索来源", "source", "origin", "leadsource", "channel"],
    "need_description": ["需求", "需求描述", "need", "needs", "requirement"],
    "pain_point": ["痛点", "具体痛点", "painpoint"],
    "expected_purchase_date": ["预计采购时间", "采购时间", "expectedpurchasedate"],
    "budget_min": ["预算下限", "最低预算", "budgetmin"],
    "budget_max": ["预算上限", "预算", "budgetmax", "budget"],
    "decision_cycle": ["决策周期", "decisioncycle"],
    "need_level": ["需求明确度", "needlevel"],
    "budget_fit": ["预算匹配", "budgetfit"],
    "customer_type": ["客户类型", "customertype", "leadtype"],
    "purchasing_power": ["购买力", "purchasingpower"],
    "notes": ["备注", "说明", "notes", "note", "remark", "remarks", "comment", "comments"],
    "owner": [
        "负责人",
        "销售",
        "销售员",
        "业务员",
        "所有人",
        "跟进人",
        "owner",
        "salesrep",
        "rep",
        "assignedto",
        "salesagent",
        "agent",
        "salesperson",
        "dealowner",
        "accountowner",
    ],
    "captured_at": [
        "录入时间",
        "创建时间",
        "创建日期",
        "登记时间",
        "createdat",
        "created",
        "createddate",
        "capturedat",
        "firstcontactdate",
        "createdate",
        "createdon",
        "date",
    ],
    "stage": [
        "阶段",
        "销售阶段",
        "商机阶段",
        "状态",
        "stage",
        "dealstage",
        "opportunitystage",
        "pipelinestage",
    ],
    "stage_entered_at": ["进入阶段时间", "阶段时间", "stageenteredat", "stagedate"],
    "closed_at": [
        "成交日期",
        "赢单日期",
        "放弃日期",
        "关闭日期",
        "closedat",
        "closedate",
        "closingdate",
        "wondate",
        "lostdate",
        "成交时间",
    ],
    "lost_reason": ["放弃原因", "丢单原因", "lostreason"],
    "amount": [
        "金额",
        "商机金额",
        "合同金额",
        "成交金额",
        "amount",
        "dealvalue",
        "dealamount",
        "closevalue",
        "value",
    ],
    "external_id": [
        "id",
        "外部编号",
        "编号",
        "原系统编号",
        "externalid",
        "opportunityid",
        "dealid",
        "leadid",
        "recordid",
    ],
    "products": ["产品", "产品线", "product", "products", "productline"],
}
#: Date columns that name a stage of the seeded pipeline by its code ("engage date" →
#: entered 已接触); suggested only while the default pipeline has that open stage.
STAGE_DATE_SYNONYMS = {
    "contacted": ["engagedate", "engagedat", "engagementdate", "接触日期", "接触时间"],
    "opportunity": ["qualifieddate", "qualifiedat", "商机日期", "转商机日期"],
}
#: Customer and contact targets, each with the lead synonyms it shares (None: its own only).
KIND_TARGETS: dict[str, dict[str, str | None]] = {
    "customers": {
        "name": "company_name",
        "industry": "industry",
        "region": "region",
        "employees": "employees",
        "annual_revenue": "annual_revenue",
        "address": None,
        "notes": "notes",
        "owner": "owner",
    },
    "contacts": {
        "customer": "company_name",
        "name": "contact_name",
        "title": "contact_title",
        "phone": "phone",
        "email": "email",
        "wechat": "wechat",
        "notes": "notes",
    },
}
KIND_SYNONYMS = {"address": ["地址", "公司地址", "办公地址", "通讯地址", "address"]}
_NOISE = re.compile(r"[\s_\-./()（）:：*]+")


def normalise_header(header: str) -> str:
    return _NOISE.sub("", str(header)).casefold()


def stage_date_targets() -> dict[str, str]:
    """{"entered:<code>": label} for the open stages of the default pipeline after its
    first one (the first is entered at the capture time)."""
    from loudou.pipeline.choices import StageKind
    from loudou.pipeline.services.moves import default_pipeline

    pipeline = default_pipeline()
    if pipeline is None:
        return {}
    stages = pipeline.stages.filter(kind=StageKind.OPEN).order_by("order")[1:]
    return {
        f"{STAGE_DATE_PREFIX}{stage.code}": _("进入“{stage}”的时间").format(stage=stage)
        for stage in stages
    }


def targets(kind: str = "leads") -> list[str]:
    """The fields a job of `kind` may fill."""
    if kind == "leads":
        return [*TARGETS, *stage_date_targets()]
    return list(KIND_TARGETS[kind])


def multi_targets(kind: str = "leads") -> set[str]:
    """The fields of `kind` that several columns may feed (joined)."""
    return MULTI if kind == "leads" else {"notes"}


def kind_model(kind: str):
    from loudou.customers.models import Contact, Customer

    return {"customers": Customer, "contacts": Contact}[kind]


def target_labels(kind: str = "leads") -> dict[str, str]:
    """{field: label} for the mapping form: the model's verbose names, the extras'."""
    if kind == "leads":
        from loudou.leads.models import Lead

        labels = {f.name: f.verbose_name for f in Lead._meta.fields}
        own = {t: labels.get(t) or EXTRA_FIELDS.get(t, t) for t in TARGETS}
        return {**own, **stage_date_targets()}
    model = kind_model(kind)
    labels = {f.name: f.verbose_name for f in model._meta.fields}
    labels["owner"] = EXTRA_FIELDS["owner"]
    if kind == "contacts":
        labels["customer"] = _("客户（公司名称）")
    return {t: labels[t] for t in KIND_TARGETS[kind]}


def _kind_index(kind: str) -> dict[str, str]:
    model = kind_model(kind)
    index = {}
    for name, shared in KIND_TARGETS[kind].items():
        words = [*SYNONYMS.get(shared or "", []), *KIND_SYNONYMS.get(name, [])]
        index.update({normalise_header(word): name for word in words})
    for name in KIND_TARGETS[kind]:  # own labels and names win (an export maps back)
        index[normalise_header(name)] = name
        index[normalise_header(str(model._meta.get_field(name).verbose_name))] = name
    return index


def _index(kind: str = "leads") -> dict[str, str]:
    """Synonyms plus each field's own label (so an export's headers map back)."""
    from loudou.leads.models import Lead

    if kind != "leads":
        return _kind_index(kind)
    index = {}
    for name in LEAD_FIELDS:
        label = str(Lead._meta.get_field(name).verbose_name)
        index[normalise_header(label)] = name
        index[normalise_header(name)] = name
    for target, words in SYNONYMS.items():
        index.update({normalise_header(word): target for word in words})
    for code, words in STAGE_DATE_SYNONYMS.items():
        index.update({normalise_header(word): f"{STAGE_DATE_PREFIX}{code}" for word in words})
    return index


def suggest(
    headers: list[str], saved: dict[str, str] | None = None, kind: str = "leads"
) -> dict[str, str]:
    """{header: field} for the headers we recognise; a saved mapping wins per header
    (when it names one of the kind's fields).

    A single-valued field is suggested for its first matching header only."""
    saved = saved or {}
    index = _index(kind)
    allowed, multi = set(TARGETS if kind == "leads" else targets(kind)), multi_targets(kind)
    wanted = [saved.get(h, "") for h in headers] + [
        index.get(normalise_header(h), "") for h in headers
    ]
    if kind == "leads" and any(str(t).startswith(STAGE_DATE_PREFIX) for t in wanted):
        allowed |= set(stage_date_targets())  # read only when a header may be one
    taken: set[str] = set()
    result: dict[str, str] = {}
    for header in headers:
        target = saved.get(header)
        if target not in allowed:
            target = index.get(normalise_header(header))
        if not target or target not in allowed:
            continue
        if target in taken and target not in multi:
            continue
        taken.add(target)
        result[header] = target
    return result


def validate(mapping: dict[str, str], headers: list[str], kind: str = "leads") -> dict[str, str]:
    """The mapping without ignored columns; ImportFileError for unknown headers/fields
    (for the job's kind), a single-valued field fed twice, or nothing mapped."""
    clean = {h: f for h, f in mapping.items() if f}
    allowed, multi = targets(kind), multi_targets(kind)
    problems = [f"{h}→{f}" for h, f in clean.items() if f not in allowed]
    problems += [str(h) for h in clean if h not in headers]
    fields = list(clean.values())
    problems += sorted({f for f in fields if fields.count(f) > 1 and f not in multi})
    if problems:
        raise ImportFileError("bad_mapping", detail="、".join(problems))
    if not clean:
        raise ImportFileError("bad_mapping", detail=str(_("没有映射任何列")))
    return clean


def load_mapping_file(path: str | Path) -> tuple[dict[str, str], dict | None]:
    """(columns, values) from a JSON object: {"列名": "field"} (a null or "" field ignores
    the column), or {"columns": {"列名": "field"}, "values": {"列名": {"值": "target"}}}.
    `values` is None when the file has none (the suggestions are used)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise ImportFileError("bad_mapping", detail=str(error)) from error
    if not isinstance(data, dict):
        raise ImportFileError("bad_mapping", detail=str(_("映射文件必须是 JSON 对象")))
    values = None
    if isinstance(data.get("columns"), dict):
        values = data.get("values")
        if values is not None and not isinstance(values, dict):
            raise ImportFileError("bad_mapping", detail=str(_("“values”必须是 JSON 对象")))
        data = data["columns"]
    return {str(k): str(v or "") for k, v in data.items()}, values
