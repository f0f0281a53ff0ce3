"""Reading YAML that people write (the knowledge base, the policy file, category mappings).

A key given twice in one mapping is an error here: YAML itself keeps the last one and drops
the first without a word (a cue list written twice under one weight was once lost that way).
"""

from __future__ import annotations

from typing import IO, Any

import yaml

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~7x faster


class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    pass


def _mapping_once(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键 (duplicate key) {key!r}", key_node.start_mark
            )
        seen.add(key)
    return dict(loader.construct_mapping(node, deep=deep))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_once)


def load_yaml(source: str | IO[str]) -> Any:
    """`yaml.safe_load`, refusing a key given twice (a `yaml.YAMLError` naming it and its line)."""
    return yaml.load(source, Loader=_Loader)
