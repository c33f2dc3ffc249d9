# Golden values for a clustered, stratified delivery, computed with R `survey` from the raw files.
#
# Run from the repository root:
#     Rscript tests/reference/clustered_reference.R
# (needs R with survey, haven; Debian: r-cran-survey r-cran-haven). Writes
# tests/reference/clustered_reference.csv, which is committed; tests/golden/test_r_reference.py compares
# the project's annex-level numbers with it and never needs R.
#
# Delivery: tests/fixtures/levering_deventer (written by tests/fixtures/make_levering_clustered.py;
# 2019 as CSV, 2021 as .sav). Design, per indicator and wave:
#   svydesign(ids = ~cluster, strata = ~stadsdeel, weights = ~weegfactor, nest = TRUE)
# and the same with fpc = ~N_clusters (population size of the stratum in clusters). Respondents
# without a value stay in the design (na.rm = TRUE), as the engine does. Indicators, coded here
# independently of the Python code:
#   rapportcijfer_leefbaarheid = rl (98, 99 -> NA); rapportcijfer_veiligheid = rv (2021 only);
#   onveiligheid_buurt = 1 if onv in (1, 2), 0 if onv == 3, else NA (x 100 as shown);
#   buurt_achteruit = 1 if ontw == 3, 0 if ontw in (1, 2), else NA (x 100 as shown).
# Sections: gemeente (svymean), wijk (svyby), wijk_vs_rest (svyby over wijk-vs-rest with
# covmat = TRUE, then svycontrast), wave_vs_wave (2021 - 2019, independent samples).

suppressPackageStartupMessages({
  library(survey)
  library(haven)
})
options(survey.lonely.psu = "fail")

delivery <- "tests/fixtures/levering_deventer"
out_file <- "tests/reference/clustered_reference.csv"
wijken <- read.csv(file.path(delivery, "wijken_SYNTHETISCH.csv"), sep = ";",
                   colClasses = c("integer", "character", "character"))

read_wave <- function(year) {
  raw <- if (year == 2019) {
    read.csv(file.path(delivery, "enquete_2019_SYNTHETISCH.csv"), sep = ";")
  } else {
    as.data.frame(lapply(haven::read_sav(file.path(delivery, "enquete_2021_SYNTHETISCH.sav")),
                         function(x) as.numeric(unclass(x))))
  }
  clean <- function(x, missing) ifelse(x %in% c(missing, 99), NA, x)
  data <- data.frame(
    wijk_code = wijken$wijkcode[match(raw$wijk, wijken$nummer)],
    stadsdeel = raw$stadsdeel, cluster = raw$cluster, N_clusters = raw$N_clusters,
    weegfactor = raw$weegfactor
  )
  onv <- clean(raw$onv, 9)
  ontw <- clean(raw$ontw, 9)
  values <- list(
    rapportcijfer_leefbaarheid = clean(raw$rl, 98),
    onveiligheid_buurt = ifelse(is.na(onv), NA, ifelse(onv %in% c(1, 2), 1, 0)),
    buurt_achteruit = ifelse(is.na(ontw), NA, ifelse(ontw == 3, 1, 0))
  )
  if (!is.null(raw$rv)) values$rapportcijfer_veiligheid <- clean(raw$rv, 98)
  list(data = data, values = values)
}

scale_of <- function(indicator) if (indicator %in% c("onveiligheid_buurt", "buurt_achteruit")) 100 else 1

rows <- list()
add <- function(variant, section, indicator, year, wijk, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    variant = variant, section = section, indicator = indicator, year = year,
    wijk_code = wijk, statistic = statistic, value = value)
}

for (variant in c("fpc", "nofpc")) {
  gemeente <- list()
  for (year in c(2019, 2021)) {
    wave <- read_wave(year)
    for (indicator in names(wave$values)) {
      k <- scale_of(indicator)
      d <- wave$data
      d$value <- wave$values[[indicator]]
      des <- if (variant == "fpc") {
        svydesign(ids = ~cluster, strata = ~stadsdeel, weights = ~weegfactor,
                  fpc = ~N_clusters, nest = TRUE, data = d)
      } else {
        svydesign(ids = ~cluster, strata = ~stadsdeel, weights = ~weegfactor, nest = TRUE,
                  data = d)
      }
      m <- svymean(~value, des, na.rm = TRUE)
      add(variant, "gemeente", indicator, year, "", "estimate", k * coef(m)[[1]])
      add(variant, "gemeente", indicator, year, "", "se", k * SE(m)[[1]])
      gemeente[[paste(indicator, year)]] <- c(k * coef(m)[[1]], k * SE(m)[[1]])
      by_wijk <- svyby(~value, ~wijk_code, des, svymean, na.rm = TRUE)
      for (i in seq_len(nrow(by_wijk))) {
        add(variant, "wijk", indicator, year, by_wijk$wijk_code[i], "estimate",
            k * by_wijk$value[i])
        add(variant, "wijk", indicator, year, by_wijk$wijk_code[i], "se", k * by_wijk$se[i])
      }
      for (wijk in sort(unique(d$wijk_code))) {
        # svyby's covmat does not combine with na.rm: subset to the respondents with a value
        # (a subset keeps every stratum's PSU count, as the engine does).
        des2 <- subset(update(des, inside = factor(ifelse(wijk_code == wijk, "wijk", "rest"),
                                                   levels = c("rest", "wijk"))), !is.na(value))
        both <- svyby(~value, ~inside, des2, svymean, covmat = TRUE)
        contrast <- svycontrast(both, c(rest = -1, wijk = 1))
        add(variant, "wijk_vs_rest", indicator, year, wijk, "difference",
            k * coef(contrast)[[1]])
        add(variant, "wijk_vs_rest", indicator, year, wijk, "se_difference",
            k * SE(contrast)[[1]])
      }
    }
  }
  for (indicator in c("rapportcijfer_leefbaarheid", "onveiligheid_buurt", "buurt_achteruit")) {
    a <- gemeente[[paste(indicator, 2019)]]
    b <- gemeente[[paste(indicator, 2021)]]
    add(variant, "wave_vs_wave", indicator, 2021, "", "difference", b[1] - a[1])
    add(variant, "wave_vs_wave", indicator, 2021, "", "se_difference", sqrt(a[2]^2 + b[2]^2))
  }
}

table <- do.call(rbind, rows)
table$value <- trimws(formatC(table$value, digits = 12, format = "g"))
write.csv(table, out_file, row.names = FALSE, quote = FALSE)
cat("wrote", out_file, nrow(table), "rows\n")
