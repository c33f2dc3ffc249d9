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
# # Footprint: de gemeente ten opzichte van de benchmarkgroep
#
# Staat de gemeente er beter, gelijk of slechter voor dan het gemiddelde van de
# benchmarkgroep (de G32), in het vergelijkingsjaar en in dit meetjaar, en is de ontwikkeling
# tussen die jaren beter of slechter dan die van de groep?
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
# ## Footprint

# %%
wave.show("footprint")

# %% [markdown]
# ## Werkwijze

# %%
wave.method_note()
