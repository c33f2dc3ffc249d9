"""Background variables of a delivery (age, sex, household ...): the codebook's `background:`.

```yaml
background:
  geslacht: {variable: geslacht, labels: {1: man, 2: vrouw}}
  leeftijd: {variable: leeftijdsklasse, labels: {1: 15-24, 2: 25-39, 3: 40-54, 4: 55-69, 5: 70+}}
  # or from a year of birth (age = survey year - value), in classes of whole years:
  # leeftijd: {variable: gebjaar, birth_year: true,
  #            classes: {15-34: [15, 34], 35-64: [35, 64], 65+: [65, 120]}}
```

`labels` maps raw codes to Dutch categories (several codes may share one: a recode); `classes`
maps a numeric value (the age itself, or the age computed from `birth_year`) to a category by
its closed range. The order given is the categories' order. The delivery's `missing_codes` and
codes/values outside every label or class are missing (no category). Names become columns of the
processed survey table, so they may not collide with its own columns.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from ivb_analysis.errors import InputError
from ivb_analysis.io.codebook import load_yaml_unique

SECTION = "background"
#: Columns of the processed survey table a background variable may not be named after.
RESERVED = frozenset({"year", "resp_id", "wijk_code", "wijk_naam", "stratum", "weight", "psu",
                      "fpc", "indicator", "value", "is_proportion", "domein"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = {"variable", "labels", "classes", "birth_year"}


@dataclass(frozen=True)
class BackgroundSpec:
    """One background variable: its column name, raw variable and categories."""

    name: str
    variable: str
    labels: tuple[tuple[int, str], ...] = ()
    classes: tuple[tuple[str, float, float], ...] = ()
    birth_year: bool = False

    @property
    def categories(self) -> list[str]:
        """The categories in the codebook's order (each once)."""
        names = [label for _, label in self.labels] or [c for c, _, _ in self.classes]
        return list(dict.fromkeys(names))


def _whole(value: object, path: Path, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or float(value) % 1:
        raise InputError("code moet een geheel getal zijn", file=path, column=where,
                         found=value)
    return int(value)


def _spec(name: str, raw: object, path: Path) -> BackgroundSpec:
    where = f"{SECTION}.{name}"
    if not _NAME.match(name) or name in RESERVED:
        raise InputError("ongeldige naam voor een achtergrondvariabele", file=path,
                         column=where, expected="kleine letters, cijfers en _, niet "
                         + ", ".join(sorted(RESERVED)))
    if not isinstance(raw, dict) or "variable" not in raw:
        raise InputError("achtergrondvariabele zonder 'variable'", file=path, column=where,
                         expected="{variable: lft, labels: {1: 15-24, ...}}")
    unknown = sorted(set(map(str, raw)) - _KEYS)
    if unknown:
        raise InputError("onbekende sleutel", file=path, column=f"{where}.{unknown[0]}",
                         expected=", ".join(sorted(_KEYS)))
    has_labels, has_classes = "labels" in raw, "classes" in raw
    if has_labels == has_classes:
        raise InputError("geef labels of classes (één van beide)", file=path, column=where)
    birth = raw.get("birth_year", False)
    if not isinstance(birth, bool) or (birth and has_labels):
        raise InputError("birth_year is true of false, en alleen met classes", file=path,
                         column=f"{where}.birth_year", found=birth)
    if has_labels:
        labels = raw["labels"]
        if not isinstance(labels, dict) or not labels:
            raise InputError("labels moet een mapping code: categorie zijn", file=path,
                             column=f"{where}.labels")
        pairs = tuple((_whole(k, path, f"{where}.labels"), str(v)) for k, v in labels.items())
        return BackgroundSpec(name, str(raw["variable"]), labels=pairs)
    classes = raw["classes"]
    if not isinstance(classes, dict) or not classes:
        raise InputError("classes moet een mapping categorie: [van, tot en met] zijn",
                         file=path, column=f"{where}.classes")
    ranges = []
    for label, bounds in classes.items():
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, int | float) and not isinstance(b, bool)
                           for b in bounds) or bounds[0] > bounds[1]):
            raise InputError("klasse moet [van, tot en met] zijn", file=path,
                             column=f"{where}.classes.{label}", found=bounds)
        ranges.append((str(label), float(bounds[0]), float(bounds[1])))
    ranges.sort(key=lambda r: r[1])
    for (a, _, high), (b, low, _) in itertools.pairwise(ranges):
        if low <= high:
            raise InputError(f"klassen {a} en {b} overlappen", file=path,
                             column=f"{where}.classes")
    order = {str(label): k for k, label in enumerate(classes)}
    ranges.sort(key=lambda r: order[r[0]])
    return BackgroundSpec(name, str(raw["variable"]), classes=tuple(ranges), birth_year=birth)


def read_background(path: Path) -> dict[str, BackgroundSpec]:
    """The codebook's background variables by name ({} when it declares none)."""
    raw = load_yaml_unique(path)
    block = raw.get(SECTION) if isinstance(raw, dict) else None
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise InputError("'background' moet een mapping zijn", file=path, column=SECTION,
                         expected="{leeftijd: {variable: lft, labels: {...}}}")
    return {str(name): _spec(str(name), spec, path) for name, spec in block.items()}
