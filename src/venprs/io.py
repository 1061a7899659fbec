"""Reading and writing tables (CSV, Excel, Parquet) without losing or reordering anything.

One reader, :func:`read_table`, for every table that enters venprs (``venprs score``,
``analyze``, ``calibrate`` and the web upload): a path, or the bytes of an upload
with its file name. Every value arrives as text, exactly as the user sees it (no
type guessing, no ``NA`` conversion), so identifiers such as ``007`` and free text
come back unchanged in the output:

- CSV/TSV (also ``.csv.gz``): the delimiter (``,`` ``;`` or tab) is detected on the
  header line; ``;``-separated files use a decimal comma (for numeric cohort
  columns); a BOM is dropped; UTF-8 is tried first, then Windows-1252 (cp1252). A
  row with more or fewer values than the header is an error naming the row,
  never a shift.
- Excel (``.xlsx``, ``.xlsm``): the first *visible* sheet unless ``sheet`` names one
  (by name, or 1-based position); numbers as text (``1``, ``0.1``), error cells as
  Excel shows them (``#N/A``), so that they are refused like the same text in a CSV.
- Parquet: every column as text; list, struct and binary columns are refused.

Where the table came from (format, encoding, delimiter, sheet, and the row of each
record as the spreadsheet shows it) travels with it in ``df.attrs`` (see
:func:`source_info`), so that error messages name the row the user can find.

Outputs are written atomically: to a temporary file in the target folder, then
renamed, so a failed run leaves no partial file. The formats and rules are listed
in ``docs/intake.md``.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import dataclasses
import datetime as _dt
import gzip
import html
import io as _io
import itertools
import math
import os
import re
import tempfile
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePath
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from .errors import InputError, InputErrors, Problem
from .fields import find_id_column

__all__ = ["read_table", "write_table", "write_csv", "atomic_write", "file_kind", "SUFFIXES",
           "INPUT_SUFFIXES",
           "SourceInfo", "source_info", "locate", "input_kind",
           "atomic_dir", "guard_formulas", "guard_name", "refuse_same_file", "remove_partial_outputs", "install_signal_cleanup",
           "check_output_rows", "XLSX_MAX_ROWS", "TableStream", "BatchWriter", "NotStreamable"]

#: Output formats by extension (what :func:`write_table` writes).
SUFFIXES: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "excel", ".parquet": "parquet",
                            ".pq": "parquet"}
#: Input formats by extension (what :func:`read_table` reads).
INPUT_SUFFIXES: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv",
                                  ".csv.gz": "csv", ".tsv.gz": "tsv", ".txt.gz": "csv",
                                  ".xlsx": "excel", ".xlsm": "excel", ".parquet": "parquet", ".pq": "parquet"}
#: Key of :class:`SourceInfo` in ``DataFrame.attrs``.
SOURCE_ATTR = "venprs_source"
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_SNIFF_BYTES = 1 << 16


def file_kind(path: Path) -> str:
    """The table format of ``path`` by its extension: ``"csv"``, ``"tsv"``, ``"excel"`` or ``"parquet"``.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    str

    Raises
    ------
    InputError
        An extension not in :data:`SUFFIXES`.

    Examples
    --------
    >>> file_kind(Path("cohort.XLSX"))
    'excel'
    """
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"unknown file extension {path.suffix or '(none)'!r}; accepted: " + ", ".join(SUFFIXES), file=path)
    return kind


def _suffix(name: str) -> str:
    p = PurePath(name)
    suf = "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()
    return suf


def input_kind(name: str | os.PathLike) -> tuple[str, bool]:
    """``(format, gzipped)`` of an input file from its name: ``("csv", False)``, ``("tsv", True)``, ...

    Parameters
    ----------
    name : str or path-like
        The file name; only its suffix is read (case-insensitive, ``.gz`` allowed
        after ``.csv``, ``.tsv`` and ``.txt``).

    Returns
    -------
    tuple of (str, bool)
        The format (``"csv"``, ``"tsv"``, ``"excel"`` or ``"parquet"``) and whether the file is gzipped.

    Raises
    ------
    InputError
        The suffix is not one venprs reads (the message lists those it reads).

    Examples
    --------
    >>> input_kind("cohort.CSV.gz"), input_kind("x.xlsx")
    (('csv', True), ('excel', False))
    """
    suf = _suffix(str(name))
    kind = INPUT_SUFFIXES.get(suf)
    if kind is None:
        raise InputError(f"unknown file extension {suf or '(none)'!r}; accepted: " + ", ".join(INPUT_SUFFIXES),
                         file=PurePath(str(name)).name)
    return kind, suf.endswith(".gz")


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    """Where a table came from and how it was read.

    Attributes
    ----------
    label : the file name (and sheet) as named in messages
    format : ``csv``, ``tsv``, ``excel`` or ``parquet``
    encoding : text encoding of a CSV/TSV (``utf-8``, ``utf-8 (BOM)``, ``cp1252``, ``utf-16``)
    delimiter : the delimiter of a CSV/TSV
    decimal : ``","`` for a decimal comma (``;``-separated files), else ``"."``
    sheet : the Excel sheet read
    header_row : the header's row as the spreadsheet shows it (1 = first line)
    sheet_rows : the spreadsheet row of each data record when not simply ``header_row + row``
    notes : what was done that the user should know (e.g. empty unnamed columns ignored)
    """

    label: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    sheet: str | None = None
    header_row: int = 1
    sheet_rows: tuple[int, ...] | None = None
    notes: tuple[str, ...] = ()
    rows_of: Callable[[], tuple[int, ...]] | None = dataclasses.field(default=None, compare=False, repr=False)

    def sheet_row(self, row0: int) -> int:
        """The spreadsheet row of 0-based data row ``row0``."""
        rows = self.sheet_rows if self.sheet_rows is not None else (self.rows_of() if self.rows_of else None)
        if rows is not None and row0 < len(rows):
            return rows[row0]
        return self.header_row + 1 + row0

    def describe(self) -> str:
        """One line for the log: ``patients.csv: UTF-8, semicolon-separated, decimal comma``."""
        parts = []
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append(f"{_DELIMITERS.get(self.delimiter, repr(self.delimiter))}-separated")
        if self.decimal == ",":
            parts.append("decimal comma")
        parts += list(self.notes)
        return self.label + (f" ({', '.join(parts)})" if parts else "")


def source_info(df: pd.DataFrame) -> SourceInfo | None:
    """The :class:`SourceInfo` of a table read by :func:`read_table` (``None`` for other tables).

    Parameters
    ----------
    df : pandas.DataFrame
        A table; :func:`read_table` keeps its :class:`SourceInfo` in ``df.attrs``.

    Returns
    -------
    SourceInfo or None
        How ``df`` was read, or ``None`` when it was not read by :func:`read_table`.
    """
    info = df.attrs.get(SOURCE_ATTR)
    return info if isinstance(info, SourceInfo) else None


def locate(df: pd.DataFrame, problems: Sequence[Problem]) -> list[Problem]:
    """Add the spreadsheet row and the patient ID to problems that name a data row of ``df``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table the problems were found in (its :class:`SourceInfo` maps data rows to spreadsheet rows).
    problems : sequence of Problem
        Problems with a 1-based data ``row`` (or none, for file-wide problems).

    Returns
    -------
    list of Problem
        The same problems, in order, with ``sheet_row`` and ``patient`` (the ID column's text, if the table has
        one) filled in where a data row is named.
    """

    info = source_info(df)
    idcol = find_id_column(df.columns)
    ids = df[idcol] if idcol is not None else None
    out = []
    for p in problems:
        if p.row is None:
            out.append(p)
            continue
        sheet_row = info.sheet_row(p.row - 1) if info is not None else p.sheet_row
        patient = p.patient
        if patient is None and ids is not None and 0 < p.row <= len(ids):
            v = ids.iloc[p.row - 1]
            patient = v.strip() if isinstance(v, str) and v.strip() else None
        out.append(dataclasses.replace(p, sheet_row=sheet_row, patient=patient))
    return out


def read_table(source: str | os.PathLike | bytes, *, filename: str | None = None, sheet: str | None = None,
               text: bool = True) -> pd.DataFrame:
    r"""Read a CSV/TSV (optionally gzipped), Excel (.xlsx) or Parquet table: a path or an upload's bytes.

    Parameters
    ----------
    source : path-like or bytes
        The file, or its content (then ``filename`` gives the format).
    filename : str, optional
        The upload's file name (with ``bytes``); named in messages.
    sheet : str, optional
        Excel: the sheet's name, or its 1-based position (hidden sheets counted).
        Default: the first visible sheet.
    text : bool
        Every value as text, unchanged (default). With ``False`` (CSV and Parquet
        only), let pandas infer types (numbers, NA).

    Returns
    -------
    pandas.DataFrame
        One column per header name, one row per record, all text; ``df.attrs``
        carries a :class:`SourceInfo` (see :func:`source_info`).

    Raises
    ------
    InputError
        Missing file, unknown extension, a file that cannot be parsed, no data rows;
        :class:`~venprs.errors.InputErrors` listing every row whose number of
        values differs from the header.

    Examples
    --------
    >>> df = read_table(b"patient_id;EMD;age\n007;ja;61,5\n", filename="a.csv")
    >>> df["patient_id"].tolist(), source_info(df).describe()
    (['007'], 'a.csv (utf-8, semicolon-separated, decimal comma)')
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = PurePath(filename or "upload.csv").name
        data: bytes | None = bytes(source)
        path = None
    else:
        path = Path(source)
        name = str(path)
        data = None
    kind, gz = input_kind(name)
    if path is not None:
        if not path.exists():
            raise InputError("file not found", file=path)
        if path.is_dir():
            raise InputError("is a folder, not a file", file=path)
    if sheet is not None and kind != "excel":
        raise InputError(f"a sheet ({sheet!r}) was given, but this is a {kind} file, not Excel", file=name)
    try:
        if kind in ("csv", "tsv"):
            raw = data if data is not None else Path(name).read_bytes()
            if gz:
                raw = _gunzip(raw, name)
            if not text:
                return pd.read_csv(_io.BytesIO(raw), sep="\t" if kind == "tsv" else ",", encoding="utf-8-sig")
            df = _read_delimited(raw, kind, name)
        elif kind == "excel":
            df = _read_excel(data if data is not None else path, name, sheet)
        else:
            df = _read_parquet(_io.BytesIO(data) if data is not None else path, name, text)
            if not text:
                return df
    except InputError:
        raise
    except MemoryError:
        raise
    except Exception as e:  # the parsers raise their own types on corrupt files
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"cannot read this {kind} file: {first[:200]}", file=name) from None
    if len(df) == 0:
        info = source_info(df)
        raise InputError("no data rows (only a header)", file=info.label if info else name)
    return df


