# Reference values for tests/test_validate_brier.py: the Brier score and IPA of `venprs validate`
# (venprs.evaluation.external.brier_ipa) as riskRegression::Score gives them:
#   Score(list(model = risk), formula = Hist(time, status) ~ 1, data, times = h, metrics = "brier",
#         summary = "ipa", cens.model = "km", null.model = TRUE)
# Inputs: tests/data/awkward_cohorts.csv with the horizons of tests/data/awkward_reference.json (score
# 0..4, risk 1 - 0.9^exp(score), as tests/r/validate_awkward.R), and tests/data/validate_cohort.csv at
# 10 months (the published score and reconstructed baseline from the model file, as
# tests/r/validate_reference.R). Output: tests/data/validate_brier_reference.json.
# Run from the repository root:  Rscript tests/r/validate_brier.R
suppressPackageStartupMessages({library(survival); library(riskRegression); library(prodlim); library(jsonlite)})
source("tests/r/helpers.R")  # try_r

brier_ref <- function(time, status, risk, h) try_r({
  d <- data.frame(time = time, status = status)
  s <- Score(list(model = matrix(risk, ncol = 1)), formula = Hist(time, status) ~ 1, data = d, times = h,
             metrics = "brier", summary = "ipa", cens.model = "km", null.model = TRUE)
  b <- as.data.frame(s$Brier$score)
  row <- function(m) {
    r <- b[as.character(b$model) == m, ]
    list(brier = r$Brier, se = r$se, lower = r$lower, upper = r$upper, ipa = r$IPA)
  }
  list(model = row("model"), null = row("Null model"))
})

ref <- list()
all <- read.csv("tests/data/awkward_cohorts.csv")
hz <- fromJSON("tests/data/awkward_reference.json", simplifyVector = FALSE)$cohorts
for (k in unique(all$cohort)) {
  d <- all[all$cohort == k, ]
  risk <- 1 - 0.9^exp(d$score)
  ref$awkward[[k]] <- lapply(hz[[k]]$horizons, function(h)
    c(list(horizon = h), brier_ref(d$time, d$event, risk, h)))
}
d <- read.csv("tests/data/validate_cohort.csv")
m <- fromJSON("src/venprs/model/venprs_2025.json", simplifyVector = FALSE)
for (ep in c("os", "efs")) {
  spec <- m$endpoints[[ep]]
  factors <- vapply(spec$terms, function(x) x$factor, "")
  units <- vapply(spec$terms, function(x) round(as.numeric(x$coefficient) * m$scale), 0)
  score <- as.numeric(as.matrix(d[, factors]) %*% units) / m$scale
  par <- m$baseline_survival$endpoints[[ep]]$parameters
  risk <- 1 - exp(-(10 / par$scale)^par$shape)^exp(score)
  ref$validate[[ep]] <- c(list(horizon = 10),
                          brier_ref(d[[paste0(ep, "_months")]], d[[paste0(ep, "_event")]], risk, 10))
}
meta <- list(R = R.version.string, s0 = 0.9,
             versions = lapply(c(riskRegression = "riskRegression", prodlim = "prodlim"),
                               function(p) as.character(packageVersion(p))))
writeLines(toJSON(c(list(meta = meta), ref), digits = NA, auto_unbox = TRUE, na = "string", pretty = TRUE),
           "tests/data/validate_brier_reference.json")
