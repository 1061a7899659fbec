# Reference values for venprs.evaluation.external (tests/test_validate.py).
# Input: tests/data/validate_cohort.csv (venprs.simulate(cohort="first-line", seed=7) through
# prepare_cohort: patient_id, the seven factors 0/1, os/efs months and events). The published score
# and cut-points and the reconstructed Weibull baseline are read from src/venprs/model/venprs_2025.json
# (nothing typed here). Horizon 10 months. Output: tests/data/validate_reference.json.
# Run from the repository root: Rscript tests/r/validate_reference.R
suppressPackageStartupMessages({library(survival); library(rms); library(jsonlite)})
d <- read.csv("tests/data/validate_cohort.csv")
m <- fromJSON("src/venprs/model/venprs_2025.json", simplifyVector = FALSE)
h <- 10
fav <- as.numeric(m$thresholds$favorable_below); adv <- as.numeric(m$thresholds$adverse_above)
thresholds <- seq(0.01, 0.99, by = 0.01)

# Net benefit of "treat if predicted risk >= pt" at horizon h, survival outcome by Kaplan-Meier
# (Vickers et al. 2008): NB = (1 - S) P - S P pt / (1 - pt), S = KM at h among the treated (carried
# forward past the last follow-up, extend = TRUE), P = proportion treated; 0 if nobody is treated.
net_benefit <- function(time, status, risk, pt) {
  sel <- risk >= pt
  if (!any(sel)) return(0)
  s <- summary(survfit(Surv(time[sel], status[sel]) ~ 1), times = h, extend = TRUE)$surv
  p <- mean(sel)
  (1 - s) * p - s * p * pt / (1 - pt)
}

km_at <- function(time, status) {
  s <- summary(survfit(Surv(time, status) ~ 1), times = h)
  list(surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
}

out <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
            rms = as.character(packageVersion("rms")), horizon = h)
for (ep in c("os", "efs")) {
  spec <- m$endpoints[[ep]]
  factors <- vapply(spec$terms, function(x) x$factor, "")
  units <- vapply(spec$terms, function(x) round(as.numeric(x$coefficient) * m$scale), 0)
  score <- as.numeric(as.matrix(d[, factors]) %*% units) / m$scale
  group <- ifelse(score < fav, "favorable", ifelse(score > adv, "adverse", "intermediate"))
  time <- d[[paste0(ep, "_months")]]; status <- d[[paste0(ep, "_event")]]
  dd <- data.frame(time, status, score, group)

  # risk groups and log-rank
  g <- list()
  for (grp in c("favorable", "intermediate", "adverse")) {
    f <- survfit(Surv(time, status) ~ 1, data = dd[dd$group == grp, ])
    q <- quantile(f, 0.5)
    g[[grp]] <- list(n = sum(dd$group == grp), events = sum(dd$status[dd$group == grp]),
                     median = unname(q$quantile), ci_low = unname(q$lower), ci_high = unname(q$upper))
  }
  lr <- survdiff(Surv(time, status) ~ group, data = dd)
  g$logrank_chisq <- lr$chisq
  g$logrank_p <- pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE)

  # calibration slope
  fs <- coxph(Surv(time, status) ~ score, data = dd, ties = "efron")
  slope <- list(estimate = unname(coef(fs)), se = unname(sqrt(vcov(fs)[1, 1])), loglik = fs$loglik[2])

  # calibration-in-the-large with the reconstructed baseline (model file)
  par <- m$baseline_survival$endpoints[[ep]]$parameters
  s0 <- exp(-(h / par$scale)^par$shape)
  pred <- s0^exp(score)
  risk <- 1 - pred
  k <- km_at(time, status)
  o <- 1 - k$surv; e <- mean(risk); se_log <- k$std_err / o
  itl <- list(observed = o, expected = e, oe_ratio = o / e, se_log_oe = se_log,
              oe_ci_low = o / e * exp(-qnorm(0.975) * se_log), oe_ci_high = o / e * exp(qnorm(0.975) * se_log),
              observed_ci_low = 1 - k$upper, observed_ci_high = 1 - k$lower)

  # smoothed calibration curve: coxph on rcs(cloglog(pred), 3 knots at 10/50/90%) (Austin et al. 2020)
  dd$cll <- log(-log(pred))
  kn <- unique(quantile(dd$cll, c(0.10, 0.50, 0.90)))
  if (length(unique(dd$cll)) > length(kn) + 1 && length(kn) >= 3) {
    fc <- coxph(Surv(time, status) ~ rcs(cll, kn), data = dd, ties = "efron")
  } else {
    fc <- coxph(Surv(time, status) ~ cll, data = dd, ties = "efron")
  }
  obs <- as.numeric(summary(survfit(fc, newdata = dd), times = h)$surv)
  diff <- abs(pred - obs)
  curve <- list(ici = mean(diff), e50 = median(diff), e90 = unname(quantile(diff, 0.9)))

  # grouped calibration
  grouped <- list()
  for (grp in c("favorable", "intermediate", "adverse")) {
    sel <- dd$group == grp
    kg <- km_at(time[sel], status[sel])
    grouped[[grp]] <- list(predicted = mean(risk[sel]), observed = 1 - kg$surv)
  }

  # decision curve
  nb_model <- vapply(thresholds, function(pt) net_benefit(time, status, risk, pt), 0)
  nb_all <- vapply(thresholds, function(pt) net_benefit(time, status, rep(1, length(time)), pt), 0)

  # model updating: baseline with the score as offset; slope-updated; refit; LR tests
  f0 <- coxph(Surv(time, status) ~ offset(score), data = dd, ties = "efron")
  s0_recal <- summary(survfit(f0, newdata = data.frame(score = 0)), times = h)$surv
  s0_slope <- summary(survfit(fs, newdata = data.frame(score = 0)), times = h)$surv
  fr <- coxph(as.formula(paste("Surv(time, status) ~", paste(factors, collapse = " + "))),
              data = cbind(dd, d[, factors]), ties = "efron")
  upd <- list(loglik_offset = f0$loglik, s0_recalibrated = s0_recal, s0_slope = s0_slope,
              refit_coef = as.list(coef(fr)), refit_loglik = fr$loglik[2],
              lr_slope_vs_offset = 2 * (fs$loglik[2] - f0$loglik),
              lr_refit_vs_slope = 2 * (fr$loglik[2] - fs$loglik[2]))

  harrell <- concordance(Surv(time, status) ~ score, data = dd, reverse = TRUE)$concordance
  out[[ep]] <- list(groups = g, slope = slope, in_the_large = itl, curve = curve, grouped = grouped,
                    net_benefit = list(thresholds = thresholds, model = nb_model, treat_all = nb_all),
                    updating = upd, c_harrell = harrell)
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
      "tests/data/validate_reference.json")
