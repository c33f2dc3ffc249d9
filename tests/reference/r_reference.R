# Golden values of the annex's statistics, computed with R `survey` from the raw mini delivery.
#
# Run from the repository root: `make r-reference` (or `Rscript tests/reference/r_reference.R`).
# Needs R with the packages survey, haven and yaml (Debian: r-cran-survey r-cran-haven
# r-cran-yaml). Writes tests/reference/mini_reference.csv, which is committed; the test
# tests/golden/test_r_reference.py compares the project's numbers with it and never needs R.
#
# Independent of the Python code: the .sav files are read with haven, the delivery's codebook and
# the project's catalogue (YAML) are applied here by the same rules as clean/recode.py and
# clean/indicators.py:
#   * codebook `missing_codes` and a variable's own `missing` -> NA;
#   * `filter` (old name `skip`) codes -> their meaning (null: NA);
#   * `recode` (old -> new, simultaneous) on the remaining raw codes;
#   * rule value: the item; rule share: 1 if at least `at_least` items are in `positive`, else 0
#     if at least `min_items` items are answered, else NA; rule scale: item points (reversed items
#     max - points), mean over answered items x 10 / max, NA below `min_items` answered items.
# Design: strata = the codebook's strata variable, else the wijk; every respondent is a PSU;
# sampling weights; every (indicator, wave) its own design; respondents without a value stay in
# the design (svymean(na.rm = TRUE) keeps them in the strata's PSU counts, as the engine does).
# Percentages are proportions x 100, as the annex shows them.

suppressPackageStartupMessages({
  library(survey)
  library(haven)
  library(yaml)
})

delivery <- "data/raw/mini"
out_file <- "tests/reference/mini_reference.csv"
years <- c(2013, 2015)
indicators <- c(
  "rapportcijfer_leefbaarheid", "rapportcijfer_veiligheid",      # rule value
  "overlast_totaal", "onveiligheid_buurt", "tevredenheid_contact_politie",  # rule share
  "buurt_achteruit",
  "sociale_cohesie", "fysieke_verloedering", "functioneren_gemeente"        # rule scale
)
lonely_year <- 2015
lonely_wijk <- 9  # Buitengebied: only its respondent with the lowest respnr is kept
lonely_indicators <- c("rapportcijfer_leefbaarheid", "onveiligheid_buurt")

settings <- yaml::read_yaml(file.path(delivery, "ivb.yaml"))
codebook <- yaml::read_yaml(file.path(delivery, settings$files$codebook))
catalogue <- yaml::read_yaml("src/ivb_analysis/catalogue.yaml")
wijken <- read.csv(file.path(delivery, settings$files$wijken), sep = ";",
                   colClasses = c("integer", "character", "character"))
definition <- setNames(catalogue$indicators,
                       vapply(catalogue$indicators, function(x) x$id, ""))

as_codes <- function(x) as.numeric(names(x))

# Raw variable -> canonical item, with NA for missing codes and the filter meanings.
recode_variable <- function(values, spec) {
  values <- as.numeric(unclass(values))
  attributes(values) <- NULL
  global_missing <- as_codes(codebook$missing_codes)
  if (is.character(spec)) spec <- list(item = spec)
  own_missing <- as.numeric(unlist(spec$missing))
  out <- values
  out[values %in% c(global_missing, own_missing)] <- NA
  filter <- if (!is.null(spec$filter)) spec$filter else spec$skip
  if (!is.null(spec$recode)) {  # simultaneous: every lookup on the codes before recoding
    recode <- spec$recode
    mapped <- out
    for (old in names(recode)) mapped[!is.na(out) & out == as.numeric(old)] <- recode[[old]]
    out <- mapped
  }
  for (code in names(filter)) {
    hit <- !is.na(values) & values == as.numeric(code)
    meaning <- filter[[code]]
    out[hit] <- if (is.null(meaning)) NA else as.numeric(meaning)
  }
  list(item = spec$item, values = out)
}

