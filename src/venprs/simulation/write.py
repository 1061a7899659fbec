"""Writing a simulated cohort: deterministic bytes, marked synthetic in every format."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pandas as pd

from .. import io as vio
from ..version import __version__
from .assumptions import SYNTHETIC_NOTE

__all__ = ["write_cohort", "FIXED_TIMESTAMP"]

#: Fixed timestamp written into XLSX files (document properties and zip entries), for byte-identical output.
FIXED_TIMESTAMP = "2025-01-08T00:00:00Z"


def write_cohort(df: pd.DataFrame, path, *, cohort: str, seed: int) -> list[str]:
    """Write a simulated cohort, marked as synthetic, byte-identical for the same input.

    CSV/TSV get a companion ``<file>.README.txt``; Parquet gets the note as key-value
    metadata; XLSX gets it in the workbook description, with fixed timestamps.

    Parameters
    ----------
    df : pandas.DataFrame
        The simulated cohort (:func:`venprs.simulation.simulate`).
    path : str or pathlib.Path
        Output file; its suffix selects the format (:func:`venprs.io.file_kind`: CSV, TSV,
        Excel or Parquet).
    cohort : str
        Name of the simulated cohort (``"rr"``, ``"first-line"``), recorded in the metadata.
    seed : int
        Seed the cohort was drawn with, recorded in the metadata.

    Returns
    -------
    list of str
        The files written.
    """
    p = Path(path)
    kind = vio.file_kind(p)
    meta = {"venprs_synthetic": "true", "venprs_note": SYNTHETIC_NOTE, "venprs_cohort": cohort,
            "venprs_seed": str(seed), "venprs_n": str(len(df)), "venprs_version": __version__}
    written = [str(p)]
    if kind == "excel":
        with vio.atomic_write(p) as tmp:
            _write_xlsx_deterministic(df, tmp, meta)
    else:
        vio.write_table(df, p, metadata=meta)
    if kind in ("csv", "tsv"):
        readme = p.with_name(p.name + ".README.txt")
        text = (SYNTHETIC_NOTE + "\n\n" + "\n".join(f"{k}: {v}" for k, v in meta.items() if k != "venprs_note")
                + "\n\nColumns: see docs/data-dictionary.md (section 'Cohort columns'). "
                "Regenerate with: venprs simulate --cohort " + cohort + f" --seed {seed} --n {len(df)}\n")
        with vio.atomic_write(readme) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(str(readme))
    return written


def _write_xlsx_deterministic(df: pd.DataFrame, path, meta: dict[str, str]) -> None:
    """XLSX with fixed document timestamps and zip-entry dates (openpyxl stamps 'now' otherwise)."""
    buf = BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name="synthetic cohort")
        props = xw.book.properties
        props.description = "; ".join(f"{k}: {v}" for k, v in meta.items())
        props.title = "venprs synthetic cohort (not patient data)"
        props.creator = "venprs"
        fixed = datetime(2025, 1, 8, tzinfo=timezone.utc).replace(tzinfo=None)
        props.created = fixed
        props.modified = fixed
        props.lastModifiedBy = "venprs"
    src = zipfile.ZipFile(BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + FIXED_TIMESTAMP.encode() + rb"\g<3>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            out.writestr(zi, data)
