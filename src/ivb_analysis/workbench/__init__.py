"""The analyst's workbench: questions the annex does not ask, with the annex's statistics.

```python
from ivb_analysis.workbench import open_delivery
d = open_delivery("data/raw/mini")
d.estimate("onveiligheid_buurt", by="leeftijd", years=[2015])      # a subgroup
d.estimate("onveiligheid_buurt", domain={"Oost": ["Berflo Es", "Groot Driene"]})
d.compare("onveiligheid_buurt", against="wave", by="geslacht")      # two waves, BH
d.trend("onveiligheid_buurt", domain={"Oost": [...]})
d.plot(table); d.to_excel(table, "tabel.xlsx", title="...")
```

Public (stable names): `open_delivery`, `Delivery` and its methods `years`, `indicators`,
`wijken`, `background`, `estimate`, `compare`, `trend`, `plot`, `to_excel`. Modules and names
starting with `_` are private.
"""

from ivb_analysis.workbench.delivery import Delivery, open_delivery

__all__ = ["Delivery", "open_delivery"]
