"""The cell functions (xlcrm.udfs): by hand, against the engine, and never raising."""

from __future__ import annotations

import io
import re
import types

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlcrm.udfs as udfs
from support import reviewed
from xlcrm.io.xlsx import write_workbook
from xlcrm.report.visit_workbook import standards_sheet
from xlcrm.udfs import CRM_BATCH, CRM_CHANGE, CRM_CODE, CRM_GAP, CRM_MARK, CRM_RANK, FUNCTIONS, cells

CJK = re.compile(r"[\u4e00-\u9fff]")

# as xlcrm writes the 客户季度等级最低标准表: segment labelled and shown once per run
STANDARDS = [
    ["业态", "等级", "最低购进量（条）", "最低购进额（元）", "客户数"],
    ["CS 城镇超市", "CS1", 800, 120000, 3],
    [None, "CS2", 50, 7000, 1],
    [None, "CS3", 12, 1800, 1],
    ["CZ 城镇食杂店", "CZ2", 300, 45000, 1],
    [None, "CZ3", None, None, 1],
]
TIERED = [  # 30 tiers: the segment comes from the 业态 column
    ["业态", "等级", "最低购进量（条）", "最低购进额（元）", "客户数"],
    ["超市", "20", 500, 50000, 2],
    [None, "15", 100, 10000, 4],
    ["便利店", "10", 30, 3000, 5],
    [None, "5", 10, 1000, 9],
]


def column(*values):
    """A one-column range as xlwings passes it (ndim=2)."""
    return [[v] for v in values]


# --- 1. mark and 3. change ----------------------------------------------------------------


@pytest.mark.parametrize(
    "now, before, mark, change",
    [
        ("CS1", "CS2", "CS1↑", "提升"),
        ("cs2 ", "CS1", "CS2↓", "下降"),
        ("CS1", "CS1", "CS1", "保持"),
        ("CZ1", "CS2", "CZ1↑", "提升"),  # the manual method compares only the size digit
        ("CS2", None, "CS2", "新客户"),
        (None, "CS1", "", "无本季等级"),
        (None, None, "", ""),
        ("15", "14", "15↑", "提升"),
        ("第15档", 16, "15↓", "下降"),
        ("A1", "A2", "A1↑", "提升"),
        ("B7", "B6", "B7↓", "下降"),
        ("ＣＳ１", "CS1", "CS1", "保持"),  # full-width folded
    ],
)
def test_mark_and_change_of_one_customer(now, before, mark, change):
    assert CRM_MARK(now, before) == mark
    assert CRM_CHANGE(now, before) == change


def test_mark_and_change_on_a_range():
    now = column("CS1", "CS2", "CZ3", None, "XB2", "CS1", "cs3")
    before = column("CS2", "CS2", "CZ2", "CS1", None, "CS1", "CS1")
    assert CRM_MARK(now, before) == column("CS1↑", "CS2", "CZ3↓", "", "XB2", "CS1", "CS3↓")
    assert CRM_CHANGE(now, before) == column("提升", "保持", "下降", "无本季等级", "新客户", "保持", "下降")


def test_a_range_keeps_its_shape_with_blanks_and_bad_grades():
    now = [["CS1", None, "CZ9"], ["CZ3", "XB2", ""]]
    before = [["CS2", "CS1", "CZ2"], ["CZ2", None, None]]
    assert CRM_MARK(now, before) == [["CS1↑", "", "#等级不属于2008版分类编码（如 CS1）"], ["CZ3↓", "XB2", ""]]
    assert CRM_CHANGE(now, before) == [
        ["提升", "无本季等级", "#等级不属于2008版分类编码（如 CS1）"],
        ["下降", "新客户", ""],
    ]


def test_one_cell_as_xlwings_passes_it_gives_one_value():
    """xlwings hands a single cell to an ndim=2 argument as [[value]]; Excel 2016/2019 need a plain
    value back (a 1×1 array is not a cell value there)."""
    assert CRM_MARK([["CS1"]], [["CS2"]]) == "CS1↑"
    assert CRM_GAP([["CS2"]], [[50]], [[7000]], STANDARDS, "条") == 750.0
    assert CRM_CODE([[" 330781100123"]]) == "330781100123"
    assert CRM_MARK([["CS1"]], [["CS2"]], "金") == cells.SCHEME


