"""venprs: the VEN-PRS, a prognostic risk score for relapsed/refractory AML treated with
venetoclax plus a hypomethylating agent.

References
----------
.. [1] Shahswar R, Gabdoulline R, Krueger K, et al. A novel prognostic risk model for
   patients with refractory/relapsed acute myeloid leukemia receiving venetoclax plus
   hypomethylating agents. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
"""

from .errors import InputError, InputErrors, Problem
from .model import load_model
from .mutations import mutation_factors, read_mutations
from .prediction import predict_survival
from .scoring import EndpointResult, ScoreResult, score, score_table
from .version import __version__


def __getattr__(name: str):
    # ``simulate`` (in venprs.simulation) is imported on first use: it pulls in scipy.stats,
    # which would otherwise slow every command-line call.
    if name == "simulate":
        from .simulation import simulate

        globals()["simulate"] = simulate
        return simulate
    raise AttributeError(f"module 'venprs' has no attribute {name!r}")

__all__ = ["score", "score_table", "load_model", "InputError", "InputErrors", "Problem", "ScoreResult",
           "EndpointResult", "simulate", "predict_survival", "mutation_factors", "read_mutations", "__version__"]
