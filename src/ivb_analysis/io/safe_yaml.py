"""YAML from a delivery, bounded: a safe loader with a depth limit and an alias budget.

PyYAML's SafeLoader builds no objects from tags, but an alias bomb (`a: &a [x, x]`,
`b: &b [*a, *a]`, ...) expands to billions of values as soon as anything walks the result, and a
list nested thousands deep ends in a RecursionError. `BoundedLoader` counts, while composing,
how many values the document holds once every alias is expanded and how deep it nests, and stops
with a YAML error (position, no value) past `MAX_VALUES` or `MAX_DEPTH`: every ivb.yaml and
codebook is far below both.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 50  # nesting levels (a codebook uses 4)
MAX_VALUES = 100_000  # scalars, lists and mappings after alias expansion (a codebook: ~2,000)


_BUDGET = f"{MAX_VALUES:,}".replace(",", ".")


class YamlTooLarge(yaml.MarkedYAMLError):
    """The document nests too deep or expands beyond the budget (refused, never expanded)."""


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting and alias expansion beyond a budget."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlTooLarge(
                    None, None, f"de YAML is dieper genest dan {MAX_DEPTH} niveaus",
                    self.peek_event().start_mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = self._sizes.get(id(node))
        if size is None:  # a new node; an alias returns a known node, counted again by its parent
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            else:
                children = []
            size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
            self._sizes[id(node)] = size
        if size > MAX_VALUES:
            raise YamlTooLarge(
                None, None, "de YAML wordt met zijn verwijzingen (aliassen, *naam) groter dan "
                f"{_BUDGET} waarden; schrijf de waarden uit",
                node.start_mark)
        return node


def problem(exc: yaml.YAMLError) -> tuple[str, int | None]:
    """A YAML error as a short Dutch problem and its line (1-based), without the file's text."""
    mark = getattr(exc, "problem_mark", None)
    text = getattr(exc, "problem", None) or type(exc).__name__
    return text, (mark.line + 1 if mark is not None else None)
