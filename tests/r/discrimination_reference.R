# Reference values for tests/test_discrimination.py: time-dependent AUC (Heagerty NNE, IPCW) and
# Harrell's / Uno's C from the R reference implementations.
# Input: tests/data/discrimination_cohorts.csv (tests/data/make_discrimination_cohorts.py) and
# tests/data/eval_cohort.csv. Output: tests/data/discrimination_reference.json (committed; the
# tests do not need R). Run from the repository root:  Rscript tests/r/discrimination_reference.R
# Packages: survival, survivalROC (CRAN 1.0.3.1), timeROC (CRAN 0.4), riskRegression, jsonlite.
suppressPackageStartupMessages({
  library(survival); library(survivalROC); library(timeROC); library(riskRegression); library(jsonlite)
})
horizon <- 10
safe <- function(expr) tryCatch(expr, error = function(e) NULL)
num <- function(v) if (is.null(v) || length(v) == 0 || !is.finite(v[1])) NA else v

nne <- function(t, e, x, span = NULL, lambda = NULL) {
  r <- safe(suppressWarnings(survivalROC(Stime = t, status = e, marker = x, predict.time = horizon,
                                         method = "NNE", span = span, lambda = lambda)))
  if (is.null(r)) return(list(auc = NA, error = TRUE))
  list(auc = num(r$AUC), tp = r$TP, fp = r$FP, survival = r$Survival, error = FALSE)
}

one <- function(t, e, x) {
  n <- length(t)
  out <- list(n = n)
  out$nne_default <- nne(t, e, x, span = 0.25 * n^(-0.2))
  out$nne_span_005 <- nne(t, e, x, span = 0.05)
  out$nne_span_03 <- nne(t, e, x, span = 0.3)
  out$nne_lambda_002 <- nne(t, e, x, lambda = 0.02)
  out$nne_lambda_05 <- nne(t, e, x, lambda = 0.5)
  tr <- safe(timeROC(T = t, delta = e, marker = x, cause = 1, weighting = "marginal", times = horizon,
                     iid = FALSE))
  out$timeroc <- if (is.null(tr)) list(auc = NA) else
    list(auc = num(unname(tr$AUC[2])), tp = unname(tr$TP[, 2]), fp = unname(tr$FP[, 2]))
  d <- data.frame(t = t, e = e, x = x)
  sc <- safe(suppressWarnings(Score(list(m = d$x), formula = Surv(t, e) ~ 1, data = d, times = horizon,
                                    metrics = "auc", cens.model = "km", null.model = FALSE,
                                    conf.int = FALSE)))
  out$score_auc <- if (is.null(sc)) NA else num(sc$AUC$score$AUC[1])
  conc <- function(...) {
    r <- safe(concordance(Surv(t, e) ~ x, data = d, reverse = TRUE, ...))
    if (is.null(r)) NA else num(r$concordance)
  }
  out$c_harrell <- conc()
  out$c_uno <- conc(timewt = "n/G2")
  out$c_uno_ymax8 <- conc(timewt = "n/G2", ymax = 8)
  out
}

d <- read.csv("tests/data/discrimination_cohorts.csv")
res <- list()
for (name in unique(d$cohort)) {
  s <- d[d$cohort == name, ]
  res[[name]] <- list(score = one(s$time, s$event, s$score), cont = one(s$time, s$event, s$cont))
}
ev <- read.csv("tests/data/eval_cohort.csv")
for (ep in c("os", "efs")) {
  res[[paste0("eval_", ep)]] <- list(score = one(ev[[paste0(ep, "_months")]], ev[[paste0(ep, "_event")]],
                                                 ev[[paste0(ep, "_score")]]))
}
meta <- list(R = R.version.string, horizon = horizon,
             versions = lapply(c(survival = "survival", survivalROC = "survivalROC", timeROC = "timeROC",
                                 riskRegression = "riskRegression", prodlim = "prodlim", pec = "pec"),
                               function(p) as.character(packageVersion(p))))
write(toJSON(list(meta = meta, cohorts = res), auto_unbox = TRUE, digits = NA, pretty = FALSE,
             na = "null"), "tests/data/discrimination_reference.json")
