"""The codebook language: a delivery's raw variables -> the catalogue's items, with their codes.

```yaml
design: {id: respnr, wijk: wijk, weight: weegfactor, strata: stratum, year: jaar,
         psu: buurtcluster, fpc: populatie}          # strata, year, psu, fpc optional
missing_codes: {98: weet niet, 99: geen antwoord}   # missing for every variable (or [98, 99])
not_asked: [prev_verlichting, {ovl_jongeren: [2013, 2015]}]  # all waves, or only some waves
variables:
  rapcijf_leefb: rc_leefbaarheid                    # short form: only the item
  buurt_ontw: {item: buurt_ontwikkeling, recode: {2: 3, 3: 2}, missing: [9]}
  ovl_hi_01: {item: ovh_graffiti, filter: {97: 3}}  # filter code -> value (null: not applicable)
```

Per raw code one meaning, applied at once (so a swap needs no temporary code): the variable's own
`missing`, `filter` and `recode` first, then `missing_codes`, then the code itself when it is on
the item's answer scale. `skip:` is accepted as the old name of `filter:`. Everything is checked
here, before a data file is opened: codes are whole numbers, recode and filter values lie on the
item's scale, no code has two meanings, and no global missing code is a valid answer of an item.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ivb_analysis.catalogue import Catalogue, Item
from ivb_analysis.errors import InputError

DESIGN_ROLES = ("id", "wijk", "weight")
#: Optional roles: sampling strata (default: the wijk; with `psu` and no strata: one stratum),
#: the wave's year column, the primary sampling units (clusters, nested within strata, as R's
#: svydesign(ids=~psu, nest=TRUE)) and the finite-population correction (per stratum either the
#: population size, a number > 1, or the sampling fraction, a number <= 1, as R's fpc).
OPTIONAL_ROLES = ("strata", "year", "psu", "fpc")
#: Design columns of the processed tables beyond `clean.recode.DESIGN_COLUMNS`, present only when
#: the codebook declares them (the roles psu and fpc).
DESIGN_EXTRA_COLUMNS = ("psu", "fpc")
SECTIONS = ("design", "missing_codes", "not_asked", "variables")
VARIABLE_KEYS = ("item", "recode", "missing", "filter", "skip")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"sleutel {key} staat twee keer in dezelfde mapping (eerst op regel "
                    f"{seen[key]}); houd er één over", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_yaml_unique(path: Path) -> object:
    """Read a UTF-8 YAML file, refusing duplicate keys; errors become an InputError."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except UnicodeDecodeError as exc:
        raise InputError("bestand is geen UTF-8-tekst", file=path,
                         expected="UTF-8 (sla het op als 'UTF-8' in de editor)") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"ongeldige YAML: {exc}", file=path) from exc


@dataclass(frozen=True)
class VariableSpec:
    """One raw variable: the catalogue item it measures and what its own codes mean."""

    name: str
    item: str
    recode: dict[int, int] = field(default_factory=dict)
    missing: frozenset[int] = frozenset()
    filter: dict[int, int | None] = field(default_factory=dict)

    @property
    def skip(self) -> dict[int, int | None]:
        """The old name of `filter`."""
        return self.filter


