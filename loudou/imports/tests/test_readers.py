"""Reading CSV in every encoding and refusing malformed files with a clear error."""

import json
import time
import zipfile

import pytest

from loudou.imports.exceptions import ImportFileError
from loudou.imports.readers import open_table

ROWS = (
    "公司名称,联系人,手机\n上海某某科技有限公司,张三,13812345678\n北京测试集团,李四,13900001111\n"
)


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8-sig"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
    ],
)
def test_csv_in_each_encoding_is_read_with_the_detected_encoding(
    tmp_path, encoding, prefix, detected
):
    # given
    path = tmp_path / "leads.csv"
    path.write_bytes(prefix + ROWS.encode(encoding))
    # when
    table = open_table(path)
    rows = list(table.rows())
    # then
    assert table.encoding == detected
    assert table.headers == ["公司名称", "联系人", "手机"]
    assert rows == [
        (2, {"公司名称": "上海某某科技有限公司", "联系人": "张三", "手机": "13812345678"}),
        (3, {"公司名称": "北京测试集团", "联系人": "李四", "手机": "13900001111"}),
    ]


def test_an_explicit_encoding_overrides_detection(tmp_path):
    # given: GBK bytes that also decode (wrongly) as something else is not the point;
    # the override is used as given
    path = tmp_path / "leads.csv"
    path.write_bytes(ROWS.encode("gbk"))
    # when
    table = open_table(path, encoding="GBK")
    # then
    assert table.encoding == "gbk"
    assert next(table.rows())[1]["联系人"] == "张三"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path, delimiter):
    # given
    path = tmp_path / "leads.csv"
    path.write_text(ROWS.replace(",", delimiter), encoding="utf-8")
    # when
    table = open_table(path)
    # then
    assert table.delimiter == delimiter
    assert table.count() == 2


def test_an_xlsx_file_streams_its_rows(tmp_path):
    # given
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["公司名称", "员工人数"])
    sheet.append(["上海某某科技有限公司", 120])
    sheet.append([None, None])
    sheet.append(["北京测试集团", None])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    # when
    rows = list(open_table(path).rows())
    # then
    assert rows == [
        (2, {"公司名称": "上海某某科技有限公司", "员工人数": 120}),
        (4, {"公司名称": "北京测试集团", "员工人数": ""}),
    ]


def _error(path, **kwargs) -> str:
    with pytest.raises(ImportFileError) as caught:
        open_table(path, **kwargs).count()
    assert caught.value.message  # a sentence for people, never a traceback
    return caught.value.code


def test_malformed_files_are_refused_with_a_code(tmp_path):
    # given
    cases = {
        "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "empty.csv": b"",
        "blank.csv": b"\n\n  \n",
        "header.csv": "公司名称,手机\n".encode(),
        "quotes.csv": '公司名称,手机\n"上海某某,138\n北京,139\n'.encode(),
        "leads.pdf": b"%PDF-1.4",
        "broken.xlsx": b"PK\x03\x04 not really a zip",
        "semicolons.csv": "公司名称;联系人\n上海;张三\n".encode(),
    }
    expected = {
        "binary.csv": "binary",
        "empty.csv": "empty",
        "blank.csv": "empty",
        "header.csv": "no_rows",
        "quotes.csv": "broken_quotes",
        "leads.pdf": "unknown_format",
        "broken.xlsx": "bad_xlsx",
        "semicolons.csv": "wrong_delimiter",
    }
    # when
    codes = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        kwargs = {"delimiter": ","} if name == "semicolons.csv" else {}
        codes[name] = _error(tmp_path / name, **kwargs)
    # then
    assert codes == expected


def test_an_empty_xlsx_is_refused(tmp_path):
    # given
    from openpyxl import Workbook

    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    # when / then
    assert _error(path) == "empty"


def test_a_10_mb_line_is_refused_fast(tmp_path):
    # given
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("公司名称,备注\n上海某某,ok\n北京,")
        handle.write("x" * (10 * 1024 * 1024))
        handle.write("\n")
    # when
    started = time.perf_counter()
    code = _error(path)
    # then
    assert code == "line_too_long"
    assert time.perf_counter() - started < 1.0


def test_a_quoted_cell_over_the_limit_is_refused(tmp_path):
    # given: a quoted cell spread over many short lines
    path = tmp_path / "multiline.csv"
    path.write_text('公司名称,备注\n上海,"' + "line\n" * 2000 + '"\n', encoding="utf-8")
    # when / then
    assert _error(path, max_cell=1000) == "cell_too_large"


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    # given
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    # when / then
    assert _error(path) == "bad_xlsx"


def test_reading_100k_rows_stays_in_bounded_memory(tmp_path):
    # given
    import tracemalloc

    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("公司名称,联系人,手机,备注\n")
        for i in range(100_000):
            handle.write(f"上海某某科技有限公司{i},张三,138{i:08d},第{i}行的备注文字\n")
    # when
    tracemalloc.start()
    count = open_table(path).count()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # then
    assert count == 100_000
    assert peak < 2 * 1024 * 1024


def test_a_kept_sample_reads_back_as_the_rows_it_was_read_from(tmp_path):
    # given: every type a cell of an .xlsx comes as
    from datetime import date, datetime, time, timedelta

    from openpyxl import Workbook

    from loudou.imports.readers import read_all, sample_rows

    book = Workbook()
    book.active.append(["文本", "整数", "小数", "是否", "时间", "日期", "时刻", "时长", "空"])
    cells = ["上海", 120, 1.5, True, datetime(2024, 3, 5, 9, 30), date(2024, 3, 5)]  # noqa: DTZ001
    book.active.append([*cells, time(9, 30), timedelta(hours=1, minutes=30), None])
    path = tmp_path / "typed.xlsx"
    book.save(path)
    table = open_table(path)
    # when
    total, sample = read_all(table, 20)
    # then
    rows = list(table.rows())
    assert total == 1
    assert [type(v).__name__ for v in rows[0][1].values()][4:8] == [
        "datetime",
        "datetime",
        "time",
        "timedelta",
    ]
    assert sample_rows(sample, table.headers) == rows
    assert json.loads(json.dumps(sample)) == sample
