"""A CSV file's cells as Arrow text, read a block at a time: the bytes are decoded by the Python
codec of their encoding a megabyte at a time and split by pyarrow into Arrow columns, so an
order detail of five million lines never exists as one Python string nor as a Python object per
cell (a third of the memory of a whole-text reading, and faster).

The cells are those of a plain reading: '' for an empty or missing field, blank lines kept as
rows, rows numbered by record (a quoted field may hold line breaks). Rows with another number of
fields than most (title lines, a 合计 row, a later row wider than the rest) are put back in
their places, and every row gets as many columns as the widest."""

from __future__ import annotations

import codecs
import csv
import mmap
import os
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..core.errors import XlcrmError
from .safety import reader_failure, utf16_order

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312
CSV_DELIMITERS = (",", "\t", ";", "|")
HEAD_CHARS = 20000  # the delimiter and the width are judged on the first 50 lines within these
HEAD_BYTES = 4 * HEAD_CHARS + 3  # enough bytes for HEAD_CHARS in any of the encodings, with a BOM
BLOCK_BYTES = 1 << 20  # pyarrow's block: memory in flight stays small, blocks still cheap
WHOLE_BYTES = 4 << 20  # a file up to this size is decoded at once (a block at a time costs ~2 ms)
TEXT = pa.large_string()  # what pandas' string[pyarrow] holds
# encodings in which ASCII bytes are those characters, as in UTF-8 (not UTF-16); a decoder
# between characters in these hands a block of ASCII bytes on as it is
ASCII_SUPERSETS = ("utf-8-sig", "utf-8", "gb18030")
PIECE_BYTES = 8 << 20  # text parsed on a thread at a time
MAX_RUNS = 4096  # odd rows up to about half of this are put in place by slices, not copies


def csv_encodings(head: bytes) -> list[str]:
    """The encodings to try, in order: UTF-16 with a byte-order mark or recognisably without one
    (Excel's "Unicode 文本", other systems' "Unicode"), UTF-8 with or without BOM, else
    GBK/GB18030 as Chinese exports use. The first that decodes the whole file is its encoding."""
    utf16 = ["utf-16"] if head.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    order = utf16_order(head[:4096])
    return [*utf16, *([order] if order else []), *CSV_ENCODINGS]


def csv_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number of columns most often
    (comma, tab, semicolon as European settings write, or |); a comma when none splits."""

    def score(delimiter: str) -> tuple[int, int]:
        widths = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter) if any(row))
        width, times = widths.most_common(1)[0] if widths else (1, 0)
        return (times, width) if width > 1 else (0, 0)

    best = max(CSV_DELIMITERS, key=score)  # ties: the first of CSV_DELIMITERS
    return best if score(best) > (0, 0) else ","


def read_csv(path: Path) -> pd.DataFrame:
    """The cells of a CSV file: Arrow text, columns 0..n-1, rows 1..m by record."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(size if size <= WHOLE_BYTES else HEAD_BYTES)
    whole = len(head) == size
    for encoding in csv_encodings(head):
        try:
            # (the incremental UTF-8-sig decoder takes a lone b"\xef" at the end for a BOM)
            text = head.decode(encoding) if whole else codecs.getincrementaldecoder(encoding)().decode(head)
            return _cells(path, encoding, text, whole)
        except UnicodeDecodeError:  # raised by the head, or by pyarrow's decoding further on
            continue
    raise XlcrmError(
        f"{path.name} 的文字编码无法识别（既不是 UTF-8 也不是 GBK），请在 Excel 中另存为 CSV UTF-8 再试"
    )


def _cells(path: Path, encoding: str, text: str, whole: bool) -> pd.DataFrame:
    """The cells, from the file's first text (all of it when `whole`)."""
    lines = text[:HEAD_CHARS].splitlines()[:50]
    delimiter = csv_delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delimiter))
    width = max((len(r) for r in rows), default=1)
    if whole and not text.removeprefix("\ufeff"):  # nothing but byte-order marks
        return _numbered([pa.chunked_array([], TEXT)] * max(width, 1))
    # pyarrow's number of fields: the one most first lines have, so that title lines and the
    # 合计 row are the few odd rows (a title padded wider would make every data row odd)
    usual = Counter(len(r) for r in rows if r).most_common(1)
    small = whole and path.stat().st_size <= WHOLE_BYTES
    columns, odd = _parse(path, encoding, delimiter, usual[0][0] if usual else 1, text if small else None)
    if odd or len(columns) < width:
        columns = _placed(columns, odd, delimiter, width)
    return _numbered(columns)


