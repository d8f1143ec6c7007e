"""YAML mappings that remember where they were written, so a refusal can name the file and the line.

`load_located` reads a rules file with a SafeLoader whose mappings are `Located` dicts: each knows
its own (file, line) and the (file, line) of every key. Merging a company file over the product's
keeps, for each key, the place it last came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import yaml

#: (file, 1-based line)
Mark = tuple[str, int]


class Located(dict):
    """A dict read from YAML, with the place of the mapping and of each of its keys."""

    mark: Mark | None = None
    key_marks: dict[str, Mark]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_marks = {}


#: libyaml's parser when PyYAML was built with it (about ten times faster on the rules files), else PyYAML's own;
#: both give every node its start mark, which is all the line numbers need
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Located:
        plain = super().construct_mapping(node, deep=deep)
        located = Located(plain)
        located.mark = (self.name, node.start_mark.line + 1)
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str):
                located.key_marks[key] = (self.name, key_node.start_mark.line + 1)
        return located


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def load_located(path: Path) -> Any:
    """The YAML document in `path`, mappings as `Located`; yaml.YAMLError when it is not YAML."""
    loader = _LineLoader(Path(path).read_text(encoding="utf-8"))
    loader.name = str(path)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def mark_of(data: Any, key: Any = None) -> Mark | None:
    """Where `data[key]` was written (or `data` itself when no key, or the key is not marked)."""
    if isinstance(data, Located):
        if isinstance(key, str) and key in data.key_marks:
            return data.key_marks[key]
        return data.mark
    return None


def mark_at(root: Any, path: Sequence[Any]) -> Mark | None:
    """The deepest known place along `path` (keys and list indices) from `root`: where to look."""
    best, node = mark_of(root), root
    for step in path:
        if isinstance(node, dict) and step in node:
            best, node = mark_of(node, step) or best, node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
            best = mark_of(node) or best  # a list item: the line its mapping starts on
        else:
            break
    return best


def where(mark: Mark | None) -> str:
    return f"{mark[0]}:{mark[1]}" if mark else "rules"


def merged_marks(base: Any, extra: Any, out: dict) -> dict:
    """`out` (the merge of `base` and `extra`) as a Located that keeps both sides' places."""
    located = Located(out)
    located.mark = mark_of(extra) or mark_of(base)
    for side in (base, extra):
        if isinstance(side, Located):
            located.key_marks.update(side.key_marks)
    return located
