"""Chinese material for the demo company: names, companies, titles, needs and pain points.

Pure data plus small generators that take a seeded `random.Random`, so that the same seed
always produces the same people and companies.
"""

import random

from pypinyin import lazy_pinyin

from loudou.activities.choices import Channel

#: Common surnames, most frequent first (weights fall off along the list).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛"]
#: Pinyin for surnames whose everyday reading differs from the default one.
SURNAME_PINYIN = {"曾": "zeng", "单": "shan", "区": "ou", "仇": "qiu", "朴": "piao"}

GIVEN_FIRST = (
    "建国志明晓海春秋文子俊思佳雨欣家嘉梦若婉一天宇浩凯鹏慧丽美玉金永立晨博泽雅颖诗乐宏华伟"
)
GIVEN_SECOND = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉玲桂英华飞鑫波斌宇浩凯婷雪琳峰岚晶萍翔琦瑶悦"
    "轩涵然蕾彤鹏冰楠东阳琪"
)

#: Big cities per region (the reference regions); a lead's company sits in one of them.
CITIES = {
    "华东": ["上海", "杭州", "苏州", "南京", "宁波", "合肥", "济南", "青岛", "福州", "无锡"],
    "华南": ["广州", "深圳", "东莞", "佛山", "珠海", "南宁", "海口", "中山"],
    "华北": ["北京", "天津", "石家庄", "廊坊", "唐山", "保定"],
    "华中": ["武汉", "长沙", "郑州", "南昌", "洛阳", "宜昌"],
    "西南": ["成都", "重庆", "昆明", "贵阳", "绵阳"],
    "西北": ["西安", "兰州", "银川", "西宁", "宝鸡"],
    "东北": ["沈阳", "大连", "长春", "哈尔滨", "鞍山"],
}
OTHER_CITIES = ["上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "西安"]
#: Landline area codes of the cities above (phonenumbers decides which numbers are valid).
AREA_CODES = {
    "上海": "021", "北京": "010", "广州": "020", "深圳": "0755", "杭州": "0571",
    "南京": "025", "苏州": "0512", "成都": "028", "重庆": "023", "武汉": "027",
    "西安": "029", "沈阳": "024", "大连": "0411", "长春": "0431", "哈尔滨": "0451",
    "天津": "022", "青岛": "0532", "福州": "0591", "长沙": "0731", "郑州": "0371",
    "贵阳": "0851", "昆明": "0871", "石家庄": "0311", "东莞": "0769", "佛山": "0757",
    "海口": "0898", "合肥": "0551", "济南": "0531", "宁波": "0574", "南昌": "0791",
}  # fmt: skip

BRANDS = [
    "华信", "恒达", "鼎盛", "瑞丰", "中科", "同创", "金桥", "宏远", "博远", "天润",
    "永和", "嘉禾", "联创", "启明", "海纳", "卓越", "汇通", "凯达", "普华", "德胜",
    "锦程", "星辰", "蓝海", "众诚", "安泰", "泰和", "隆鑫", "晨光", "佳美", "远景",
    "明达", "正源", "和信", "富康", "华美", "新锐", "云帆", "万象", "盛世", "长青",
    "信达", "益丰", "诚信", "东方", "天成", "鸿运", "精诚", "创新", "聚力", "弘毅",
]  # fmt: skip

#: Business words per reference industry: 苏州 + 华信 + 精密机械 + 有限公司.
INDUSTRY_WORDS = {
    "制造业": ["精密机械", "电子科技", "新材料", "汽车零部件", "智能装备", "模具", "电气"],
    "零售业": ["商贸", "百货", "连锁超市", "电子商务", "食品", "服饰"],
    "服务业": ["企业管理咨询", "人力资源", "物业服务", "文化传媒", "餐饮管理", "家政服务"],
    "软件与信息技术": ["信息技术", "软件", "网络科技", "数据科技", "智能科技", "云计算"],
    "金融": ["融资租赁", "投资管理", "保险代理", "商业保理", "财富管理"],
    "医疗健康": ["医疗器械", "生物科技", "医药", "健康管理", "口腔医疗"],
    "教育": ["教育科技", "职业培训", "文化教育", "留学咨询"],
    "物流": ["物流", "供应链管理", "国际货运代理", "冷链物流", "快递"],
    "建筑与地产": ["建设工程", "置业", "建筑装饰", "房地产开发", "工程咨询"],
    "其他": ["实业", "农业发展", "环保科技", "新能源", "贸易"],
}
COMPANY_FORMS = [("有限公司", 70), ("股份有限公司", 15), ("集团有限公司", 8), ("有限责任公司", 7)]

TITLES = [
    ("采购经理", 14), ("总经理", 12), ("IT主管", 10), ("信息部经理", 8), ("运营总监", 8),
    ("销售总监", 7), ("副总经理", 7), ("财务经理", 5), ("行政主管", 5), ("市场经理", 6),
    ("数字化负责人", 5), ("董事长助理", 4), ("CIO", 3), ("采购专员", 6),
]  # fmt: skip

#: Need descriptions (需求描述) per industry, plus ones that fit any company.
NEEDS = {
    "制造业": ["希望打通销售与生产计划，订单交期可视", "需要管理全国经销商的报价与订单",
              "计划上线客户管理系统，统一管理大客户"],
    "零售业": ["想统一管理门店会员与线上客户", "需要跟踪加盟商拓展进度",
              "希望把企业团购客户管起来"],
    "服务业": ["需要管理项目制客户的跟进与续约", "希望销售、交付、客服共用一套客户档案",
              "想规范咨询顾问的客户跟进流程"],
    "软件与信息技术": ["需要管理SaaS试用用户的转化", "希望统计各渠道线索的转化率",
                      "销售团队扩张，需要线索自动分配"],
    "金融": ["需要合规地管理客户信息并留痕", "希望理财顾问的客户跟进可追溯",
            "想按区域统计业务拓展情况"],
    "医疗健康": ["需要管理医院和经销商的拜访记录", "希望跟踪设备招标项目进度",
                "想统一管理学术会议收集的线索"],
    "教育": ["需要管理课程咨询线索并及时回访", "希望统计各校区的招生转化",
            "想把试听学员的跟进标准化"],
    "物流": ["需要管理大客户的询价与报价", "希望跟踪各线路的客户开发情况",
            "想提升销售对货主客户的响应速度"],
    "建筑与地产": ["需要管理项目信息与投标进度", "希望跟踪渠道客户的带看与成交",
                  "想统一管理各项目的客户资源"],
    "其他": ["需要一套简单易用的客户管理工具", "希望销售过程可视化",
            "想规范销售团队的日常跟进"],
}  # fmt: skip
GENERIC_NEEDS = [
    "希望管理层随时看到销售漏斗和业绩预测",
    "需要移动端录入拜访记录",
    "希望和现有ERP、财务系统对接",
    "需要按产品线拆解销售目标并跟踪完成率",
]
PAIN_POINTS = {
    "制造业": ["客户资料散落在业务员个人手里，人员离职客户就流失",
              "报价靠Excel，版本混乱，经常报错价"],
    "零售业": ["会员数据分散在多个平台，无法统一分析", "加盟商跟进靠微信聊天，进度不透明"],
    "服务业": ["续约经常遗漏，客户到期了才发现", "项目交接时客户信息丢失"],
    "软件与信息技术": ["试用用户太多，销售跟不过来，转化率低", "线索分配靠手工，响应慢"],
    "金融": ["客户信息保存不规范，担心合规风险", "无法评估每个顾问的跟进质量"],
    "医疗健康": ["拜访记录靠周报汇总，数据不真实", "招标信息跟踪不及时，错过投标"],
    "教育": ["咨询线索回访不及时，大量流失", "各校区数据口径不一致"],
    "物流": ["询价响应慢，订单被竞争对手抢走", "大客户由个人维护，公司没有沉淀"],
    "建筑与地产": ["项目周期长，跟进断档", "渠道客户归属经常有争议"],
    "其他": ["销售过程是黑箱，管理层看不到进展", "新人上手慢，没有标准话术"],
}  # fmt: skip
GENERIC_PAIN_POINTS = [
    "月底才知道业绩完不成，来不及调整",
    "销售离职时客户交接不清",
    "线索来了没人跟，白白浪费市场费用",
    "各部门数据对不上，每周做报表要花一天",
]
#: Core needs for the need-match sheet (客户需求匹配度评估).
CORE_NEEDS = [
    "线索统一管理", "移动端跟进", "与ERP集成", "销售漏斗分析", "业绩目标管理",
    "权限与数据安全", "私有化部署", "自动分配线索", "合同与回款管理", "报表自动推送",
    "企业微信集成", "多组织架构", "客户公海管理", "售后工单", "数据导入导出",
]  # fmt: skip

#: Notes (备注) a rep writes down, per source channel code.
CHANNEL_NOTES = {
    "trade_show": ["展会现场交换名片", "在展位看过产品演示", "展会后电话确认过需求"],
    "website": ["官网提交试用申请", "下载过产品白皮书", "官网在线咨询转入"],
    "partner": ["合作伙伴引荐，已约首次会面", "渠道伙伴提供的项目信息"],
    "social": ["抖音广告留资", "行业微信群里主动咨询", "看到公众号文章后留言"],
    "customer_referral": ["老客户推荐，关系较好", "由现有客户的总经理介绍"],
    "cold_visit": ["上门拜访时留下联系方式", "陌拜，对方态度一般"],
    "other": ["朋友介绍", "行业协会活动认识"],
}
EMAIL_HOSTS = ["163.com", "qq.com", "126.com", "sina.com"]


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    """Pick a value from (value, weight) pairs."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def surname(rng: random.Random) -> str:
    """A surname, frequent ones more often; now and then a compound one."""
    if rng.random() < 0.01:
        return rng.choice(COMPOUND_SURNAMES)
    index = min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)
    return SURNAMES[index]


def person_name(rng: random.Random) -> str:
    """A realistic 姓+名: one or two given-name characters."""
    if rng.random() < 0.3:
        return surname(rng) + rng.choice(GIVEN_SECOND)
    return surname(rng) + rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_SECOND)


def name_pinyin(name: str) -> tuple[str, str]:
    """(surname, given name) in toneless pinyin, for email addresses and WeChat IDs."""
    family = next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])
    given = name[len(family) :]
    family_py = SURNAME_PINYIN.get(family) or "".join(lazy_pinyin(family))
    return family_py, "".join(lazy_pinyin(given))


def company_name(rng: random.Random, region: str, industry: str) -> tuple[str, str, str]:
    """(company name, city, brand) such as ("苏州华信精密机械有限公司", "苏州", "华信")."""
    city = rng.choice(CITIES.get(region, OTHER_CITIES))
    brand = rng.choice(BRANDS)
    word = rng.choice(INDUSTRY_WORDS.get(industry, INDUSTRY_WORDS["其他"]))
    return f"{city}{brand}{word}{weighted(rng, COMPANY_FORMS)}", city, brand


def mobile_number(rng: random.Random) -> str:
    """A Chinese mobile number (13x/15x/18x/17x/19x + 8 digits) in national form."""
    prefix = rng.choice(
        ["13" + str(d) for d in range(10)]
        + ["15" + str(d) for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
        + ["18" + str(d) for d in range(10)]
        + ["177", "176", "199", "198", "166"]
    )
    return f"{prefix}{rng.randrange(10**8):08d}"


def landline_number(rng: random.Random, city: str) -> str | None:
    """A switchboard number in `city` (area code + 8 digits), or None when it has no code."""
    code = AREA_CODES.get(city)
    if code is None:
        return None
    return f"{code}-{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"


#: Follow-up summaries by channel, objection handling and next actions.
SUMMARIES = {
    Channel.PHONE: [
        "电话沟通需求，对方有初步兴趣",
        "电话确认联系人和决策流程",
        "电话未接通，稍后再打",
    ],
    Channel.WECHAT: ["微信发送了产品介绍，对方已读", "微信沟通了使用场景", "微信约下周见面"],
    Channel.EMAIL: ["邮件发送产品资料和案例", "邮件发送报价单"],
    Channel.VISIT: ["上门拜访，见了IT负责人", "现场了解车间流程和痛点"],
    Channel.MEETING: ["线上会议演示核心功能", "参加我方研讨会，会后交流"],
    Channel.OTHER: ["展会上再次交流"],
}
HANDLING = [
    "介绍了分期付款方案",
    "提供了同行业成功案例",
    "约定由技术顾问答疑",
    "说明了实施周期和保障",
]
NEXT_ACTIONS = [
    "发送产品资料",
    "安排产品演示",
    "发送报价单",
    "约见技术负责人",
    "回访确认需求",
    "邀请参加线上研讨会",
    "提交方案书",
    "跟进预算审批进度",
]
