# Reference values for tests/test_awkward_cohorts.py: every statistic venprs pins to R, on small
# awkward cohorts (n = 2..10, all events at one time, events and censorings at time 0, events and
# censorings tied at one time, a factor carried by one patient, everyone censored after a time, a
# group without events, horizons at an event time and beyond the last time).
# Writes tests/data/awkward_cohorts.csv (the cohorts, made here with set.seed) and
# tests/data/awkward_reference.json (committed; the tests do not need R).
# Run from the repository root:  Rscript tests/r/awkward_reference.R
# Packages: survival, survivalROC, timeROC, riskRegression, rms, jsonlite.
# Non-finite values are written as the strings "NA", "NaN", "Inf", "-Inf"; an R error as
# {"error": "<message>"}.
suppressPackageStartupMessages({
  library(survival); library(survivalROC); library(timeROC); library(riskRegression); library(rms)
  library(jsonlite)
})

# ------------------------------------------------------------------ cohorts
# time (months, multiples of 0.5), event (1 = event), x (continuous marker, 3 decimals),
# score (integer marker), g (group a/b/c), f1 (0/1 factor), f2 (0/1 factor); pred (added below)
mk <- function(time, event, x, score, g, f1, f2) {
  data.frame(time = time, event = event, x = x, score = score, g = g, f1 = f1, f2 = f2)
}
set.seed(20261203)
rx <- function(n) round(rnorm(n), 3)
cohorts <- list(
  # two patients
  n2 = mk(c(3, 5), c(1, 0), c(0.5, -0.2), c(2, 0), c("a", "b"), c(1, 0), c(0, 1)),
  n2_both_events = mk(c(3, 5), c(1, 1), c(0.5, -0.2), c(1, 0), c("a", "b"), c(1, 0), c(0, 1)),
  # three patients, all events at one time
  n3_one_time = mk(c(4, 4, 4), c(1, 1, 1), c(0.1, 0.7, -0.4), c(1, 2, 0), c("a", "b", "a"), c(0, 1, 0),
                   c(1, 0, 0)),
  # all events at one time, censorings later
  one_event_time = mk(c(2, 2, 2, 2, 6, 7, 9), c(1, 1, 1, 1, 0, 0, 0), rx(7), c(3, 1, 2, 0, 1, 0, 2),
                      c("a", "b", "a", "b", "a", "b", "a"), c(1, 0, 1, 0, 0, 0, 1), c(0, 0, 1, 0, 1, 1, 0)),
  # events and censorings at time 0
  zero_times = mk(c(0, 0, 0, 1, 2, 2, 3, 5), c(1, 0, 1, 1, 0, 1, 1, 0), rx(8), c(2, 0, 3, 1, 1, 2, 0, 1),
                  c("a", "a", "b", "b", "c", "c", "a", "b"), c(1, 0, 1, 0, 0, 1, 0, 0), c(0, 1, 0, 1, 0, 0, 1, 0)),
  # only censorings at time 0
  zero_censored = mk(c(0, 0, 1, 3, 4, 4, 6), c(0, 0, 1, 1, 0, 1, 0), rx(7), c(1, 0, 2, 1, 0, 2, 1),
                     c("a", "b", "a", "b", "a", "b", "a"), c(0, 0, 1, 0, 0, 1, 0), c(1, 0, 0, 1, 0, 0, 0)),
  # events and censorings tied at the same times
  tied_ev_cens = mk(c(2, 2, 2, 4, 4, 5, 5, 5, 8, 8), c(1, 0, 1, 1, 0, 0, 1, 0, 1, 0), rx(10),
                    c(3, 0, 2, 2, 1, 0, 3, 1, 1, 0), c("a", "b", "c", "a", "b", "c", "a", "b", "c", "a"),
                    c(1, 0, 1, 1, 0, 0, 1, 0, 0, 0), c(0, 1, 0, 0, 1, 0, 0, 1, 0, 0)),
  # f1 carried by one patient (with an event), f2 by one patient (censored)
  rare_one = mk(c(1, 2, 3, 3, 4, 6, 7, 8, 9, 10), c(1, 1, 0, 1, 1, 0, 1, 0, 1, 0), rx(10),
                c(4, 2, 1, 2, 1, 0, 1, 0, 1, 0), c("a", "b", "a", "b", "a", "b", "a", "b", "a", "b"),
                c(1, 0, 0, 0, 0, 0, 0, 0, 0, 0), c(0, 0, 0, 0, 0, 0, 0, 1, 0, 0)),
  # everyone still at risk after 5 months is censored
  censored_after = mk(c(1, 2, 2, 3, 5, 6, 7, 8, 9), c(1, 1, 0, 1, 1, 0, 0, 0, 0), rx(9),
                      c(3, 2, 0, 2, 1, 0, 1, 0, 1), c("a", "b", "c", "a", "b", "c", "a", "b", "c"),
                      c(1, 1, 0, 0, 0, 0, 0, 0, 1), c(0, 0, 1, 0, 1, 0, 0, 0, 0)),
  # group c has no events
  group_no_events = mk(c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), c(1, 1, 0, 1, 1, 0, 0, 1, 0, 0), rx(10),
                       c(2, 2, 0, 1, 2, 0, 0, 1, 0, 1), c("a", "a", "c", "b", "a", "c", "c", "b", "c", "b"),
                       c(1, 0, 0, 1, 0, 0, 0, 0, 0, 1), c(0, 1, 0, 0, 1, 0, 1, 0, 0, 0)),
  # the last patient has an event (survival reaches 0)
  last_is_event = mk(c(1, 3, 3, 4, 6), c(0, 1, 0, 1, 1), rx(5), c(1, 2, 0, 1, 2), c("a", "b", "a", "b", "a"),
                     c(0, 1, 0, 0, 1), c(1, 0, 0, 1, 0)),
  # group a: both patients censored before the first event (expected 0 in survdiff)
  group_censored_early = mk(c(0.5, 1, 2, 3, 4, 5), c(0, 0, 1, 1, 0, 1), rx(6), c(0, 1, 2, 1, 3, 2),
                            c("a", "a", "b", "b", "c", "c"), c(0, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 0)),
  # two groups, one censored before the first event: survdiff has one group left (chisq 0 on 0 df)
  one_group_exposed = mk(c(0.5, 1, 2, 3, 4, 5), c(0, 0, 1, 1, 0, 1), rx(6), c(0, 1, 2, 1, 3, 2),
                         c("b", "b", "a", "a", "a", "a"), c(1, 0, 1, 0, 0, 1), c(0, 1, 0, 1, 0, 0)),
  # one event, at the last time, alone in its risk set: every partial log-likelihood is 0
  lone_event = mk(c(2, 3.5, 5.5, 1), c(0, 0, 1, 0), rx(4), c(3, 2, 1, 2), c("c", "c", "a", "c"), c(0, 0, 0, 1),
                  c(1, 1, 1, 0)),
  # one group only (survdiff: "There is only 1 group")
  one_group = mk(c(1, 2, 2, 4, 5), c(1, 0, 1, 1, 0), rx(5), c(0, 2, 1, 3, 1), rep("a", 5), c(0, 1, 0, 1, 0),
                 c(1, 0, 0, 0, 1)),
  # no events at all
  no_events = mk(c(1, 2, 4, 5), c(0, 0, 0, 0), rx(4), c(1, 0, 2, 1), c("a", "b", "a", "b"), c(1, 0, 0, 1),
                 c(0, 1, 1, 0))
)
# seeded random small cohorts: n 4..10, times 0..6 in half months, many ties
for (k in 1:12) {
  n <- sample(4:10, 1)
  cohorts[[sprintf("random_%02d", k)]] <- mk(sample(0:12, n, replace = TRUE) / 2, rbinom(n, 1, 0.6), rx(n),
                                             sample(0:3, n, replace = TRUE),
                                             sample(c("a", "b", "c"), n, replace = TRUE),
                                             rbinom(n, 1, 0.3), rbinom(n, 1, 0.4))
}
all <- do.call(rbind, lapply(names(cohorts), function(k) cbind(cohort = k, cohorts[[k]])))
all$pred <- round(1 / (1 + exp(all$x)), 6)  # a predicted survival for the landmark calibration
cohorts <- split(all[, -1], factor(all$cohort, levels = names(cohorts)))
write.csv(all, "tests/data/awkward_cohorts.csv", row.names = FALSE)

