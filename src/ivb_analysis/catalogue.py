"""Indicator catalogue: loads and checks `catalogue.yaml`, the only place indicators are defined."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from ivb_analysis.errors import InputError

Kind = Literal["rapportcijfer", "schaalscore", "percentage"]
Rule = Literal["value", "share", "scale"]
CATALOGUE_FILE = "catalogue.yaml"


@dataclass(frozen=True)
class Item:
    """A canonical questionnaire item: its answer scale and question text."""

    id: str
    label: str
    scale: str
    categories: dict[int, str]

    @property
    def valid_values(self) -> frozenset[int]:
        return frozenset(self.categories)


@dataclass(frozen=True)
class Indicator:
    """How one indicator is built from items, and how to read it (polarity, unit)."""

    id: str
    label: str
    kind: Kind
    rule: Rule
    items: tuple[str, ...]
    polarity: int
    unit: str
    theme: str
    positive: tuple[int, ...] = ()
    points: dict[int, float] = field(default_factory=dict)
    reversed: tuple[str, ...] = ()
    min_items: int = 1
    at_least: int = 1
    footprint: int | None = None
    delict: bool = False
    # The fewest of `items` a delivery must have for the indicator to be computed at all (then
    # "gedeeltelijk" when fewer than all); None: every item.
    min_items_present: int | None = None
    # A single statement of a scale (`item_of`: the scale indicator's id), shown in the items
    # section only: not in trends, key findings or the footprint.
    item_of: str | None = None

    @property
    def items_required(self) -> int:
        """How many of its items a delivery needs for this indicator."""
        return len(self.items) if self.min_items_present is None else self.min_items_present

    @property
    def is_proportion(self) -> bool:
        """Percentages are estimated as proportions (logit intervals) and shown x100."""
        return self.kind == "percentage"


@dataclass(frozen=True)
class Catalogue:
    """Items, answer scales and indicators, in catalogue order."""

    items: dict[str, Item]
    indicators: dict[str, Indicator]

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise InputError(
                "onbekende indicator", column="indicator", found=indicator_id,
                expected="een id uit de indicatorcatalogus",
            ) from None

    @property
    def footprint(self) -> list[Indicator]:
        """The seed's footprint rows, in its order."""
        rows = [i for i in self.indicators.values() if i.footprint is not None]
        return sorted(rows, key=lambda i: i.footprint or 0)

    def ids(self) -> list[str]:
        return list(self.indicators)


_KINDS = {"rapportcijfer": "value", "schaalscore": "scale", "percentage": "share"}


def _parse(raw: dict, source: str) -> Catalogue:
    scales = {name: {int(k): str(v) for k, v in cats.items()}
              for name, cats in raw["scales"].items()}
    items: dict[str, Item] = {}
    for item_id, spec in raw["items"].items():
        if spec["scale"] not in scales:
            raise InputError("onbekende antwoordschaal", file=source, row=item_id,
                             found=spec["scale"], expected=", ".join(scales))
        items[item_id] = Item(item_id, spec["label"], spec["scale"], scales[spec["scale"]])
    indicators: dict[str, Indicator] = {}
    for spec in raw["indicators"]:
        ind_id = spec.get("id", "?")
        if ind_id in indicators:
            raise InputError("indicator dubbel gedefinieerd", file=source, row=ind_id)
        kind, rule = spec.get("kind"), spec.get("rule")
        if _KINDS.get(kind) != rule:
            raise InputError("soort en regel passen niet bij elkaar", file=source, row=ind_id,
                             expected=str(_KINDS), found=(kind, rule))
        missing = [i for i in spec["items"] if i not in items]
        if missing:
            raise InputError("indicator gebruikt onbekend item", file=source, row=ind_id,
                             found=missing[0])
        if spec["polarity"] not in (-1, 0, 1):
            raise InputError("polariteit moet -1, 0 of 1 zijn", file=source, row=ind_id,
                             found=spec["polarity"])
        if rule == "value" and len(spec["items"]) != 1:
            raise InputError("regel 'value' vraagt precies één item", file=source, row=ind_id)
        if rule == "share" and not spec.get("positive"):
            raise InputError("regel 'share' vraagt 'positive'", file=source, row=ind_id)
        if rule == "scale" and not spec.get("points"):
            raise InputError("regel 'scale' vraagt 'points'", file=source, row=ind_id)
        present = spec.get("min_items_present")
        if present is not None and not (
                int(spec.get("min_items", 1)) <= int(present) <= len(spec["items"])):
            raise InputError("min_items_present ligt niet tussen min_items en het aantal items",
                             file=source, row=ind_id, found=present,
                             expected=f"{spec.get('min_items', 1)} t/m {len(spec['items'])}")
        parent = spec.get("item_of")
        if parent is not None and (parent not in indicators or len(spec["items"]) != 1
                                   or spec["items"][0] not in indicators[parent].items):
            raise InputError("item_of noemt geen eerdere schaal met dit item", file=source,
                             row=ind_id, found=parent)
        indicators[ind_id] = Indicator(
            id=ind_id,
            label=spec["label"],
            kind=kind,
            rule=rule,
            items=tuple(spec["items"]),
            polarity=int(spec["polarity"]),
            unit=spec["unit"],
            theme=spec["theme"],
            positive=tuple(int(v) for v in spec.get("positive", ())),
            points={int(k): float(v) for k, v in spec.get("points", {}).items()},
            reversed=tuple(spec.get("reversed", ())),
            min_items=int(spec.get("min_items", 1)),
            at_least=int(spec.get("at_least", 1)),
            footprint=spec.get("footprint"),
            delict=bool(spec.get("delict", False)),
            min_items_present=None if present is None else int(present),
            item_of=spec.get("item_of"),
        )
    return Catalogue(items=items, indicators=indicators)


@cache
def load_catalogue() -> Catalogue:
    """The package's catalogue (parsed once per process)."""
    text = resources.files("ivb_analysis").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text), CATALOGUE_FILE)


# --- selections (the annex's choice of indicators per section) --------------------------------


@dataclass(frozen=True)
class Selections:
    """Which indicators the annex's sections show (the `selections` block of catalogue.yaml)."""

    wijk_indicators: tuple[str, ...]
    wijk_victims: tuple[str, ...]
    gemeente_series: tuple[str, ...]
    themes: dict[str, str]


def _parse_selections(raw: dict, catalogue: Catalogue, source: str) -> Selections:
    spec = raw.get("selections") or {}
    lists = {}
    for name in ("wijk_indicators", "wijk_victims", "gemeente_series"):
        ids = tuple(str(i) for i in spec.get(name) or ())
        unknown = [i for i in ids if i not in catalogue.indicators]
        if unknown:
            raise InputError("selectie noemt een onbekende indicator", file=source,
                             column=f"selections.{name}", found=unknown[0])
        lists[name] = ids
    themes = {str(k): str(v) for k, v in (spec.get("themes") or {}).items()}
    return Selections(themes=themes, **lists)


@cache
def load_selections() -> Selections:
    """The package's selections (parsed once per process)."""
    text = resources.files("ivb_analysis").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return _parse_selections(yaml.safe_load(text), load_catalogue(), CATALOGUE_FILE)
