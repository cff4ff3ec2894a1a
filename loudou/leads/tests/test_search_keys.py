"""Search keys: one pinyin conversion must give what pypinyin's two styles give."""

from hypothesis import given
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from loudou.leads.search import _letters, _text_keys

#: Polyphones (重庆/长安/银行/音乐), latin text, full-width letters, brackets and spaces.
ALPHABET = "重庆长安汽车股份有限公司科技贸易银行行长乐音中国区域沙abcXYZ 123()（）·-_全角Ｆ"


@given(st.text(alphabet=ALPHABET, max_size=16))
def test_text_keys_equal_the_two_pypinyin_styles(text):
    # given: the keys as pypinyin's FIRST_LETTER and NORMAL styles compute them
    expected = (
        _letters(lazy_pinyin(text, style=Style.FIRST_LETTER)),
        _letters(lazy_pinyin(text)),
    )
    # when / then
    assert _text_keys(text) == expected


def test_text_keys_of_a_company_name():
    assert _text_keys("重庆ABC科技") == ("cqabckj", "chongqingabckeji")