@dataclass(frozen=True)
class Codebook:
    """Raw variable names -> catalogue items, design variables, missing codes, items not asked."""

    path: Path | None
    design: dict[str, str]
    missing_codes: dict[int, str]
    variables: dict[str, VariableSpec]
    not_asked: tuple[str, ...] = ()
    #: Items asked in some waves only: item -> the waves that did not ask it (`not_asked:
    #: {item: [2013, 2015]}`); the item's variable may be absent from those waves' files and
    #: its answers there are missing.
    not_asked_waves: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def asked(self, item: str, year: int | None) -> bool:
        """Whether the survey of wave `year` asked `item` (False when never asked)."""
        if item in self.not_asked:
            return False
        return year is None or year not in self.not_asked_waves.get(item, ())

    @property
    def items_present(self) -> frozenset[str]:
        """The catalogue items this delivery has (mapped to a raw variable)."""
        return frozenset(spec.item for spec in self.variables.values())

    def unmapped(self, catalogue: Catalogue) -> list[str]:
        """Catalogue items neither mapped nor declared `not_asked` (treated as not asked)."""
        return [i for i in catalogue.items
                if i not in self.items_present and i not in self.not_asked]

    def raw_name(self, item: str) -> str:
        for spec in self.variables.values():
            if spec.item == item:
                return spec.name
        raise InputError("item ontbreekt in het codeboek", file=self.path, column=item)

    def meaning(self, spec: VariableSpec, item: Item) -> dict[int, int | None]:
        """Every raw code of a variable with a meaning: code -> scale value, None = missing.

        Codes absent from the result are invalid for this variable.
        """
        out: dict[int, int | None] = {c: c for c in item.valid_values}
        out.update({c: None for c in self.missing_codes})
        out.update(spec.recode)
        out.update(spec.filter)
        out.update({c: None for c in spec.missing})
        return out


def _code(value: object, path: Path, where: str, what: str) -> int:
    """A code from the codebook as int; text, fractions and booleans are refused."""
    if isinstance(value, bool) or value is None:
        raise _code_error(value, path, where, what)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise _code_error(value, path, where, what)


def _code_error(value: object, path: Path, where: str, what: str) -> InputError:
    return InputError(f"{what} is geen geheel getal", file=path, column=where,
                      expected="een numerieke code zoals in het databestand, bijv. 97",
                      found=value)