def _numbered(columns: list[pa.ChunkedArray]) -> pd.DataFrame:
    """Rows indexed by their record numbers, columns 0..n-1 by position."""
    frame = pd.DataFrame({i: pd.arrays.ArrowStringArray(c) for i, c in enumerate(columns)}, copy=False)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _parse(
    path: Path, encoding: str, delimiter: str, width: int, text: str | None
) -> tuple[list[pa.ChunkedArray], list[tuple[int, int, str]]]:
    """The rows of `width` fields as Arrow columns, and the others as (record number, number of
    fields, text): from `text` when the file is small, else a piece at a time. A record longer
    than a block (a cell of megabytes) gets one block for all."""
    odd, keep = _odd_rows()

    def blocks(size: int) -> list[pa.ChunkedArray]:
        odd.clear()
        with closing(_Utf8Blocks(path, encoding)) as stream:
            return _read(stream, delimiter, width, size, keep).columns

    try:
        if text is not None:
            return _read_all(text.encode(), delimiter, width, keep), odd
        try:
            return _read_pieces(path, encoding, delimiter, width)
        except pa.ArrowInvalid:  # a record longer than a block
            return blocks(min(2 * path.stat().st_size + BLOCK_BYTES, 2**31 - 1)), odd
    except pa.ArrowInvalid as exc:
        raise reader_failure(path, exc) from None


def _read_pieces(
    path: Path, encoding: str, delimiter: str, width: int
) -> tuple[list[pa.ChunkedArray], list[tuple[int, int, str]]]:
    """The records parsed a piece at a time, pieces on threads of their own (pyarrow's own
    threads would not number the odd rows). A piece ends at a line break outside quoted cells
    (see _cut); where that cannot be told, the rest is one piece that pyarrow's chunker splits
    a block at a time."""
    tables: list[list[pa.ChunkedArray]] = []
    odd: list[tuple[int, int, str]] = []
    records = 0

    def collect(parsed: Future) -> None:
        nonlocal records
        columns, piece_odd = parsed.result()
        odd.extend((records + number, fields, text) for number, fields, text in piece_odd)
        records += (len(columns[0]) if columns else 0) + len(piece_odd)
        tables.append(columns)

    threads = os.cpu_count() or 1
    if encoding in ASCII_SUPERSETS:
        pieces = _mapped_pieces(path, encoding, delimiter)
    else:
        pieces = _pieces(_Utf8Blocks(path, encoding), delimiter)
    with closing(pieces), ThreadPoolExecutor(threads) as pool:
        waiting: deque[Future] = deque()
        for piece in pieces:
            waiting.append(pool.submit(_parsed, piece, delimiter, width))
            while len(waiting) > 2 * threads:  # text in flight stays a few pieces
                collect(waiting.popleft())
        while waiting:
            collect(waiting.popleft())
    if len(tables) == 1:
        return tables[0], odd
    return [pa.chunked_array([k for t in tables for k in t[c].chunks], TEXT) for c in range(width)], odd


def _mapped_pieces(path: Path, encoding: str, delimiter: str):
    """_pieces of a file in an encoding whose ASCII is UTF-8's, mapped into memory: a piece of
    ASCII (codes, dates, amounts) is the file's own bytes, not read nor copied; another is
    decoded on its own (it ends at a line feed, so with a whole character)."""
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    # (closed when the last piece is let go: pieces are views of it)
    octets = np.frombuffer(mapped, np.uint8)
    start = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" and mapped[:3] == codecs.BOM_UTF8 else 0
    decoding = "utf-8" if encoding == "utf-8-sig" else encoding
    while start < len(mapped):
        stop, cut = start, start
        while cut == start and stop < len(mapped):  # no line break yet: a longer piece
            stop = min(stop + PIECE_BYTES, len(mapped))
            cut = len(mapped) if stop == len(mapped) else _cut(mapped, delimiter.encode(), start, stop)
            if cut is None:
                yield _Utf8Blocks(path, decoding, start)  # (closed once parsed)
                return
            if _mark_at(mapped, cut, decoding):  # the piece goes on
                cut = start
        if octets[start:cut].max() < 0x80:
            yield memoryview(mapped)[start:cut]
        else:
            yield mapped[start:cut].decode(decoding).encode()
        start = cut


def _pieces(stream: _Utf8Blocks, delimiter: str):
    """The text in pieces of about PIECE_BYTES that each start a record (views of the bytes);
    where quotes are not as exporters write them, the stream itself for the rest."""
    rest = b""
    handed = False
    try:
        while data := stream.read_about(PIECE_BYTES):
            text = rest + data
            cut = _cut(text, delimiter.encode())
            if cut is None:
                stream.unread(text)
                handed = True
                yield stream  # (closed once parsed)
                return
            # no piece starts with a byte-order mark, judged once its bytes are read
            if cut and len(text) - cut >= len(codecs.BOM_UTF8) and not _mark_at(text, cut, "utf-8"):
                yield memoryview(text)[:cut]
                rest = text[cut:]
            else:
                rest = text
        if rest:
            yield rest
    finally:
        if not handed:
            stream.close()


