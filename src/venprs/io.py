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

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["read_table", "write_table", "write_csv", "atomic_write", "atomic_dir", "guard_formulas",
           "refuse_same_file", "remove_partial_outputs", "install_signal_cleanup", "SUFFIXES", "XLSX_MAX_ROWS"]

SUFFIXES: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "excel", ".parquet": "parquet",
                            ".pq": "parquet"}


def _kind(path: Path) -> str:
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
    kind = _kind(p)
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


def refuse_same_file(output: str | os.PathLike, inputs, *, folder: bool = False) -> None:
    """Refuse an output that is one of the inputs (same path or same file), or, for a report
    ``folder``, one that contains an input (it would be replaced).

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


def guard_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as a formula (CSV injection, CWE-1236).

    A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'`` (OWASP's advice), unless the whole cell is a
    plain number such as ``-1.5`` or ``+3e2`` (a spreadsheet reads those as
    numbers, not formulas). Numeric, boolean and other non-text columns are never
    touched. Returns a new frame when a cell changed, else ``df`` itself.

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
            text, st = s.notna().to_numpy(bool), s
        first = st.str.match(_FORMULA_START)
        risky = text & (first.fillna(False).to_numpy(bool) if first.hasnans else first.to_numpy(bool))
        if risky.any():
            number = st[risky].str.fullmatch(_PLAIN_NUMBER).to_numpy(bool)
            risky[np.flatnonzero(risky)[number]] = False
        if risky.any():
            changed[col] = s.astype(object).where(~risky, "'" + st.astype(object))
    return df.assign(**changed) if changed else df


def write_table(df: pd.DataFrame, path: str | os.PathLike, *, metadata: dict[str, str] | None = None,
                formula_guard: bool = True) -> None:
    """Write ``df`` atomically to CSV/TSV, Excel or Parquet, chosen by extension.

    ``metadata`` is stored as Parquet key-value metadata (for Excel, in the
    workbook's description; for CSV it is ignored: write a companion file).
    ``formula_guard`` (CSV/TSV): neutralise formula-like text cells with
    :func:`guard_formulas`. In ``.xlsx`` every text cell is a string cell, never a
    formula, whatever ``formula_guard`` says.

    Raises
    ------
    InputError
        Unknown extension, more rows than an ``.xlsx`` sheet holds, or the file
        cannot be written (disk full, no permission).
    """
    p = Path(path)
    kind = _kind(p)
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
    """Refuse ``n`` data rows for an ``.xlsx`` output that cannot hold them (before any work is done)."""
    p = Path(path)
    if _kind(p) == "excel" and n > XLSX_MAX_ROWS:
        raise InputError(f"{n:,} rows do not fit in an .xlsx sheet (at most {XLSX_MAX_ROWS:,} rows); "
                         "write .csv, .tsv or .parquet instead", file=p)


def write_csv(df: pd.DataFrame, path, sep: str = ",", *, formula_guard: bool = True) -> None:
    """Write ``df`` as CSV (``sep``) to a path or binary buffer: the format ``venprs score`` writes.

    ``formula_guard``: apply :func:`guard_formulas` first (the web download does
    the same). Not atomic by itself; :func:`write_table` wraps it for files.
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


def _write_excel(df: pd.DataFrame, path: Path, metadata) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        df.to_excel(xw, index=False)
        ws = xw.sheets[next(iter(xw.sheets))]
        for j, col in enumerate(df.columns):  # openpyxl makes "=..." text a formula: keep it a string
            s = df[col]
            if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
                for i, v in enumerate(s.tolist()):
                    if isinstance(v, str) and v.startswith("="):
                        ws.cell(row=i + 2, column=j + 1).data_type = "s"
        if metadata:
            xw.book.properties.description = "; ".join(f"{k}: {v}" for k, v in metadata.items())


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

    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({k.encode(): str(v).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    pq.write_table(table, path)
