"""Reading and writing tables (CSV, Excel, Parquet) without losing or reordering anything.

CSV is read with every column as text, exactly as written (no type guessing, no
``NA`` conversion), so that identifiers such as ``007`` and free-text columns
come back unchanged in the output. Outputs are written atomically: to a
temporary file in the target folder, then renamed, so a failed run leaves no
partial file.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

from .errors import InputError

__all__ = ["read_table", "write_table", "write_csv", "atomic_write", "file_kind", "SUFFIXES"]

SUFFIXES: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "excel", ".parquet": "parquet",
                            ".pq": "parquet"}


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


def read_table(path: str | os.PathLike, *, text: bool = True) -> pd.DataFrame:
    """Read a CSV/TSV, Excel (.xlsx, first sheet) or Parquet file.

    Parameters
    ----------
    path : path-like
    text : bool
        For CSV/TSV: read every column as text, unchanged (default). With
        ``False``, let pandas infer types (numbers, NA).

    Raises
    ------
    InputError
        Missing file, unknown extension, or a file that cannot be parsed.
    """
    p = Path(path)
    kind = file_kind(p)
    if not p.exists():
        raise InputError("file not found", file=p)
    if p.is_dir():
        raise InputError("is a folder, not a file", file=p)
    try:
        if kind in ("csv", "tsv"):
            sep = "\t" if kind == "tsv" else ","
            if text:
                return _read_csv_text(p, sep)
            return pd.read_csv(p, sep=sep, encoding="utf-8-sig")
        if kind == "excel":
            return pd.read_excel(p, sheet_name=0, engine="openpyxl")
        return pd.read_parquet(p)
    except InputError:
        raise
    except Exception as e:  # openpyxl/pyarrow raise their own types on corrupt files
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"cannot read this {kind} file: {first}", file=p) from None


def _read_csv_text(path: Path, sep: str) -> pd.DataFrame:
    """Every column as text, exactly as in the file (pyarrow's multi-threaded reader)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    with open(path, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh, delimiter=sep), None)
    if not header:
        raise InputError("empty file (no header row)", file=path)
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise InputError(f"duplicate column name(s) in the header: {', '.join(map(repr, dup))}", file=path)
    table = pcsv.read_csv(
        path,
        parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False,
            quoted_strings_can_be_null=False),
    )
    return table.to_pandas(types_mapper=pd.ArrowDtype)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise InputError("output folder does not exist", file=p)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=suffix or p.suffix, dir=parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_table(df: pd.DataFrame, path: str | os.PathLike, *, metadata: dict[str, str] | None = None) -> None:
    """Write ``df`` atomically to CSV/TSV, Excel or Parquet, chosen by extension.

    ``metadata`` is stored as Parquet key-value metadata (for Excel, in the
    workbook's description; for CSV it is ignored: write a companion file).
    """
    p = Path(path)
    kind = file_kind(p)
    writers: dict[str, Callable[[Path], None]] = {
        "csv": lambda t: write_csv(df, t, ","),
        "tsv": lambda t: write_csv(df, t, "\t"),
        "excel": lambda t: _write_excel(df, t, metadata),
        "parquet": lambda t: _write_parquet(df, t, metadata),
    }
    with atomic_write(p) as tmp:
        writers[kind](tmp)


def write_csv(df: pd.DataFrame, path, sep: str = ",") -> None:
    """Write ``df`` as CSV (``sep``) to a path or binary buffer: the format ``venprs score`` writes.

    Not atomic by itself; :func:`write_table` wraps it for files.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed-type object columns: let pandas format them
        df.to_csv(path, sep=sep, index=False, lineterminator="\n")
        return
    pcsv.write_csv(table, path, pcsv.WriteOptions(delimiter=sep, quoting_style="needed"))


def _write_excel(df: pd.DataFrame, path: Path, metadata) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        df.to_excel(xw, index=False)
        if metadata:
            xw.book.properties.description = "; ".join(f"{k}: {v}" for k, v in metadata.items())


def _write_parquet(df: pd.DataFrame, path: Path, metadata) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({k.encode(): str(v).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    pq.write_table(table, path)
