"""The examples in docstrings are part of the documentation: they must stay true."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

MODULES = [
    "tousu.domain.urgency",
    "tousu.storage.search",
    "tousu.text",
    "tousu.matching",
    "tousu.quality.checker",
    "tousu.knowledge",
    "tousu.knowledge.loader",
    "tousu.knowledge.models",
    "tousu.analysis.topic",
    "tousu.analysis.normalize",
    "tousu.analysis.facts",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(_from_source(name))
    assert result.attempted > 0 and result.failed == 0


def _from_source(name: str) -> ModuleType:
    """The module run from its source: doctest cannot see into a compiled module (setup.py),
    whose functions and docstrings are the same."""
    module = importlib.import_module(name)
    if module.__file__ is None or module.__file__.endswith(".py"):
        return module
    source = Path(module.__file__).with_name(name.rpartition(".")[2] + ".py")
    spec = importlib.util.spec_from_file_location(f"{name}_source", source)
    assert spec is not None and spec.loader is not None
    interpreted = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = interpreted  # dataclasses look their module up while being made
    try:
        spec.loader.exec_module(interpreted)
    finally:
        del sys.modules[spec.name]
    return interpreted
