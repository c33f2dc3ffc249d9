"""ivb-analysis: reproducible safety analyses for a Dutch municipality's IVB annex.

Data flows one way: raw -> io -> clean -> survey/compare/benchmark -> figures/tables/annex -> run.
"""

__version__ = "0.1.0"
