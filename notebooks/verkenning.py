# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (ivb-analysis)
#     language: python
#     name: ivb-analysis
# ---

# %% [markdown]
# # Verkenning: vervolgvragen van de raad
#
# Een startpunt voor analisten. De bijlage beantwoordt vaste vragen; hier staan drie
# vervolgvragen, beantwoord met de werkbank (`ivb_analysis.workbench`): dezelfde
# steekproefstatistiek, dezelfde onderdrukking (te kleine groepen worden niet getoond) en
# dezelfde toetsen als de bijlage. `ivb run` voert dit notebook niet uit; het draait op de
# kleine mini-levering (synthetische demodata) en is bedoeld om te kopiëren en aan te passen.

# %% tags=["parameters"]
data_dir: str = "../data/raw/mini"  # map van de levering (met ivb.yaml)
indicator: str = "onveiligheid_buurt"  # id of label uit d.indicators()

# %%
import seaborn as sns

from ivb_analysis.workbench import open_delivery

d = open_delivery(data_dir)
print(d.years, d.background())

# %% [markdown]
# ## 1. Voelen ouderen zich onveiliger dan jongeren?
#
# Ouderen (55 jaar en ouder) tegen jongeren (15 tot 40 jaar), per meting, in één
# steekproefontwerp getoetst; Benjamini-Hochberg over de metingen samen.

# %%
groepen = {"leeftijd": {"ouderen": ["55-69", "70+"], "jongeren": ["15-24", "25-39"]}}
d.compare(indicator, against="domains", by=groepen)[
    ["year", "leeftijd", "estimate", "leeftijd_other", "estimate_other", "difference", "p",
     "p_adjusted", "verdict"]]

# %% [markdown]
# Per wijk is zo'n vraag vaak niet te beantwoorden: elke leeftijdsgroep in een wijk heeft hier
# minder respondenten dan het minimum, dus er staat geen cijfer (kolom `suppression`).

# %%
per_wijk = d.estimate(indicator, years=[max(d.years)], domain="wijk", by="leeftijd")
per_wijk[per_wijk["gebied"] == "Berflo Es"][["gebied", "leeftijd", "n", "estimate",
                                              "suppression"]]

# %%
naar_leeftijd = d.estimate(indicator, by="leeftijd")
sns.pointplot(data=naar_leeftijd, x="leeftijd", y="estimate", hue="year", errorbar=None)

# %% [markdown]
# ## 2. Hoe staat de oostkant (drie wijken samen) ervoor?

# %%
oost = {"Oost": ["Groot Driene", "Berflo Es", "Wilderinkshoek"]}
oostkant = d.estimate(indicator, domain=oost)
oostkant[["gebied", "year", "estimate", "ci_low", "ci_high", "n", "indicatief"]]

# %%
d.compare(indicator, against="wave", domain=oost)[
    ["gebied", "year", "reference_year", "difference", "p_adjusted", "verdict_polarity"]]

# %%
d.plot(oostkant)

# %% [markdown]
# ## 3. Geldt de verandering ook voor vrouwen?
#
# De verandering sinds de eerste meting, voor mannen en vrouwen apart (één toetsfamilie).

# %%
d.compare(indicator, against="wave", by="geslacht")[
    ["geslacht", "year", "reference_year", "estimate_reference", "estimate", "difference",
     "p_adjusted", "verdict_polarity"]]

# %%
naar_geslacht = d.estimate(indicator, by="geslacht")
sns.barplot(data=naar_geslacht, x="geslacht", y="estimate", hue="year", errorbar=None)
