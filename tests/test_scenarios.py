"""Scenarios for unknown factors and the deciding factors: core, HTTP API and CLI against a brute force.

Every one of the 3^7 = 2187 present/absent/unknown patterns is checked against an
enumeration written here with :class:`decimal.Decimal` and the Table 4 coefficients
typed in ``test_scoring`` (independent of the model file and of venprs's code).
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from decimal import Decimal
from itertools import product

import pytest
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import venprs
from test_scoring import EFS, OS, ref_group
from venprs.cli import app as cli_app
from venprs.web import create_app

FACTORS = list(OS)
PATTERNS = list(product([True, False, None], repeat=7))
WORD = {True: "yes", False: "no"}


def expected(coefs: dict[str, str], values: dict[str, bool | None]) -> dict:
    """Scenarios and deciding factors by plain enumeration of every completion."""
    def total(full):
        return sum((Decimal(c) for f, c in coefs.items() if full[f]), Decimal(0))

    unknown = [f for f in coefs if values[f] is None]
    known = {f: bool(values[f]) for f in coefs if values[f] is not None}

    def sc(present):
        s = total({**known, **{f: f in present for f in unknown}})
        return {"score": float(s), "group": ref_group(s)}

    deciding = []
    for f in unknown:
        others = [g for g in unknown if g != f]
        for bits in product([False, True], repeat=len(others)):
            full = {**known, **dict(zip(others, bits))}
            if ref_group(total({**full, f: False})) != ref_group(total({**full, f: True})):
                deciding.append(f)
                break
    return {"unknown_absent": sc(set()), "unknown_present": sc(set(unknown)),
            "one_present": {f: sc({f}) for f in unknown}, "deciding_factors": deciding}


def check(d: dict, coefs: dict[str, str], values: dict[str, bool | None]) -> None:
    """``d``: one endpoint of ``ScoreResult.to_dict()`` / the API / ``venprs score --json``."""
    want = expected(coefs, values)
    s = d["scenarios"]
    assert s["unknown_absent"] == want["unknown_absent"], values
    assert s["unknown_present"] == want["unknown_present"], values
    assert s["one_present"] == want["one_present"], values
    assert d["deciding_factors"] == want["deciding_factors"], values
    assert (s["text"] is None) == (not d["unknown_factors"])
    # the reachable groups are those of the scenarios' completions, and more than one only with a decider
    assert (len(d["possible_groups"]) > 1) == bool(d["deciding_factors"])
    assert {want["unknown_absent"]["group"], want["unknown_present"]["group"]} <= set(d["possible_groups"])


def test_core_all_patterns():
    for states in PATTERNS:
        values = dict(zip(FACTORS, states))
        r = venprs.score(**values).to_dict()
        check(r["os"], OS, values)
        check(r["efs"], EFS, values)


@pytest.mark.slow
def test_api_all_patterns():
    with TestClient(create_app()) as client:
        for states in PATTERNS:
            values = dict(zip(FACTORS, states))
            r = client.post("/api/v1/score", json=values)
            assert r.status_code == 200
            d = r.json()
            check(d["os"], OS, values)
            check(d["efs"], EFS, values)


@pytest.mark.slow
def test_cli_json_all_patterns():
    runner = CliRunner()
    for states in PATTERNS:
        values = dict(zip(FACTORS, states))
        args = ["score", "--json"]
        for f, v in values.items():
            if v is not None:
                args += ["--" + f.replace("_", "-"), WORD[v]]
        r = runner.invoke(cli_app, args)
        assert r.exit_code == 0, r.output
        d = json.loads(r.output)
        check(d["os"], OS, values)
        check(d["efs"], EFS, values)


# Prior HMA present, extramedullary and FLT3 absent, the four other genes pending (the example):
# OS 0.64; + NF1 0.94 = 1.58, + PTPN11 0.80 = 1.44, + TP53 0.39 = 1.03 (adverse, > 0.75);
# + SF3B1 -0.98 = -0.34 (favorable, < 0.25).
PENDING = ("If the pending NF1, PTPN11, TP53, SF3B1 results are all wild-type: intermediate (0.64). "
           "NF1, PTPN11 or TP53 mutated would make it adverse; SF3B1 mutated, favorable.")


def test_sentence_in_words_core_and_cli():
    r = venprs.score(extramedullary=False, prior_hma=True, flt3=False)
    assert venprs.scoring.scenario_text(r.os) == PENDING
    assert r.os.deciding_factors == ("nf1", "ptpn11", "tp53", "sf3b1")
    out = subprocess.run([sys.executable, "-m", "venprs", "score", "--extramedullary", "no", "--prior-hma", "yes",
                          "--flt3", "wt"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert PENDING in out.stdout
    assert "every unknown absent -> intermediate (0.64); every unknown present -> adverse (1.79)" in out.stdout


def test_sentence_edge_cases():
    # TP53 pending, the rest giving OS 0.90 + 0.64 + 0.49 = 2.03: adverse whatever TP53 is
    r = venprs.score(extramedullary=True, prior_hma=True, nf1=False, ptpn11=False, flt3=True, sf3b1=False)
    assert r.os.deciding_factors == ()
    assert r.os.to_dict()["scenarios"]["text"] == ("If the pending TP53 result is wild-type: adverse (2.03). "
                                                   "The pending TP53 result cannot change the group.")
    assert r.efs.to_dict()["scenarios"]["text"] is None  # TP53 is not in the EFS model
    # all unknown: SF3B1 alone (-0.98 from 0.00) stays favorable; it decides only with others
    text = venprs.score().os.to_dict()["scenarios"]["text"]
    assert text.startswith("If the pending NF1, PTPN11, FLT3, TP53, SF3B1 results are all wild-type and "
                           "extramedullary disease and prior HMA treatment are absent: favorable (0.00).")
    assert text.endswith("SF3B1 can change the group only together with another unknown factor.")