read_wave <- function(year) {
  path <- file.path(delivery, sub("{year}", year, settings$files$survey, fixed = TRUE))
  raw <- haven::read_sav(path, user_na = TRUE)
  design <- codebook$design
  strata_var <- if (!is.null(design$strata)) design$strata else design$wijk
  wijk <- as.integer(unclass(raw[[design$wijk]]))
  frame <- data.frame(
    year = year,
    resp_id = as.numeric(unclass(raw[[design$id]])),
    wijk = wijk,
    wijk_code = wijken$wijkcode[match(wijk, wijken$nummer)],
    stratum = as.integer(unclass(raw[[strata_var]])),
    weight = as.numeric(unclass(raw[[design$weight]])),
    stringsAsFactors = FALSE
  )
  items <- list()
  for (name in names(codebook$variables)) {
    r <- recode_variable(raw[[name]], codebook$variables[[name]])
    items[[r$item]] <- r$values
  }
  list(frame = frame, items = items)
}

score <- function(items, ind) {
  block <- sapply(unlist(ind$items), function(i) items[[i]])
  if (is.null(dim(block))) block <- matrix(block, ncol = 1)
  at_least <- if (is.null(ind$at_least)) 1 else ind$at_least
  min_items <- if (is.null(ind$min_items)) 1 else ind$min_items
  if (ind$rule == "value") return(block[, 1])
  if (ind$rule == "share") {
    answered <- rowSums(!is.na(block))
    positive <- rowSums(matrix(!is.na(block) & (block %in% unlist(ind$positive)),
                               nrow = nrow(block)))
    return(ifelse(positive >= at_least, 1, ifelse(answered >= min_items, 0, NA)))
  }
  points <- unlist(ind$points)
  max_points <- max(points)
  pts <- matrix(points[match(block, as_codes(ind$points))], nrow = nrow(block))
  reversed <- unlist(ind$items) %in% unlist(ind$reversed)
  pts[, reversed] <- max_points - pts[, reversed]
  n_answered <- rowSums(!is.na(pts))
  mean_points <- rowSums(pts, na.rm = TRUE) / pmax(n_answered, 1)
  ifelse(n_answered >= min_items, mean_points / max_points * 10, NA)
}

waves <- lapply(years, read_wave)
names(waves) <- years
scaled <- function(id) if (definition[[id]]$kind == "percentage") 100 else 1

rows <- list()
add <- function(section, indicator, year, wijk_code, statistic, value, lonely_psu = "") {
  rows[[length(rows) + 1]] <<- data.frame(
    section = section, lonely_psu = lonely_psu, indicator = indicator, year = year,
    wijk_code = wijk_code, statistic = statistic, value = sprintf("%.17g", value),
    stringsAsFactors = FALSE)
}

make_design <- function(frame) {
  svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = frame)
}

