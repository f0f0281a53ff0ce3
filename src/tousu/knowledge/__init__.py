"""The knowledge base: laws, strategies, demand playbooks, customer profiles, scenarios and
industry profiles as validated data, plus the analyzer's taxonomy and the language rules.

    >>> kb = load_knowledge_base()
    >>> kb.strategy("破唱片机法").code
    'broken_record'
"""

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