def test_one_previous_cell_is_compared_with_every_current_one():
    assert CRM_MARK(column("CS1", "CS2", "CS3"), [["CS2"]]) == column("CS1↑", "CS2", "CS3↓")


def test_ranges_of_different_sizes_are_reported_in_the_shape_of_the_grades():
    assert CRM_MARK(column("CS1", "CS2", "CS3"), column("CS1", "CS2")) == column(*[cells.SHAPE] * 3)


def test_a_bad_previous_grade_is_shown_not_taken_as_a_new_customer():
    assert CRM_CHANGE("CS1", "CS7") == "#等级不属于2008版分类编码（如 CS1）"


# --- 2. rank ------------------------------------------------------------------------------


def test_rank_higher_is_better():
    assert CRM_RANK(column("CS1", "CS2", "CS3", "CZ9", None)) == column(3.0, 2.0, 1.0, "", "")
    assert CRM_RANK("CS1") == 3.0
    assert CRM_RANK(column("30", "15", 1, "31")) == column(30.0, 15.0, 1.0, "")
    assert CRM_RANK(column("A1", "C2", "B8")) == column(15.0, 1.0, "")
    assert CRM_RANK(column("A1", "A2"), "15档") == column(15.0, 14.0)


# --- schemes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scheme, grade, rank",
    [
        ("code2008", "CS1", 3.0),
        ("2008", "XB3", 1.0),
        (2008, "CS2", 2.0),
        ("自动", "CS1", 3.0),
        ("tiers30", "15", 15.0),
        ("30档", "30", 30.0),
        ("３０档", "7", 7.0),
        (30, "1", 1.0),
        ("tiers15", "A1", 15.0),
        ("15档", "C2", 1.0),
        ("金,银,铜", "金", 3.0),
        ("金，银，铜", "铜", 1.0),
        ("金、银、铜", "银", 2.0),
        (column("金", "银", "铜"), "银", 2.0),
        ([["aaa", "aa", "a"]], "AA", 2.0),
    ],
)
def test_every_scheme_by_name_or_order(scheme, grade, rank):
    assert CRM_RANK(grade, scheme) == rank


def test_the_scheme_decides_what_a_grade_means():
    assert CRM_RANK("15", "2008") == ""  # not a 2008 code
    assert CRM_MARK("15", "14", "2008") == "#等级不属于2008版分类编码（如 CS1）"
    assert CRM_MARK("金", "银", "金,银,铜") == "金↑"
    assert CRM_CHANGE("铜", "银", [["金"], ["银"], ["铜"]]) == "下降"


@pytest.mark.parametrize(
    "scheme, message",
    [("tiers99", cells.SCHEME), ("金", cells.SCHEME), ("金,金", cells.ORDER), ("自定义", cells.ORDER)],
)
def test_a_bad_scheme_fills_the_result_with_a_message(scheme, message):
    assert CRM_MARK(column("CS1", None), column("CS2", None), scheme) == column(message, message)
    assert CRM_RANK("CS1", scheme) == message


def test_detection_from_the_grades_of_the_call():
    assert (
        CRM_MARK("CS1", "CZ9") == "#等级不属于2008版分类编码（如 CS1）"
    )  # one typo does not hide the scheme
    assert (
        CRM_MARK("金", "银") == "#等级不属于2008版分类编码（如 CS1）"
    )  # nothing known: checked as 2008 codes
    assert CRM_MARK(column("CS1", "15"), column("CS1", "15")) == column(cells.SCHEME, cells.SCHEME)
    assert CRM_MARK(column("15", "16", "金"), column("14", "16", None)) == column(
        "15↑", "16", "#等级不属于30档（1–30，数字越大越好）"
    )


# --- 4. gap to the next grade -------------------------------------------------------------

GAP_CUSTOMERS = {  # grade, volume, amount → 条, 元, 档 (worked out by hand from STANDARDS)
    "CS2": (50, 7000, 750.0, 113000.0, "CS1"),
    "CS3": (10, "1,800", 40.0, 5200.0, "CS2"),  # an amount as text, as exported
    "CZ3": (5, 5, 295.0, 44995.0, "CZ2"),
    "CS1": (1200, 180000, "", "", ""),  # the top of its segment
    "CZ2": (400, 50000, "", "", ""),  # nobody holds CZ1: no standard to reach
}