def _mark_at(text: bytes | mmap.mmap, at: int, encoding: str) -> bool:
    """Whether U+FEFF, the byte-order mark, starts at `at`: pyarrow skips one at the start of
    what it reads, so no piece may start with it (in UTF-8 3 bytes, in GB18030 4)."""
    return text[at : at + 4].decode(encoding, errors="ignore").startswith("\ufeff")


MAX_QUOTES = 100_000  # quoted cells looked at in a piece; more (every cell quoted): one stream


def _cut(text: bytes | mmap.mmap, delimiter: bytes, start: int = 0, stop: int | None = None) -> int | None:
    """Where text[start:stop], which starts a record, can be cut so that the rest starts one:
    after its last line break outside quoted cells (`start`: none yet). None when a quote
    stands where exporters never put one (in the middle of a cell), or there are very many:
    where pyarrow ends a cell is then not judged here."""
    end = text.rfind(b"\n", start, len(text) if stop is None else stop) + 1 or start
    at = text.find(b'"', start, end)
    starts = (delimiter, b"\n", b"\r")
    quoted: list[tuple[int, int]] = []  # each quoted cell: its opening and closing quote
    opened = -1
    while at >= 0:
        if len(quoted) > MAX_QUOTES:
            return None
        if opened < 0:  # a quote opens a cell only at its start
            if at > start and text[at - 1 : at] not in starts:
                return None
            opened, at = at, text.find(b'"', at + 1, end)
            continue
        after = text[at + 1 : at + 2]
        if after == b'"':  # "" within a quoted cell
            at = text.find(b'"', at + 2, end)
            continue
        if after not in starts:
            return None
        quoted.append((opened, at))
        opened, at = -1, text.find(b'"', at + 1, end)
    if opened < 0:
        return end
    cut = text.rfind(b"\n", start, opened) + 1 or start  # before the cell still open
    for first, last in reversed(quoted):
        if cut == start or last < cut - 1:  # the break is after this cell (and all before it)
            break
        if first < cut - 1:  # the break is inside this cell: before it, then
            cut = text.rfind(b"\n", start, first) + 1 or start
    return cut


def _parsed(source: bytes | memoryview | _Utf8Blocks, delimiter: str, width: int):
    """One piece's columns, and its odd rows numbered from its first record."""
    odd, keep = _odd_rows()
    if not isinstance(source, _Utf8Blocks):
        return _read_all(source, delimiter, width, keep), odd
    with closing(source):
        return _read(source, delimiter, width, BLOCK_BYTES, keep).columns, odd


def _odd_rows() -> tuple[list[tuple[int, int, str]], Callable[[pa_csv.InvalidRow], str]]:
    """The rows with another number of fields, as (record number, fields, text), and pyarrow's
    handler that sets each aside there."""
    odd: list[tuple[int, int, str]] = []

    def keep(row: pa_csv.InvalidRow) -> str:
        odd.append((row.number, row.actual_columns, row.text))
        return "skip"

    return odd, keep


def _read(source, delimiter: str, width: int, block: int = BLOCK_BYTES, odd=None) -> pa.Table:
    """Every field of UTF-8 text as text ('' for empty), rows numbered in order (one thread)."""
    names = [str(i) for i in range(width)]
    return pa_csv.read_csv(
        source,
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=False, block_size=block),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=odd
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, TEXT),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,  # UTF-8 made by a Python codec
        ),
    )


def _read_all(text: bytes, delimiter: str, width: int, odd=None) -> list[pa.ChunkedArray]:
    """UTF-8 text read as one block (see _Utf8Blocks), from an Arrow buffer: a Python file
    object would be read in pyarrow's I/O thread, a wait for the GIL of milliseconds."""
    source = pa.BufferReader(pa.py_buffer(text))
    return _read(source, delimiter, width, min(len(text) + 1, 2**31 - 1), odd).columns


