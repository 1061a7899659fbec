# The measures of `venprs validate` in R, for benchmarks/bench_validate.py.
# Input: a CSV with, per endpoint ep in (os, efs), columns <ep>_time, <ep>_event, <ep>_score, <ep>_group,
# <ep>_pred (predicted survival at the horizon) and the endpoint's factors (0/1).
# Per endpoint: KM by group + survdiff; Harrell's C (concordance), Uno's C (concordance, timewt "n/G2"),
# survivalROC NNE AUC (span 0.25 n^-0.2) and timeROC IPCW AUC at the horizon, each with B bootstrap
# resamples; coxph slope; calibration-in-the-large; rcs calibration curve (ICI/E50/E90); grouped
# calibration; KM net benefit at 99 thresholds; baseline/slope/refit updating.
# Usage: Rscript benchmarks/r/validate.R IN.csv B SEED OUT.json
suppressPackageStartupMessages({library(survival); library(rms); library(survivalROC); library(timeROC)
  library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); B <- as.integer(args[2]); set.seed(as.integer(args[3]))
h <- 10
factors <- list(os = c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1"),
                efs = c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "sf3b1"))
disc <- function(tt, ee, x) {
  n <- length(tt)
  c(harrell = concordance(Surv(tt, ee) ~ x, reverse = TRUE)$concordance,
    uno = concordance(Surv(tt, ee) ~ x, reverse = TRUE, timewt = "n/G2")$concordance,
    nne = survivalROC(tt, ee, x, predict.time = h, span = 0.25 * n^(-0.2))$AUC,
    ipcw = unname(timeROC(tt, ee, x, cause = 1, times = h, iid = FALSE)$AUC[2]))
}
t0 <- proc.time()[["elapsed"]]
out <- list()
for (ep in c("os", "efs")) {
  tt <- d[[paste0(ep, "_time")]]; ee <- d[[paste0(ep, "_event")]]; x <- d[[paste0(ep, "_score")]]
  g <- d[[paste0(ep, "_group")]]; pred <- d[[paste0(ep, "_pred")]]; risk <- 1 - pred
  med <- quantile(survfit(Surv(tt, ee) ~ g), 0.5)$quantile
  lr <- survdiff(Surv(tt, ee) ~ g)
  est <- disc(tt, ee, x)
  boots <- t(replicate(B, {i <- sample.int(length(tt), replace = TRUE); disc(tt[i], ee[i], x[i])}))
  ci <- apply(boots, 2, quantile, c(0.025, 0.975), na.rm = TRUE)
  fs <- coxph(Surv(tt, ee) ~ x)
  s <- summary(survfit(Surv(tt, ee) ~ 1), times = h)
  oe <- (1 - s$surv) / mean(risk)
  cll <- log(-log(pred)); kn <- unique(quantile(cll, c(0.1, 0.5, 0.9)))
  fc <- if (length(kn) >= 3 && length(unique(cll)) > length(kn) + 1) coxph(Surv(tt, ee) ~ rcs(cll, kn)) else
    coxph(Surv(tt, ee) ~ cll)
  obs <- as.numeric(summary(survfit(fc, newdata = data.frame(cll = cll)), times = h)$surv)
  grouped <- sapply(c("favorable", "intermediate", "adverse"), function(k)
    1 - summary(survfit(Surv(tt[g == k], ee[g == k]) ~ 1), times = h, extend = TRUE)$surv)
  nb <- sapply(seq(0.01, 0.99, 0.01), function(pt) {
    sel <- risk >= pt
    if (!any(sel)) return(0)
    sv <- summary(survfit(Surv(tt[sel], ee[sel]) ~ 1), times = h, extend = TRUE)$surv
    (1 - sv) * mean(sel) - sv * mean(sel) * pt / (1 - pt)
  })
  f0 <- coxph(Surv(tt, ee) ~ offset(x))
  s0 <- summary(survfit(f0, newdata = data.frame(x = 0)), times = h)$surv
  X <- as.matrix(d[, factors[[ep]]])
  fr <- coxph(Surv(tt, ee) ~ X)
  out[[ep]] <- list(medians = unname(med), logrank = lr$chisq, disc = as.list(est), ci = ci,
                    slope = unname(coef(fs)), oe = oe, ici = mean(abs(pred - obs)), grouped = grouped,
                    nb_max = max(nb), s0_recal = s0, refit = unname(coef(fr)))
}
out$elapsed_seconds <- proc.time()[["elapsed"]] - t0
out$R <- R.version.string
write(toJSON(out, auto_unbox = TRUE, digits = NA), args[4])