@pytest.mark.parametrize("result, at", [("条", 2), ("元", 3), ("档", 4)])
@pytest.mark.parametrize("header", [True, False])
def test_gap_by_hand_with_and_without_the_header(result, at, header):
    standards = STANDARDS if header else STANDARDS[1:]
    grades = list(GAP_CUSTOMERS)
    got = CRM_GAP(
        column(*grades),
        column(*(v[0] for v in GAP_CUSTOMERS.values())),
        column(*(v[1] for v in GAP_CUSTOMERS.values())),
        standards,
        result,
    )
    assert got == column(*(v[at] for v in GAP_CUSTOMERS.values()))


def test_gap_is_zero_once_reached_and_volume_is_the_default():
    assert CRM_GAP("CS2", 900, 200000, STANDARDS) == 0.0
    assert CRM_GAP("CS2", 900, 200000, STANDARDS, "元") == 0.0


def test_gap_with_a_title_above_the_table_and_blank_cells():
    titled = [["客户季度等级最低标准表", None, None, None, None]] + STANDARDS + [[None] * 5]
    assert CRM_GAP(column("CS2", None, "CS3"), column(50, None, None), 7000, titled) == column(750.0, "", "")


def test_gap_to_a_table_that_keeps_only_medium_grades_and_above():
    medium_and_up = [row for row in STANDARDS if row[1] not in ("CS3", "CZ3")]
    assert CRM_GAP("CS3", 10, 100, medium_and_up, "档") == "CS2"
    assert CRM_GAP("CS3", 10, 100, medium_and_up) == 40.0
    assert CRM_GAP("CZ3", 10, 100, medium_and_up, "元") == 44900.0


def test_gap_per_cell_problems():
    got = CRM_GAP(column("XB2", "CZ9", "CS2", "CS2"), column(1, 1, "abc", 1), column(1, 1, 1, "x"), STANDARDS)
    assert got == column(
        cells.UNKNOWN_SEGMENT, "#等级不属于2008版分类编码（如 CS1）", cells.BAD_VOLUME, 799.0
    )
    assert CRM_GAP("CS2", 1, "x", STANDARDS, "元") == cells.BAD_AMOUNT
    assert CRM_GAP("CS2", "abc", "x", STANDARDS, "档") == "CS1"  # the figures do not matter for the grade


def test_gap_with_thirty_tiers_needs_the_segment():
    assert CRM_GAP(
        column("15", "5"), column(80, 8), column(100, 100), TIERED, "条", column("超市", "便利店")
    ) == column(420.0, 22.0)
    assert CRM_GAP("15", 80, 100, TIERED, "档", "超市") == "20"
    assert CRM_GAP("15", 80, 100, TIERED) == cells.NO_SEGMENT  # two segments: which one?
    assert CRM_GAP("15", 80, 100, TIERED, "条", "商场") == cells.UNKNOWN_SEGMENT
    one_segment = TIERED[:3]
    assert CRM_GAP("15", 80, 100, one_segment, "条", None, "30档") == 420.0


@pytest.mark.parametrize(
    "standards, result, message",
    [
        ([["CS1", 1, 2]], "条", cells.STANDARDS),  # too few columns, no header
        ([["业态", "等级"], ["超市", "优"]], "条", cells.STANDARDS),
        (STANDARDS + [[None, "CS2", 1, 1, 1]], "条", cells.STANDARDS_DUPLICATE),
        (STANDARDS, "箱", cells.RESULT),
        (None, "条", cells.STANDARDS),
    ],
)
def test_gap_argument_problems_fill_the_result(standards, result, message):
    assert CRM_GAP(column("CS2", "CS3"), 1, 1, standards, result) == column(message, message)


