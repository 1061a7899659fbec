# Reference values for tests/test_validate_awkward.py: the statistics of `venprs validate`
# (venprs.evaluation.external) on the small awkward cohorts of tests/r/awkward_reference.R.
# Input: tests/data/awkward_cohorts.csv and the horizons of tests/data/awkward_reference.json (both
# written by tests/r/awkward_reference.R; nothing regenerated here). Output:
# tests/data/validate_awkward_reference.json (committed; the tests do not need R).
# Run from the repository root:  Rscript tests/r/validate_awkward.R
# The published score is the cohort's integer `score` (0..4) and the baseline survival at every
# horizon is S0(h) = 0.9, so the predicted survival is 0.9^exp(score) (risk 1 - 0.9^exp(score)).
# Model updating uses the score f1 + 2 f2, which the refitted coxph(Surv ~ f1 + f2) nests; the risk
# groups are `g`.
# Non-finite values are written as "NA", "NaN", "Inf", "-Inf"; an R error as {"error": "<message>"}.
suppressPackageStartupMessages({library(survival); library(rms); library(jsonlite)})
all <- read.csv("tests/data/awkward_cohorts.csv")
hz <- fromJSON("tests/data/awkward_reference.json", simplifyVector = FALSE)$cohorts
S0 <- 0.9
thresholds <- seq(0.01, 0.99, by = 0.01)

source("tests/r/helpers.R")  # try_r
# 1 - KM(h) with summary(survfit, times = h) (extend = FALSE: R stops past the last follow-up)
km_at <- function(time, status, h) {
  s <- summary(survfit(Surv(time, status) ~ 1), times = h)
  list(surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
}
# calibration-in-the-large as tests/r/validate_reference.R: O/E with SE(ln O/E) = SE(KM) / O
itl_ref <- function(d, risk, h) try_r({
  k <- km_at(d$time, d$event, h)
  o <- 1 - k$surv; e <- mean(risk); se_log <- k$std_err / o
  list(observed = o, expected = e, oe_ratio = o / e, se_log_oe = se_log,
       oe_ci_low = o / e * exp(-qnorm(0.975) * se_log), oe_ci_high = o / e * exp(qnorm(0.975) * se_log),
       observed_ci_low = 1 - k$upper, observed_ci_high = 1 - k$lower)
})
slope_ref <- function(d) try_r({
  f <- coxph(Surv(time, event) ~ score, data = d, ties = "efron")
  b <- unname(coef(f)); se <- unname(sqrt(vcov(f)[1, 1]))
  list(estimate = b, se = se, loglik = f$loglik[2], p_slope_1 = 2 * pnorm(-abs((b - 1) / se)))
})
# smoothed calibration curve (tests/r/landmark_calibration.R): spline when there are enough distinct values
curve_ref <- function(d, pred, h) try_r({
  d$cll <- log(-log(pred))
  k <- unique(quantile(d$cll, c(0.10, 0.50, 0.90), names = FALSE))
  spline <- length(unique(d$cll)) > length(k) + 1 && length(k) >= 3
  fit <- if (spline) coxph(Surv(time, event) ~ rcs(cll, k), data = d, ties = "efron") else
    coxph(Surv(time, event) ~ cll, data = d, ties = "efron")
  obs <- as.numeric(summary(survfit(fit, newdata = d), times = h)$surv)
  diff <- abs(pred - obs)
  list(spline = spline, ici = mean(diff), e50 = median(diff), e90 = unname(quantile(diff, 0.9)),
       coef = unname(coef(fit)), observed = obs)
})
# net benefit of "treat if risk >= pt" (Vickers et al. 2008), KM among the treated, extend = TRUE
nb_ref <- function(d, risk, h) try_r(vapply(thresholds, function(pt) {
  sel <- risk >= pt
  if (!any(sel)) return(0)
  s <- summary(survfit(Surv(d$time[sel], d$event[sel]) ~ 1), times = h, extend = TRUE)$surv
  p <- mean(sel)
  (1 - s) * p - s * p * pt / (1 - pt)
}, 0))
# S0(h) of a fit at score = 0, as summary(survfit(fit, newdata), times = h) (and extend = TRUE)
s0_ref <- function(fit, h, extend, what = "surv") try_r(
  summary(survfit(fit, newdata = data.frame(score = 0)), times = h, extend = extend)[[what]])
updating_ref <- function(d, h) try_r({
  d$score <- d$f1 + 2 * d$f2  # a score the refitted factors nest (LR test refit vs slope)
  f0 <- coxph(Surv(time, event) ~ offset(score), data = d, ties = "efron")
  fs <- coxph(Surv(time, event) ~ score, data = d, ties = "efron")
  fr <- coxph(Surv(time, event) ~ f1 + f2, data = d, ties = "efron")
  s0r <- s0_ref(f0, h, TRUE); s0s <- s0_ref(fs, h, TRUE)
  b <- unname(coef(fs))
  pred_r <- as.numeric(summary(survfit(fr, newdata = d), times = h, extend = TRUE)$surv)
  k <- sum(!is.na(coef(fr)))
  list(loglik_offset = f0$loglik, s0_recalibrated = s0r, s0_recalibrated_no_extend = s0_ref(f0, h, FALSE),
       s0_slope = s0s, s0_slope_cumhaz = s0_ref(fs, h, TRUE, "cumhaz"), loglik_slope = fs$loglik[2],
       lr_slope_vs_offset = 2 * (fs$loglik[2] - f0$loglik),
       refit_coef = unname(coef(fr)), refit_loglik = fr$loglik[2], refit_k = k,
       lr_refit_vs_slope = 2 * (fr$loglik[2] - fs$loglik[2]),
       recal_itl = itl_ref(d, 1 - s0r^exp(d$score), h),
       slope_itl = if (is.na(b)) NA else itl_ref(d, 1 - s0s^exp(b * d$score), h),
       refit_itl = itl_ref(d, 1 - pred_r, h), refit_pred = pred_r,
       recal_curve = curve_ref(d, s0r^exp(d$score), h),
       slope_curve = if (is.na(b)) NA else curve_ref(d, s0s^exp(b * d$score), h))
})

ref <- list()
for (k in unique(all$cohort)) {
  d <- all[all$cohort == k, ]
  pred <- S0^exp(d$score); risk <- 1 - pred
  r <- list(slope = slope_ref(d), at = list())
  for (hk in names(hz[[k]]$horizons)) {
    h <- hz[[k]]$horizons[[hk]]
    grouped <- list()
    for (g in sort(unique(d$g))) {
      sel <- d$g == g
      grouped[[g]] <- list(n = sum(sel), predicted = mean(risk[sel]), observed = try_r(km_at(d$time[sel], d$event[sel], h)))
    }
    r$at[[hk]] <- list(horizon = h, in_the_large = itl_ref(d, risk, h), curve = curve_ref(d, pred, h),
                       grouped = grouped, nb_model = nb_ref(d, risk, h), nb_all = nb_ref(d, rep(1, nrow(d)), h),
                       updating = updating_ref(d, h))
  }
  ref[[k]] <- r
}
meta <- list(R = R.version.string, s0 = S0, thresholds = thresholds,
             versions = lapply(c(survival = "survival", rms = "rms"), function(p) as.character(packageVersion(p))))
writeLines(toJSON(list(meta = meta, cohorts = ref), digits = NA, auto_unbox = TRUE, na = "string", pretty = TRUE),
           "tests/data/validate_awkward_reference.json")
