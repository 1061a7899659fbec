# Replay venprs' calibration splits in R (tests/test_calibration_replay.py).
# Run from the repository root:
#   Rscript tests/r/calibration_replay.R [COHORT.csv SPLITS.json OUT.json]
# (defaults: tests/data/calibration_replay_cohort.csv, tests/data/calibration_replay_splits.json,
#  tests/data/calibration_replay_reference.json). SPLITS.json is what
# `venprs calibrate COHORT --save-splits SPLITS.json` writes (format venprs.calibration_splits/1,
# docs/evaluation.md); the cohort's factor columns must be coded 0/1.
#
# Each split, as venprs.evaluation.calibration does it:
#   fit   <- coxph(Surv(time, event) ~ <the endpoint's factors>, ties = "efron") on the training rows,
#            default coxph.control() (iter.max = 20); an NA coefficient counts as 0 (as survfit does);
#   S0    <- survfit(fit, newdata = <all factors 0>, ctype = 2) at the horizon (step function);
#   pred  <- per VEN-PRS group, the mean over its test patients of S0 ^ exp(x beta);
#   obs   <- per group, the Kaplan-Meier estimate at the horizon in its test patients; NA when the
#            group has no test patient, or its last follow-up is a censoring before the horizon with
#            survival still above 0.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 0) args <- c("tests/data/calibration_replay_cohort.csv", "tests/data/calibration_replay_splits.json",
                                 "tests/data/calibration_replay_reference.json")
d <- read.csv(args[1], check.names = FALSE)
sp <- fromJSON(args[2], simplifyVector = FALSE)
stopifnot(sp$format == "venprs.calibration_splits/1")
h <- sp$horizon_months
groups <- c("favorable", "intermediate", "adverse")

step_at <- function(sf, h) {
  i <- findInterval(h, sf$time)
  if (i == 0) 1 else sf$surv[i]
}
km_at <- function(time, event, h) {
  if (length(time) == 0) return(NA_real_)
  s <- step_at(survfit(Surv(time, event) ~ 1), h)
  if (max(time) < h && s > 0) NA_real_ else s
}

out <- list(r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
            horizon_months = h, endpoints = list())
for (ep in names(sp$endpoints)) {
  e <- sp$endpoints[[ep]]
  f <- unlist(e$factors)
  rows <- unlist(e$rows)
  grp <- setNames(unlist(e$group), rows)
  dd <- data.frame(time = d[[e$time_column]], event = d[[e$event_column]], d[, f])
  form <- as.formula(paste("Surv(time, event) ~", paste(f, collapse = " + ")))
  zero <- as.data.frame(setNames(as.list(rep(0, length(f))), f))
  res <- lapply(e$train, function(tr) {
    tr <- unlist(tr)
    te <- setdiff(rows, tr)
    train <- dd[tr, ]
    if (sum(train$event) == 0) return(list(status = "no_events"))
    warns <- character(0)
    fit <- withCallingHandlers(coxph(form, data = train, ties = "efron", model = TRUE),
                               warning = function(w) {warns <<- c(warns, conditionMessage(w));
                                                      invokeRestart("muffleWarning")})
    beta <- ifelse(is.na(coef(fit)), 0, coef(fit))
    s0 <- step_at(survfit(fit, newdata = zero, ctype = 2), h)
    test <- dd[te, ]
    p <- s0 ^ exp(c(as.matrix(test[, f]) %*% beta))
    g <- grp[as.character(te)]
    pred <- sapply(groups, function(k) if (any(g == k)) mean(p[g == k]) else NA_real_)
    obs <- sapply(groups, function(k) km_at(test$time[g == k], test$event[g == k], h))
    list(status = "ok", coef = unname(coef(fit)), iter = fit$iter, warnings = I(warns),
         pred = unname(pred), obs = unname(obs), n = unname(sapply(groups, function(k) sum(g == k))))
  })
  out$endpoints[[ep]] <- res
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), args[3])
