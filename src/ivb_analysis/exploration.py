"""Which notebooks are for exploration: they show no annex section and `ivb run` skips them."""

#: Stems of notebooks/*.ipynb written for analysts (the workbench), not for the annex.
EXPLORATION_NOTEBOOKS = ("verkenning",)
