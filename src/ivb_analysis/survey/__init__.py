"""Design-based estimates of means and proportions by Taylor linearisation.

A `SurveyDesign` names the design's columns, as R's svydesign(ids=~psu, strata=~strata,
weights=~weight, fpc=~fpc, nest=TRUE); every entry point takes one (`design=`):
`estimate` (one variable in a wide table), `estimate_long` (all indicators x waves x domains in
one pass), `domain_contrasts` (each domain against the rest of its design) and `lonely_strata`.
One vectorised core reproduces R `survey` (svymean / svyby / svyciprop / svycontrast) for
stratified, clustered designs with sampling weights:

* the mean is the ratio estimator sum(w y) / sum(w); its linearised variable is
  z_i = d_i w_i (y_i - mean) / sum(d w), with d_i = 1 inside the domain and 0 elsewhere
  (Binder 1983, "On the variances of asymptotically normal estimators from complex surveys";
  Wolter 2007, "Introduction to Variance Estimation", ch. 6; Lohr 2022, "Sampling: Design and
  Analysis", sec. 9.1);
* variance = sum over strata h of (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - mean_h z)^2, with z_hj the
  PSU totals and n_h the number of PSUs of stratum h in the WHOLE design, so a domain is estimated
  like R's svyby / subset: PSUs without domain members count as zero totals and no stratum is
  dropped. Rows with a missing value lie outside every domain (R's na.rm=TRUE);
* PSUs are nested in strata (R's nest=TRUE); without `psu` every row is its own PSU;
* `fpc` follows R's as.fpc (?svydesign): values > 1 are the number of PSUs in the population
  stratum (N_h, f_h = n_h/N_h), values <= 1 are sampling fractions f_h; constant within a stratum;
* a stratum with a single PSU ("lonely") is handled as R's options(survey.lonely.psu=...) says
  (?surveyoptions), chosen with `lonely_psu`: "fail" (R's default) raises InputError;
  "certainty" lets it add no variance; "adjust" centres its PSU total at the grand mean (0 for a
  linearised mean) instead of the stratum mean, so it adds (1 - f_h) x total^2 (conservative);
  "average" leaves it out and multiplies the variance by (number of strata) / (number of strata
  that are not lonely), counting as R does the strata with respondents in the domain (with a
  value) for an estimate, and all strata of the analysis for a domain contrast. A stratum that
  the fpc says was sampled completely is a certainty stratum in every mode (no variance, never
  lonely). `lonely_strata` lists the lonely strata of a design.

Only the first sampling stage enters the variance (R's ultimate-cluster approximation).
Weights are sampling weights (inverse inclusion probabilities), never frequency weights.

Modules: `codes` (integer coding of keys), `design` (SurveyDesign and its coding), `lonely`
(fpc and lonely PSUs), `variance` (domain sums and variances), `flags` (intervals and
reliability), `estimate`, `contrasts`, `describe` (the method note's sentence).
"""

from ivb_analysis.survey.contrasts import domain_contrasts
from ivb_analysis.survey.describe import describe_design
from ivb_analysis.survey.design import SurveyDesign, design_from
from ivb_analysis.survey.estimate import estimate, estimate_long, lonely_strata
from ivb_analysis.survey.flags import (
    MAX_CI_WIDTH,
    MAX_RELATIVE_CI_WIDTH,
    MAX_RELATIVE_SE,
    MIN_CI_WIDTH,
    MIN_N_EFF,
    RESULT_COLUMNS,
    ZERO_SE_RTOL,
)
from ivb_analysis.survey.lonely import LONELY_PSU_RULES

__all__ = [
    "LONELY_PSU_RULES",
    "MAX_CI_WIDTH",
    "MAX_RELATIVE_CI_WIDTH",
    "MAX_RELATIVE_SE",
    "MIN_CI_WIDTH",
    "MIN_N_EFF",
    "RESULT_COLUMNS",
    "ZERO_SE_RTOL",
    "SurveyDesign",
    "describe_design",
    "design_from",
    "domain_contrasts",
    "estimate",
    "estimate_long",
    "lonely_strata",
]
