# The paper's split-sample calibration in R, for benchmarks/bench_calibration.py.
# For each of S random splits (train fraction 100/174): survival::coxph (Efron) refit on the training
# part with the VEN-PRS factors (OS: 7, EFS: 6 without TP53), survfit(fit, newdata = test) predicted
# 10-month survival averaged per published VEN-PRS group, and the group's Kaplan-Meier 10-month
# survival in the test part (NA when the last test patient of the group is censored before 10 months).
# Usage: Rscript benchmarks/r/calibration.R COHORT.csv SPLITS SEED OUT.json
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); S <- as.integer(args[2]); set.seed(as.integer(args[3]))
horizon <- 10
factors <- list(os = c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1"),
                efs = c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "sf3b1"))
groups <- c("favorable", "intermediate", "adverse")
km_at <- function(t, e, h) {
  if (length(t) == 0) return(NA_real_)
  f <- survfit(Surv(t, e) ~ 1)
  if (max(t) < h && tail(f$surv, 1) > 0) return(NA_real_)
  s <- summary(f, times = h, extend = TRUE)$surv
  if (length(s) == 0) NA_real_ else s
}
t0 <- proc.time()[["elapsed"]]
out <- list()
for (ep in c("os", "efs")) {
  cols <- c(factors[[ep]], paste0(ep, "_months"), paste0(ep, "_event"), paste0(ep, "_group"))
  x <- d[complete.cases(d[, cols]), cols]
  names(x)[names(x) == paste0(ep, "_months")] <- "time"
  names(x)[names(x) == paste0(ep, "_event")] <- "event"
  names(x)[names(x) == paste0(ep, "_group")] <- "group"
  n <- nrow(x); ntr <- round(n * 100 / 174)
  fml <- as.formula(paste("Surv(time, event) ~", paste(factors[[ep]], collapse = " + ")))
  pred <- matrix(NA_real_, S, 3); obs <- matrix(NA_real_, S, 3)
  for (s in seq_len(S)) {
    idx <- sample.int(n, ntr); tr <- x[idx, ]; te <- x[-idx, ]
    fit <- suppressWarnings(coxph(fml, data = tr, ties = "efron"))
    sf <- survfit(fit, newdata = te)
    p <- summary(sf, times = horizon, extend = TRUE)$surv
    for (k in 1:3) {
      m <- te$group == groups[k]
      if (any(m)) {
        pred[s, k] <- mean(p[m])
        obs[s, k] <- km_at(te$time[m], te$event[m], horizon)
      }
    }
  }
  out[[ep]] <- setNames(lapply(1:3, function(k) list(
    predicted = mean(pred[, k], na.rm = TRUE), predicted_sd = sd(pred[, k], na.rm = TRUE),
    observed = mean(obs[, k], na.rm = TRUE), observed_sd = sd(obs[, k], na.rm = TRUE),
    n_observed = sum(!is.na(obs[, k])))), groups)
}
out$seconds <- proc.time()[["elapsed"]] - t0
out$R <- R.version.string
out$survival <- as.character(packageVersion("survival"))
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), args[4])
