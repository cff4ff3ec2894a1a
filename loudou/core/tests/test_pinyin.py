from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style
from pypinyin import lazy_pinyin as pypinyin_lazy

from loudou.core.pinyin import lazy_pinyin

# hanzi, ASCII letters and digits, spaces, an accented letter: what names hold
TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("华泰科技有限公司重庆银行长行乐 ABCxyz09é-"),
    ),
    max_size=16,
)


def _marked(chars: str) -> str:
    return "<" + chars + ">"


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_remembered_conversion_equals_pypinyin(text):
    # twice: the second call answers from what the first remembered
    for _ in range(2):
        assert lazy_pinyin(text) == pypinyin_lazy(text)
        assert lazy_pinyin(text, errors=_marked) == pypinyin_lazy(text, errors=_marked)
        first = lazy_pinyin(text, style=Style.FIRST_LETTER)
        assert first == pypinyin_lazy(text, style=Style.FIRST_LETTER)


def test_polyphones_follow_the_phrase_not_the_first_reading():
    assert lazy_pinyin("重庆") == ["chong", "qing"]
    assert lazy_pinyin("重量") == ["zhong", "liang"]
    assert lazy_pinyin("银行行长") == ["yin", "hang", "hang", "zhang"]


def test_returned_lists_are_the_callers_own():
    first = lazy_pinyin("科技")
    first.append("x")
    assert lazy_pinyin("科技") == ["ke", "ji"]
