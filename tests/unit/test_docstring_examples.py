"""The examples in docstrings are part of the documentation: they must stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "tousu.domain.urgency",
    "tousu.storage.search",
    "tousu.quality.text",
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
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
