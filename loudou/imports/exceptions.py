"""Domain errors of imports, with stable codes (never a traceback for a bad file)."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "unknown_format": _("不支持的文件类型（请上传 .csv 或 .xlsx）。"),
    "binary": _("文件不是文本表格（看起来是二进制文件）。"),
    "empty": _("文件是空的。"),
    "no_rows": _("文件只有表头，没有数据行。"),
    "broken_quotes": _("文件的引号不配对（第 {line} 行附近）。"),
    "cell_too_large": _("第 {line} 行有单元格超过 {limit} 字节的上限。"),
    "encoding": _("无法用 {encoding} 编码读取文件（第 {line} 行附近），请指定正确的编码。"),
    "bad_xlsx": _("无法读取该 Excel 文件（文件损坏或不是 .xlsx）。"),
    "wrong_delimiter": _("只识别出一列，分隔符可能不对（请指定分隔符）。"),
    "bad_mapping": _("列映射有误：{detail}"),
    "too_large": _("文件超过 {limit} 的上限，未保存。"),
    "too_many_rows": _("文件超过 {limit} 行数据的上限，整个文件未导入（请拆分成几个文件）。"),
    "too_many_columns": _("表头有 {count} 列，超过 {limit} 列的上限。"),
    "line_too_long": _("第 {line} 行超过 {limit} 个字符的上限（文件可能缺少换行符）。"),
    "xlsx_too_large": _("该 Excel 文件解压后有 {size}，超过 {limit} 的上限（疑似压缩炸弹）。"),
    "xlsx_ratio": _("该 Excel 文件的 {part} 压缩比超过 {limit}:1（疑似压缩炸弹）。"),
    "xlsx_strings": _("该 Excel 文件的共享字符串表解压后有 {size}，超过 {limit} 的上限。"),
    "xlsx_parts": _("该 Excel 文件的内部文件过多（超过 {limit} 个）。"),
}


class ImportFileError(Exception):
    """A file or mapping that cannot be imported; `code` is stable, `message` is for people."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]).format(**self.params)

    def __str__(self) -> str:
        return self.message
