# Golden values of the analyst's workbench (ivb_analysis.workbench), with R `survey`, from the
# raw mini delivery: a subgroup of a background variable, a group of wijken, and differences
# with their p (domain against domain in one design; wave against wave).
#
# Run from the repository root: `Rscript tests/reference/workbench_reference.R`. Writes
# tests/reference/workbench_reference.csv (committed); tests/golden/test_api.py compares the API with
# it and never needs R. The codebook (variables, missing codes, filters, recodes, and the
# `background:` block) and the catalogue are applied here by the rules of r_reference.R
# (copied below, independent of the Python code). Design: strata = wijk, every respondent a
# PSU, sampling weights, one design per indicator and wave; respondents outside a domain stay
# in the design. Percentages are proportions x 100.

suppressPackageStartupMessages({
  library(survey)
  library(haven)
  library(yaml)
})

delivery <- "data/raw/mini"
out_file <- "tests/reference/workbench_reference.csv"
years <- c(2013, 2015)
indicators <- c("onveiligheid_buurt", "rapportcijfer_veiligheid", "sociale_cohesie")
oost <- c("WK016404", "WK016405", "WK016406")  # Groot Driene, Berflo Es, Wilderinkshoek
ouderen <- c("55-69", "70+")
jongeren <- c("15-24", "25-39")

settings <- yaml::read_yaml(file.path(delivery, "ivb.yaml"))
codebook <- yaml::read_yaml(file.path(delivery, settings$files$codebook))
catalogue <- yaml::read_yaml("src/ivb_analysis/catalogue.yaml")
wijken <- read.csv(file.path(delivery, settings$files$wijken), sep = ";",
                   colClasses = c("integer", "character", "character"))
definition <- setNames(catalogue$indicators,
                       vapply(catalogue$indicators, function(x) x$id, ""))
as_codes <- function(x) as.numeric(names(x))

recode_variable <- function(values, spec) {
  values <- as.numeric(unclass(values))
  attributes(values) <- NULL
  global_missing <- as_codes(codebook$missing_codes)
  if (is.character(spec)) spec <- list(item = spec)
  own_missing <- as.numeric(unlist(spec$missing))
  out <- values
  out[values %in% c(global_missing, own_missing)] <- NA
  filter <- if (!is.null(spec$filter)) spec$filter else spec$skip
  if (!is.null(spec$recode)) {
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

# A background variable: raw code -> its label in the codebook's `background:` block.
background <- function(raw, spec) {
  codes <- as.numeric(unclass(raw[[spec$variable]]))
  labels <- unlist(spec$labels)
  unname(labels[match(codes, as.numeric(names(labels)))])
}

read_wave <- function(year) {
  path <- file.path(delivery, sub("{year}", year, settings$files$survey, fixed = TRUE))
  raw <- haven::read_sav(path, user_na = TRUE)
  design <- codebook$design
  wijk <- as.integer(unclass(raw[[design$wijk]]))
  frame <- data.frame(
    year = year, wijk_code = wijken$wijkcode[match(wijk, wijken$nummer)],
    stratum = wijk, weight = as.numeric(unclass(raw[[design$weight]])),
    leeftijd = background(raw, codebook$background$leeftijd),
    geslacht = background(raw, codebook$background$geslacht),
    stringsAsFactors = FALSE)
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

rows <- list()
add <- function(kind, indicator, year, domain, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    kind = kind, indicator = indicator, year = year, domain = domain, statistic = statistic,
    value = sprintf("%.17g", value), stringsAsFactors = FALSE)
}

# One domain (a logical per respondent) of one wave: estimate, se, interval, n.
domain_estimate <- function(frame, inside, id, year, kind, name) {
  k <- if (definition[[id]]$kind == "percentage") 100 else 1
  design <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight,
                      data = transform(frame, d = inside))
  sub <- subset(design, d)
  m <- svymean(~y, sub, na.rm = TRUE)
  add(kind, id, year, name, "estimate", k * coef(m))
  add(kind, id, year, name, "se", k * SE(m))
  add(kind, id, year, name, "n", sum(inside & !is.na(frame$y)))
  if (k == 100) {
    ci <- svyciprop(~y, sub, method = "logit", df = Inf, na.rm = TRUE)
    add(kind, id, year, name, "ci_low", k * confint(ci)[1])
    add(kind, id, year, name, "ci_high", k * confint(ci)[2])
  } else {
    add(kind, id, year, name, "ci_low", k * confint(m, df = Inf)[1])
    add(kind, id, year, name, "ci_high", k * confint(m, df = Inf)[2])
  }
  list(estimate = coef(m), se = SE(m))
}

waves <- lapply(years, read_wave)
names(waves) <- years
vrouw <- list()
for (id in indicators) {
  k <- if (definition[[id]]$kind == "percentage") 100 else 1
  for (year in years) {
    wave <- waves[[as.character(year)]]
    frame <- transform(wave$frame, y = score(wave$items, definition[[id]]))
    domain_estimate(frame, frame$leeftijd %in% ouderen, id, year, "subgroup", "ouderen")
    vrouw[[paste(id, year)]] <- domain_estimate(
      frame, frame$geslacht %in% "vrouw", id, year, "subgroup", "vrouw")
    domain_estimate(frame, frame$wijk_code %in% oost, id, year, "wijk_group", "Oost")
    # Ouderen against jongeren in one design: svyby with covmat, then svycontrast. Everyone
    # else (and every respondent without a value) is a third domain with weight 0.
    part <- ifelse(is.na(frame$y), "geen", ifelse(frame$leeftijd %in% ouderen, "ouderen",
                   ifelse(frame$leeftijd %in% jongeren, "jongeren", "geen")))
    design <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight,
                        data = transform(frame, part = part, y0 = ifelse(is.na(y), 0, y)))
    by_part <- svyby(~y0, ~part, design, svymean, covmat = TRUE)
    weights <- c(geen = 0, jongeren = -1, ouderen = 1)[as.character(by_part$part)]
    contrast <- svycontrast(by_part, unname(weights))
    z <- coef(contrast) / SE(contrast)
    add("domains", id, year, "ouderen-jongeren", "difference", k * coef(contrast))
    add("domains", id, year, "ouderen-jongeren", "se_difference", k * SE(contrast))
    add("domains", id, year, "ouderen-jongeren", "p", 2 * pnorm(-abs(z)))
  }
  # Vrouwen 2015 against 2013: independent samples, variances add.
  a <- vrouw[[paste(id, years[1])]]
  b <- vrouw[[paste(id, years[2])]]
  d <- b$estimate - a$estimate
  se <- sqrt(a$se^2 + b$se^2)
  add("waves", id, years[2], "vrouw", "difference", k * d)
  add("waves", id, years[2], "vrouw", "se_difference", k * se)
  add("waves", id, years[2], "vrouw", "p", 2 * pnorm(-abs(d / se)))
}

write.csv(do.call(rbind, rows), out_file, row.names = FALSE)
cat("written:", out_file, "\n")
