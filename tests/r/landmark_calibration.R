# Reference for venprs.evaluation.calibration.landmark_calibration (tests/test_evaluation.py):
# Austin, Harrell & van Klaveren (Stat Med 2020;39:2714) graphical calibration at t0 = 10:
# coxph(Surv(time, event) ~ rcs(cloglog(pred), 3 knots at the 10/50/90th percentiles)),
# observed S(10 | pred) from survfit(fit, newdata), ICI/E50/E90 of |pred - observed|.
# Input tests/data/landmark_cohort.csv (made by a seeded numpy draw, see the test); output
# tests/data/landmark_calibration_reference.json. Run: Rscript tests/r/landmark_calibration.R
suppressPackageStartupMessages({library(survival); library(rms); library(jsonlite)})
d <- read.csv("tests/data/landmark_cohort.csv")
d$cll <- log(-log(d$pred))
k <- quantile(d$cll, c(0.10, 0.50, 0.90))
fit <- coxph(Surv(time, event) ~ rcs(cll, k), data = d, ties = "efron")
obs <- as.numeric(summary(survfit(fit, newdata = d), times = 10)$surv)
diff <- abs(d$pred - obs)
out <- list(ici = mean(diff), e50 = median(diff), e90 = as.numeric(quantile(diff, 0.9)),
            observed_first5 = obs[1:5], R = R.version.string, survival = as.character(packageVersion("survival")),
            rms = as.character(packageVersion("rms")))
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/data/landmark_calibration_reference.json")