# Estimates, wijk domains, wijk vs rest, intervals, for one wave's frame with `y`.
estimate_all <- function(frame, id, year, section_prefix = "", lonely_psu = "") {
  k <- scaled(id)
  is_prop <- definition[[id]]$kind == "percentage"
  design <- make_design(frame)
  total <- svymean(~y, design, na.rm = TRUE)
  add(paste0(section_prefix, "gemeente"), id, year, "", "estimate", k * coef(total), lonely_psu)
  add(paste0(section_prefix, "gemeente"), id, year, "", "se", k * SE(total), lonely_psu)
  add(paste0(section_prefix, "gemeente"), id, year, "", "n", sum(!is.na(frame$y)), lonely_psu)
  by_wijk <- svyby(~y, ~wijk_code, design, svymean, na.rm = TRUE)
  for (j in seq_len(nrow(by_wijk))) {
    code <- as.character(by_wijk$wijk_code[j])
    add(paste0(section_prefix, "wijk"), id, year, code, "estimate", k * by_wijk$y[j], lonely_psu)
    add(paste0(section_prefix, "wijk"), id, year, code, "se", k * by_wijk$se[j], lonely_psu)
    add(paste0(section_prefix, "wijk"), id, year, code, "n",
        sum(!is.na(frame$y) & frame$wijk_code == code), lonely_psu)
    # Wijk against the rest of the gemeente: one design, covariance included.
    # (svyby's covmat does not combine with na.rm, so respondents without a value form a third
    # domain "geen" with y = 0; they stay in the design.)
    part <- ifelse(is.na(frame$y), "geen", ifelse(frame$wijk_code == code, "wijk", "rest"))
    split <- update(design, part = part, y0 = ifelse(is.na(y), 0, y))
    inside <- svyby(~y0, ~part, split, svymean, covmat = TRUE)
    weights <- c(geen = 0, rest = -1, wijk = 1)[as.character(inside$part)]
    contrast <- svycontrast(inside, unname(weights))  # the wijk minus the rest
    add(paste0(section_prefix, "wijk_vs_rest"), id, year, code, "difference",
        k * coef(contrast), lonely_psu)
    add(paste0(section_prefix, "wijk_vs_rest"), id, year, code, "se_difference",
        k * SE(contrast), lonely_psu)
  }
  if (is_prop && section_prefix == "") {
    # A domain of a proportion: logit interval with the normal quantile (svyciprop, df = Inf).
    ci <- svyby(~y, ~wijk_code, design, svyciprop, method = "logit", df = Inf,
                vartype = "ci", na.rm = TRUE)
    for (j in seq_len(nrow(ci))) {
      code <- as.character(ci$wijk_code[j])
      add("wijk_interval", id, year, code, "ci_low", k * ci$ci_l[j])
      add("wijk_interval", id, year, code, "ci_high", k * ci$ci_u[j])
    }
  }
  list(estimate = coef(total), se = SE(total))
}

totals <- list()
for (id in indicators) {
  for (year in years) {
    wave <- waves[[as.character(year)]]
    frame <- transform(wave$frame, y = score(wave$items, definition[[id]]))
    totals[[paste(id, year)]] <- estimate_all(frame, id, year)
  }
  # Wave against wave: independent samples, variances add.
  a <- totals[[paste(id, years[1])]]
  b <- totals[[paste(id, years[2])]]
  add("wave_vs_wave", id, years[2], "", "difference", scaled(id) * (b$estimate - a$estimate))
  add("wave_vs_wave", id, years[2], "", "se_difference",
      scaled(id) * sqrt(a$se^2 + b$se^2))
}

# Lonely stratum: one wave with a single respondent left in one wijk (stratum), R's four rules.
wave <- waves[[as.character(lonely_year)]]
in_wijk <- wave$frame$wijk == lonely_wijk
kept <- !in_wijk | wave$frame$resp_id == min(wave$frame$resp_id[in_wijk])
for (rule in c("certainty", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  for (id in lonely_indicators) {
    frame <- transform(wave$frame, y = score(wave$items, definition[[id]]))[kept, ]
    estimate_all(frame, id, lonely_year, section_prefix = "lonely_", lonely_psu = rule)
  }
}
options(survey.lonely.psu = "fail")
failed <- tryCatch({
  frame <- transform(wave$frame, y = score(wave$items, definition[[lonely_indicators[1]]]))
  svymean(~y, make_design(frame[kept, ]), na.rm = TRUE)
  FALSE
}, error = function(e) grepl("has only one PSU", conditionMessage(e)))
stopifnot(failed)  # the engine's "fail" raises InputError at the same design

result <- do.call(rbind, rows)
write.csv(result, out_file, row.names = FALSE, quote = TRUE)
cat(sprintf("%s: %d values (R %s, survey %s)\n", out_file, nrow(result),
            getRversion(), packageVersion("survey")))
