# R beside `venprs analyze` in benchmarks/bench_scale.py: the same core statistics on the same cohort CSV.
# Per endpoint (os, efs): coxph on the seven factors (Efron ties), the linear predictor cut at its tertiles
# into three groups, survfit (Kaplan-Meier) by group with medians, survdiff (log-rank) and
# survival::concordance (Harrell's C) of the linear predictor. Reading the CSV is included in the time.
# Usage: Rscript benchmarks/r/scale.R COHORT.csv
suppressPackageStartupMessages(library(survival))
t0 <- proc.time()[["elapsed"]]
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
factors <- c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1")
for (f in factors) d[[f]] <- as.integer(as.logical(d[[f]]))
for (ep in c("os", "efs")) {
  tt <- d[[paste0(ep, "_months")]]; ee <- d[[paste0(ep, "_event")]]
  X <- as.matrix(d[, factors])
  ok <- complete.cases(X) & !is.na(tt) & !is.na(ee)
  tt <- tt[ok]; ee <- ee[ok]; X <- X[ok, , drop = FALSE]
  fit <- coxph(Surv(tt, ee) ~ X, ties = "efron")
  lp <- drop(X %*% coef(fit))
  g <- cut(lp, unique(quantile(lp, c(0, 1 / 3, 2 / 3, 1))), include.lowest = TRUE)
  km <- survfit(Surv(tt, ee) ~ g)
  med <- quantile(km, 0.5)$quantile
  lr <- survdiff(Surv(tt, ee) ~ g)
  cc <- concordance(Surv(tt, ee) ~ lp, reverse = TRUE)$concordance
  cat(sprintf("%s: n %d, coef %s, medians %s, log-rank %.3f, C %.4f\n", ep, length(tt),
              paste(round(coef(fit), 3), collapse = " "), paste(round(med, 2), collapse = " "), lr$chisq, cc))
}
cat(sprintf("elapsed %.2f s\n", proc.time()[["elapsed"]] - t0))
