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
# # Wijkprofielen
#
# Overlast, sociale cohesie, fysieke voorzieningen, onveiligheidsgevoelens en
# slachtofferschap per wijk in dit meetjaar. Elke wijk is getoetst tegen de rest van de
# gemeente; wijken met te weinig respondenten worden niet getoond.
#
# **Parameters** (in de cel hieronder, te overschrijven door `ivb run` of papermill):
# `year` meetjaar, `base_year` vergelijkingsjaar (leeg = vorige meting), `gemeente`
# gemeentecode ter controle (leeg = die van de levering), `benchmark_group` vergelijkingsgroep,
# `min_n` minimum aantal respondenten per gebied, `data_dir` map van de levering,
# `output_dir` map voor de uitvoer.

# %%
# Library edits are picked up without restarting the kernel (for analysts in JupyterLab).
# %load_ext autoreload
# %autoreload 2
from typing import Optional  # papermill reads Optional[...] in the parameters cell, not "X | None"

# %% tags=["parameters"]
year: int = 2015  # meetjaar (golf van de Veiligheidsmonitor)
base_year: Optional[int] = None  # vergelijkingsjaar; None: de vorige meting
gemeente: Optional[str] = None  # CBS-gemeentecode ter controle; None: die van de levering
benchmark_group: Optional[str] = None  # vergelijkingsgroep, bijv. G32 of G40; None: ivb.yaml
min_n: Optional[int] = None  # minimum aantal respondenten per gebied; None: uit ivb.yaml
data_dir: str = "../data/raw/mini"  # map van de levering (met ivb.yaml); standaard de mini-demo
output_dir: str = "../outputs"  # map voor de uitvoer van dit meetjaar

# %%
from ivb_analysis.report import open_wave

wave = open_wave(data_dir, year, base_year=base_year, gemeente=gemeente,
                 benchmark_group=benchmark_group, min_n=min_n, output_dir=output_dir)
wave.header()

# %% [markdown]
# ## Overlast

# %%
wave.show("wijk_overlast_totaal")

# %% [markdown]
# ## Sociale overlast

# %%
wave.show("wijk_sociale_overlast")

# %% [markdown]
# ## Fysieke verloedering

# %%
wave.show("wijk_fysieke_verloedering")

# %% [markdown]
# ## Sociale cohesie

# %%
wave.show("wijk_sociale_cohesie")

# %% [markdown]
# ## Fysieke voorzieningen

# %%
wave.show("wijk_fysieke_voorzieningen")

# %% [markdown]
# ## Onveiligheid in de buurt

# %%
wave.show("wijk_onveiligheid_buurt")

# %% [markdown]
# ## Slachtofferschap naar soort delict

# %%
wave.show("slachtofferschap")

# %% [markdown]
# ## Werkwijze

# %%
wave.method_note()