# ---------------------------------------------------------------- CSV / TSV


def _gunzip(raw: bytes, name: str) -> bytes:
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"cannot read this .gz file: {e}", file=name) from None


def _decode(raw: bytes, name: str) -> tuple[bytes, str]:
    """UTF-8 bytes for the parser and the encoding found (BOM, UTF-8, then cp1252)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError:
            raise InputError("the file starts like UTF-16 text but is not valid UTF-16", file=name) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, enc = raw[3:], "utf-8 (BOM)"
    else:
        enc = "utf-8"
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise InputError("this is not a text file (is it a spreadsheet or a compressed file with a .csv name?)",
                         file=name)
    head = raw[:_SNIFF_BYTES]
    try:  # the start only: the parser checks the rest (see _read_delimited)
        head.decode("utf-8")
        return raw, enc
    except UnicodeDecodeError as e:
        if len(head) == _SNIFF_BYTES and e.reason == "unexpected end of data":
            return raw, enc  # a character cut at the end of the sample
    return _cp1252(raw, name)


#: A character UTF-8 writes with more than one byte (``é`` as C3 A9): in Windows-1252 text these pairs would be
#: ``Ã©``, which no one writes.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}"
                             rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}")


def _cp1252(raw: bytes, name: str) -> tuple[bytes, str]:
    utf8 = _UTF8_MULTIBYTE.search(raw)
    if utf8 is not None:  # partly UTF-8: read as Windows-1252 its characters would change (Zoë -> ZoÃ«)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            nl = b"\n"
            char = raw[utf8.start():utf8.end()].decode("utf-8")
            raise InputError(
                f"the text mixes two encodings: UTF-8 (e.g. {char!r} on line {raw.count(nl, 0, utf8.start()) + 1}) "
                f"and another one (byte 0x{raw[e.start]:02x} on line {raw.count(nl, 0, e.start) + 1}, not UTF-8); "
                "read either way some text would change: save the file as UTF-8 CSV", file=name) from None
    try:
        return raw.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError as e:
        raise InputError(f"the text is neither UTF-8 nor Windows-1252 (byte 0x{raw[e.start]:02x} at position "
                         f"{e.start}); save it as UTF-8 CSV", file=name) from None


# the csv module (error messages, sheet rows) reads values of any length, as pyarrow does: its default limit
# of 131,072 characters turned a long note into an internal error or a false "quote not closed"
csv.field_size_limit(2**31 - 1)


#: pyarrow's CSV block size (its default), the start of :func:`_safe_block_size`'s search.
_ARROW_BLOCK = 1 << 20


def _safe_block_size(data: bytes, base: int = _ARROW_BLOCK) -> int:
    """A pyarrow CSV block size at which no block ends between the CR and the LF of a line break inside a
    quoted value.

    pyarrow (26.0 and earlier) drops the LF of a CRLF that straddles two of the blocks it reads, also inside
    quotes, where it is part of the value: a note ``"A\r\nB"`` came back as ``"A\rB"``, silently
    (apache/arrow issue 51368, found by venprs' differential fuzz on 2026-12-04). Outside quotes the LF
    only ends the record, so only boundaries inside quotes count; the first size from ``base`` up without
    one is returned (one or two tries: such a boundary is rare).

    References
    ----------
    .. [1] https://github.com/apache/arrow/issues/51368
    """
    if len(data) <= base or b'"' not in data or b"\r\n" not in data:
        return base
    arr = np.frombuffer(data, np.uint8)
    for size in range(base, base + 4096):
        ends = np.arange(size - 1, len(arr) - 1, size)
        hits = ends[(arr[ends] == 13) & (arr[ends + 1] == 10)]
        quotes, start, inside = 0, 0, False
        for h in hits.tolist():  # an odd number of quotes before it: the CRLF is inside a quoted value
            quotes += int(np.count_nonzero(arr[start:h] == 34))
            start = h
            if quotes % 2:
                inside = True
                break
        if not inside:
            return size
    return base  # not reached in practice: 4,096 sizes each with a straddling CRLF inside quotes


def _first_record(head: str, delimiter: str) -> list[str]:
    return next(csv.reader(_io.StringIO(head, newline=""), delimiter=delimiter), [])


def _detect_delimiter(head: str, kind: str) -> str:
    """The delimiter giving the header the most fields (ties: the extension's, then , ; tab)."""
    first = head.split("\n", 1)[0]
    default = "\t" if kind == "tsv" else ","
    order = [default] + [d for d in (",", ";", "\t") if d != default]
    counts = {d: len(_first_record(first, d)) for d in order}
    best = max(order, key=lambda d: (counts[d], -order.index(d)))
    return best if counts[best] > 1 else default


def _read_delimited(raw: bytes, kind: str, name: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    raw, enc = _decode(raw, name)
    if not raw[:_SNIFF_BYTES].strip() and not raw.strip():
        raise InputError("the file is empty (no header row)", file=name)
    head = raw[:_SNIFF_BYTES].decode("utf-8", errors="ignore").lstrip("\r\n")
    if len(head) != len(raw[:_SNIFF_BYTES].decode("utf-8", errors="ignore")):
        raise InputError("the first line is empty; the header (column names) must be on line 1", file=name)
    sep = _detect_delimiter(head, kind)
    header = _first_record(head, sep)
    if any("\n" in h or "\r" in h for h in header):
        raise InputError("a column name in the header contains a line break", file=name)
    names = [h.strip() for h in header]
    dup = sorted({h for h in names if h and names.count(h) > 1})
    if dup:
        raise InputError(f"column name(s) {', '.join(map(repr, dup))} appear more than once in the header; "
                         "keep one", file=name, column=dup[0])
    generated = [f"c{i}" for i in range(len(header))]
    bad_rows: list[int] = []

    def on_invalid(row) -> str:
        bad_rows.append(row.actual_columns)
        return "skip"

    def parse(buf: bytes):
        return pcsv.read_csv(
            pa.py_buffer(buf),
            read_options=pcsv.ReadOptions(column_names=generated, skip_rows=1, block_size=_safe_block_size(buf)),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types={g: pa.string() for g in generated},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    try:
        table = parse(raw)
    except pa.ArrowInvalid as e:
        if "utf8" not in str(e).lower() or enc != "utf-8":
            raise
        raw, enc = _cp1252(raw, name)  # UTF-8 at the start, not further on
        bad_rows.clear()
        table = parse(raw)
    text = None
    open_at_end = b'"' in raw and _quote_open_at_eof(table, raw)
    if bad_rows or open_at_end or (b'"' in raw and raw.count(b'"') % 2):  # ragged rows, or an unclosed quote
        text = raw.decode("utf-8")
        problems = _ragged(text, sep, len(header))
        if problems or bad_rows or open_at_end:
            if not problems and not bad_rows:
                raise InputError("a quote (\") in the last rows is never closed, so they would be read as one "
                                 "value; values with quotes must be \"like this\"", file=name)
            if not problems:  # pyarrow and the csv module disagree: name the file only
                raise InputError(f"cannot read this file: some rows do not have {len(header)} values like the "
                                 "header", file=name)
            raise InputErrors(problems, file=name)
    end = len(raw)
    while end and raw[end - 1] in b"\r\n \t":
        end -= 1
    lines = raw.count(b"\n", 0, end) + 1 if raw.find(b"\n", 0, end) >= 0 else raw.count(b"\r", 0, end) + 1
    # more lines than records: blank lines or line breaks in values; the rows are mapped only if asked for
    rows_of = _LazyRows(text if text is not None else raw, sep) if lines > table.num_rows + 1 else None
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    info = SourceInfo(label=name, format=kind, encoding=enc, delimiter=sep, decimal="," if sep == ";" else ".",
                      rows_of=rows_of)
    return _name_columns(df, names, info)


class _LazyRows:
    """The spreadsheet row of each record, computed on first use (only error messages need it)."""

    def __init__(self, source: str | bytes, sep: str):
        self._source: str | bytes | None = source
        self._sep = sep
        self._rows: tuple[int, ...] | None = None

    def __call__(self) -> tuple[int, ...]:
        if self._rows is None:
            src = self._source
            assert src is not None
            self._rows = _record_rows(src.decode("utf-8") if isinstance(src, bytes) else src, self._sep)
            self._source = None
        return self._rows


def _record_rows(text: str, sep: str) -> tuple[int, ...]:
    """The spreadsheet row of each record: record k's first line, as a spreadsheet shows blank lines."""
    rows, row = [], 1
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    next(reader, None)
    for fields in reader:
        row += 1
        if fields:
            rows.append(row)
    return tuple(rows)


def _ragged(text: str, sep: str, n: int) -> list[Problem]:
    """Every record whose number of values differs from the header's, and a quote never closed."""

    problems = []
    row = 0
    sheet_row = 1
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header = [h.strip() for h in next(reader, [])]
    idcol = find_id_column(header)
    idx = header.index(idcol) if idcol is not None else None
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:
            problems.append(Problem(f"a quote (\") opened on line {start} of the file is not closed properly; "
                                    "values with quotes must be \"like this\"", row=row + 1, sheet_row=sheet_row + 1))
            break
        sheet_row += 1
        if not fields:
            continue
        row += 1
        if len(fields) == n:
            continue
        extra = len(fields) - n
        if extra > 0 and all(not f.strip() for f in fields[n:]):
            hint = " (a comma at the end of the row?)" if sep == "," else " (an empty value after the last column?)"
        elif extra > 0:
            hint = f" (a value with a '{sep}' inside that is not in quotes?)"
        else:
            hint = ""
        problems.append(Problem(f"has {len(fields)} value{'s' if len(fields) != 1 else ''} but the header has {n} "
                                f"columns{hint}; no value is read, so that none lands in the wrong column",
                                row=row, sheet_row=sheet_row,
                                patient=fields[idx].strip() or None if idx is not None and idx < len(fields) else None))
    return problems


def _name_columns(df: pd.DataFrame, names: list[str], info: SourceInfo) -> pd.DataFrame:
    """Give the parsed columns the header's names; unnamed columns must be empty (then ignored)."""
    keep, notes, problems = [], list(info.notes), []
    for i, nm in enumerate(names):
        if nm:
            keep.append(i)
            continue
        col = df.iloc[:, i]
        filled = col.astype(str).str.strip() != ""
        if filled.any():
            r = int(filled.to_numpy().argmax())
            where = f"sheet row {info.sheet_row(r)}" if info.format == "excel" else f"data row {r + 1}"
            problems.append(Problem(f"column {i + 1} has no name in the header (row {info.header_row}) but holds "
                                    f"values (first: {where}); give it a name, or start the sheet with the header",
                                    row=None))
    if problems:
        raise InputErrors(problems, file=info.label)
    dropped = len(names) - len(keep)
    if dropped:
        notes.append(f"ignored {dropped} unnamed empty column{'s' if dropped > 1 else ''}")
    if not keep:
        raise InputError("the header has no column names", file=info.label)
    out = df.iloc[:, keep].copy() if dropped else df
    out.columns = [names[i] for i in keep]
    out.attrs[SOURCE_ATTR] = dataclasses.replace(info, notes=tuple(notes))
    return out


# ---------------------------------------------------------------- Excel


def _number_text(x: float) -> str:
    """A number as text: integers without ``.0`` (``1``), others in the shortest exact form (``0.1``)."""
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _cell_text(v: object) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _number_text(v)
    if isinstance(v, _dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if v is None:
        return ""
    return str(v)


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


class _SheetExtras(NamedTuple):
    """What :func:`_xlsx_cells` found in a sheet's XML."""

    errors: dict[tuple[int, int], str]
    formulas: list[tuple[int, int, str]]
    padded: dict[tuple[int, int], int]
    merged: list[tuple[int, int, int, int]]


def _xlsx_cells(src, sheet_name: str) -> _SheetExtras:
    """What the reader does not show of a sheet's cells, from the file itself.

    Returns ``(row0, col0) -> "#N/A"`` for the error cells (the reader shows them as empty);
    ``(row0, col0, formula)`` for the formula cells whose value was never computed: no stored
    value (openpyxl writes none), or a workbook marked to recalculate on opening
    (``fullCalcOnLoad``, as openpyxl and XlsxWriter write it; XlsxWriter stores 0 as every
    formula's value; Excel and LibreOffice store the computed value of each formula); and
    ``(row0, col0) -> width`` for the cells with a zero-padding number format (``00000``: the
    number 123 shows as ``00123``, as identifiers are often formatted); and the merged ranges
    ``(row0, col0, row0_last, col0_last)`` (their value is stored in the first cell only).
    """
    import xml.etree.ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(_io.BytesIO(src) if isinstance(src, bytes) else src) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rid = next((s.get(f"{{{ns['r']}}}id") for s in wb.iterfind("m:sheets/m:sheet", ns)
                    if s.get("name") == sheet_name), None)
        calc = wb.find("m:calcPr", ns)
        recalc = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next((r.get("Target") for r in rels.iterfind("p:Relationship", ns) if r.get("Id") == rid), None)
        if target is None:
            return _SheetExtras({}, [], {}, [])
        target = target.lstrip("/")
        part = target if target.startswith("xl/") else "xl/" + target
        xml = z.read(part)
        pad_styles: dict[int, int] = {}
        if "xl/styles.xml" in z.namelist():
            st = ET.fromstring(z.read("xl/styles.xml"))
            pads = {f.get("numFmtId"): len(code) for f in st.iterfind("m:numFmts/m:numFmt", ns)
                    if re.fullmatch(r"00+", code := f.get("formatCode") or "")}
            if pads:
                pad_styles = {i: pads[xf.get("numFmtId")] for i, xf in enumerate(st.iterfind("m:cellXfs/m:xf", ns))
                              if xf.get("numFmtId") in pads}
    errors: dict[tuple[int, int], str] = {}
    if b't="e"' in xml:
        for m in re.finditer(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?t="e"[^>]*>(.*?)</c>', xml, re.S):
            v = re.search(rb"<v>(.*?)</v>", m.group(3), re.S)
            errors[(int(m.group(2)) - 1, _col_index(m.group(1).decode()))] = (v.group(1).decode() if v else "#VALUE!")
    formulas = []
    if b"<f>" in xml or b"<f " in xml:
        for m in re.finditer(rb'<c r="([A-Z]+)([0-9]+)"([^>]*?)(?<!/)>(.*?)</c>', xml, re.S):
            body = m.group(4)
            f = re.search(rb"<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)", body, re.S)
            if f is None:
                continue
            v = re.search(rb"<v>(.*?)</v>", body, re.S)
            uncomputed = recalc or (v is None and b't="str"' not in m.group(3))
            if uncomputed:
                text = html.unescape((f.group(1) or b"").decode())
                formulas.append((int(m.group(2)) - 1, _col_index(m.group(1).decode()), text))
    padded = {}
    if pad_styles:
        for m in re.finditer(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?\ss="([0-9]+)"', xml):
            if (width := pad_styles.get(int(m.group(3)))) is not None:
                padded[(int(m.group(2)) - 1, _col_index(m.group(1).decode()))] = width
    merged = [(int(m.group(2)) - 1, _col_index(m.group(1).decode()), int(m.group(4)) - 1,
               _col_index(m.group(3).decode()))
              for m in re.finditer(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"', xml)]
    return _SheetExtras(errors, formulas, padded, merged)


def _pick_sheet(wb, sheet: str | None, name: str):
    metas = list(wb.sheets_metadata)
    names = [m.name for m in metas]

    def listing() -> str:
        return ", ".join(f"{m.name!r}" + ("" if str(m.visible).endswith("Visible") else " (hidden)") for m in metas)

    if sheet is None:
        for m in metas:
            if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet"):
                return m.name
        raise InputError(f"no visible worksheet; sheets: {listing()}; choose one with --sheet", file=name)
    if sheet in names:
        return sheet
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    raise InputError(f"no sheet {sheet!r}; sheets: {listing()} (give a name or a position, 1 = first)", file=name)


def _read_excel(src, name: str, sheet: str | None) -> pd.DataFrame:
    import python_calamine as cal

    try:
        wb = cal.CalamineWorkbook.from_filelike(_io.BytesIO(src)) if isinstance(src, bytes) \
            else cal.CalamineWorkbook.from_path(str(src))
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"cannot read this Excel file: {first[:200]}", file=name) from None
    chosen = _pick_sheet(wb, sheet, name)
    label = f"{name}, sheet {chosen!r}"
    grid = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    extras = _xlsx_cells(src, chosen)
    errors, padded = extras.errors, extras.padded
    for (r, c), err in errors.items():
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = err
    for (r, c), width in padded.items():  # a whole number shown zero-padded (00123) is read as shown
        v = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and float(v).is_integer():
            grid[r][c] = ("-" if v < 0 else "") + str(abs(int(v))).zfill(width)
    rows = [[_cell_text(v) for v in row] for row in grid]
    h = next((i for i, row in enumerate(rows) if any(v.strip() for v in row)), None)
    if h is None:
        raise InputError("the sheet is empty (no header row)", file=label)
    header = [v.strip() for v in rows[h]]
    width = max((len(r) for r in rows), default=0)
    header += [""] * (width - len(header))
    names_ = [n for n in header if n]
    dup = sorted({n for n in names_ if names_.count(n) > 1})
    if dup:
        raise InputError(f"column name(s) {', '.join(map(repr, dup))} appear more than once in the header; "
                         "keep one", file=label, column=dup[0])
    data, sheet_rows = [], []
    for i in range(h + 1, len(rows)):
        row = rows[i] + [""] * (width - len(rows[i]))
        if any(v.strip() for v in row):
            data.append(row)
            sheet_rows.append(i + 1)
    df = pd.DataFrame(data, columns=[f"c{i}" for i in range(width)], dtype=object) if data \
        else pd.DataFrame({f"c{i}": pd.Series([], dtype=object) for i in range(width)})
    df = df.astype(pd.ArrowDtype(__import__("pyarrow").string()))
    info = SourceInfo(label=label, format="excel", sheet=chosen, header_row=h + 1, sheet_rows=tuple(sheet_rows))
    df = _name_columns(df, header, info)
    if extras.formulas or extras.merged:
        InputErrors.raise_if_any(_unseen(df, header, h, sheet_rows, rows, extras), file=label)
    return df


def _unseen(df: pd.DataFrame, header: list[str], h: int, sheet_rows: list[int], rows: list[list[str]],
            extras: _SheetExtras) -> list[Problem]:
    """One problem per table cell whose value the sheet shows but the file does not hold (see
    :func:`_xlsx_cells`): a formula never computed (read as empty: a factor unknown, a row of formulas
    dropped; or as the writer's 0), and a merged range over table cells (only its first cell holds the
    value; the others would be read as empty, i.e. unknown, although the sheet shows the value in each)."""
    data_row = {r: i + 1 for i, r in enumerate(sheet_rows)}

    def column(c0: int) -> str | None:
        return header[c0] if c0 < len(header) and header[c0] else None

    problems = []
    for r0, c0, formula in sorted(extras.formulas):
        if r0 <= h:
            continue  # the header or above: not a value of the table
        ref = f"{_col_letters(c0)}{r0 + 1}"
        problems.append(Problem(
            f"cell {ref} holds the formula ={formula} but no computed value (the file was written by a program "
            "that does not calculate formulas, e.g. openpyxl or XlsxWriter); open and save it in Excel or "
            "LibreOffice, or write the values instead of formulas",
            row=data_row.get(r0 + 1), column=column(c0), value=f"={formula}"))
    for r0, c0, r1, c1 in sorted(extras.merged):
        if r1 <= h:
            continue  # a title or the header
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
        if not value.strip():
            continue  # blank cells merged for the layout: nothing is hidden
        ref = f"{_col_letters(c0)}{r0 + 1}:{_col_letters(c1)}{r1 + 1}"
        problems.append(Problem(
            f"cells {ref} are merged: the sheet shows {value!r} across them, but the file holds it in "
            f"{_col_letters(c0)}{r0 + 1} only (the other cells would be read as empty, i.e. unknown); unmerge "
            "them and fill in every cell", row=data_row.get(r0 + 1) if r0 > h else None, column=column(c0),
            value=value))
    return locate(df, problems)


def _col_letters(c0: int) -> str:
    out = ""
    n = c0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


# ---------------------------------------------------------------- Parquet


def _read_parquet(src, name: str, text: bool) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(src)
    if not text:
        return table.to_pandas()
    return _parquet_text(table, name, header_row=0)


def _parquet_text(table, name: str, *, header_row: int) -> pd.DataFrame:
    """A Parquet table (or one batch of it) with every column as text; refuses nested and binary columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    problems = []
    cols = {}
    for fld, col in zip(table.schema, table.columns):
        t = fld.type
        if pa.types.is_dictionary(t):
            col, t = col.cast(t.value_type), t.value_type
        if pa.types.is_nested(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
            problems.append(Problem(f"holds {'lists' if pa.types.is_list(t) or pa.types.is_large_list(t) else t} "
                                    "values; venprs needs one value per cell (text or number)", column=fld.name))
            continue
        if pa.types.is_floating(t):
            vals = [None if v is None else _number_text(v) for v in col.to_pylist()]
            col = pa.chunked_array([pa.array(vals, pa.string())])
        elif pa.types.is_boolean(t):
            col = pc.if_else(col, "true", "false")
        elif not pa.types.is_string(t):
            col = col.cast(pa.string())
        cols[fld.name] = pc.fill_null(col.cast(pa.string()), "")
    InputErrors.raise_if_any(problems, file=name)
    names = list(cols)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"column name(s) {', '.join(map(repr, dup))} appear more than once; keep one", file=name)
    df = pa.table(cols).to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs[SOURCE_ATTR] = SourceInfo(label=name, format="parquet", header_row=header_row)
    return df


# ---------------------------------------------------------------- streaming (venprs score)

#: Bytes of CSV/TSV text parsed per batch when a table is streamed (:class:`TableStream`).
STREAM_BLOCK_BYTES = 4 << 20  # 4 MiB: 1.68 s CPU per million rows against 2.0 s with 1 MiB (issue 14)
#: Rows of a Parquet file read per batch when a table is streamed.
STREAM_PARQUET_ROWS = 1 << 16


#: glibc's ``mallopt`` parameters (``malloc.h``): M_TRIM_THRESHOLD, M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory(*, mmap_threshold: int = 64 << 20, trim_threshold: int = 512 << 20) -> bool:
    """Let glibc's ``malloc`` keep freed memory for reuse instead of handing it back to the kernel at once.

    A streamed file allocates and frees buffers of a few MiB for every batch.
    By default glibc maps each such buffer afresh (``mmap`` above a threshold
    that starts at 128 KiB) and gives freed memory back (``munmap``, trimming
    the heap), so every batch pays the kernel again for zeroed pages; on a
    virtual machine that is the dearest part of the run (scoring 10M rows,
    ``benchmarks/README.md``: 4.0 s of 11.7 s CPU in the kernel, 1.9 s with
    this call; wall time 7.8 s -> 6.2 s, peak memory unchanged). Buffers up to
    ``mmap_threshold`` then come from the heap, which keeps up to
    ``trim_threshold`` bytes of free memory at its top. The setting holds
    for the whole process: the CLI calls it for ``venprs score --input``, a
    process that runs one job; a library user may call it too.

    Returns
    -------
    bool
        Whether the C library took both settings (``False`` where it is not glibc, e.g. macOS or musl).

    References
    ----------
    .. [1] mallopt(3), Linux man-pages: M_MMAP_THRESHOLD, M_TRIM_THRESHOLD.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1 and mallopt(_M_TRIM_THRESHOLD, trim_threshold) == 1


#: A record (a line, or a quoted value with line breaks) longer than this is not streamed (read whole).
STREAM_MAX_RECORD_BYTES = 64 << 20


def _quote_count(data: bytes) -> int:
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == 34)) if b'"' in data else 0


def _records_end(data: bytes, term: bytes) -> tuple[int, int]:
    """Bytes of ``data`` (which starts at a record's start) that make whole records, and their quotes.

    A record ends at ``term`` outside quotes: a line break with an even number
    of quotes before it (RFC 4180 quoting, quotes inside values doubled).
    Returns ``(0, 0)`` when no record ends in ``data``. A quote inside a value
    that is not quoted (``5"``) would break that count; the batch it falls in
    is then refused by :func:`_open_quote_at_end` after parsing.
    """
    end = data.rfind(term)
    if end < 0:
        return 0, 0
    if b'"' not in data:
        return end + 1, 0
    quotes = _quote_count(data) - data.count(b'"', end)  # quotes before ``end``
    for _ in range(64):  # usually the last line break
        if quotes % 2 == 0:
            return end + 1, quotes
        prev = data.rfind(term, 0, end)
        if prev < 0:
            return 0, 0
        quotes -= data.count(b'"', prev, end)
        end = prev
    a = np.frombuffer(data, np.uint8, end)
    breaks = np.flatnonzero(a == term[0])
    before = np.searchsorted(np.flatnonzero(a == 34), breaks)
    ok = np.flatnonzero(before % 2 == 0)
    return (int(breaks[ok[-1]]) + 1, int(before[ok[-1]])) if len(ok) else (0, 0)


def _open_quote_at_end(table, term: bytes) -> bool:
    """Whether the batch's last value ends with the record end: a quoted value left open at the cut (Arrow
    parses it to the end of the text without complaint), or a value that really ends with a line break."""
    last = _last_value(table)
    return bool(last) and last.endswith(term.decode())


def _last_value(table) -> str:
    """The text of the last column of the last row of a parsed batch (``""`` when empty)."""
    if not table.num_rows or not table.num_columns:
        return ""
    return table.column(table.num_columns - 1)[table.num_rows - 1].as_py() or ""


def _quote_open_at_eof(table, text: bytes) -> bool:
    """Whether a quote opened in the last record is never closed: Arrow then reads the rest of the text,
    later records included, as one value without complaint. The last value holds a line break, yet the
    text does not end with the quote that would close it."""
    last = _last_value(table)
    return ("\n" in last or "\r" in last) and not text.rstrip(b"\r\n").endswith(b'"')


class NotStreamable(Exception):
    """This file needs the whole-file reader :func:`read_table` (an encoding, layout or fault that only it
    handles or reports in full); nothing has been written."""


def _line_breaks_before_text(chunks) -> int:
    """Line breaks before the last non-blank byte of a text given as ``chunks`` (bytes, in order): the data
    rows of a file whose rows are one line each, blank lines at the end not counted."""
    committed = pending = 0
    for chunk in chunks:
        body = chunk.rstrip(b"\r\n \t")
        if body:
            committed += pending + body.count(b"\n")
            pending = chunk.count(b"\n", len(body))
        else:
            pending += chunk.count(b"\n")
    return committed


class TableStream:
    """A CSV/TSV (also gzipped) or Parquet file read batch by batch, every value as text.

    Iterating yields ``(df, offset)``: the batch as :func:`read_table` would give
    those rows (same columns, text, a :class:`SourceInfo` whose rows are the
    file's), and the number of data rows before it. Only the plain layouts are
    streamed: a file that :func:`read_table` reads in another way (UTF-16 or
    Windows-1252 text, unnamed or duplicate columns, rows of the wrong length, a
    quote never closed, an unreadable file) raises :class:`NotStreamable`, so
    that the caller reads it whole and reports what is wrong exactly as always.

    Parameters
    ----------
    path : path-like
    block_bytes : int
        CSV/TSV text parsed per batch.
    parquet_rows : int
        Parquet rows per batch.
    """

    def __init__(self, path: str | os.PathLike, *, block_bytes: int = STREAM_BLOCK_BYTES,
                 parquet_rows: int = STREAM_PARQUET_ROWS) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.kind, self.gz = input_kind(self.name)
        if self.kind not in ("csv", "tsv", "parquet") or not self.path.is_file():
            raise NotStreamable(self.name)
        self.block_bytes, self.parquet_rows = block_bytes, parquet_rows
        self.rows = 0
        self.info: SourceInfo | None = None
        self._committed: int | None = None  # line breaks before the last text (CSV/TSV), see simple_rows
        self._raw: Any = None  # the file on disk (its position: progress)
        self.names: list[str] = []  # column names (known once reading started)
        self._total = 0

    def progress(self) -> tuple[int, int]:
        """How far the reading is: ``(done, total)`` in bytes of the file on disk (compressed bytes for
        ``.gz``), or in rows for Parquet; ``(0, 0)`` before the first batch.

        Returns
        -------
        tuple of int
            Done and total, in the same unit.
        """
        if self.kind == "parquet":
            return self.rows, self._total
        try:
            done = self._raw.tell() if self._raw is not None and not self._raw.closed else self._total
        except (OSError, ValueError):
            done = 0
        return min(done, self._total), self._total

    def describe(self) -> str:
        """The log line of :meth:`SourceInfo.describe` (known once the first batch is read)."""
        return self.info.describe() if self.info is not None else self.name

    def simple_rows(self) -> bool:
        """After the last batch: whether data row ``k`` is on line ``k + 1`` (no blank lines, no line breaks
        in values), so that the sheet rows in messages are right without mapping the records."""
        if self.kind == "parquet" or not self.rows:
            return True
        if self._committed is None:  # counted only when asked (a message needs the sheet rows): read again
            with open(self.path, "rb") as raw, (gzip.GzipFile(fileobj=raw, mode="rb") if self.gz else raw) as fh:
                head = fh.read(_SNIFF_BYTES)
                rest = iter(lambda: fh.read(1 << 20), b"")
                self._committed = _line_breaks_before_text(
                    itertools.chain([head[3:] if head.startswith(b"\xef\xbb\xbf") else head], rest))
        return self._committed == self.rows

    def __iter__(self):
        return self._parquet() if self.kind == "parquet" else self._delimited()

    def _batches(self, it):
        while True:
            try:
                batch = next(it)
            except StopIteration:
                break
            except (MemoryError, NotStreamable):
                raise
            except Exception:  # corrupt, not UTF-8 after all, not gzip: read_table says what exactly
                raise NotStreamable(self.name) from None
            if batch.num_rows:
                yield batch

    def _parquet(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
            self._total = pf.metadata.num_rows
        except Exception:
            raise NotStreamable(self.name) from None
        for batch in self._batches(iter(pf.iter_batches(batch_size=self.parquet_rows))):
            df = _parquet_text(pa.Table.from_batches([batch]), self.name, header_row=self.rows)
            self.info = dataclasses.replace(source_info(df), header_row=0)
            self.names = [str(c) for c in df.columns]
            yield df, self._advance(len(df))
        if not self.rows:
            raise NotStreamable(self.name)

    def _advance(self, n: int) -> int:
        offset, self.rows = self.rows, self.rows + n
        return offset

    def tables(self):
        """The delimited file's batches as Arrow tables: ``(table, offset)``.

        ``table`` holds the batch's rows, every column as text and named as in
        the header (stripped); ``offset`` is the number of data rows before it.
        :meth:`frame` turns one into the batch :func:`read_table` would give.
        The text is cut into batches at record ends only (a line break outside
        quotes); a quote inside a value that is not quoted, or a record longer
        than :data:`STREAM_MAX_RECORD_BYTES`, raises :class:`NotStreamable`.

        Yields
        ------
        (pyarrow.Table, int)
        """
        if self.kind == "parquet":
            raise NotStreamable(self.name)
        return self._delimited_tables()

    def frame(self, table, offset: int) -> pd.DataFrame:
        """The batch ``table`` of :meth:`tables` as :func:`read_table` gives those rows (text, file's row numbers)."""
        df = table.to_pandas(types_mapper=pd.ArrowDtype)
        assert self.info is not None
        df.attrs[SOURCE_ATTR] = dataclasses.replace(self.info, header_row=1 + offset)
        return df

    def _delimited(self):
        for table, offset in self._delimited_tables():
            yield self.frame(table, offset), offset

    def _delimited_tables(self):
        import pyarrow as pa
        import pyarrow.csv as pcsv

        self._total = self.path.stat().st_size
        with open(self.path, "rb") as raw, (gzip.GzipFile(fileobj=raw, mode="rb") if self.gz else raw) as fh:
            self._raw = raw
            try:
                head = fh.read(_SNIFF_BYTES)
                enc = "utf-8"
                if head.startswith(b"\xef\xbb\xbf"):
                    head, enc = head[3:] + fh.read(3), "utf-8 (BOM)"
            except Exception:
                raise NotStreamable(self.name) from None
            sep, names = self._header(head)
            self.names = names
            self.info = SourceInfo(label=self.name, format=self.kind, encoding=enc, delimiter=sep,
                                   decimal="," if sep == ";" else ".")
            generated = [f"c{i}" for i in range(len(names))]
            ragged: list[int] = []

            def on_invalid(row) -> str:
                ragged.append(row.actual_columns)
                return "skip"

            parse = pcsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=on_invalid)
            convert = pcsv.ConvertOptions(column_types={g: pa.string() for g in generated},
                                          strings_can_be_null=False, quoted_strings_can_be_null=False)
            # records end at "\n" (also CRLF), or at a lone "\r" in a file with no "\n" (old Mac)
            term = b"\r" if b"\n" not in head and b"\r" in head else b"\n"
            pending, eof, first, quotes = head, False, True, 0
            while pending or not eof:
                data = pending
                if not eof:
                    try:
                        chunk = fh.read(self.block_bytes)
                    except Exception:  # not gzip after all, a read error: read_table says what exactly
                        raise NotStreamable(self.name) from None
                    eof = not chunk
                    data = pending + chunk if pending else chunk
                if eof:
                    block, pending, q = data, b"", _quote_count(data)
                else:
                    cut, q = _records_end(data, term)
                    if cut <= 0:
                        if len(data) > STREAM_MAX_RECORD_BYTES:
                            raise NotStreamable(self.name)
                        pending = data
                        continue
                    block, pending = data[:cut], data[cut:]
                quotes += q
                if block:
                    try:
                        table = pcsv.read_csv(pa.py_buffer(block), read_options=pcsv.ReadOptions(
                            column_names=generated, skip_rows=1 if first else 0, block_size=_safe_block_size(block)),
                            parse_options=parse, convert_options=convert)
                    except (MemoryError, NotStreamable):
                        raise
                    except Exception:  # corrupt, not UTF-8 after all: read_table says what exactly
                        raise NotStreamable(self.name) from None
                    if ragged or (table.num_rows and b'"' in block and (
                            _open_quote_at_end(table, term) or (eof and _quote_open_at_eof(table, block)))):
                        raise NotStreamable(self.name)
                    if not first and block.startswith(b"\xef\xbb\xbf"):
                        raise NotStreamable(self.name)  # Arrow drops a BOM at the start of each text it parses
                    first = False
                    if table.num_rows:
                        yield table.rename_columns(names), self._advance(table.num_rows)
            if ragged or not self.rows or quotes % 2:
                raise NotStreamable(self.name)

    def _header(self, head: bytes) -> tuple[str, list[str]]:
        """Delimiter and column names from the first block, as :func:`read_table` finds them."""
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            raise NotStreamable(self.name)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:
            if not (len(head) == _SNIFF_BYTES and e.reason == "unexpected end of data"):
                raise NotStreamable(self.name) from None
        text = head.decode("utf-8", errors="ignore")
        if not text.strip() or text.lstrip("\r\n") != text:
            raise NotStreamable(self.name)
        sep = _detect_delimiter(text, self.kind)
        header = _first_record(text, sep)
        names = [h.strip() for h in header]
        if any("\n" in h or "\r" in h for h in header) or not all(names) or len(set(names)) != len(names):
            raise NotStreamable(self.name)
        return sep, names


class BatchWriter:
    """Write scored batches, one after another, to ``path`` (CSV, TSV or Parquet, by its extension).

    The bytes are those :func:`write_table` writes for the whole table (for
    Parquet, one row group per batch). Use it on the temporary path of
    :func:`atomic_write`, so that the output appears whole or not at all.
    """

    def __init__(self, path: str | os.PathLike, kind: str, *, formula_guard: bool = True) -> None:
        if kind not in ("csv", "tsv", "parquet"):
            raise NotStreamable(str(path))
        self.path, self.kind, self.formula_guard = Path(path), kind, formula_guard
        self._sink: Any = None
        self._schema: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future | None = None

    def __enter__(self) -> "BatchWriter":
        return self

    def write(self, df: pd.DataFrame) -> None:
        """Append the rows of ``df`` (the same columns for every batch)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        if self.kind != "parquet" and self.formula_guard:
            df = guard_formulas(df)
        try:
            table = pa.Table.from_pandas(df, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed-type cells: write_csv lets pandas format them
            raise NotStreamable(str(self.path)) from None
        if self.kind == "parquet":
            if self._sink is None:
                self._schema = table.schema
                self._sink = pq.ParquetWriter(self.path, table.schema)
            elif not table.schema.equals(self._schema, check_metadata=False):
                table = table.cast(self._schema)
            self._sink.write_table(table)
            return
        first = self._open_text()
        options = pcsv.WriteOptions(include_header=first, delimiter="\t" if self.kind == "tsv" else ",",
                                    quoting_style="needed")
        self._wait()  # at most one batch being written while the next is scored: memory stays bounded
        assert self._pool is not None
        self._pending = self._pool.submit(pcsv.write_csv, table, self._sink, options)

    def write_text(self, header: bytes, make: Callable[[], Sequence[Any]]) -> None:
        """Append rows whose CSV/TSV text ``make()`` returns in pieces (bytes-like, written in order; called
        on the writing thread, overlapping the next batch); ``header`` is written first if nothing was
        written yet (the header line of :meth:`write`'s tables)."""
        if self.kind == "parquet":
            raise NotStreamable(str(self.path))
        if self._open_text():
            self._sink.write(header)
        self._wait()
        assert self._pool is not None
        sink = self._sink
        self._pending = self._pool.submit(lambda: [sink.write(part) for part in make()])

    def _open_text(self) -> bool:
        """Open the CSV/TSV file and its writing thread on the first batch; whether this was the first."""
        import pyarrow as pa

        if self._sink is not None:
            return False
        self._sink = pa.OSFile(str(self.path), "wb")
        self._pool = ThreadPoolExecutor(max_workers=1)
        return True

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def __exit__(self, *exc) -> None:
        try:
            self._wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._sink is not None:
                self._sink.close()
                self._sink = None


#: Most data rows an .xlsx sheet holds (1,048,576 rows minus the header row).
XLSX_MAX_ROWS = 1_048_575

#: Temporary files and folders being written (removed at once on SIGTERM/SIGINT).
_LIVE: set[str] = set()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def os_reason(e: OSError) -> str:
    """The operating system's words for ``e`` ("No space left on device"), also for pyarrow's errors."""
    import re

    code = e.errno or next((int(m) for m in re.findall(r"\[errno (\d+)\]", str(e))), None)
    if code:
        return os.strerror(code)
    return e.strerror or (str(e).strip().splitlines() or [type(e).__name__])[0]


def _cannot_write(p: Path, e: OSError) -> InputError:
    return InputError(f"cannot write: {os_reason(e)}", file=p)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGTERM/SIGINT while a temporary output is created and registered (no unregistered file)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGTERM, signal.SIGINT}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def remove_partial_outputs() -> None:
    """Delete every temporary output still being written (called on SIGTERM/SIGINT).

    Examples
    --------
    >>> remove_partial_outputs()  # nothing being written: does nothing
    """
    import shutil

    for t in list(_LIVE):
        _LIVE.discard(t)
        if os.path.isdir(t) and not os.path.islink(t):
            shutil.rmtree(t, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(t)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success.

    The temporary file is private (mode 0600) while it is written; the finished
    file gets the mode the umask gives a new file (``0666 & ~umask``), as ``open``
    would. On any failure, or SIGTERM/SIGINT (see
    :func:`install_signal_cleanup`), the temporary file is removed and ``path``
    is left as it was. An ``OSError`` while writing (disk full, no permission)
    becomes an :class:`~venprs.errors.InputError` naming the file.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    suffix : str, optional
        Suffix of the temporary file (default: that of ``path``), for writers that choose the format by suffix.

    Yields
    ------
    pathlib.Path
        The temporary file to write.

    Raises
    ------
    InputError
        The folder does not exist or the file cannot be written.
    """
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise InputError("output folder does not exist", file=p)
    try:
        with _signals_held():
            fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=suffix or p.suffix, dir=parent)
            _LIVE.add(tmp)
    except OSError as e:
        raise _cannot_write(p, e) from None
    os.close(fd)
    try:
        try:
            yield Path(tmp)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, p)
        except OSError as e:
            raise _cannot_write(p, e) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        _LIVE.discard(tmp)


def _is_report_folder(p: Path) -> bool:
    """Whether ``p`` holds a venprs report (a ``results.json`` with a ``venprs.results`` schema)."""
    import json

    try:
        with open(p / "results.json", encoding="utf-8") as fh:
            return str(json.load(fh).get("schema", "")).startswith("venprs.results")
    except (OSError, ValueError, AttributeError):
        return False


def _exchange(a: str, b: str) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); ``False`` if unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike):
    """Yield a temporary sibling folder; on success it becomes ``path`` in one step.

    A report folder is built whole in ``.<name>.XXXX.tmp`` next to ``path`` and
    renamed onto ``path`` only when everything is written. An existing
    ``path`` that is empty or holds an earlier venprs report (``results.json``)
    is replaced as a whole (atomically on Linux, by exchanging the two folders):
    old and new files never mix. Any other non-empty folder is refused, so that
    no file of the user's is deleted. On failure or SIGTERM/SIGINT the temporary
    folder is removed and ``path`` is left exactly as it was.

    Parameters
    ----------
    path : str or path-like
        The report folder to create or replace.

    Yields
    ------
    pathlib.Path
        The temporary folder to fill.

    Raises
    ------
    InputError
        ``path`` is a file, its parent folder is missing, it is a non-empty
        folder without a venprs report, or the folder cannot be written.
    """
    import shutil

    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.exists() and not p.is_dir():
        raise InputError("output path exists and is not a folder", file=p)
    if not parent.exists():
        raise InputError("parent folder of the output folder does not exist", file=p)
    if p.is_dir() and any(p.iterdir()) and not _is_report_folder(p):
        raise InputError("output folder is not empty and holds no venprs report (results.json); choose a new "
                         "or empty folder (an earlier venprs report there is replaced whole)", file=p)
    try:
        with _signals_held():
            tmp = tempfile.mkdtemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
            _LIVE.add(tmp)
    except OSError as e:
        raise _cannot_write(p, e) from None
    try:
        try:
            yield Path(tmp)
            os.chmod(tmp, 0o777 & ~_umask())
            if p.is_dir() and any(p.iterdir()):
                if not _exchange(tmp, str(p)):  # not Linux: move the old one aside, then rename
                    old = tempfile.mkdtemp(prefix=f".{p.name}.", suffix=".old", dir=parent)
                    os.rename(p, os.path.join(old, "report"))
                    os.rename(tmp, p)
                    tmp = old
                shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier report
            else:
                os.replace(tmp, p)  # onto a missing or empty folder
        except OSError as e:
            raise _cannot_write(p, e) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        _LIVE.discard(tmp)


def check_output_folder(path: str | os.PathLike) -> None:
    """Refuse, before any work, an output whose folder does not exist (as :func:`atomic_write` would, later).

    Parameters
    ----------
    path : str or path-like
        An output file of the command.

    Raises
    ------
    InputError
        ``output folder does not exist``, naming the file.
    """
    p = Path(path)
    if not (p.parent if str(p.parent) else Path(".")).exists():
        raise InputError("output folder does not exist", file=p)


def refuse_same_file(output: str | os.PathLike, inputs, *, folder: bool = False) -> None:
    """Refuse an output that is one of the inputs (same path or same file), or a folder holding an input.

    Parameters
    ----------
    output : str or path-like
        The output file or report folder.
    inputs : iterable of str or path-like
        The input files of the command.
    folder : bool, default False
        ``output`` is a report folder, replaced as a whole: it must not contain an input either.

    Raises
    ------
    InputError
        Naming the input and the option to change.

    Examples
    --------
    >>> refuse_same_file("out.csv", ["in.csv"])  # different files: fine
    """
    out = Path(output)
    for i in inputs:
        if i is None:
            continue
        src = Path(i)
        same = os.path.abspath(out) == os.path.abspath(src)
        if not same and out.exists() and src.exists():
            with contextlib.suppress(OSError):
                same = os.path.samefile(out, src)
        inside = folder and src.exists() and Path(os.path.realpath(out)) in Path(os.path.realpath(src)).parents
        if same or inside:
            what = "is also the output" if same else "is inside the output folder (which is replaced)"
            raise InputError(f"the input {src} {what}; choose another output so that the input is not "
                             "overwritten", file=out)


_FORMULA_START = r"[=+\-@\t\r]"
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"


def _text_mask(s: pd.Series) -> np.ndarray:
    """Which cells of ``s`` are text (``str``), as a boolean array."""
    return np.fromiter((isinstance(v, str) for v in s.tolist()), bool, len(s))


_FORMULA_TABLE = np.zeros(256, bool)
_FORMULA_TABLE[np.frombuffer(b"=+-@\t\r", np.uint8)] = True  # first byte -> starts a formula


def _arrow_formula_start(s: pd.Series) -> np.ndarray | None:
    """Which cells of an Arrow-backed text column start with a formula character, or ``None`` for another column.

    Reads the first byte of each value from the Arrow buffers (the formula characters are ASCII, and in
    UTF-8 no other character starts with an ASCII byte), ten times faster than a regular expression: the
    same cells as ``s.str.match(_FORMULA_START)`` (``tests/test_outputs.py``).
    """
    if not isinstance(s.dtype, pd.ArrowDtype):
        return None
    return arrow_formula_start(s.array.__arrow_array__())


def arrow_formula_start(arr) -> np.ndarray | None:
    """Which values of an Arrow text array (or chunked array) start with a formula character; ``None`` when it
    is not text. The cells :func:`guard_formulas` looks at before it spares plain numbers."""
    import pyarrow as pa

    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = []
    for c in chunks:
        width: np.dtype
        if pa.types.is_string(c.type) or pa.types.is_binary(c.type):
            width = np.dtype(np.int32)
        elif pa.types.is_large_string(c.type) or pa.types.is_large_binary(c.type):
            width = np.dtype(np.int64)
        else:
            return None
        _, offsets, data = c.buffers()[:3]
        n = len(c)
        starts = np.frombuffer(offsets, width, n + 1, c.offset * width.itemsize) if n else \
            np.zeros(1, width)
        if data is None or not len(data):  # only empty strings or nulls
            parts.append(np.zeros(n, bool))
            continue
        first = np.frombuffer(data, np.uint8).take(starts[:-1], mode="clip")  # an empty last value: clipped
        hit = _FORMULA_TABLE[first] & (starts[1:] > starts[:-1])
        if c.null_count:
            hit &= c.is_valid().to_numpy(zero_copy_only=False)
        parts.append(hit)
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def guard_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as a formula (CSV injection, CWE-1236).

    A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'`` (OWASP's advice), unless the whole cell is a
    plain number such as ``-1.5`` or ``+3e2`` (a spreadsheet reads those as
    numbers, not formulas). Numeric, boolean and other non-text columns are never
    touched.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to be written as CSV/TSV.

    Returns
    -------
    pandas.DataFrame
        A new frame when a cell changed, else ``df`` itself (never modified in place).

    References
    ----------
    .. [1] OWASP, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection
    .. [2] MITRE CWE-1236: Improper Neutralization of Formula Elements in a CSV File.

    Examples
    --------
    >>> out = guard_formulas(pd.DataFrame({"id": ["=1+2", "-1.5", "@SUM(A1)", "P1"], "x": [-1.5, 2, 3, 4]}))
    >>> out["id"].tolist(), out["x"].tolist()
    (["'=1+2", '-1.5', "'@SUM(A1)", 'P1'], [-1.5, 2.0, 3.0, 4.0])
    """
    changed = {}
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue
        if pd.api.types.is_object_dtype(s.dtype):  # mixed cells: only the str ones are text
            text = _text_mask(s)
            st = pd.Series(np.where(text, s.astype(object), ""), index=s.index, dtype=object).astype(str)
        else:  # a string column (pyarrow or pandas): vectorised
            text, st = None, s
        risky = _arrow_formula_start(s)
        if risky is None:
            if text is None:
                text = s.notna().to_numpy(bool)
            first = st.str.match(_FORMULA_START)
            risky = text & (first.fillna(False).to_numpy(bool) if first.hasnans else first.to_numpy(bool))
        if risky.any():
            number = st[risky].str.fullmatch(_PLAIN_NUMBER).to_numpy(bool)
            risky[np.flatnonzero(risky)[number]] = False
        if risky.any():
            changed[col] = s.astype(object).where(~risky, "'" + st.astype(object))
    out = df.assign(**changed) if changed else df
    names = {c: guard_name(c) for c in df.columns if isinstance(c, str) and guard_name(c) != c}
    return out.rename(columns=names) if names else out


def guard_name(name: str) -> str:
    """A column name as :func:`guard_formulas` writes it: with a leading ``'`` when a spreadsheet would run
    it as a formula (the header row is cells too), else unchanged.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> guard_name("=SUM(A1)"), guard_name("-1"), guard_name("FLT3")
    ("'=SUM(A1)", '-1', 'FLT3')
    """
    if name and re.match(_FORMULA_START, name) and not re.fullmatch(_PLAIN_NUMBER, name):
        return "'" + name
    return name


def write_table(df: pd.DataFrame, path: str | os.PathLike, *, metadata: dict[str, str] | None = None,
                formula_guard: bool = True) -> None:
    """Write ``df`` atomically to CSV/TSV, Excel or Parquet, chosen by extension.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to write (the index is not written).
    path : str or path-like
        The output file: ``.csv``, ``.tsv``, ``.xlsx`` or ``.parquet`` (gzipped ``.csv.gz``/``.tsv.gz`` too).
    metadata : dict of str to str, optional
        Stored as Parquet key-value metadata (for Excel, in the workbook's description; for CSV it is
        ignored: write a companion file).
    formula_guard : bool, default True
        CSV/TSV: neutralise formula-like text cells with :func:`guard_formulas`. In ``.xlsx`` every text cell
        is a string cell, never a formula, whatever ``formula_guard`` says.

    Raises
    ------
    InputError
        Unknown extension, more rows than an ``.xlsx`` sheet holds, or the file
        cannot be written (disk full, no permission).
    """
    p = Path(path)
    kind = file_kind(p)
    check_output_rows(len(df), p)
    writers: dict[str, Callable[[Path], None]] = {
        "csv": lambda t: write_csv(df, t, ",", formula_guard=formula_guard),
        "tsv": lambda t: write_csv(df, t, "\t", formula_guard=formula_guard),
        "excel": lambda t: _write_excel(df, t, metadata),
        "parquet": lambda t: _write_parquet(df, t, metadata),
    }
    with atomic_write(p) as tmp:
        writers[kind](tmp)


def check_output_rows(n: int, path: str | os.PathLike) -> None:
    """Refuse ``n`` data rows for an ``.xlsx`` output that cannot hold them (before any work is done).

    Parameters
    ----------
    n : int
        Number of data rows to be written.
    path : str or path-like
        The output file; only ``.xlsx`` outputs have a row limit (1,048,575 data rows under the header).

    Raises
    ------
    InputError
        ``path`` is ``.xlsx`` and ``n`` rows do not fit; the message names the formats that do.
    """
    p = Path(path)
    if file_kind(p) == "excel" and n > XLSX_MAX_ROWS:
        raise InputError(f"{n:,} rows do not fit in an .xlsx sheet (at most {XLSX_MAX_ROWS:,} rows); "
                         "write .csv, .tsv or .parquet instead", file=p)


def write_csv(df: pd.DataFrame, path, sep: str = ",", *, formula_guard: bool = True) -> None:
    """Write ``df`` as CSV (``sep``) to a path or binary buffer: the format ``venprs score`` writes.

    Not atomic by itself; :func:`write_table` wraps it for files. Text is quoted only where needed.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to write (the index is not written).
    path : str, path-like or binary file object
        Where to write.
    sep : str, default ","
        The delimiter (``"\t"`` for TSV).
    formula_guard : bool, default True
        Apply :func:`guard_formulas` first (the web download does the same).
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if formula_guard:
        df = guard_formulas(df)
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed-type object columns: let pandas format them
        df.to_csv(path, sep=sep, index=False, lineterminator="\n")
        return
    pcsv.write_csv(table, path, pcsv.WriteOptions(delimiter=sep, quoting_style="needed"))


#: Rows converted to cell values at a time when an .xlsx file is written (:func:`_write_excel`).
XLSX_CHUNK_ROWS = 20_000


def _excel_values(s: pd.Series) -> list:
    """The cell values pandas' ``to_excel`` writes for a column: missing -> empty, +-inf -> "inf"/"-inf"."""
    if pd.api.types.is_bool_dtype(s.dtype) and not s.hasnans:
        return s.to_numpy(bool).tolist()
    if pd.api.types.is_float_dtype(s.dtype) and not isinstance(s.dtype, pd.ArrowDtype):
        v = s.to_numpy(float)
        out = v.astype(object)
        out[np.isnan(v)] = None
        out[np.isposinf(v)], out[np.isneginf(v)] = "inf", "-inf"
        return out.tolist()
    if pd.api.types.is_integer_dtype(s.dtype) and not s.hasnans:
        return s.to_numpy().tolist()
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in s]
    return [None if (v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)) else v
            for v in s.astype(object).tolist()]


def _write_excel(df: pd.DataFrame, path: Path, metadata) -> None:
    """Write ``df`` to ``path`` as one sheet, streamed (openpyxl write-only mode: memory bounded by a chunk).

    The cells are those pandas' ``to_excel`` writes (header row in bold, no index, missing values empty),
    except that text beginning with ``=`` stays a text cell, never a formula. Before: ``to_excel`` held
    every cell as an object, 7.4 GB and 496 s for 1,048,575 scored rows (issue 14).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    bold = Font(bold=True)
    header = []
    for c in df.columns:
        cell = WriteOnlyCell(ws, value=str(c))
        cell.font = bold
        if str(c).startswith("="):
            cell.data_type = "s"
        header.append(cell)
    ws.append(header)
    text_cols = [j for j, c in enumerate(df.columns)
                 if pd.api.types.is_object_dtype(df[c].dtype) or pd.api.types.is_string_dtype(df[c].dtype)
                 or isinstance(df[c].dtype, pd.CategoricalDtype)]
    for start in range(0, len(df), XLSX_CHUNK_ROWS):
        part = df.iloc[start:start + XLSX_CHUNK_ROWS]
        cols = [_excel_values(part.iloc[:, j]) for j in range(part.shape[1])]
        for j in text_cols:  # openpyxl makes "=..." text a formula: keep it a string cell
            col = cols[j]
            for i, v in enumerate(col):
                if isinstance(v, str) and v.startswith("="):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"
                    col[i] = cell
        for row in zip(*cols):
            ws.append(row)
    if metadata:
        wb.properties.description = "; ".join(f"{k}: {v}" for k, v in metadata.items())
    wb.save(path)


def install_signal_cleanup() -> None:
    """On SIGTERM (and SIGINT), delete partial outputs at once, then exit (143 / 130).

    The handler removes every temporary file and folder being written
    (:func:`remove_partial_outputs`), prints one line on stderr and raises
    ``SystemExit``, so that ``finally`` blocks run and no hidden file with
    patient rows is left behind. Call it once from a command-line entry point.
    """
    import signal
    import sys

    def handler(signum, frame):
        remove_partial_outputs()
        name = signal.Signals(signum).name
        print(f"venprs: stopped by {name}; no output written", file=sys.stderr)
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)


def _write_parquet(df: pd.DataFrame, path: Path, metadata) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if df.attrs:  # where a table was read from (SourceInfo) is not part of the file (pyarrow would warn)
        df = df.copy(deep=False)
        df.attrs = {}
    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({k.encode(): str(v).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    pq.write_table(table, path)
