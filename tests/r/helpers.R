# Shared helpers of the reference scripts in tests/r (source("tests/r/helpers.R") from the repository root).

# The value of `expr`, or list(error = <message>) when R stops; R's warnings kept as $warnings (a list value).
try_r <- function(expr) {
  warns <- character(0)
  val <- withCallingHandlers(tryCatch(expr, error = function(e) list(error = conditionMessage(e))),
                             warning = function(w) {warns <<- c(warns, conditionMessage(w));
                                                    invokeRestart("muffleWarning")})
  if (length(warns) && is.list(val)) val$warnings <- I(warns)
  val
}
