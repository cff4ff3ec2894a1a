"""The default pipeline of 销售漏斗管理 (SPEC §6) with its ideal state, lost reasons and
win factors."""

from django.db import migrations

# code, name, name_en, kind, probability, ideal days, ideal move rate %, ideal count per rep,
# entry criteria (客户标准状态), recommended sales methods
STAGES = [
    ("resource", "客户资源", "Customer resource", "open", 0, 1, 100, None,
     "从网上、展会、广告、企业数据库等来源收集整理的潜在客户", "电话直销方式"),
    ("graded", "已分级", "Graded", "open", 5, 1, 90, 10,
     "已核实数据、初步了解企业情况、分出级别、设定推荐产品和销售目标", "发传真、寄资料"),
    ("contacted", "已接触", "Contacted", "open", 10, 5, 50, 13,
     "电话了解、初步推荐产品、已发送产品资料", "例示法、竞争法"),
    ("lead_customer", "线索客户", "Lead customer", "open", 20, 5, 30, 7,
     "有兴趣、愿意了解产品、有进一步接触可能，未明确拒绝", "介绍法、病毒法"),
    ("opportunity", "意向客户(商机)", "Opportunity", "open", 40, 5, 10, 2,
     "约访成功、有兴趣了解产品、提出了关心的问题", "关系法、口碑法、原型法"),
    ("signed", "签约客户", "Signed", "won", 100, 5, None, None,
     "已签订服务合同，购买产品", "原型法（先简单，再到个性化原型）"),
    ("implemented", "已实施", "Implemented", "won", 100, None, None, None,
     "已支付合同款，实施验收", "会议营销、客户沙龙、团队配合"),
    ("abandoned", "放弃", "Abandoned", "lost", 0, None, None, None,
     "明确拒绝、无法联系、不适合、已购买其他企业产品", ""),
]
LOST_REASONS = [
    ("明确拒绝", "Declined"),
    ("无法联系", "Unreachable"),
    ("需求不匹配", "Need mismatch"),
    ("预算不足", "No budget"),
    ("选择了竞争对手", "Chose a competitor"),
    ("项目取消或延期", "Project cancelled or postponed"),
    ("价格过高", "Price too high"),
    ("其他", "Other"),
]
WIN_FACTORS = [
    ("产品契合需求", "Product fit"),
    ("响应速度快", "Fast response"),
    ("价格优势", "Price"),
    ("客户关系", "Relationship"),
    ("成功案例/口碑", "References"),
    ("原型演示", "Prototype demo"),
    ("服务与实施能力", "Service and delivery"),
]


def load(apps, schema_editor):
    pipeline_model = apps.get_model("pipeline", "Pipeline")
    stage_model = apps.get_model("pipeline", "Stage")
    pipeline, created = pipeline_model.objects.get_or_create(
        name="标准销售漏斗", defaults={"name_en": "Standard pipeline", "is_default": True}
    )
    if created or not pipeline.stages.exists():
        for order, row in enumerate(STAGES, start=1):
            code, name, name_en, kind, prob, days, rate, count, criteria, methods = row
            stage_model.objects.create(
                pipeline=pipeline, code=code, name=name, name_en=name_en, order=order, kind=kind,
                probability=prob, ideal_days=days, ideal_move_rate=rate,
                ideal_count_per_rep=count, entry_criteria=criteria, sales_methods=methods,
            )
    for model_name, rows in [("LostReason", LOST_REASONS), ("WinFactor", WIN_FACTORS)]:
        model = apps.get_model("pipeline", model_name)
        for order, (name, name_en) in enumerate(rows):
            model.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