class _Utf8Blocks:
    """A file's text as UTF-8 bytes, decoded by the Python codec `encoding` (the same decoding
    as a whole-file str), handed to pyarrow a block at a time. No block ends in a carriage
    return: pyarrow's chunker (26.0) drops the line feed of a CR LF inside a quoted field when
    the two fall into different blocks."""

    def __init__(self, path: Path, encoding: str, start: int = 0):
        self._file = open(path, "rb")
        self._file.seek(start)
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._ascii_same = encoding in ASCII_SUPERSETS
        self._ready = b""
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        self._fill(size)
        part = self._ready if size < 0 else self._ready[:size]
        if part.endswith(b"\r") and len(part) > 1 and (len(part) < len(self._ready) or not self._ended):
            part = part[:-1]  # the CR goes with what follows it
        self._ready = self._ready[len(part) :]
        return part

    def read_about(self, size: int) -> bytes:
        """At least `size` bytes (fewer only at the end), as they are ready: for pieces cut at
        a line feed (see _pieces), not for pyarrow's chunker."""
        self._fill(size)
        part, self._ready = self._ready, b""
        return part

    def _fill(self, size: int) -> None:
        """Decode until `size` bytes are ready (all, if < 0) or the file ends, a block at a time:
        a block of ASCII is handed on as it is (codes, dates, amounts: the same bytes in UTF-8)."""
        parts = [self._ready] if self._ready else []
        ready = len(self._ready)
        while not self._ended and (size < 0 or ready < size):
            data = self._file.read(BLOCK_BYTES)
            self._ended = not data
            if self._ascii_same and data.isascii() and self._decoder.getstate() == (b"", 0):
                parts.append(data)
            else:
                parts.append(self._decoder.decode(data, final=self._ended).encode())
            ready += len(parts[-1])
        self._ready = parts[0] if len(parts) == 1 else b"".join(parts)

    def unread(self, data: bytes) -> None:
        """Hand `data` (read before) out again, first."""
        self._ready = data + self._ready

    @property
    def closed(self) -> bool:
        return self._file.closed

    def close(self) -> None:
        self._file.close()


def _placed(
    columns: list[pa.ChunkedArray], odd: list[tuple[int, int, str]], delimiter: str, width: int
) -> list[pa.ChunkedArray]:
    """The usual rows and the odd ones (split by the same parser, a group per number of fields)
    in record order, each padded with '' to the widest row or the first lines' width."""
    groups: dict[int, list[tuple[int, str]]] = {}
    for number, fields, text in odd:
        groups.setdefault(fields, []).append((number, text))
    # the last record may end inside an open quote: it stays last in its group; the BOM is
    # pyarrow's to skip, so a record's own U+FEFF stays in its cell
    parts = [columns] + [
        _read_all(codecs.BOM_UTF8 + "\n".join(t for _, t in rows).encode(), delimiter, fields)
        for fields, rows in groups.items()
    ]
    usual_rows = len(columns[0]) if columns else 0
    count = usual_rows + len(odd)
    part = np.zeros(count, np.int64)  # which part each record comes from
    row = np.empty(count, np.int64)  # and its row there
    usual = np.ones(count, bool)
    for p, rows in enumerate(groups.values(), start=1):
        at = np.fromiter((n - 1 for n, _ in rows), np.int64, len(rows))
        part[at], row[at], usual[at] = p, np.arange(len(rows)), False
    row[usual] = np.arange(usual_rows)
    # runs of records that follow each other in one part: a few, when the odd rows are a few
    starts = np.flatnonzero((np.diff(part, prepend=-1) != 0) | (np.diff(row, prepend=-1) != 1))
    width = max(width, *(len(p) for p in parts))
    if len(starts) > MAX_RUNS:
        return [_taken(parts, c, part, row, columns) for c in range(width)]
    lengths = np.diff(starts, append=count)
    blank = pa.array(np.zeros(int(lengths.max(initial=0)) + 1, np.int64), pa.int64())
    blank = pa.LargeStringArray.from_buffers(len(blank) - 1, blank.buffers()[1], pa.py_buffer(b""))
    runs = list(zip(part[starts].tolist(), row[starts].tolist(), lengths.tolist()))
    placed = []
    for c in range(width):
        chunks: list[pa.Array] = []
        for p, first, length in runs:
            cols = parts[p]
            chunks.extend(cols[c].slice(first, length).chunks if c < len(cols) else [blank.slice(0, length)])
        placed.append(pa.chunked_array(chunks, TEXT))
    return placed


def _taken(
    parts: list[list[pa.ChunkedArray]], c: int, part: np.ndarray, row: np.ndarray, columns: list
) -> pa.ChunkedArray:
    """Column c of all parts in record order, by index (many odd rows between the usual ones)."""
    chunks: list[pa.Array] = []
    start = np.full(len(parts), -1, np.int64)  # where each part's column starts, -1: none
    for p, cols in enumerate(parts):
        if c < len(cols):
            start[p] = sum(len(k) for k in chunks)
            chunks.extend(cols[c].chunks)
    blank = sum(len(k) for k in chunks)  # a last chunk of one '' for missing fields
    chunks.append(pa.array([""], TEXT))
    begins = start[part]
    taken = pa.chunked_array(chunks, TEXT).take(np.where(begins >= 0, begins + row, blank))
    if c < len(columns):
        columns[c] = None  # the usual rows' column is copied: let it go
    return taken
