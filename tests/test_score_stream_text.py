"""Streaming ``venprs score`` to CSV/TSV without data frames (issue 14): the same bytes as the whole-file path.

:func:`venprs.scoring.score_file` cuts a delimited file into batches at record ends (a line break outside
quotes, :func:`venprs.io._records_end`) and writes most batches as text: Arrow writes the input's cells and
each row's twelve output cells come from one text per combination of the seven factor codes. The reference
is the whole-file path ``write_table(score_table(read_table(f)), out)``: every file here must give its bytes
at every batch size, or be handed to the whole-file reader (``NotStreamable``) with nothing written. Never
other bytes.
"""

from __future__ import annotations

import numpy as np
import pytest

from venprs import io as vio
from venprs import scoring
from venprs.errors import InputError
from venprs.scoring import score_file, score_table

HEADER = "patient_id,EMD,prior_HMA,NF1,PTPN11,FLT3,TP53,SF3B1,note"
TOKENS = ["yes", "no", "", "mut", "wt", "unknown", "1", "0", "Mutated", " yes", "WT", "pending", "NA", "nd"]


def _whole(src, out, missing="error"):
    vio.write_table(score_table(vio.read_table(src), missing_columns=missing), out)


def _notes(rng, n, kind):
    plain = [f"n{i}" for i in range(n)]
    if kind == "plain":
        return plain
    pool = {
        "quoted": ['"a, b"', '"he said ""no"""', '""', '"x"', "plain", '"semi;colon"'],
        "newlines": ['"line1\nline2"', '"a\r\nb"', "plain", '"x"'],
        "literal": ['5"', 'ab"c', "plain", '"ok"', '12" x 3"'],
        "formulas": ["=1+2", "-1.5", "@SUM(A1)", "+3e2", "plain", "-"],
    }[kind]
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def _file(path, n, *, seed=0, notes="plain", eol="\n", sep=",", bad=None, header=HEADER):
    rng = np.random.default_rng(seed)
    note = _notes(rng, n, notes)
    lines = [header.replace(",", sep)]
    for i in range(n):
        cells = [TOKENS[t] for t in rng.integers(0, len(TOKENS), 7)]
        if i == bad:
            cells[3] = "maybe"
        lines.append(sep.join([f"{i:06d}", *cells, note[i]]))
    path.write_bytes((eol.join(lines) + eol).encode())
    return path


def _check(src, tmp_path, *, sizes=(700, 8192, None), missing="error", out_name="o.csv"):
    """Streamed at every size (the first batch also holds the first 64 KiB read to find the header): the whole-file bytes, or NotStreamable (nothing written); returns how many
    batches were written as text at the default size."""
    ref = tmp_path / ("ref" + out_name[1:])
    try:
        _whole(src, ref, missing)
        expected: bytes | str = ref.read_bytes()
    except InputError as e:
        expected = str(e)
    fast = 0
    for size in sizes:
        out = tmp_path / out_name
        stream = vio.TableStream(src, **({} if size is None else {"block_bytes": size}))
        calls = []
        original = scoring._ScoredText.rows

        def counted(self, table, index, _calls=calls, _orig=original):
            _calls.append(table.num_rows)
            return _orig(self, table, index)

        scoring._ScoredText.rows = counted
        try:
            score_file(src, out, missing_columns=missing, stream=stream)
        except vio.NotStreamable:
            assert not out.exists()
            continue
        except InputError as e:
            assert str(e) == expected, size
            assert not out.exists()
            continue
        finally:
            scoring._ScoredText.rows = original
        assert out.read_bytes() == expected, f"block_bytes={size}"
        out.unlink()
        fast = len(calls)
    return fast


def test_plain_file_is_written_as_text_and_equals_whole(tmp_path):
    src = _file(tmp_path / "p.csv", 3000)
    assert _check(src, tmp_path) >= 1  # the text path was used
    assert b'\n"000007",' in (tmp_path / "ref.csv").read_bytes()  # IDs keep their zeros


@pytest.mark.parametrize("notes", ["quoted", "newlines", "literal", "formulas"])
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_awkward_values_give_the_whole_file_bytes_or_the_whole_reader(notes, eol, tmp_path):
    src = _file(tmp_path / "a.csv", 2500, seed=len(notes), notes=notes, eol=eol)  # > the 64 KiB first read
    _check(src, tmp_path)


