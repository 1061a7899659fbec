# Reference values for tests/test_survival.py, from R's survival package.
# Run from the repository root:  Rscript tests/r/survival_reference.R
# Reads tests/data/survival_cohort.csv (made by tests/data/make_survival_cohort.py)
# and writes tests/data/survival_reference.json (committed; the tests do not need R).
suppressPackageStartupMessages({library(survival); library(jsonlite)})

d <- read.csv("tests/data/survival_cohort.csv")

km_ref <- function(time, event) {
  f <- survfit(Surv(time, event) ~ 1)  # defaults: conf.type = "log", conf.int = 0.95, Greenwood
  q <- quantile(f, probs = 0.5)
  list(time = f$time, n_risk = f$n.risk, n_event = f$n.event, surv = f$surv, std_err = f$std.err,
       lower = f$lower, upper = f$upper,
       median = unname(q$quantile), lcl = unname(q$lower), ucl = unname(q$upper),
       table = as.list(summary(f)$table))
}

cases <- list(
  cohort = list(time = d$time, event = d$event),
  group_c = list(time = d$time[d$group == "c"], event = d$event[d$group == "c"]),
  # survival exactly 0.5 on a flat segment: median is the midpoint (R's averaging rule)
  flat_half = list(time = 1:10, event = rep(1, 10)),
  # survival 0.5 until the last (censored) time: median averages with the last time
  flat_half_last = list(time = c(1, 2, 3, 4, 5, 6, 7, 8), event = c(1, 1, 1, 1, 0, 0, 0, 0)),
  # heavy censoring: median not reached (NA)
  not_reached = list(time = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), event = c(1, 0, 1, 0, 0, 0, 0, 0, 0, 0)),
  # ties among events and censorings at the same time
  ties = list(time = c(2, 2, 2, 3, 3, 5, 5, 5, 8, 8, 9, 12), event = c(1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0))
)
km <- lapply(cases, function(x) km_ref(x$time, x$event))

# other confidence-interval transforms (not the default), on the whole cohort
other_ci <- lapply(c("log-log", "plain"), function(ct) {
  f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
  q <- quantile(f, probs = 0.5)
  list(lower = f$lower, upper = f$upper, median = unname(q$quantile), lcl = unname(q$lower), ucl = unname(q$upper))
})
names(other_ci) <- c("log-log", "plain")

# median follow-up by reverse Kaplan-Meier
rev_fit <- survfit(Surv(time, 1 - event) ~ 1, data = d)
followup <- list(median = unname(quantile(rev_fit, 0.5)$quantile),
                 lcl = unname(quantile(rev_fit, 0.5)$lower), ucl = unname(quantile(rev_fit, 0.5)$upper))