def test_mark_change_and_gap_by_hand_against_the_standards_sheet_xlcrm_writes(tmp_path):
    """support.SMALL_QUARTER's route customers, typed in by hand, against its standards table
    exactly as xlcrm writes it (title and header rows included), read back from the file."""
    result, _ = reviewed()
    path = tmp_path / "out.xlsx"
    write_workbook([standards_sheet(result)], path)
    written = [list(row) for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)]

    # 甲 乙 丙 新 (一线), 戊 己 (二线), 丁 (六线): grades now and before, volume, amount
    grade = column("CS1", "CZ2", "CZ3", None, "CS2", "CS1", "XB2")
    before = column("CS2", "CZ2", "CZ2", None, None, "CS1", "XB2")
    volume = column(1200, 300, None, None, 50, 900, "abc")
    amount = column(180000.5, 45000, None, None, 7000, 150000, 100)
    assert CRM_MARK(grade, before) == column("CS1↑", "CZ2", "CZ3↓", "", "CS2", "CS1", "XB2")
    assert CRM_CHANGE(grade, before) == column("提升", "保持", "下降", "", "新客户", "保持", "保持")
    # only 戊 (CS2 → CS1: the district's lowest CS1 holder buys 800 条, 120,000 元) has a gap; 丙's
    # next grade CZ2 is known but it has no purchases; CS1, CZ2 (nobody holds CZ1) and XB2 are tops
    assert CRM_GAP(grade, volume, amount, written, "档") == column("", "", "CZ2", "", "CS1", "", "")
    assert CRM_GAP(grade, volume, amount, written, "条")[4] == [750.0]
    assert CRM_GAP(grade, volume, amount, written, "元") == column("", "", "", "", 113000.0, "", "")
    assert CRM_GAP(grade, volume, amount, written, "条")[6] == [cells.BAD_VOLUME]


# --- 5. batch -----------------------------------------------------------------------------


def test_batch_from_the_route_name():
    assert CRM_BATCH([["一线", "六线", "十线"], ["十一线", "3号线", None]]) == [
        ["星期一", "星期一", "星期五"],
        ["星期一", "星期三", ""],
    ]
    assert CRM_BATCH("城区线") == cells.ROUTE


def test_batch_mapping_wins_and_may_have_a_header():
    mapping = [["线路", "访销日"], ["城区线", "周三"], ["一线", "星期四"], [None, None]]
    assert CRM_BATCH(column("城区线", "一线", "二线"), mapping) == column("星期三", "星期四", "星期二")
    assert CRM_BATCH("六线", column("一线,六线=周五")) == "星期五"


@pytest.mark.parametrize("mapping", [[["城区线", "明天"]], [["线路", "访销日"], ["城区线", None]]])
def test_a_bad_mapping_fills_the_result(mapping):
    assert CRM_BATCH(column("一线", "二线"), mapping) == column(cells.MAPPING, cells.MAPPING)


# --- 6. code ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        330781100123,
        330781100123.0,
        3.30781100123e11,
        "330781100123",
        " 330781100123 ",
        "'330781100123",
        "３３０７８１１００１２３",
        "\u3000330781100123\u00a0",
    ],
)
def test_code_as_text_whatever_its_storage(raw):
    assert CRM_CODE(raw) == "330781100123"


def test_code_problems_and_blanks_keep_the_shape():
    assert CRM_CODE([["3.30781E+11", "合计"], [None, "00123"]]) == [
        [cells.LOST_DIGITS, cells.BAD_CODE],
        ["", "00123"],
    ]


# --- registration -------------------------------------------------------------------------


def test_names_are_ascii_with_one_prefix_and_docs_are_chinese():
    names = [f.__name__ for f in FUNCTIONS]
    assert names == ["CRM_MARK", "CRM_RANK", "CRM_CHANGE", "CRM_GAP", "CRM_BATCH", "CRM_CODE"]
    for fn in FUNCTIONS:
        assert fn.__name__.isascii() and getattr(udfs, fn.__name__) is fn
        assert CJK.search(udfs.summary(fn)) and len(udfs.summary(fn)) <= 255
        assert list(fn.argument_docs) == list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
        assert all(CJK.search(doc) and len(doc) <= 255 for doc in fn.argument_docs.values())


def test_xlwings_registers_the_chinese_docs(windows_udfs):
    module, _ = windows_udfs
    from xlwings.conversion import accessors

    for fn in module.FUNCTIONS:
        info = fn.__xlfunc__
        assert info["name"] == fn.__name__ and info["category"] == "xlcrm"
        assert info["ret"]["doc"] == module.summary(fn)  # what MacroOptions(Description=…) gets
        assert [a["name"] for a in info["args"]] == list(fn.argument_docs)
        assert [a["doc"] for a in info["args"]] == list(fn.argument_docs.values())
        for a in info["args"]:
            assert a["options"].get("convert") in accessors  # a converter xlwings knows
    args = {a["name"]: a for a in module.CRM_GAP.__xlfunc__["args"]}
    assert all(args[n]["options"]["ndim"] == 2 for n in ("grade", "volume", "amount", "standards", "segment"))
    assert args["result"]["optional"] == "条" and args["scheme"]["optional"] is None
    assert module.CRM_MARK("CS1", "CS2") == "CS1↑"  # still directly callable


