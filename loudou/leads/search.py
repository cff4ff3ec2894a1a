"""Search keys for leads: pinyin initials and full pinyin (`kjyx` finds 科技有限公司)."""

from functools import lru_cache

from pypinyin import lazy_pinyin


def _letters(parts: list[str]) -> str:
    return "".join(p for p in parts if p.strip()).lower()


def pinyin_key(*texts: str) -> str:
    """ "initials full" for each text, space-separated: 杭州科技 → "hzkj hangzhoukeji"."""
    keys = []
    for text in texts:
        if text:
            keys.extend(_text_keys(text))
    return " ".join(keys)[:500]


#: Marks the parts lazy_pinyin returns unchanged (not hanzi), which keep their full text
#: in the initials too, as Style.FIRST_LETTER does.
_AS_IS = "\x01"


@lru_cache(maxsize=4096)  # names repeat (contact names above all); pure, so cached
def _text_keys(text: str) -> tuple[str, str]:
    """One pinyin conversion gives both keys: a syllable's initial is its first letter
    (what Style.FIRST_LETTER returns), so the text is segmented once, not twice."""
    initials, full = [], []
    for part in lazy_pinyin(text, errors=lambda chars: _AS_IS + chars):
        if part.startswith(_AS_IS):
            part = part[1:]
            initials.append(part)
        else:
            initials.append(part[:1])
        full.append(part)
    return _letters(initials), _letters(full)
