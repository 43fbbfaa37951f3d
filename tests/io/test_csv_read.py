"""CSV cells read a block at a time (io.csv_read) are the cells the whole-text reading gave:
compared with that reading, kept here as the reference, over generated files with the quirks of
real exports, and checked by hand on an order detail's shape."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from unittest import mock

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from xlcrm.core.errors import XlcrmError
from xlcrm.io import csv_read
from xlcrm.io.csv_read import csv_delimiter, read_csv
from xlcrm.io.read import read_sheets
from xlcrm.io.safety import utf16_order


def reference_cells(data: bytes) -> pd.DataFrame:
    """The reading before io.csv_read (main at 7e2d6c6): the whole file decoded into one str
    and given to pandas' C parser; the csv module when a later row is wider than the first 50."""
    text = reference_text(data)
    head = text[:20000].splitlines()[:50]
    delimiter = csv_delimiter(head)
    width = max((len(r) for r in csv.reader(head, delimiter=delimiter)), default=1)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype="string[pyarrow]",
            keep_default_na=False,
            sep=delimiter,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:  # a later row is wider than the first fifty
        if "EOF inside string" in str(exc):
            raise CutInsideQuotes from None
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        # pandas padded short rows with NaN (deprecated since), then ''
        wide = max(map(len, rows))
        frame = pd.DataFrame([r + [""] * (wide - len(r)) for r in rows], dtype="string[pyarrow]")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.columns = range(frame.shape[1])
    return frame


class CutInsideQuotes(Exception):
    """The file ends inside a quoted field: the old reading then split the whole text again with
    the csv module on "\\n" alone (a lone CR inside broke it); not compared."""


def reference_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    order = utf16_order(data[:4096])
    if order:
        try:
            return data.decode(order)
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise XlcrmError("编码无法识别")


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]
# bits of exported text: CJK, a full-width colon and space, a BOM inside, delimiters, quotes, breaks
PIECES = [
    "a",
    "7",
    "客户",
    "合计",
    " ",
    ".",
    "-",
    "：",
    "\u3000",
    "\ufeff",
    '"',
    ",",
    "\t",
    ";",
    "|",
    "\n",
    "\r\n",
]
fields = st.lists(st.sampled_from(PIECES), max_size=3).map("".join)


def render(field: str, delimiter: str, quoted: bool) -> str:
    """A field as an exporter writes it: quoted when it must be (or when it likes)."""
    if quoted or any(c in field for c in (delimiter, '"', "\n", "\r")):
        return '"' + field.replace('"', '""') + '"'
    return field


@st.composite
def exported_csv(draw) -> bytes:
    """A table as exporters write it: a usual width, with title and total lines that are
    shorter, blank lines, rows wider (also after the first fifty), quoted fields with
    delimiters, quotes and line breaks, in any of the encodings."""
    delimiter = draw(st.sampled_from(csv_read.CSV_DELIMITERS))
    width = draw(st.integers(1, 5))
    lines = []
    for _ in range(draw(st.integers(0, 80))):
        kind = draw(st.sampled_from(["usual"] * 6 + ["short", "blank", "wider"]))
        size = {"usual": width, "short": draw(st.integers(1, width)), "blank": 0}.get(kind, width + 2)
        row = draw(st.lists(fields, min_size=size, max_size=size))
        lines.append(delimiter.join(render(f, delimiter, draw(st.booleans())) for f in row))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    return text.encode(draw(st.sampled_from(ENCODINGS)))


# any text made of the characters that matter to a CSV parser
quirky_text = st.lists(st.sampled_from(PIECES + ["\r", '""']), max_size=120).map("".join)
# line breaks to str.splitlines() only: the old reading judged the width on lines split there
PYTHON_BREAKS = ["\u2028", "\x0c", "\x85", "\x1c", "\x1e", "\x0b"]