# ------------------------------------------------------------------ helpers
source("tests/r/helpers.R")  # try_r
horizons <- function(d) {
  ev <- sort(unique(d$time[d$event == 1]))
  h <- c(beyond = max(d$time) + 1)
  if (length(ev)) h <- c(h, at_event = ev[ceiling(length(ev) / 2)], mid = (min(d$time) + max(d$time)) / 2)
  h
}

km_ref <- function(time, event, conf.type = "log") try_r({
  f <- survfit(Surv(time, event) ~ 1, conf.type = conf.type)
  q <- quantile(f, probs = 0.5)
  list(time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor, surv = f$surv,
       std_err = f$std.err, lower = f$lower, upper = f$upper,
       median = unname(q$quantile), lcl = unname(q$lower), ucl = unname(q$upper))
})
km_at_ref <- function(time, event, h) try_r({
  s <- summary(survfit(Surv(time, event) ~ 1), times = h, extend = FALSE)
  list(surv = if (length(s$surv)) s$surv else NA, n_risk = if (length(s$n.risk)) s$n.risk else NA)
})
at_risk_ref <- function(time, event, h) try_r({
  s <- summary(survfit(Surv(time, event) ~ 1), times = sort(unique(h)), extend = TRUE)  # summary sorts times
  list(times = s$time, n_risk = s$n.risk, surv = s$surv)
})
logrank_ref <- function(d) try_r({
  sd <- survdiff(Surv(time, event) ~ g, data = d)
  # df as print.survdiff: groups with a positive expected count, minus 1
  list(chisq = sd$chisq, df = sum(sd$exp > 0) - 1, p = sd$pvalue, expected = unname(sd$exp))
})
cox_ref <- function(formula, d) try_r({
  fit <- coxph(formula, data = d, ties = "efron")
  b <- coef(fit)
  nd <- as.data.frame(as.list(setNames(rep(0, length(b)), names(b))))
  sf <- survfit(fit, newdata = nd)  # ctype = 2 after an Efron fit
  sf1 <- survfit(fit, newdata = nd, ctype = 1)
  se <- ifelse(is.na(b), NA, sqrt(diag(fit$var)))  # as summary(fit): NA for a coefficient R does not estimate
  s <- summary(fit)
  list(names = names(b), coef = unname(b), se = unname(se), loglik = fit$loglik,
       p = unname(s$coefficients[, "Pr(>|z|)"]), ci_low = unname(s$conf.int[, "lower .95"]),
       ci_high = unname(s$conf.int[, "upper .95"]),
       aic = AIC(fit), iter = fit$iter, base_time = sf$time, base_surv = as.vector(sf$surv),
       base_cumhaz = as.vector(sf$cumhaz), base_surv_ctype1 = as.vector(sf1$surv),
       base_cumhaz_ctype1 = as.vector(sf1$cumhaz))
})
aic_ref <- function(d) try_r({
  g <- factor(d$g, levels = sort(unique(d$g)))
  fit <- coxph(Surv(time, event) ~ g, data = d, ties = "efron")
  null <- coxph(Surv(time, event) ~ 1, data = d)
  list(delta = AIC(fit) - (-2 * null$loglik), k = sum(!is.na(coef(fit))), loglik = fit$loglik)
})
# landmark calibration (tests/r/landmark_calibration.R) with pred = 1 / (1 + exp(x)) at horizon h:
# rcs(cloglog(pred), knots at the 10/50/90th percentiles), or the linear term when there are too few
# distinct values for three knots (venprs' stated rule: distinct values > distinct knots + 1 and 3 knots)
landmark_ref <- function(d, h) try_r({
  d$cll <- log(-log(d$pred))
  k <- unique(quantile(d$cll, c(0.10, 0.50, 0.90), names = FALSE))
  spline <- length(unique(d$cll)) > length(k) + 1 && length(k) >= 3
  fit <- if (spline) coxph(Surv(time, event) ~ rcs(cll, k), data = d, ties = "efron") else
    coxph(Surv(time, event) ~ cll, data = d, ties = "efron")
  obs <- as.numeric(summary(survfit(fit, newdata = d), times = h)$surv)
  diff <- abs(d$pred - obs)
  list(spline = spline, ici = mean(diff), e50 = median(diff), e90 = unname(quantile(diff, 0.9)), observed = obs,
       coef = unname(coef(fit)))
})
conc_ref <- function(d, m, ...) try_r({
  d$m <- d[[m]]
  concordance(Surv(time, event) ~ m, data = d, reverse = TRUE, ...)$concordance
})
nne_ref <- function(d, m, h, span) try_r({
  r <- survivalROC(Stime = d$time, status = d$event, marker = d[[m]], predict.time = h, method = "NNE",
                   span = span)
  list(auc = r$AUC, survival = r$Survival)
})
timeroc_ref <- function(d, m, h) try_r({
  invisible(capture.output(suppressMessages(  # timeROC: "Upper limit of followup is ..." beyond the last time
    tr <- timeROC(T = d$time, delta = d$event, marker = d[[m]], cause = 1, weighting = "marginal", times = h,
                  iid = FALSE))))
  unname(tr$AUC[length(tr$AUC)])
})
score_ref <- function(d, m, h) try_r({
  d$m <- d[[m]]
  sc <- Score(list(m = d$m), formula = Surv(time, event) ~ 1, data = d, times = h, metrics = "auc",
              cens.model = "km", null.model = FALSE, conf.int = FALSE)
  sc$AUC$score$AUC[1]
})

