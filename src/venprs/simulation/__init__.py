"""Synthetic cohorts that match the paper's published cohort-level numbers.

Individual patient data of the venetoclax registry are not public. :func:`simulate`
draws synthetic patients whose marginal distributions (Tables 1-3), VEN-PRS risk
groups and survival (Kaplan-Meier medians, deaths, follow-up) match the
published numbers, with a known truth: overall survival (OS) and event-free
survival (EFS) follow Cox models with the Table 4 multivariate coefficients and
the reconstructed Weibull baselines stored in the model file.

Every published number targeted here is read from ``data/paper_targets.json``
(with its source); the model numbers come from the model file. Numbers that the
paper does not report are simulation *assumptions*, collected in
:data:`ASSUMPTIONS` and documented in ``docs/simulation.md``.

Synthetic patients carry the ID prefix ``SYN-``. They are not registry data.

The package is split by job (one module each, every layer using only the ones above it):

- :mod:`~venprs.simulation.assumptions`: constants (assumptions, calibration, tolerances);
- :mod:`~venprs.simulation.targets`: the published targets file and cohort sizes;
- :mod:`~venprs.simulation.factors`: the joint distribution of the seven VEN-PRS factors;
- :mod:`~venprs.simulation.draws`: drawing helpers (exact margins, continuous variables);
- :mod:`~venprs.simulation.outcomes`: latent survival times and censoring;
- :mod:`~venprs.simulation.response`: best response;
- :mod:`~venprs.simulation.cohort`: :func:`simulate`, the cohort built step by step;
- :mod:`~venprs.simulation.check`: the comparison with every published target;
- :mod:`~venprs.simulation.calibration`: recomputing :data:`CALIBRATION`
  (``python -m venprs.simulation calibrate``);
- :mod:`~venprs.simulation.write`: deterministic files marked synthetic;
- :mod:`~venprs.simulation.baseline_fit`: the offline fit of the reconstructed baseline survival in the
  model file (``python -m venprs.simulation.baseline_fit``).

Note: ``venprs.simulate`` in the package namespace is the *function*; import the
module's other names with ``from venprs.simulation import target, check, ...``.

References
----------
.. [1] Shahswar R, et al. A novel prognostic risk model for patients with
   refractory/relapsed acute myeloid leukemia receiving venetoclax plus
   hypomethylating agents. Leukemia. 2025;39:614-622.
   doi:10.1038/s41375-024-02501-6
.. [2] Bender R, Augustin T, Blettner M. Generating survival times to simulate
   Cox proportional hazards models. Stat Med. 2005;24:1713-23.
.. [3] Deming WE, Stephan FF. On a least squares adjustment of a sampled frequency
   table when the expected marginal totals are known. Ann Math Stat.
   1940;11:427-44 (iterative proportional fitting).
"""

from .assumptions import ASSUMPTIONS, CALIBRATION, COHORTS, FACTORS, GENES, SYNTHETIC_NOTE, TOLERANCES
from .calibration import calibrate
from .check import check, paper_rows, summarize
from .cohort import simulate
from .factors import expected_group_sizes, factor_joint, prevalence_reasoning
from .outcomes import censor_admin_max
from .targets import cohort_size, load_targets, share, target
from .write import FIXED_TIMESTAMP, write_cohort

__all__ = [
    "simulate", "load_targets", "target", "share", "cohort_size", "ASSUMPTIONS", "CALIBRATION", "COHORTS",
    "SYNTHETIC_NOTE", "FACTORS", "GENES", "TOLERANCES", "factor_joint", "expected_group_sizes",
    "prevalence_reasoning", "censor_admin_max", "summarize", "check", "paper_rows", "calibrate", "write_cohort",
    "FIXED_TIMESTAMP",
]