sd <- survdiff(Surv(time, event) ~ group, data = d)
logrank <- list(chisq = sd$chisq, df = length(sd$n) - 1,
                p = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
sd2 <- survdiff(Surv(time, event) ~ x1, data = d)
logrank_x1 <- list(chisq = sd2$chisq, df = 1, p = pchisq(sd2$chisq, 1, lower.tail = FALSE))

cox_ref <- function(fit) {
  s <- summary(fit)$coefficients
  ci <- summary(fit)$conf.int
  list(names = rownames(s), coef = unname(s[, "coef"]), se = unname(s[, "se(coef)"]),
       hr = unname(s[, "exp(coef)"]), ci_low = unname(ci[, "lower .95"]), ci_high = unname(ci[, "upper .95"]),
       p = unname(s[, "Pr(>|z|)"]), loglik = fit$loglik, n = fit$n, nevent = fit$nevent, aic = AIC(fit))
}
fit3 <- coxph(Surv(time, event) ~ x1 + x2 + x3, data = d, ties = "efron")
fit1 <- coxph(Surv(time, event) ~ x1, data = d, ties = "efron")
fit_breslow <- coxph(Surv(time, event) ~ x1 + x2 + x3, data = d, ties = "breslow")
# the rare factor: 3 carriers, all censored -> R warns "coefficient may be infinite"
rare_warning <- tryCatch({coxph(Surv(time, event) ~ x1 + x2 + x3 + rare, data = d); ""},
                         warning = function(w) conditionMessage(w))

# estimable rare factor: 4 carriers (ids 2, 8, 12, 59), all with an early event. R estimates it
# (coef about 2.4); lifelines' CoxPHFitter stops with a singular-matrix ConvergenceError.
d$four <- as.integer(d$id %in% c(2, 8, 12, 59))
fit_four <- coxph(Surv(time, event) ~ x1 + x2 + x3 + four, data = d, ties = "efron")
base_four <- survfit(fit_four, newdata = data.frame(x1 = 0, x2 = 0, x3 = 0, four = 0), ctype = 2)
# monotone likelihood not visible before the fit: every carrier of x has an event before any
# non-carrier. R warns "Loglik converged before variable 1; coefficient may be infinite."
mono <- data.frame(time = c(1, 2, 3, 10, 11, 12, 13, 14, 15, 16), event = c(1, 1, 1, 1, 0, 1, 0, 1, 1, 0),
                   x = c(1, 1, 1, 0, 0, 0, 0, 0, 0, 0), y = c(0, 1, 0, 1, 0, 1, 0, 1, 0, 1))
mono_warning <- ""
fit_mono <- withCallingHandlers(coxph(Surv(time, event) ~ x + y, data = mono, ties = "efron"),
                                warning = function(w) {mono_warning <<- conditionMessage(w);
                                                       invokeRestart("muffleWarning")})
fit_mono_y <- coxph(Surv(time, event) ~ y, data = mono, ties = "efron")  # what --rare-factors drop reports
# heavy ties: times grouped into 6-month bins (a handful of distinct times)
d$time_binned <- ceiling(d$time / 6)
fit_ties <- coxph(Surv(time_binned, event) ~ x1 + x2 + x3, data = d, ties = "efron")
base_ties <- survfit(fit_ties, newdata = data.frame(x1 = 0, x2 = 0, x3 = 0), ctype = 2)
# a fit that needs more than R's default 20 iterations: tests/data/cox_slow_convergence.csv is the
# training part of one calibration split (tests/_cohort.py make_cohort(174, seed = 1) with nf1 set
# to 1 in its first two rows; calibrate(splits = 30, seed = 2), OS). nf1 has one carrier, with an
# event. With iter.max = 20 R warns "Ran out of iterations and did not converge" (venprs default, --rare-factors r);
# with 100 it converges (--rare-factors drop).
slow <- read.csv("tests/data/cox_slow_convergence.csv")
slow_formula <- Surv(time, event) ~ extramedullary + prior_hma + nf1 + ptpn11 + flt3 + tp53 + sf3b1
slow_warning <- ""
fit_slow20 <- withCallingHandlers(coxph(slow_formula, data = slow, ties = "efron"),
                                  warning = function(w) {slow_warning <<- conditionMessage(w);
                                                         invokeRestart("muffleWarning")})
fit_slow100 <- coxph(slow_formula, data = slow, ties = "efron", control = coxph.control(iter.max = 100))
# nothing estimable: the null model
fit_null <- coxph(Surv(time, event) ~ 1, data = d, ties = "efron")

base <- function(fit, ctype) {
  nd <- data.frame(x1 = 0, x2 = 0, x3 = 0)
  sf <- survfit(fit, newdata = nd, ctype = ctype)
  list(time = sf$time, surv = as.vector(sf$surv), cumhaz = as.vector(sf$cumhaz))
}
nd2 <- data.frame(x1 = c(1, 0), x2 = c(1, 1), x3 = c(0, 1))
pred <- summary(survfit(fit3, newdata = nd2, ctype = 1), times = c(3, 6, 12))

out <- list(
  r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
  km = km, km_other_ci = other_ci, followup = followup, logrank = logrank, logrank_x1 = logrank_x1,
  cox = list(x1_x2_x3 = cox_ref(fit3), x1 = cox_ref(fit1), breslow_ties = cox_ref(fit_breslow),
             rare_warning = rare_warning, four_carriers = cox_ref(fit_four),
             monotone = c(cox_ref(fit_mono), list(warning = mono_warning, iter = fit_mono$iter)),
             monotone_y = cox_ref(fit_mono_y), heavy_ties = cox_ref(fit_ties),
             null_loglik = fit_null$loglik,
             slow_iter20 = list(coef = unname(coef(fit_slow20)), loglik = fit_slow20$loglik,
                                warning = slow_warning),
             slow_iter100 = c(cox_ref(fit_slow100), list(iter = fit_slow100$iter))),
  baseline_four = list(time = base_four$time, surv = as.vector(base_four$surv)),
  baseline_heavy_ties = list(time = base_ties$time, surv = as.vector(base_ties$surv)),
  baseline = list(ctype1 = base(fit3, 1), ctype2 = base(fit3, 2)),
  predict = list(times = pred$time, surv = unname(pred$surv), newdata = as.list(nd2))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/data/survival_reference.json")