def open_quote_then_break_at_end(text: str) -> bool:
    """A file cut inside a quoted field, after a line break: pyarrow ends the field before that
    last break, the csv module keeps it (a truncated file; nothing but the break differs)."""
    return text.count('"') % 2 == 1 and text.endswith(("\r", "\n"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("csv")


def check_same_cells(
    folder: Path, data: bytes, block: int, runs: int = csv_read.MAX_RUNS, quotes: int = csv_read.MAX_QUOTES
) -> None:
    path = folder / "t.csv"
    path.write_bytes(data)
    try:
        expected = reference_cells(data)
    except XlcrmError:
        with pytest.raises(XlcrmError, match="编码无法识别"):
            read_csv(path)
        return
    except (pd.errors.EmptyDataError, csv.Error, CutInsideQuotes) as exc:
        expected, failure = None, type(exc).__name__
    with blocks_of(block), mock.patch.multiple(csv_read, MAX_RUNS=runs, MAX_QUOTES=quotes):
        cells = read_csv(path)
    if expected is None or expected.shape[1] == 0:
        # the old reading failed, or lost all text when the first lines were only line breaks
        # (U+2028, form feeds): the new one keeps every record
        event(f"not compared: {failure if expected is None else 'no column'}")
        assert cells.shape[1] >= 1 and (cells.dtypes == "string[pyarrow]").all()
        assert not cells.isna().any().any()
        return
    pd.testing.assert_frame_equal(cells, expected)


def blocks_of(size: int):
    """Files read a block of `size` bytes at a time, however small; 0: as they are (whole up to
    WHOLE_BYTES)."""
    whole = csv_read.WHOLE_BYTES if size == 0 else -1
    return mock.patch.multiple(
        csv_read,
        BLOCK_BYTES=size or csv_read.BLOCK_BYTES,
        PIECE_BYTES=size or csv_read.PIECE_BYTES,
        WHOLE_BYTES=whole,
    )


BLOCKS = st.sampled_from([0, csv_read.BLOCK_BYTES, 64, 4096])  # small blocks split records


# pieces cut wherever quotes allow, or (1) a single stream from the first quote on
QUOTES = st.sampled_from([csv_read.MAX_QUOTES, 1])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=exported_csv(), block=BLOCKS, runs=st.sampled_from([csv_read.MAX_RUNS, 0]), quotes=QUOTES)
def test_the_cells_of_exported_tables_are_as_before(folder, data, block, runs, quotes):
    """Odd rows put in place by slices, or (runs=0) by index as when there are many."""
    check_same_cells(folder, data, block, runs, quotes)


@settings(max_examples=400, deadline=None)
@given(
    text=quirky_text,
    encoding=st.sampled_from(ENCODINGS),
    block=BLOCKS,
    runs=st.sampled_from([4096, 0]),
    quotes=QUOTES,
)
def test_the_cells_of_any_text_are_as_before(folder, text, encoding, block, runs, quotes):
    check_same_cells(folder, text.encode(encoding), block, runs, quotes)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200), block=BLOCKS)
def test_any_bytes_decode_as_before(folder, data, block):
    check_same_cells(folder, data, block)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES + ["\r"] + PYTHON_BREAKS), max_size=120).map("".join))
def test_records_are_split_at_cr_and_lf_only(folder, text):
    """With line breaks only Python's str.splitlines() knows (U+2028, form feed …), the old
    reading could drop a first field or every cell; the records are those of the csv module."""
    path = folder / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    text = reference_text(text.encode("utf-8"))  # (a file under 8 bytes may pass for UTF-16)
    assume(text.removeprefix("\ufeff") and not open_quote_then_break_at_end(text))
    head = text[:20000].splitlines()[:50]
    delimiter = csv_delimiter(head)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))
    width = max([1, *(len(r) for r in csv.reader(head, delimiter=delimiter)), *map(len, rows)])
    assert read_csv(path).to_numpy(object).tolist() == [r + [""] * (width - len(r)) for r in rows]


