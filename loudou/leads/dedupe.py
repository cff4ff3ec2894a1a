"""Duplicate detection (撞单 check): company names normalised and compared with rapidfuzz,
phones compared in E.164, emails case-folded.

Decisions (see the tests' tables):
- Legal-form suffixes (有限公司, 股份, 集团, Co., Ltd…), (中国) markers, a leading 中国, full/half
  width, case, spaces and punctuation never distinguish two companies.
- A city or province is part of the name when both sides give one: 杭州华泰 and 南京华泰 are
  different registered enterprises (同名不同城 do not match). When only one side gives a
  city, the rest is compared: 杭州数智科技 matches 数智科技 and 数智科技(杭州)有限公司.
- A branch (…上海分公司) matches its head office and is flagged `is_branch`.
- Names in Latin letters are compared with the pinyin of Chinese ones (hangzhou shuzhi keji).
- Lead.company_key (the pinyin of the name without city and suffix) is indexed; candidates
  are fetched by a prefix of it, so only a handful of rows reach rapidfuzz.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.conf import settings
from rapidfuzz import fuzz

from loudou.core.pinyin import lazy_pinyin

#: Default similarity (0-100) from which two company names count as the same company.
COMPANY_THRESHOLD = 90
#: Letters of company_key two names must share at the start to be compared at all.
KEY_PREFIX = 4
#: At most this many company candidates are scored per check.
MAX_CANDIDATES = 200

_CN_SUFFIXES = sorted(
    [
        "集团股份有限公司",
        "集团有限责任公司",
        "集团有限公司",
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "股份公司",
        "集团公司",
        "总公司",
        "集团",
        "公司",
        "股份",
    ],
    key=len,
    reverse=True,
)
_LATIN_SUFFIX = re.compile(
    r"(?:\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|group|plc)\b[\s.,]*)+$"
)
#: Provinces and major cities that prefix (or follow, in brackets) a company name.
_PLACE_NAMES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 "
    "石家庄 太原 沈阳 大连 长春 哈尔滨 南京 苏州 无锡 常州 南通 杭州 宁波 温州 绍兴 嘉兴 金华 "
    "台州 合肥 福州 厦门 泉州 南昌 济南 青岛 烟台 郑州 武汉 长沙 广州 深圳 东莞 佛山 珠海 "
    "南宁 海口 成都 贵阳 昆明 西安 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 义乌 昆山"
)
_PLACES = _PLACE_NAMES.split()
_PLACE_RE = re.compile(
    "^(" + "|".join(sorted(_PLACES, key=len, reverse=True)) + ")(?:省|市|自治区)?"
)
_BRACKETS = re.compile(r"[(\[{<《【]([^)\]}>》】]*)[)\]}>》】]")
_NOT_WORD = re.compile(r"[\W_]+")
_HAS_LATIN = re.compile(r"[a-z]")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class CompanyName:
    """A company name taken apart: `core` without city, suffix or markers."""

    core: str
    city: str = ""
    is_branch: bool = False

    @property
    def text(self) -> str:
        return self.city + self.core


def _strip_suffixes(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _CN_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
        latin = _LATIN_SUFFIX.sub("", text).rstrip(" .,&-")
        if latin != text and latin:
            text, changed = latin, True
    return text


def _split_branch(text: str) -> tuple[str, bool]:
    if not text.endswith("分公司") or len(text) <= 3:
        return text, False
    head = text[:-3]
    cut = head.rfind("公司")
    if cut > 0:
        return head[: cut + 2], True
    for place in sorted(_PLACES, key=len, reverse=True):
        for tail in (place + "市", place):
            if head.endswith(tail) and len(head) > len(tail):
                return head[: -len(tail)], True
    return head, True


def _take_city(text: str, brackets: list[str]) -> tuple[str, str]:
    city = ""
    while match := _PLACE_RE.match(text):
        if len(text) == match.end():
            break
        city, text = match.group(1), text[match.end() :]
    for inner in brackets:
        place = _PLACE_RE.fullmatch(inner)
        if place and not city:
            city = place.group(1)
    return text, city


def _bracket(match: re.Match) -> str:
    """(中国) and (杭州) go (the city is kept aside); other bracketed words stay."""
    inner = _NOT_WORD.sub("", match.group(1))
    return " " if inner == "中国" or _PLACE_RE.fullmatch(inner) else f" {inner} "


@lru_cache(maxsize=20_000)
def parse_company_name(name: str) -> CompanyName:
    """Take a company name apart into core, city and branch flag (cached: pure)."""
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    brackets = [_NOT_WORD.sub("", b) for b in _BRACKETS.findall(text)]
    text = _BRACKETS.sub(_bracket, text)
    text, is_branch = _split_branch(_NOT_WORD.sub(" ", text).strip())
    text = _strip_suffixes(text.strip())
    text = _NOT_WORD.sub("", text)
    if text.startswith("中国") and len(text) > 4:
        text = text[2:]
    text, city = _take_city(text, [b for b in brackets if b != "中国"])
    if not city:
        text, city = _latin_city(text, city)
    return CompanyName(core=_strip_suffixes(text) or text, city=city, is_branch=is_branch)


@cache
def _spelled_places() -> list[tuple[str, str]]:
    return sorted(
        (("".join(lazy_pinyin(place)), place) for place in _PLACES),
        key=lambda pair: -len(pair[0]),
    )


def _latin_city(text: str, city: str) -> tuple[str, str]:
    if not text[:1].isascii():
        return text, city
    for spelled, place in _spelled_places():
        if text.startswith(spelled) and len(text) > len(spelled):
            return text[len(spelled) :], city or place
    return text, city


def normalise_company_name(name: str) -> str:
    """Comparable form of a company name: city + core, no suffix, no spaces or punctuation."""
    return parse_company_name(name).text


@lru_cache(maxsize=20_000)
def pinyin_form(text: str) -> str:
    """Letters only: Chinese characters become their pinyin, everything else stays."""
    return "".join(lazy_pinyin(text)).replace(" ", "")


def company_key(name: str) -> str:
    """The indexed key: pinyin of the core (no city, no suffix), at most 120 letters."""
    return pinyin_form(parse_company_name(name).core)[:120]


def _mixed(a: str, b: str) -> bool:
    return bool(_HAS_LATIN.search(a) and _HAS_CJK.search(b)) or bool(
        _HAS_CJK.search(a) and _HAS_LATIN.search(b)
    )


def company_similarity(a: str, b: str) -> float:
    """0-100. Cities count only when both names give one; mixed scripts compare in pinyin."""
    left, right = parse_company_name(a), parse_company_name(b)
    if not left.core or not right.core:
        return 0.0
    both_cities = bool(left.city and right.city)
    x = left.text if both_cities else left.core
    y = right.text if both_cities else right.core
    if _mixed(x, y):
        x, y = pinyin_form(x), pinyin_form(y)
    return float(fuzz.ratio(x, y))


def threshold() -> float:
    return float(getattr(settings, "LOUDOU_DEDUPE_COMPANY_THRESHOLD", COMPANY_THRESHOLD))


@dataclass
class Match:
    """An existing lead that looks like the one being entered."""

    lead: object
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def owner(self):
        return self.lead.owner

    def state_for(self, viewer) -> str:
        """pool (no owner), mine (the viewer's) or protected (someone else's)."""
        if self.lead.owner_id is None:
            return "pool"
        return "mine" if viewer is not None and self.lead.owner_id == viewer.pk else "protected"

    def summary(self, viewer) -> dict:
        """What `viewer` may see of the match: contact details masked as everywhere."""
        from loudou.compliance.masking import shown

        lead = self.lead
        return {
            "id": lead.pk,
            "number": lead.number,
            "company_name": lead.company_name,
            "owner": str(lead.owner) if lead.owner_id else None,
            "state": self.state_for(viewer),
            "reasons": list(self.reasons),
            "score": round(self.score, 1),
            "is_branch": parse_company_name(lead.company_name).is_branch,
            "phone": shown(lead, "phone", viewer),
            "email": shown(lead, "email", viewer),
        }


def key_prefix(key: str) -> str:
    """What Lead.company_prefix holds: the key's first KEY_PREFIX letters."""
    return key[:KEY_PREFIX]


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """[low, high) of the keys starting with `prefix`: an index range, which LIKE (and
    so `startswith`) is not on SQLite."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(key: str):
    """The leads whose company key starts with `key`'s first KEY_PREFIX letters: an
    equality on the stored prefix (newest first straight from its index), or for a key
    shorter than that an index range of keys."""
    from django.db.models import Q

    if len(key) >= KEY_PREFIX:
        return Q(company_prefix=key_prefix(key))
    low, high = prefix_bounds(key)
    return Q(company_key__gte=low, company_key__lt=high)


def find_duplicates(*, values: dict, exclude_id: int | None = None) -> list[Match]:
    """Existing leads (not merged away) with the same phone, email or a similar company name,
    best first. Reads every lead, not only visible ones: the 撞单 check must see them all;
    callers mask what they show."""
    from loudou.compliance.phones import normalise_phone
    from loudou.leads.models import Lead

    base = Lead.objects.filter(merged_into=None).select_related("owner")
    if exclude_id is not None:
        base = base.exclude(pk=exclude_id)
    found: dict[int, Match] = {}

    def hit(lead, reason: str, score: float) -> None:
        match = found.setdefault(lead.pk, Match(lead=lead))
        match.reasons.append(reason)
        match.score = max(match.score, score)

    phone = normalise_phone(str(values.get("phone") or ""))
    if phone:
        for lead in base.filter(phone=phone)[:MAX_CANDIDATES]:
            hit(lead, "phone", 100.0)
    email = str(values.get("email") or "").strip().lower()  # stored lower-cased
    if email:
        for lead in base.filter(email=email)[:MAX_CANDIDATES]:
            hit(lead, "email", 100.0)
    name = str(values.get("company_name") or "")
    key = company_key(name)
    if len(key) >= 2:
        limit = threshold()
        for lead in base.filter(prefix_q(key)).order_by("-id")[:MAX_CANDIDATES]:
            score = company_similarity(name, lead.company_name)
            if score >= limit:
                hit(lead, "company", score)
    return sorted(found.values(), key=lambda m: (-len(m.reasons), -m.score, -m.lead.pk))