def _mapping(value: object, path: Path, where: str, example: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError("verwacht een mapping (code: waarde)", file=path, column=where,
                         expected=example, found=type(value).__name__)
    return value


def scale_text(item: Item) -> str:
    """An item's answer scale for messages: '1-3: 1 vooruitgegaan, 2 ...' or '1-10'."""
    codes = sorted(item.categories)
    span = f"{codes[0]}-{codes[-1]}"
    if all(str(k) == v for k, v in item.categories.items()):
        return span
    return span + ": " + ", ".join(f"{k} {v}" for k, v in item.categories.items())


def _check_value(value: int | None, item: Item, path: Path, where: str, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if value not in item.valid_values:
        raise InputError(
            f"waarde {value} ligt niet op de antwoordschaal '{item.scale}' van {item.id}",
            file=path, column=where,
            expected=f"een code van de catalogusschaal ({scale_text(item)})"
            + (" of null" if allow_none else ""), found=value)


def _variable(name: str, raw: object, path: Path, catalogue: Catalogue) -> VariableSpec:
    spec = {"item": raw} if isinstance(raw, str) else raw
    if not isinstance(spec, dict):
        raise InputError("verwacht een item-id of een mapping met 'item'", file=path,
                         column=f"variables.{name}", found=type(raw).__name__)
    unknown = sorted(set(map(str, spec)) - set(VARIABLE_KEYS))
    if unknown:
        raise InputError("onbekende sleutel bij variabele", file=path,
                         column=f"variables.{name}.{unknown[0]}",
                         expected="item, recode, missing, filter")
    item_id = spec.get("item")
    if item_id not in catalogue.items:
        raise InputError("codeboek verwijst naar onbekend item", file=path, column=name,
                         found=item_id, expected="een item-id uit de indicatorcatalogus")
    item = catalogue.items[item_id]
    if "filter" in spec and "skip" in spec:
        raise InputError("'filter' en 'skip' (de oude naam) staan er allebei", file=path,
                         column=f"variables.{name}", expected="alleen 'filter'")
    key = "filter" if "filter" in spec else "skip"
    where = f"variables.{name}"
    filters: dict[int, int | None] = {}
    for k, v in _mapping(spec.get(key), path, f"{where}.{key}", "{97: 3}").items():
        code = _code(k, path, f"{where}.{key}", "filtercode")
        value = None if v is None else _code(v, path, f"{where}.{key}.{code}", "filterwaarde")
        _check_value(value, item, path, f"{where}.{key}.{code}", allow_none=True)
        filters[code] = value
    recode: dict[int, int] = {}
    for k, v in _mapping(spec.get("recode"), path, f"{where}.recode", "{2: 3, 3: 2}").items():
        code = _code(k, path, f"{where}.recode", "hercodering (oude code)")
        if v is None:
            raise InputError("hercodering naar null", file=path, column=f"{where}.recode.{code}",
                             expected=f"een code van de schaal; zet {code} onder 'missing:' "
                             "als het geen antwoord is")
        value = _code(v, path, f"{where}.recode.{code}", "hercodering (nieuwe code)")
        _check_value(value, item, path, f"{where}.recode.{code}", allow_none=False)
        recode[code] = value
    own = spec.get("missing") or []
    if not isinstance(own, list):
        own = [own]
    missing = frozenset(_code(c, path, f"{where}.missing", "ontbrekingscode") for c in own)
    for label, codes in (("recode", set(recode)), ("filter", set(filters))):
        both = sorted(codes & missing)
        if both:
            raise InputError(f"code {both[0]} staat zowel onder '{label}' als onder 'missing'",
                             file=path, column=where, expected="één betekenis per code")
    both = sorted(set(recode) & set(filters))
    if both:
        raise InputError(f"code {both[0]} staat zowel onder 'recode' als onder 'filter'",
                         file=path, column=where, expected="één betekenis per code")
    return VariableSpec(str(name), item_id, recode, missing, filters)


def read_codebook(path: Path, catalogue: Catalogue) -> Codebook:
    """Read and check a delivery's codebook (YAML) against the catalogue."""
    if not path.is_file():
        raise InputError("codeboek ontbreekt", file=path)
    raw = load_yaml_unique(path)
    if not isinstance(raw, dict):
        raise InputError("het codeboek is geen YAML-mapping", file=path,
                         expected="de onderdelen design, missing_codes en variables")
    unknown = sorted(set(map(str, raw)) - set(SECTIONS))
    if unknown:
        raise InputError("onbekend onderdeel in het codeboek", file=path, column=unknown[0],
                         expected=", ".join(SECTIONS))
    for key in ("design", "variables"):
        if key not in raw:
            raise InputError("onderdeel ontbreekt in het codeboek", file=path, column=key)
    if not isinstance(raw["design"], dict):
        raise InputError("'design' moet een mapping zijn (rol: variabele)", file=path,
                         column="design", found=type(raw["design"]).__name__,
                         expected="design: {id: respnr, wijk: wijk, weight: weegfactor}")
    design = {str(k): str(v) for k, v in raw["design"].items()}
    for role in DESIGN_ROLES:
        if role not in design:
            raise InputError("ontwerpvariabele ontbreekt in het codeboek", file=path,
                             column=f"design.{role}", expected=", ".join(DESIGN_ROLES))
    extra = sorted(set(design) - set(DESIGN_ROLES) - set(OPTIONAL_ROLES))
    if extra:
        raise InputError("onbekende rol onder 'design'", file=path, column=f"design.{extra[0]}",
                         expected=", ".join(DESIGN_ROLES + OPTIONAL_ROLES))
    missing_raw = raw.get("missing_codes")
    if isinstance(missing_raw, list):  # codes without their meaning: [98, 99]
        missing_raw = {code: "ontbrekend" for code in missing_raw}
    missing_raw = _mapping(missing_raw, path, "missing_codes",
                           "{98: weet niet, 99: geen antwoord}")
    missing = {_code(k, path, "missing_codes", "ontbrekingscode"): str(v)
               for k, v in missing_raw.items()}
    variables_raw = _mapping(raw["variables"], path, "variables", "ruwe_naam: item_id")
    variables = {str(name): _variable(str(name), spec, path, catalogue)
                 for name, spec in variables_raw.items()}
    items_seen: dict[str, str] = {}
    for spec in variables.values():
        if spec.item in items_seen:
            raise InputError(f"item {spec.item} komt meer dan eens voor in het codeboek",
                             file=path, column=spec.name, found=spec.item,
                             expected=f"één variabele per item (ook {items_seen[spec.item]})")
        items_seen[spec.item] = spec.name
    not_asked, per_wave = _not_asked(raw.get("not_asked"), path, catalogue, items_seen)
    codebook = Codebook(path, design, missing, variables, not_asked, per_wave)
    _check_global_missing(codebook, catalogue)
    return codebook


def _not_asked(
    raw: object, path: Path, catalogue: Catalogue, items_seen: dict[str, str],
) -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """`not_asked` as (items never asked, item -> waves that did not ask it).

    Accepted: a list whose entries are an item id or `{item: [2013, 2015]}`, or a mapping
    `{item: [2013, 2015]}` (`null` instead of a list: every wave).
    """
    example = "[item, ...] of {item: [2013, 2015]}"
    if raw is None:
        return (), {}
    if isinstance(raw, dict):
        entries: list[object] = [{k: v} for k, v in raw.items()]
    elif isinstance(raw, list):
        entries = raw
    else:
        raise InputError("'not_asked' moet een lijst van item-id's zijn", file=path,
                         column="not_asked", found=raw, expected=example)
    never: list[str] = []
    some: dict[str, tuple[int, ...]] = {}
    for entry in entries:
        if isinstance(entry, dict) and len(entry) == 1:
            item_id, years = next(iter(entry.items()))
        elif isinstance(entry, str):
            item_id, years = entry, None
        else:
            raise InputError("onbekende vorm onder 'not_asked'", file=path, column="not_asked",
                             found=entry, expected=example)
        if item_id not in catalogue.items:
            raise InputError("onbekend item onder 'not_asked'", file=path, column="not_asked",
                             found=item_id, expected="een item-id uit de indicatorcatalogus")
        if years is None:
            if item_id in items_seen:
                raise InputError(f"item {item_id} staat onder 'not_asked' én bij variabele "
                                 f"{items_seen[item_id]}", file=path, column="not_asked",
                                 expected="haal het item weg onder 'not_asked' of bij de "
                                 "variabele, of noem de jaren: {" + f"{item_id}: [2013]" + "}")
            never.append(str(item_id))
            continue
        where = f"not_asked.{item_id}"
        if not isinstance(years, list) or not years:
            raise InputError("verwacht een lijst van meetjaren", file=path, column=where,
                             found=years, expected=f"{{{item_id}: [2013, 2015]}}")
        waves = tuple(sorted({_code(y, path, where, "meetjaar") for y in years}))
        if item_id not in items_seen:
            raise InputError(f"item {item_id} is in sommige jaren niet gevraagd, maar heeft "
                             "geen variabele in het codeboek", file=path, column=where,
                             expected="een variabele voor de jaren waarin het wel gevraagd is, "
                             "of het item zonder jaren onder not_asked")
        some[str(item_id)] = waves
    return tuple(never), some


def _check_global_missing(codebook: Codebook, catalogue: Catalogue) -> None:
    """A code in `missing_codes` must not be a valid answer of a variable that does not say
    otherwise: 9 as global 'weet niet' would silently drop every rapportcijfer 9."""
    for code in sorted(codebook.missing_codes):
        for spec in codebook.variables.values():
            item = catalogue.items[spec.item]
            explicit = set(spec.recode) | set(spec.filter) | spec.missing
            if code in explicit:
                continue
            if code in item.valid_values:
                raise InputError(
                    f"ontbrekingscode {code} ('{codebook.missing_codes[code]}') is bij variabele "
                    f"{spec.name} ({spec.item}) een geldig antwoord: "
                    f"'{item.categories[code]}' op de schaal '{item.scale}'",
                    file=codebook.path, column="missing_codes", found=code,
                    expected=f"haal {code} weg onder missing_codes en zet het onder 'missing:' "
                    f"van de variabelen waar het 'geen antwoord' betekent (of, als {code} bij "
                    f"{spec.name} echt een antwoord is: recode: {{{code}: {code}}})")
