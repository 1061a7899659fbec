"""Write the intake corpus: awkward and bad input files, and ``cases.json`` with the expected outcome of each.

Run from the repository root:  .venv/bin/python tests/data/intake/make_corpus.py
Both the files and ``cases.json`` are committed; ``tests/test_intake.py`` runs every case through
``venprs score --input`` and through ``POST /api/v1/score-table``.

To add a case: add one ``case(...)`` call below (the file's bytes, or a function writing it, and
the expected outcome) and re-run this script. ``cases.json`` format (one entry per file):

``file``             file name in this folder
``why``              what the case is about
``sheet``            optional: ``--sheet`` / the web form's ``sheet`` field
``missing_as_unknown`` optional: ``--missing-as-unknown`` / the web form's checkbox
``expect``           ``"ok"`` or ``"error"``
``ids``              ok: the ``patient_id`` column of the output, exactly
``os_groups``, ``efs_groups``  ok: the ``os_possible_groups`` / ``efs_possible_groups`` columns
``messages``         error: fragments that must appear in the CLI's stderr and the web's 422 messages
``problems``         error, optional: the number of problems (entries in the web's 422 ``detail``)

Expected groups are computed here with :func:`venprs.score` from the values the file is meant to
hold (Python values, not the reader), so a reader that shifts or reinterprets a cell fails the test.
Every file is synthetic.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

import venprs
import venprs.fields

HERE = Path(__file__).resolve().parent
FACTORS = ("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1")
HEADER = ["patient_id", "EMD", "prior HMA", "NF1", "PTPN11", "FLT3", "TP53", "SF3B1", "note"]

# patient id -> (factor texts in FACTORS order, note)
P = {
    "007": (["no", "no", "wt", "wt", "wt", "wt", "wt"], "no factor"),
    "P-002": (["yes", "no", "wt", "wt", "wt", "wt", "wt"], "EMD only: OS 0.90 adverse"),
    "0012345": (["yes", "no", "wt", "wt", "mut", "wt", "wt"], "EMD + FLT3"),
    "1e5": (["no", "yes", "", "", "", "", ""], "genes pending"),
}
CASES: list[dict] = []


def _value(text: str):
    return venprs.fields.parse_value("flt3", text) if text.strip() else None


def groups(rows: list[list[str]]) -> tuple[list[str], list[str]]:
    """Expected possible groups of rows of factor texts (any accepted text; flt3 vocabulary for all)."""
    os_, efs = [], []
    for r in rows:
        res = venprs.score(**{f: _value(v) for f, v in zip(FACTORS, r)})
        os_.append("|".join(res.os.possible_groups))
        efs.append("|".join(res.efs.possible_groups))
    return os_, efs


def case(file: str, why: str, data: bytes | None = None, *, write=None, ids=None, factors=None,
         messages=None, problems=None, **opts) -> None:
    """Record one case; write its file from ``data`` or with ``write(path)``."""
    path = HERE / file
    if write is not None:
        write(path)
    elif data is not None:
        path.write_bytes(data)
    entry = {"file": file, "why": why, **opts}
    if messages is None:
        entry["expect"] = "ok"
        entry["ids"] = ids
        entry["os_groups"], entry["efs_groups"] = groups(factors)
    else:
        entry["expect"] = "error"
        entry["messages"] = messages
        if problems is not None:
            entry["problems"] = problems
    CASES.append(entry)


def csv_text(rows, header=HEADER, sep=",", eol="\n", tail="") -> str:
    def q(v: str) -> str:
        return f'"{v}"' if any(c in v for c in (sep, '"', "\n")) else v

    lines = [sep.join(q(h) for h in header) + tail] + [sep.join(q(v) for v in r) + tail for r in rows]
    return eol.join(lines) + eol


def rows_of(ids=tuple(P)) -> list[list[str]]:
    return [[i, *P[i][0], P[i][1]] for i in ids]


BASE = rows_of()
IDS = list(P)
F = [r[1:8] for r in BASE]


def xlsx(sheets: list[tuple[str, list[list], str]]):
    """Writer of a workbook: (title, rows, state) per sheet; state 'visible' or 'hidden'."""
    def write(path: Path) -> None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows, state in sheets:
            ws = wb.create_sheet(title)
            for r in rows:
                ws.append(r)
            ws.sheet_state = state
        wb.save(path)
    return write


def parquet(table: pa.Table):
    return lambda path: pq.write_table(table, path)


def main() -> None:
    for old in HERE.iterdir():
        if old.name not in ("make_corpus.py", "README.md") and old.is_file():
            old.unlink()
    base = csv_text(BASE)

    # ---------------------------------------------------------------- accepted
    case("plain.csv", "the reference file", base.encode(), ids=IDS, factors=F)
    case("trailing_comma_header_and_rows.csv", "a comma at the end of the header and of every row: an unnamed "
         "empty column, ignored (nothing shifts)", csv_text(BASE, tail=",").encode(), ids=IDS, factors=F)
    rows_dc = [r[:8] + ["61,5"] for r in BASE]
    case("semicolon_decimal_comma.csv", "Excel's European CSV: ';' separated, decimal comma in a value",
         csv_text(rows_dc, HEADER[:8] + ["age"], sep=";").encode(), ids=IDS, factors=F)
    case("tab_separated_named_csv.csv", "tab-separated content in a .csv file", csv_text(BASE, sep="\t").encode(),
         ids=IDS, factors=F)
    case("tabs.tsv", "TSV", csv_text(BASE, sep="\t").encode(), ids=IDS, factors=F)
    case("utf8_bom.csv", "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')", b"\xef\xbb\xbf" + base.encode(),
         ids=IDS, factors=F)
    rows_cp = [r[:8] + ["Müller, Zoë: Überweisung"] for r in BASE]
    case("cp1252_names.csv", "Windows-1252 text (accented letters in a note)", csv_text(rows_cp).encode("cp1252"),
         ids=IDS, factors=F)
    case("utf16_unicode_text.txt", "Excel's 'Unicode text': UTF-16 with BOM, tab-separated",
         csv_text(BASE, sep="\t").encode("utf-16"), ids=IDS, factors=F)
    case("crlf.csv", "Windows line ends", csv_text(BASE, eol="\r\n").encode(), ids=IDS, factors=F)
    rows_q = [r[:8] + ['a note, with a comma,\nand a "quote" over two lines'] for r in BASE]
    case("quoted_comma_newline.csv", "quoted values with commas, quotes and line breaks",
         csv_text(rows_q).encode(), ids=IDS, factors=F)
    blank = csv_text(BASE).replace("\n0012345", "\n\n0012345") + "\n\n"
    case("blank_lines.csv", "blank lines between and after the rows are skipped", blank.encode(), ids=IDS, factors=F)
    odd_ids = ["007", "0012345", "1e5", "00", "1.50", "+41", "2024-01-02"]
    rows_ids = [[i, "no", "no", "wt", "wt", "wt", "wt", "wt", ""] for i in odd_ids]
    case("text_ids.csv", "IDs that look like numbers or dates pass unchanged", csv_text(rows_ids).encode(),
         ids=odd_ids, factors=[r[1:8] for r in rows_ids])
    yn = [["Y1", "Y", "N", "N", "N", "Y", "N", "N", ""], ["N1", "n", "y", "n", "n", "n", "n", "y", ""]]
    case("yes_no_y_n.csv", "Y/N as registries write them", csv_text(yn).encode(), ids=["Y1", "N1"],
         factors=[r[1:8] for r in yn])
    sub = [[f"F{i}", "no", "no", "wt", "wt", t, "wt", "wt", ""] for i, t in enumerate(["ITD", "TKD", "ITD+TKD",
                                                                                      "ITD/TKD", "itd"])]
    case("flt3_subtypes.csv", "FLT3 ITD/TKD mean FLT3 mutated (the factor is any FLT3 mutation)",
         csv_text(sub).encode(), ids=[r[0] for r in sub], factors=[r[1:8] for r in sub])
    pend = [["Q1", "no", "no", "pending", "not tested", "Pending", "NA", "nd", ""]]
    case("pending_not_tested.csv", "pending / not tested are unknown", csv_text(pend).encode(), ids=["Q1"],
         factors=[r[1:8] for r in pend])
    ws = [["W1", " Yes ", "NO", " WT", "Wild-Type", "MUT ", "negative", "Absent", ""]]
    case("case_and_spaces.csv", "values in any case, with spaces around", csv_text(ws).encode(), ids=["W1"],
         factors=[r[1:8] for r in ws])
    nums = [["N1", "1.0", "0.0", "0", "0", "1", "0", "0", ""]]
    case("numbers_as_text.csv", "1/0 and 1.0/0.0 as spreadsheets export them", csv_text(nums).encode(),
         ids=["N1"], factors=[r[1:8] for r in nums])
    case("gzipped.csv.gz", "gzip-compressed CSV", gzip.compress(base.encode(), mtime=0), ids=IDS, factors=F)
    alias_header = ["Patient ID", "extramedullary disease", "hma_pretreatment", "NF1_mut", "ptpn11 status",
                    "FLT3-any", "TP53_mutated", "mut_SF3B1", "note"]
    case("aliases.csv", "column names in other spellings", csv_text(BASE, alias_header).encode(), ids=IDS, factors=F)
    case("unicode_header.csv", "non-ASCII column names and values pass unchanged",
         csv_text([r[:8] + ["Łódź – 東京"] for r in BASE], HEADER[:8] + ["Bemerkung für Ärztin"]).encode(),
         ids=IDS, factors=F)
    case("one_column_missing_allowed.csv", "no SF3B1 column, scored as unknown with missing_as_unknown",
         csv_text([r[:7] for r in BASE], HEADER[:7]).encode(), missing_as_unknown=True, ids=IDS,
         factors=[r[1:7] + [""] for r in BASE])
    case("one_row.csv", "a single patient", csv_text(BASE[:1]).encode(), ids=IDS[:1], factors=F[:1])

    # Excel
    x_rows = [HEADER] + BASE
    case("text_ids.xlsx", "text IDs 007, 0012345, 1e5 stay as typed; numbers 1/0 in cells read as 1/0",
         write=xlsx([("Patients", [HEADER] + [[i, *P[i][0], P[i][1]] for i in IDS[:3]]
                      + [["1e5", 0, 1, None, None, None, None, None, 12.5]], "visible")]),
         ids=IDS, factors=F[:3] + [["0", "1", "", "", "", "", ""]])
    hidden = [HEADER, ["HIDDEN-1", "yes", "yes", "mut", "mut", "mut", "mut", "mut", "lookup"]]
    case("hidden_first_sheet.xlsx", "a hidden first sheet is not read: the first visible one is",
         write=xlsx([("Lookup", hidden, "hidden"), ("Patients", x_rows, "visible")]), ids=IDS, factors=F)
    three = xlsx([("Lookup", hidden, "hidden"), ("Old", [HEADER] + BASE[:1], "visible"), ("Second", x_rows, "visible")])
    case("sheet_by_name.xlsx", "--sheet NAME", write=three, sheet="Second", ids=IDS, factors=F)
    case("sheet_by_position.xlsx", "--sheet 3 (1-based, hidden sheets counted)", write=three, sheet="3", ids=IDS,
         factors=F)
    case("hidden_sheet_by_name.xlsx", "a hidden sheet can be chosen by name", write=three, sheet="Lookup",
         ids=["HIDDEN-1"], factors=[hidden[1][1:8]])

    def offset(path: Path) -> None:
        wb = openpyxl.Workbook()
        s = wb.active
        s.title = "Data"
        s.append(["Registry export 2026 (synthetic)"])
        s.append([])
        for r in [HEADER, BASE[0], [], BASE[1], BASE[2], [], [], BASE[3]]:
            s.append(r)
        wb.save(path)
    case("title_row_above_header.xlsx", "a title row above the header is refused, naming the header row",
         write=offset, messages=["column 2 has no name in the header (row 1) but holds values (first: sheet row 3)"])

    def header_below(path: Path) -> None:
        wb = openpyxl.Workbook()
        s = wb.active
        s.append([])
        s.append([])
        for r in [HEADER, BASE[0], [], BASE[1], BASE[2], BASE[3]]:
            s.append(r)
        wb.save(path)
    case("header_on_row_3_blank_rows.xlsx", "empty rows above the header and between rows are skipped",
         write=header_below, ids=IDS, factors=F)
    bools = [HEADER, ["B1", True, False, False, False, True, False, False, None]]
    case("boolean_cells.xlsx", "TRUE/FALSE cells", write=xlsx([("S", bools, "visible")]), ids=["B1"],
         factors=[["true", "false", "false", "false", "true", "false", "false"]])
    na_txt = [HEADER, ["T1", "NA", "no", "N/A", "wt", "wt", "wt", "wt", "NA"]]
    case("na_text_cells.xlsx", "the text NA is unknown, as in a CSV (not converted by the reader)",
         write=xlsx([("S", na_txt, "visible")]), ids=["T1"], factors=[na_txt[1][1:8]])

    # Parquet
    t = pa.table({"patient_id": IDS, "EMD": [False, True, True, False], "prior_hma": [0, 0, 0, 1],
                  "nf1": ["wt"] * 3 + [None], "ptpn11": ["wt"] * 3 + [None], "flt3": [0.0, 0.0, 1.0, None],
                  "tp53": ["wt"] * 3 + [None], "sf3b1": ["wt"] * 3 + [None]})
    case("typed.parquet", "booleans, integers, floats and nulls", write=parquet(t), ids=IDS, factors=F)

    # ---------------------------------------------------------------- refused
    case("trailing_comma_rows_only.csv", "a comma at the end of every data row but not the header: refused, "
         "never shifted", (csv_text([]) + "".join(",".join(r) + ",\n" for r in BASE)).encode(),
         messages=["4 problems", "row 1 (sheet row 2), patient 007: has 10 values but the header has 9 columns",
                   "a comma at the end of the row?"], problems=4)
    bad_rag = csv_text(BASE[:2]) + "0012345,yes,no,wt,wt,mut,wt,wt,EMD, FLT3 unquoted\n"
    case("unquoted_comma_in_note.csv", "a value with an unquoted comma", bad_rag.encode(),
         messages=["row 3 (sheet row 4), patient 0012345: has 10 values", "not in quotes?"], problems=1)
    case("short_row.csv", "a row with fewer values than the header",
         (csv_text(BASE[:1]) + "P-002,yes,no,wt\n").encode(), messages=["row 2 (sheet row 3), patient P-002: has 4 "
                                                                       "values but the header has 9"], problems=1)
    case("duplicate_headers.csv", "a column name twice",
         csv_text(BASE, ["patient_id", "EMD", "EMD", *HEADER[3:]]).encode(),
         messages=["'EMD' appear more than once in the header"])
    case("empty.csv", "0 bytes", b"", messages=["the file is empty"])
    case("whitespace_only.csv", "only blank lines", b"\n\n  \n", messages=["the file is empty"])
    case("header_only.csv", "a header and no rows", csv_text([]).encode(), messages=["no data rows"])
    case("blank_first_line.csv", "the header is not on line 1", ("\n" + base).encode(),
         messages=["the header (column names) must be on line 1"])
    nul = [["X1", "NULL", "None", "#N/A", "wt", "wt", "wt", "wt", ""]]
    case("null_none_na.csv", "NULL, None and #N/A are refused with the reason", csv_text(nul).encode(),
         messages=["3 problems", "'NULL' is not accepted for extramedullary: a database's empty value",
                   "'None' is not accepted for prior_hma: it could mean 'no mutation' or 'not known'",
                   "'#N/A' is not accepted for nf1: a spreadsheet lookup error"], problems=3)

    def xl_errors(path: Path) -> None:
        xlsx([("S", [HEADER, ["X1", "NULL", "None", "#N/A", "wt", "wt", "wt", "wt", None]], "visible")])(path)
        wb = openpyxl.load_workbook(path)
        wb["S"]["E2"] = "#N/A"  # openpyxl stores an error cell, as Excel does for =NA()
        wb.save(path)
    case("null_none_na.xlsx", "the same text and a real #N/A error cell: refused exactly like the CSV",
         write=xl_errors, messages=["4 problems", "sheet 'S'", "'NULL' is not accepted",
                                    "row 1 (sheet row 2), patient X1, column 'PTPN11': '#N/A' is not accepted"],
         problems=4)
    many = [[f"M{i:02d}", "maybe", "no", "wt", "wt", "wt", "wt", "wt", ""] for i in range(15)]
    case("fifteen_bad_cells.csv", "every bad cell in one run; the terminal shows the first 10",
         csv_text(many).encode(), messages=["15 problems (the first 10 below)", "patient M00", "--errors FILE"],
         problems=15)
    typo = [["T1", "yes", "no", "wt", "wt", "mutatd", "wildtyp", "wt", ""]]
    case("typos.csv", "a close typo gets a suggestion", csv_text(typo).encode(),
         messages=["did you mean 'mutated'?", "did you mean 'wildtype'?"], problems=2)
    itd = [["I1", "no", "no", "ITD", "wt", "wt", "wt", "wt", ""]]
    case("itd_in_nf1.csv", "a FLT3 subtype in another gene's column", csv_text(itd).encode(),
         messages=["ITD is a FLT3 subtype; this column is not FLT3"], problems=1)
    case("unterminated_quote.csv", "a quote that is never closed",
         (csv_text(BASE[:1]) + 'P-002,yes,no,wt,wt,wt,wt,wt,"open\n').encode(), messages=["is not closed properly"])
    case("inch_quote_unquoted.csv", "a lone quote inside an unquoted value is text",
         csv_text([r[:8] + ['12" screen'] for r in BASE]).encode(), ids=IDS, factors=F)
    case("xlsx_named_csv.csv", "a spreadsheet saved with a .csv name", write=lambda p: xlsx(
        [("S", x_rows, "visible")])(p), messages=["this is not a text file"])
    case("text_named_xlsx.xlsx", "text saved with a .xlsx name", base.encode(), messages=["cannot read this Excel file"])
    lst = pa.table({"patient_id": ["L1"], "EMD": [["yes", "no"]], "prior_hma": ["no"], "nf1": ["wt"],
                    "ptpn11": ["wt"], "flt3": ["wt"], "tp53": ["wt"], "sf3b1": ["wt"]})
    case("list_column.parquet", "a Parquet column holding lists", write=parquet(lst),
         messages=["column 'EMD': holds lists values; venprs needs one value per cell"])
    case("cohort.json", "an extension venprs does not read", b"{}", messages=["unknown file extension '.json'"])
    case("no_sf3b1_column.csv", "a factor without a column (and no missing_as_unknown)",
         csv_text([r[:7] for r in BASE], HEADER[:7]).encode(), messages=["no column for factor sf3b1"])
    scored = csv_text([r + ["0.9"] for r in BASE], HEADER + ["os_score"])
    case("already_scored.csv", "a file that was scored before", scored.encode(),
         messages=["input already has output column 'os_score'"])
    case("unnamed_column_with_values.csv", "a column without a name that holds values",
         csv_text([r[:8] + ["x"] for r in BASE], HEADER[:8] + [""]).encode(),
         messages=["column 9 has no name in the header (row 1) but holds values"])
    case("no_such_sheet.xlsx", "--sheet names a sheet that is not there", write=three, sheet="Patients",
         messages=["no sheet 'Patients'", "'Lookup' (hidden)", "'Second'"])
    case("sheet_for_csv.csv", "--sheet with a CSV", base.encode(), sheet="2", messages=["this is a csv file, not Excel"])
    case("not_gzip.csv.gz", "a .gz file that is not compressed", base.encode(), messages=["cannot read this .gz file"])
    case("not_cp1252.csv", "bytes that are neither UTF-8 nor Windows-1252",
         csv_text(BASE).encode() + b"X9,no,no,wt,wt,wt,wt,wt,\x81\x8d\n", messages=["neither UTF-8 nor Windows-1252"])
    case("two_columns_one_factor.csv", "EMD and extramedullary both present",
         csv_text([r[:8] + ["no"] for r in BASE], HEADER[:8] + ["extramedullary"]).encode(),
         messages=["columns 'EMD' and 'extramedullary' both name factor extramedullary"])
    case("empty_id_and_bad_value.csv", "bad cells are reported with the sheet row even without an ID",
         csv_text([["", "maybe", "no", "wt", "wt", "wt", "wt", "wt", ""]]).encode(),
         messages=["row 1 (sheet row 2), column 'EMD': 'maybe' is not accepted"], problems=1)

    (HERE / "cases.json").write_text(json.dumps({"cases": CASES}, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    print(f"{len(CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