@pytest.mark.parametrize("runs", [csv_read.MAX_RUNS, 0])
def test_an_order_detail_as_the_platform_exports_it(tmp_path, runs):
    """GBK, title lines above the header, amounts with commas, a cell with a line break, a blank
    line, a row wider than the first fifty and a 合计 row with fewer fields: cells by hand (odd
    rows put in place by slices, or by index as when there are many)."""
    filler = [f"3307811{i:05d},2026/7/{i % 28 + 1},{i},{i}.50" for i in range(60)]
    lines = [
        "订单明细",
        "导出时间：2026-09-30 18:00",
        "客户代码,订货日期,订货量,订货金额",
        '330781100055,2026-07-01,5,"1,830.85"',
        '330781100056,20260701,8,"12\r\n35.31"',
        "",
        *filler,
        "330781100057,2026-07-02,1,2,多余",
        "合计,,65",
    ]
    (tmp_path / "订单明细.csv").write_bytes("\r\n".join(lines).encode("gbk") + b"\r\n")
    with mock.patch.object(csv_read, "MAX_RUNS", runs):
        cells = read_sheets(tmp_path / "订单明细.csv", typed=False)[0].cells
    expected = [
        ["订单明细", "", "", "", ""],
        ["导出时间：2026-09-30 18:00", "", "", "", ""],
        ["客户代码", "订货日期", "订货量", "订货金额", ""],
        ["330781100055", "2026-07-01", "5", "1,830.85", ""],
        ["330781100056", "20260701", "8", "12\r\n35.31", ""],
        ["", "", "", "", ""],
        *([f"3307811{i:05d}", f"2026/7/{i % 28 + 1}", str(i), f"{i}.50", ""] for i in range(60)),
        ["330781100057", "2026-07-02", "1", "2", "多余"],
        ["合计", "", "65", "", ""],
    ]
    assert cells.to_numpy(object).tolist() == expected
    assert list(cells.index) == list(range(1, 69)) and list(cells.columns) == [0, 1, 2, 3, 4]
    assert (cells.dtypes == "string[pyarrow]").all()


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16", "utf-16-le"])
def test_a_file_of_many_blocks_reads_as_one_text(tmp_path, encoding):
    """Past the first lines and over many blocks (4 KB here): the same cells as the whole text,
    also when the bytes that are not UTF-8 come only after the first 80 KB."""
    rows = [f'3307811{i:05d},"客户{i}",{i}\r\n' for i in range(12000)]
    data = "".join(rows).encode(encoding)
    if encoding == "gb18030":
        data = "".join(rows[:6000]).encode() + "".join(rows[6000:]).encode("gbk")
    (tmp_path / "t.csv").write_bytes(data)
    with blocks_of(4096):
        cells = read_csv(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(cells, reference_cells(data))
    assert cells.loc[12000, 1] == "客户11999"


def test_a_line_break_in_a_cell_across_two_blocks(tmp_path):
    """pyarrow's chunker drops the LF of a CR LF in a quoted field when a block ends between the
    two: no block given to it ends in a CR."""
    (tmp_path / "t.csv").write_bytes(b'x,y\n"ab\r\ncd",1\nz,2\n')
    for block in (8, 9, 10, 12):
        with blocks_of(block):
            cells = read_csv(tmp_path / "t.csv")
        assert cells.to_numpy(object).tolist() == [["x", "y"], ["ab\r\ncd", "1"], ["z", "2"]]


def test_a_cell_longer_than_a_block(tmp_path):
    note = "备注" * 400_000 + "\r\n" + "x" * 1_000_000
    (tmp_path / "t.csv").write_bytes(f'客户代码,备注\r\n1,"{note}"\r\n2,短\r\n'.encode("gbk"))
    with blocks_of(1 << 20):
        cells = read_csv(tmp_path / "t.csv")
    assert cells.to_numpy(object).tolist() == [["客户代码", "备注"], ["1", note], ["2", "短"]]


@pytest.mark.parametrize("block", [0, 4096])
def test_a_file_pyarrow_cannot_split_is_told_to_a_person(tmp_path, block):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    failure = pa.ArrowInvalid("CSV parse error")
    with blocks_of(block), mock.patch.object(csv_read.pa_csv, "read_csv", side_effect=failure):
        with pytest.raises(XlcrmError, match=r"^t\.csv 无法作为表格打开.*CSV parse error"):
            read_csv(tmp_path / "t.csv")


def test_nothing_but_byte_order_marks(tmp_path):
    for data in (codecs.BOM_UTF8, "\ufeff".encode("utf-16")):
        (tmp_path / "t.csv").write_bytes(data)
        assert read_csv(tmp_path / "t.csv").shape == (0, 1)
