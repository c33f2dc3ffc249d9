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
# # Staat van de stad
#
# Hoe oordelen inwoners over leefbaarheid en veiligheid in hun buurt, in dit meetjaar en
# vergeleken met eerdere metingen? Eerst de hoofdlijnen, dan de indicatoren van de
# footprint voor de hele gemeente en de wijken in één oogopslag: elke wijk getoetst tegen
# de rest van de gemeente.

# %%
# Parameters (next cell; `ivb run` and papermill override them): year, base_year (fixed
# reference year, None: only the previous wave), gemeente (GM code to check), benchmark_group,
# min_n, data_dir (the delivery), output_dir, processed_dir (None: beside data/raw).
# Library edits are picked up without restarting the kernel (for analysts in JupyterLab).
# %load_ext autoreload
# %autoreload 2

# %% tags=["parameters"]
# papermill reads Optional[...]/Union[...], not "X | None"; imported here so the cell runs alone
from typing import Optional, Union

year: int = 2015  # meetjaar (golf van de Veiligheidsmonitor)
base_year: Optional[int] = None  # vast referentiejaar; None: alleen de vorige meting
gemeente: Optional[str] = None  # CBS-gemeentecode ter controle; None: die van de levering
benchmark_group: Optional[Union[str, list]] = None  # G32, G40 of lijst GM-codes; None: ivb.yaml
min_n: Optional[int] = None  # minimum aantal respondenten per gebied; None: uit ivb.yaml
data_dir: str = "../data/raw/mini"  # map van de levering (met ivb.yaml); standaard de mini-demo
output_dir: str = "../outputs"  # map voor de uitvoer
processed_dir: Optional[str] = None  # map met verwerkte tabellen; None: naast data/raw

# %%
from ivb_analysis.report import open_wave

wave = open_wave(data_dir, year, base_year=base_year, gemeente=gemeente,
                 benchmark_group=benchmark_group, min_n=min_n, output_dir=output_dir,
                 processed_dir=processed_dir)
wave.header()

# %%
wave.show("hoofdlijnen")

# %%
wave.show("kerncijfers")

# %% [markdown]
# ## Werkwijze

# %%
wave.method_note()

# %% [markdown]
# ## Begrippen

# %%
wave.glossary()
