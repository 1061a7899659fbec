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