def test_xlwings_writes_one_vba_wrapper_per_function(windows_udfs):
    module, xlwings_udfs = windows_udfs
    out = io.StringIO()
    xlwings_udfs.generate_vba_wrapper("xlcrm.udfs", module, out, types.SimpleNamespace(Name="客户管理.xlsm"))
    vba = out.getvalue()
    assert re.findall(r"^Function (\w+)\(", vba, re.M) == sorted(f.__name__ for f in FUNCTIONS)
    assert (
        "Function CRM_GAP(grade, volume, amount, standards, Optional result, Optional segment, "
        "Optional scheme)" in vba
    )
    assert vba.isascii()  # the Chinese docs go through MacroOptions, not the VBA module


# --- never raise into Excel ---------------------------------------------------------------

MESSAGES = {v for k, v in vars(cells).items() if k.isupper() and isinstance(v, str) and v.startswith("#")}
cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.sampled_from(
        ["CS1", "cs2", "CZ9", "15", "第3档", "A1", "一线", "城区线", "3.30781E+11", "1,200", "金", "合计"]
    ),
)


@st.composite
def grids(draw, rows=None, cols=None):
    rows = rows or draw(st.integers(1, 4))
    cols = cols or draw(st.integers(1, 3))
    return [[draw(cell) for _ in range(cols)] for _ in range(rows)]


def known_message(value) -> bool:
    if value in MESSAGES and value != cells.INTERNAL:
        return True
    return bool(re.fullmatch(cells.GRADE.format(scheme=".+"), value))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_arbitrary_cells_give_results_of_the_same_shape_and_never_raise(data):
    shape = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3)))
    grid = lambda: data.draw(grids(*shape))  # noqa: E731
    option = data.draw(st.one_of(st.none(), cell, grids()))
    calls = [
        CRM_MARK(grid(), grid(), option),
        CRM_RANK(grid(), option),
        CRM_CHANGE(grid(), grid(), option),
        CRM_GAP(
            grid(),
            grid(),
            grid(),
            data.draw(st.sampled_from([STANDARDS, TIERED, grids()])),
            data.draw(st.one_of(st.none(), cell)),
            grid(),
            option,
        ),
        CRM_BATCH(grid(), data.draw(st.one_of(st.none(), grids()))),
        CRM_CODE(grid()),
    ]
    for got in calls:
        if shape == (1, 1):  # one cell in, one value out: no 1×1 array (no dynamic arrays in Excel 2016)
            got = [[got]]
        assert isinstance(got, list) and len(got) == shape[0] and all(len(row) == shape[1] for row in got)
        for value in (v for row in got for v in row):
            assert isinstance(value, (str, float))
            if isinstance(value, str) and value.startswith("#"):
                assert known_message(value), value


@settings(max_examples=100, deadline=None)
@given(cell, cell)
def test_arbitrary_single_cells_give_single_values(a, b):
    for got in (
        CRM_MARK(a, b),
        CRM_RANK(a),
        CRM_CHANGE(a, b),
        CRM_GAP(a, b, b, STANDARDS),
        CRM_BATCH(a),
        CRM_CODE(a),
    ):
        assert isinstance(got, (str, float))
        assert not (isinstance(got, str) and got.startswith("#")) or known_message(got)


# --- through xlwings' own call path ----------------------------------------------------------

MISSING = -2147352572  # what Excel passes for an omitted optional argument (DISP_E_PARAMNOTFOUND)


def clean_value_data(data, dates, empty_as, numbers, errors_as_text):
    """The Windows engine's cleaning of values read over COM, for values without dates or errors."""
    return [[empty_as if value is None else value for value in row] for row in data]