def test_quoted_values_with_commas_and_doubled_quotes_stay_on_the_text_path(tmp_path):
    src = _file(tmp_path / "q.csv", 2000, notes="quoted")
    assert _check(src, tmp_path, sizes=(None,)) >= 1


def test_old_mac_line_ends_semicolons_and_tsv_output(tmp_path):
    _check(_file(tmp_path / "m.csv", 800, eol="\r"), tmp_path)
    _check(_file(tmp_path / "s.csv", 800, sep=";"), tmp_path)
    _check(_file(tmp_path / "t.csv", 800, notes="quoted"), tmp_path, out_name="o.tsv")


def test_bad_cell_missing_column_and_output_name_clash_as_the_whole_path(tmp_path):
    _check(_file(tmp_path / "b.csv", 2000, bad=1777), tmp_path)
    no_sf3b1 = HEADER.replace(",SF3B1", ",other")
    _check(_file(tmp_path / "m.csv", 900, header=no_sf3b1), tmp_path)
    _check(_file(tmp_path / "u.csv", 900, header=no_sf3b1), tmp_path, missing="unknown")
    _check(_file(tmp_path / "c.csv", 300, header=HEADER.replace(",note", ",os_group")), tmp_path)


def test_a_quote_inside_an_unquoted_value_never_moves_a_record(tmp_path):
    """``5"`` makes the quote count odd: a cut there would end inside a quoted value later on (Arrow reads an
    open quote to the end of the text without complaint). The batch is refused instead."""
    src = tmp_path / "l.csv"
    rows = [HEADER] + [f'{i:06d},no,no,no,no,no,no,no,{note}' for i, note in
                       enumerate(['5"', "x", '"a\nb"', "y", "z"] * 500)]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _check(src, tmp_path, sizes=(97, 5000, None))
    with pytest.raises(vio.NotStreamable):
        score_file(src, tmp_path / "o.csv", stream=vio.TableStream(src, block_bytes=5000))


def test_records_end():
    """Where a batch may be cut: after the last line break with an even number of quotes before it."""
    end = vio._records_end
    assert end(b"a,b\nc,d\ne", b"\n") == (8, 0)
    assert end(b'a,"x\ny"\nc', b"\n") == (8, 2)  # the break inside quotes is passed over
    assert end(b'a,"x\ny', b"\n") == (0, 0)  # no record ends yet
    assert end(b"no break", b"\n") == (0, 0)
    assert end(b"a\rb\rc", b"\r") == (4, 0)
    many = b'"' + b"x\n" * 200 + b'"\n' + b"tail"  # more breaks inside quotes than the quick search tries
    assert end(many, b"\n") == (len(many) - 4, 2)


H = b"patient_id,EMD,prior_hma,NF1,PTPN11,FLT3,TP53,SF3B1"


def test_a_bom_inside_the_file_is_kept_or_read_whole(tmp_path):
    """Arrow drops a UTF-8 BOM at the start of every text it parses, so a batch starting with one lost it
    (differential fuzz 2026-12-04): such a file is read whole, where the character stays (and is refused in
    a factor column)."""
    src = tmp_path / "bom.csv"
    src.write_bytes(H + b"\n" + b"".join(b"\xef\xbb\xbfP%04d,no,no,wt,wt,wt,wt,wt\n" % i for i in range(3000)))
    _check(src, tmp_path, sizes=(1000,))
    whole = tmp_path / "w.csv"
    _whole(src, whole)
    assert whole.read_bytes().count("\ufeff".encode()) == 3000
    factor_first = tmp_path / "f.csv"  # the BOM on a factor: refused by the whole path, so by the stream too
    factor_first.write_bytes(b"EMD,patient_id,prior_hma,NF1,PTPN11,FLT3,TP53,SF3B1\n"
                             + b"".join(b"\xef\xbb\xbfno,P%04d,no,wt,wt,wt,wt,wt\n" % i for i in range(3000)))
    with pytest.raises(vio.NotStreamable):
        score_file(factor_first, tmp_path / "o.csv", stream=vio.TableStream(factor_first, block_bytes=1000))
    with pytest.raises(InputError, match=r"'\\ufeffno' is not accepted"):  # the message shows it escaped
        score_table(vio.read_table(factor_first))


