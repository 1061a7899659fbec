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
             rare_warning = rare_warning),
  baseline = list(ctype1 = base(fit3, 1), ctype2 = base(fit3, 2)),
  predict = list(times = pred$time, surv = unname(pred$surv), newdata = as.list(nd2))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/data/survival_reference.json")
