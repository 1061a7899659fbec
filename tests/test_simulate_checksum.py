"""The random stream of the simulator is pinned: SHA-256 of the CSV written for seeded cohorts.

Any change to the order or number of random draws, to a target, an assumption or a
calibration constant, or to how a column is written changes these digests. A change
that is meant (e.g. a new column, a re-calibration) updates the digests in the same
commit and says why; a refactoring must leave them alone.

The digests were recorded with numpy 2.x / pandas 2.x (Linux). A numpy release that
changes ``Generator`` streams would change them too (numpy promises stable streams
for ``default_rng`` within a bit generator, PCG64).
"""

from __future__ import annotations

import hashlib

import pytest

from venprs import simulate
from venprs.simulation import write_cohort

#: (cohort, n, seed) -> SHA-256 of the CSV written by ``write_cohort`` (recorded 2026-12-02, main bc66be0).
DIGESTS = {
    ("rr", None, 0): "f1513fcc27066c13d6243049f66025ebaa7e0356659ed5eeb8984126c7c7b8f8",
    ("rr", None, 7): "774b435f49ab8bc11ba24d6cee5b48be20446945be13231229d3d24bde4f744b",
    ("rr", 2000, 20250108): "86f3c7a305146b481a1e0122fcb00ac38497ab999bd04809aa90f8f43a1b6c95",
    ("first-line", None, 0): "67a5a2e9b294ace3b898f7d63be7194f6f511600c2a4661cf95f7b3e84ac1b3e",
    ("first-line", None, 3): "e50ac27a7eb3f2ec06002516283da167babc651585a415a94705d0bc91019ae1",
}


@pytest.mark.parametrize("cohort,n,seed", list(DIGESTS))
def test_seeded_cohort_csv_checksum(tmp_path, cohort, n, seed):
    path = tmp_path / f"{cohort}-{seed}.csv"
    write_cohort(simulate(cohort, n=n, seed=seed), path, cohort=cohort, seed=seed)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == DIGESTS[(cohort, n, seed)]