def test_a_quote_never_closed_in_the_last_record_is_an_error(tmp_path):
    """A stray quote (``1"``) made the number of quotes even, so an unclosed quote in the last record went
    unseen and the next patient became part of a note (differential fuzz 2026-12-04: 2 rows of 3 scored)."""
    src = tmp_path / "q.csv"
    src.write_bytes(b'id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,note\n1",0,0,0,0,0,0,0,a\n'
                    b'2,0,0,0,0,0,0,0,"b\n3,1,1,1,1,1,1,1,c')
    with pytest.raises(vio.NotStreamable):
        score_file(src, tmp_path / "o.csv", stream=vio.TableStream(src, block_bytes=200))
    with pytest.raises(InputError, match="not closed"):
        vio.read_table(src)
    ok = tmp_path / "ok.csv"  # a closed multi-line note at the end is fine
    ok.write_bytes(b'id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,note\n2,0,0,0,0,0,0,0,"b\n3,1"\n')
    assert vio.read_table(ok)["note"].tolist() == ["b\n3,1"]


def test_values_longer_than_the_csv_modules_limit(tmp_path):
    """A note over 131,072 characters with a fault that needs the sheet rows: exit 2 with the fault, not an
    internal error; with a stray quote, no false "quote not closed" (differential fuzz 2026-12-04)."""
    src = tmp_path / "long.csv"
    src.write_bytes(b"id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,note\n1,1,0,0,0,0,0,0," + b"x" * 131073
                    + b"\n\n2,maybe,0,0,0,0,0,0,\n")
    with pytest.raises(InputError, match=r"row 2 \(sheet row 4\).*'maybe' is not accepted"):
        score_table(vio.read_table(src))
    stray = tmp_path / "stray.csv"
    stray.write_bytes(b'id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,note\n1",0,0,0,0,0,0,0,' + b"x" * 131073 + b"\n")
    assert vio.read_table(stray)["note"].str.len().tolist() == [131073]


def test_mixed_encodings_are_refused(tmp_path):
    """One Windows-1252 byte made the whole file be read as Windows-1252, so its UTF-8 text changed
    (Zoë -> ZoÃ«) silently (differential fuzz 2026-12-04); now refused, naming a line of each."""
    src = tmp_path / "mixed.csv"
    src.write_bytes(H + b",note\n" + "Zoë-1,no,no,wt,wt,wt,wt,wt,café\n".encode()
                    + b"P2,no,no,wt,wt,wt,wt,wt,caf\xe9\n")
    with pytest.raises(InputError, match=r"mixes two encodings: UTF-8 \(e.g. 'ë' on line 2\) and another one "
                                         r"\(byte 0xe9 on line 3"):
        vio.read_table(src)
    cp = tmp_path / "cp.csv"  # all Windows-1252: read as before
    cp.write_bytes(H + b",note\nZo\xeb-1,no,no,wt,wt,wt,wt,wt,caf\xe9\n")
    assert vio.read_table(cp)["patient_id"].tolist() == ["Zoë-1"]


def test_a_crlf_inside_quotes_on_pyarrows_block_boundary_is_kept(tmp_path):
    """pyarrow dropped the LF of a CRLF inside a quoted value when it straddled two 1 MiB parser blocks
    (apache/arrow#51368; differential fuzz 2026-12-04): the note came back 'A\\rB'. Both readers choose a block
    size without such a boundary (venprs.io._safe_block_size)."""
    data = (H + b",note\n" + b'P1,no,no,wt,wt,wt,wt,wt,"' + b"z" * 1048492 + b'A\r\nB"\nP2,no,no,wt,wt,wt,wt,wt,x\n')
    assert data[(1 << 20) - 1:(1 << 20) + 1] == b"\r\n"  # the CRLF straddles pyarrow's default block boundary
    src = tmp_path / "crlf.csv"
    src.write_bytes(data)
    assert vio.read_table(src)["note"].tolist() == ["z" * 1048492 + "A\r\nB", "x"]
    notes = [v for t, _ in vio.TableStream(src).tables() for v in t.column("note").to_pylist()]
    assert notes == ["z" * 1048492 + "A\r\nB", "x"]
    assert vio._safe_block_size(data) != 1 << 20 and vio._safe_block_size(data.replace(b"\r\n", b"\n")) == 1 << 20