# ------------------------------------------------------------------ references
ref <- list()
for (k in names(cohorts)) {
  d <- cohorts[[k]]
  h <- horizons(d)
  r <- list(n = nrow(d), horizons = as.list(h))
  r$km <- km_ref(d$time, d$event)
  r$km_loglog <- km_ref(d$time, d$event, "log-log")
  r$km_plain <- km_ref(d$time, d$event, "plain")
  r$reverse_km <- km_ref(d$time, 1 - d$event)
  r$km_at <- lapply(h, function(hh) km_at_ref(d$time, d$event, hh))
  r$at_risk <- at_risk_ref(d$time, d$event, unname(h))
  r$logrank <- logrank_ref(d)
  r$cox_efron <- cox_ref(Surv(time, event) ~ f1 + f2 + x, d)
  r$cox_x <- cox_ref(Surv(time, event) ~ x, d)
  r$aic <- aic_ref(d)
  r$landmark <- lapply(h, function(hh) landmark_ref(d, hh))
  r$c_harrell <- list(x = conc_ref(d, "x"), score = conc_ref(d, "score"))
  r$c_uno <- list(x = conc_ref(d, "x", timewt = "n/G2"), score = conc_ref(d, "score", timewt = "n/G2"))
  r$c_uno_ymax <- lapply(h, function(hh) list(x = conc_ref(d, "x", timewt = "n/G2", ymax = hh),
                                              score = conc_ref(d, "score", timewt = "n/G2", ymax = hh)))
  r$nne <- lapply(h, function(hh) list(x = nne_ref(d, "x", hh, 0.5), score = nne_ref(d, "score", hh, 0.5)))
  sp <- 0.25 * nrow(d)^(-0.2)  # venprs' default span (the survivalROC documentation's example)
  r$nne_default <- lapply(h, function(hh) list(x = nne_ref(d, "x", hh, sp), score = nne_ref(d, "score", hh, sp)))
  r$timeroc <- lapply(h, function(hh) list(x = timeroc_ref(d, "x", hh), score = timeroc_ref(d, "score", hh)))
  r$score_auc <- lapply(h, function(hh) list(x = score_ref(d, "x", hh), score = score_ref(d, "score", hh)))
  ref[[k]] <- r
}
meta <- list(R = R.version.string, nne_span = 0.5,
             versions = lapply(c(survival = "survival", survivalROC = "survivalROC", timeROC = "timeROC",
                                 riskRegression = "riskRegression", prodlim = "prodlim", rms = "rms"),
                               function(p) as.character(packageVersion(p))))
writeLines(toJSON(list(meta = meta, cohorts = ref), digits = NA, auto_unbox = TRUE, na = "string",
                  pretty = TRUE), "tests/data/awkward_reference.json")
