"""The knowledge base: laws, strategies, demand playbooks, customer profiles, scenarios and
industry profiles as validated data, plus the analyzer's taxonomy and the language rules.

    >>> from tousu.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> kb.strategy("破唱片机法").code
    'broken_record'

Names are imported lazily, so that a module needing only `tousu.knowledge.taxonomy` or
`tousu.knowledge.errors` does not load the whole knowledge base machinery.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tousu.knowledge.errors import KnowledgeBaseError
    from tousu.knowledge.loader import (
        KINDS,
        KnowledgeBase,
        ScriptFinding,
        SignalMatch,
        UnknownEntryError,
        load_knowledge_base,
        normalize_text,
        script_findings,
    )
    from tousu.knowledge.models import (
        SLOT_DEFAULTS,
        DemandPlaybook,
        Entry,
        Industry,
        Law,
        LawKind,
        Profile,
        ProfileGroup,
        Scenario,
        ScenarioGroup,
        Strategy,
        StrategyUsage,
        render_script,
        script_slots,
    )

__all__ = [
    "KINDS",
    "SLOT_DEFAULTS",
    "DemandPlaybook",
    "Entry",
    "Industry",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Law",
    "LawKind",
    "Profile",
    "ProfileGroup",
    "Scenario",
    "ScenarioGroup",
    "ScriptFinding",
    "SignalMatch",
    "Strategy",
    "StrategyUsage",
    "UnknownEntryError",
    "load_knowledge_base",
    "normalize_text",
    "render_script",
    "script_findings",
    "script_slots",
]

_HOMES = ("tousu.knowledge.errors", "tousu.knowledge.models", "tousu.knowledge.loader")


def __getattr__(name: str) -> Any:
    if name in __all__:
        for home in _HOMES:
            module = import_module(home)
            if hasattr(module, name):
                return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
