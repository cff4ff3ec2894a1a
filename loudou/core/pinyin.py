"""pypinyin's `lazy_pinyin`, with each segment's conversion remembered.

pypinyin cuts a text into words (北京 | 华泰 | 科技 | 有限公司) and converts each one; the
words of company and contact names repeat from row to row, so an import of thousands of
names converts the same few hundred words again and again. The converter below keeps
the answer per (word, options): the results are pypinyin's own, computed once."""

from functools import lru_cache

from pypinyin.converter import DefaultConverter
from pypinyin.core import Pinyin


class _RememberingConverter(DefaultConverter):
    def convert(self, words, style, heteronym, errors, strict, **kwargs):
        try:
            key = (words, style, heteronym, errors, strict, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # an option that cannot be a key (a list of segments…)
            return super().convert(words, style, heteronym, errors, strict, **kwargs)
        return list(self._remembered(key))

    @lru_cache(maxsize=32_768)  # noqa: B019 - one converter for the process, never freed
    def _remembered(self, key: tuple) -> tuple:
        words, style, heteronym, errors, strict, kwargs = key
        return tuple(super().convert(words, style, heteronym, errors, strict, **dict(kwargs)))


lazy_pinyin = Pinyin(_RememberingConverter()).lazy_pinyin
