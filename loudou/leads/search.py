"""Search keys for leads: pinyin initials and full pinyin (`kjyx` finds 科技有限公司)."""

from pypinyin import Style, lazy_pinyin


def _letters(parts: list[str]) -> str:
    return "".join(p for p in parts if p.strip()).lower()


def pinyin_key(*texts: str) -> str:
    """ "initials full" for each text, space-separated: 杭州科技 → "hzkj hangzhoukeji"."""
    keys = []
    for text in texts:
        if text:
            keys.append(_letters(lazy_pinyin(text, style=Style.FIRST_LETTER)))
            keys.append(_letters(lazy_pinyin(text)))
    return " ".join(keys)[:500]