def prepare_xl_data_element(value, date_format):
    """The Windows engine's preparation of a result for COM, for values without dates."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value


EXCEL_ENGINE = types.SimpleNamespace(
    name="excel", clean_value_data=clean_value_data, prepare_xl_data_element=prepare_xl_data_element
)


class ComCells:
    """A stand-in for the Range object Excel hands a UDF over COM: only what xlwings reads. COM
    gives one cell's value as a scalar and a range's as a tuple of row tuples."""

    max_cells_per_read = None
    sheet = types.SimpleNamespace(  # xlwings asks a range for its engine: Excel's
        book=types.SimpleNamespace(app=types.SimpleNamespace(pid=1, engine=EXCEL_ENGINE))
    )

    def __init__(self, rows):
        self.rows = rows

    @property
    def raw_value(self):
        if len(self.rows) == 1 and len(self.rows[0]) == 1:
            return self.rows[0][0]
        return tuple(tuple(row) for row in self.rows)

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])


@pytest.fixture
def call_udf(windows_udfs, monkeypatch):
    """xlwings.udfs.call_udf as the COM server runs it for a cell formula, over a stand-in for
    xlwings' Windows engine (pywin32 is not here): argument conversion, defaults for omitted
    arguments and the conversion of the result are xlwings' own."""
    import sys

    import xlwings

    module, xlwings_udfs = windows_udfs
    engine = types.ModuleType("xlwings._xlwindows")
    engine.BOOK_CALLER = None
    engine.Range = lambda xl: xl
    engine.is_range_instance = lambda value: isinstance(value, ComCells)
    monkeypatch.setattr(xlwings, "_xlwindows", engine, raising=False)
    monkeypatch.setitem(xlwings.engines.engines_by_name, "excel", xlwings.main.Engine(impl=EXCEL_ENGINE))
    server = types.ModuleType("xlwings.com_server")
    server.loop = None
    monkeypatch.setitem(sys.modules, "xlwings.com_server", server)
    caller = ComCells([[None]])
    return lambda name, *args: xlwings_udfs.call_udf(module.__name__, name, args, None, caller)


def test_each_function_through_xlwings_call_udf(call_udf):
    one = lambda value: ComCells([[value]])  # noqa: E731
    col = lambda *values: ComCells([[v] for v in values])  # noqa: E731
    standards = ComCells(STANDARDS)
    # one cell: xlwings hands every result to Excel as a 2-D array, here 1×1, which a single cell
    # shows as its value in every Excel (no dynamic arrays needed)
    assert call_udf("CRM_MARK", one("CS1"), one("CS2"), MISSING) == [["CS1↑"]]
    assert call_udf("CRM_RANK", "CS2", MISSING) == [[2.0]]  # a literal, not a cell
    assert call_udf("CRM_CHANGE", one("CZ3"), one("CZ2"), "2008") == [["下降"]]
    gap = call_udf("CRM_GAP", one("CS2"), one(50), one(7000), standards, MISSING, MISSING, MISSING)
    assert gap == [[750.0]]
    gap = call_udf("CRM_GAP", one("CS3"), one(10), one("1,800"), standards, "元", MISSING, MISSING)
    assert gap == [[5200.0]]
    assert call_udf("CRM_BATCH", one("七线"), MISSING) == [["星期二"]]
    assert call_udf("CRM_CODE", one(330781100123.0)) == [["330781100123"]]
    assert call_udf("CRM_CODE", one(None)) == [[""]]
    # a range: an array of its shape (entered with Ctrl+Shift+Enter over as many cells)
    assert call_udf("CRM_MARK", col("CS1", "CZ3"), col("CS2", "CZ2"), MISSING) == [["CS1↑"], ["CZ3↓"]]
    assert call_udf("CRM_RANK", ComCells([["CS1", "CS3"]]), MISSING) == [[3.0, 1.0]]
    assert call_udf("CRM_CHANGE", col("CS1", None), col(None, "CS1"), MISSING) == [["新客户"], ["无本季等级"]]
    gap = call_udf("CRM_GAP", col("CS2", "CZ3"), col(50, 5), col(7000, 5), standards, "档", MISSING, MISSING)
    assert gap == [["CS1"], ["CZ2"]]
    mapping = ComCells([["城区线", "周三"]])
    assert call_udf("CRM_BATCH", col("城区线", "十线"), mapping) == [["星期三"], ["星期五"]]
    assert call_udf("CRM_CODE", col("'00123", "3.30781E+11")) == [["00123"], [cells.LOST_DIGITS]]
