"""Limits that protect the machine: time and memory estimates for ``simulate --n`` and ``calibrate --splits``.

A request whose estimate does not fit (memory above what the machine has available, or time above
:data:`MAX_SECONDS`) is refused before any work starts, with one line that gives the estimate.

The per-unit costs below are measurements, not guesses; re-measure them (script in the
docstring of ``benchmarks/bench_scale.py``) when the algorithms change. They were measured on
2026-12-02 on the 2-core development machine under a load average of about 15 (other jobs
running), so they are on the slow side of what an idle machine does:

- ``venprs.simulate("rr", n, seed=1)``: 9.3 s for 20,000 and 41.4 s for 100,000 patients (0.41 ms a
  patient); tracemalloc peak 799 and 786 bytes a patient. Writing the file (CSV/Parquet) holds a second
  copy, so the limit plans 2,000 bytes a patient.
- ``venprs.evaluation.calibration.calibrate`` (both endpoints) on a simulated R/R cohort, 20 splits:
  116 ms a split at 240 patients, 481 ms at 2,400 patients: 0.169 ms a split and patient plus 75 ms a split.
"""

from __future__ import annotations

import os

from .errors import InputError

#: Seconds per simulated patient (``simulate`` plus writing; see the module docstring).
SIMULATE_SECONDS_PER_PATIENT = 0.41e-3
#: Peak bytes per simulated patient while drawing and writing (tracemalloc peak / n, rounded up).
SIMULATE_BYTES_PER_PATIENT = 2_000
#: Seconds per calibration split and patient of the cohort (both endpoints, one core).
CALIBRATE_SECONDS_PER_SPLIT_PATIENT = 0.169e-3
#: Fixed seconds per calibration split (Cox fit set-up), independent of the cohort size.
CALIBRATE_SECONDS_PER_SPLIT = 0.075
#: Longest run accepted without being asked for in pieces: 24 hours.
MAX_SECONDS = 24 * 3600
#: Share of the available memory one command may plan to use.
MEMORY_SHARE = 0.8


def available_memory() -> int:
    """Bytes of memory available to a new allocation (``MemAvailable`` of /proc/meminfo; else physical memory).

    Returns
    -------
    int
        Bytes (``1 << 62`` when the system does not say, so that nothing is refused).
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62  # unknown: do not refuse on memory


def _size(b: float) -> str:
    for unit, f in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if b >= f:
            return f"{b / f:.1f} {unit}"
    return f"{b / 1e3:.0f} kB"


def _duration(s: float) -> str:
    if s >= 2 * 86400:
        return f"{s / 86400:.0f} days"
    if s >= 3600:
        return f"{s / 3600:.1f} hours"
    if s >= 60:
        return f"{s / 60:.0f} minutes"
    return f"{s:.0f} seconds"


def simulate_estimate(n: int) -> tuple[float, float]:
    """Estimated ``(seconds, peak bytes)`` of ``venprs simulate --n n`` (measured per-patient costs).

    Parameters
    ----------
    n : int
        Number of patients.

    Returns
    -------
    seconds : float
        ``n * SIMULATE_SECONDS_PER_PATIENT``.
    peak_bytes : float
        ``n * SIMULATE_BYTES_PER_PATIENT``.
    """
    return n * SIMULATE_SECONDS_PER_PATIENT, float(n * SIMULATE_BYTES_PER_PATIENT)


def check_simulate(n: int, *, memory: int | None = None) -> None:
    """Raise :class:`InputError` (one line, with the estimate) when ``simulate --n n`` does not fit.

    Parameters
    ----------
    n : int
        Number of patients asked for.
    memory : int, optional
        Bytes available (default: :func:`available_memory`).
    """
    secs, peak = simulate_estimate(n)
    avail = available_memory() if memory is None else memory
    if peak <= MEMORY_SHARE * avail and secs <= MAX_SECONDS:
        return
    fit = int(min(MEMORY_SHARE * avail / SIMULATE_BYTES_PER_PATIENT, MAX_SECONDS / SIMULATE_SECONDS_PER_PATIENT))
    raise InputError(f"--n {n:,}: estimated {_duration(secs)} and {_size(peak)} of memory, beyond what one run "
                     f"may use ({_size(MEMORY_SHARE * avail)}: {MEMORY_SHARE:.0%} of the {_size(avail)} available, "
                     f"and at most {_duration(MAX_SECONDS)}); at most about {fit:,} patients fit: draw several "
                     "files with different --seed values", field="n", value=n)


def calibrate_estimate(splits: int, n_patients: int, n_jobs: int = 1) -> float:
    """Estimated seconds of ``venprs calibrate --splits splits`` on ``n_patients`` (``n_jobs`` cores).

    Parameters
    ----------
    splits : int
        Number of random train/test splits.
    n_patients : int
        Patients in the cohort.
    n_jobs : int, default 1
        Cores used; ``-1`` means every core (``os.cpu_count()``), any other value below 1 counts as 1.

    Returns
    -------
    float
        ``splits * (CALIBRATE_SECONDS_PER_SPLIT + n_patients * CALIBRATE_SECONDS_PER_SPLIT_PATIENT) / cores``.
    """
    cores = (os.cpu_count() or 1) if n_jobs == -1 else max(1, n_jobs)
    per_split = CALIBRATE_SECONDS_PER_SPLIT + n_patients * CALIBRATE_SECONDS_PER_SPLIT_PATIENT
    return splits * per_split / cores


def check_calibrate(splits: int, n_patients: int, n_jobs: int = 1) -> None:
    """Raise :class:`InputError` (one line, with the estimate) when the calibration splits do not fit in time.

    Memory does not grow with ``splits`` beyond a few numbers per split, so time is the limit.

    Parameters
    ----------
    splits : int
        Number of random train/test splits asked for.
    n_patients : int
        Patients in the cohort.
    n_jobs : int, default 1
        Cores used, as in :func:`calibrate_estimate`.

    Returns
    -------
    None
        When the estimate (:func:`calibrate_estimate`) is at most :data:`MAX_SECONDS`.

    Raises
    ------
    InputError
        When it is longer; the message gives the estimate and about how many splits fit.
    """
    secs = calibrate_estimate(splits, n_patients, n_jobs)
    if secs <= MAX_SECONDS:
        return
    fit = int(splits * MAX_SECONDS / secs)
    raise InputError(f"--splits {splits:,}: estimated {_duration(secs)} on {n_patients:,} patients, beyond "
                     f"{_duration(MAX_SECONDS)} per run; at most about {fit:,} splits fit "
                     "(or more cores with --n-jobs, or --backend dask)", field="splits", value=splits)
