# Reference values for tests/test_evaluation.py (discrimination and AIC).
# Input: tests/data/eval_cohort.csv (written from tests/_cohort.py make_cohort(174, seed=0) with the
# published VEN-PRS scores/groups of venprs.score_table). Output: tests/data/evaluation_reference.json
# Run from the repository root:  Rscript tests/r/evaluation_reference.R
suppressPackageStartupMessages({library(survival); library(riskRegression); library(jsonlite)})
d <- read.csv("tests/data/eval_cohort.csv")
out <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
            riskRegression = as.character(packageVersion("riskRegression")))
for (ep in c("os", "efs")) {
  d$t <- d[[paste0(ep, "_months")]]; d$e <- d[[paste0(ep, "_event")]]
  d$x <- d[[paste0(ep, "_score")]]; d$g <- factor(d[[paste0(ep, "_group")]],
                                                  levels = c("favorable", "intermediate", "adverse"))
  harrell <- concordance(Surv(t, e) ~ x, data = d, reverse = TRUE)$concordance
  uno <- concordance(Surv(t, e) ~ x, data = d, reverse = TRUE, timewt = "n/G2")$concordance
  sc <- Score(list(venprs = d$x), formula = Surv(t, e) ~ 1, data = d, times = 10, metrics = "auc",
              cens.model = "km", null.model = FALSE, conf.int = FALSE)
  auc <- sc$AUC$score$AUC[1]
  fit <- coxph(Surv(t, e) ~ g, data = d, ties = "efron")
  null <- coxph(Surv(t, e) ~ 1, data = d)
  aic_delta <- AIC(fit) - (-2 * null$loglik)
  out[[ep]] <- list(c_harrell = harrell, c_uno = uno, auc_ipcw_10 = auc, aic_delta = aic_delta,
                    loglik = fit$loglik)
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/data/evaluation_reference.json")
