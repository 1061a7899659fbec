# Reference values for the rare-factor policy of venprs' Cox engine (tests/test_cox_rare.py).
# Run from the repository root:  Rscript tests/r/cox_rare_factors.R
# Reads tests/data/cox_rare_cohorts.csv (made by tests/data/make_cox_rare_cohorts.py) and
# tests/data/cox_slow_convergence.csv; writes tests/data/cox_rare_reference.json (committed;
# the tests do not need R). Every fit is coxph(..., ties = "efron") with the default
# coxph.control(): iter.max = 20, eps = 1e-9, toler.chol = .Machine$double.eps^0.75,
# toler.inf = sqrt(eps). Warnings are recorded verbatim (conditionMessage).
suppressPackageStartupMessages({library(survival); library(jsonlite)})

fit_ref <- function(formula, data, ...) {
  warns <- character(0)
  fit <- withCallingHandlers(coxph(formula, data = data, ties = "efron", ...),
                             warning = function(w) {warns <<- c(warns, conditionMessage(w));
                                                    invokeRestart("muffleWarning")})
  b <- coef(fit)
  list(names = names(b), coef = unname(b), var = unname(fit$var), se = unname(sqrt(diag(fit$var))),
       loglik = fit$loglik, iter = fit$iter, n = fit$n, nevent = fit$nevent, warnings = I(warns),
       lp = unname(fit$linear.predictors))
}

d <- read.csv("tests/data/cox_rare_cohorts.csv")
out <- list(r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
            control = coxph.control()[c("eps", "toler.chol", "iter.max", "toler.inf")], fits = list())
for (k in unique(d$cohort)) {
  dk <- d[d$cohort == k, ]
  out$fits[[k]] <- fit_ref(Surv(time, event) ~ x1 + x2 + x3 + x4, dk)
}
# more than 20 iterations needed: R stops ("Ran out of iterations and did not converge")
slow <- read.csv("tests/data/cox_slow_convergence.csv")
out$fits[["slow"]] <- fit_ref(Surv(time, event) ~ extramedullary + prior_hma + nf1 + ptpn11 + flt3 + tp53 + sf3b1,
                              slow)
# the classic monotone case (tests/r/survival_reference.R): x's carriers hold the 3 earliest events
mono <- data.frame(time = c(1, 2, 3, 10, 11, 12, 13, 14, 15, 16), event = c(1, 1, 1, 1, 0, 1, 0, 1, 1, 0),
                   x = c(1, 1, 1, 0, 0, 0, 0, 0, 0, 0), y = c(0, 1, 0, 1, 0, 1, 0, 1, 0, 1))
out$fits[["mono10"]] <- fit_ref(Surv(time, event) ~ x + y, mono)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/data/cox_rare_reference.json")
