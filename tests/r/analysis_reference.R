# Reference values for tests/test_analysis.py (the derivation pipeline end to end), from R.
# Run from the repository root:  Rscript tests/r/analysis_reference.R
# Reads tests/data/analysis_cohort.csv (the synthetic R/R cohort, venprs.simulate(cohort = "rr",
# seed = 0), frozen as a file) and writes tests/data/analysis_reference.json.
suppressPackageStartupMessages({library(survival); library(jsonlite)})

d <- read.csv("tests/data/analysis_cohort.csv", na.strings = "", stringsAsFactors = FALSE)
fac_os <- c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1")
fac_efs <- c("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "sf3b1")
for (f in fac_os) d[[f]] <- as.integer(as.logical(d[[f]]))
# Table 4 coefficients in hundredths (the published score; typed here independently of the model file)
units <- list(os = c(extramedullary = 90, prior_hma = 64, nf1 = 94, ptpn11 = 80, flt3 = 49, tp53 = 39, sf3b1 = -98),
              efs = c(extramedullary = 57, prior_hma = 45, nf1 = 81, ptpn11 = 73, flt3 = 60, sf3b1 = -87))

km <- function(time, event) {
  f <- survfit(Surv(time, event) ~ 1)
  q <- quantile(f, 0.5)
  list(n = f$n, events = sum(f$n.event), median = unname(q$quantile), lcl = unname(q$lower), ucl = unname(q$upper))
}
crc <- d$best_response %in% c("CR", "CRi")
rfs <- d[crc & !is.na(d$rfs_months), ]

cox <- function(ep, facs) {
  fit <- coxph(as.formula(paste0("Surv(", ep, "_months, ", ep, "_event) ~ ", paste(facs, collapse = " + "))),
               data = d, ties = "efron")
  s <- summary(fit)$coefficients
  list(coef = as.list(s[, "coef"]), se = as.list(s[, "se(coef)"]), p = as.list(s[, "Pr(>|z|)"]),
       n = fit$n, nevent = fit$nevent, loglik = fit$loglik)
}
uni <- function(ep, facs) {
  out <- list()
  for (f in facs) {
    fit <- coxph(as.formula(paste0("Surv(", ep, "_months, ", ep, "_event) ~ ", f)), data = d, ties = "efron")
    out[[f]] <- list(coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))), n = fit$n)
  }
  out
}

# published groups: exact integer scores; a patient with unknown factors keeps a group only if
# the lowest and highest possible score give the same group
group_of <- function(u) ifelse(u < 25, "favorable", ifelse(u > 75, "adverse", "intermediate"))
groups <- function(ep) {
  u <- units[[ep]]
  X <- as.matrix(d[, names(u)])
  known <- ifelse(is.na(X), 0, X) %*% u
  lo <- known + (is.na(X) * 1) %*% pmin(u, 0)
  hi <- known + (is.na(X) * 1) %*% pmax(u, 0)
  g <- ifelse(group_of(lo) == group_of(hi), group_of(lo), NA)
  dd <- data.frame(t = d[[paste0(ep, "_months")]], e = d[[paste0(ep, "_event")]], g = g)
  dd <- dd[!is.na(dd$g), ]
  f <- survfit(Surv(t, e) ~ g, data = dd)
  q <- quantile(f, 0.5)
  sd <- survdiff(Surv(t, e) ~ g, data = dd)
  nm <- sub("g=", "", names(f$strata))
  list(group = nm, n = as.integer(f$n), median = unname(q$quantile), lcl = unname(q$lower), ucl = unname(q$upper),
       chisq = sd$chisq, p = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE), n_used = nrow(dd))
}

resp <- !is.na(d$best_response)
fisher_wbc <- fisher.test(table(factor(d$wbc[resp] <= 5, c(TRUE, FALSE)), factor(crc[resp], c(TRUE, FALSE))))
mol <- as.logical(d$molecular_data)
fisher_ptpn11 <- fisher.test(table(factor(d$ptpn11[resp & mol] == 1, c(TRUE, FALSE)),
                                   factor(crc[resp & mol], c(TRUE, FALSE))))
fu <- survfit(Surv(os_months, 1 - os_event) ~ 1, data = d)

out <- list(
  r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
  km = list(os = km(d$os_months, d$os_event), efs = km(d$efs_months, d$efs_event),
            rfs = km(rfs$rfs_months, rfs$rfs_event)),
  followup = list(median = unname(quantile(fu, 0.5)$quantile)),
  cox = list(os = cox("os", fac_os), efs = cox("efs", fac_efs)),
  univariate = list(os = uni("os", fac_os), efs = uni("efs", fac_efs)),
  groups = list(os = groups("os"), efs = groups("efs")),
  fisher = list(wbc_le5 = fisher_wbc$p.value, ptpn11 = fisher_ptpn11$p.value)
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/data/analysis_reference.json")
