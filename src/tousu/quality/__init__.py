"""Quality checking of staff replies and dialogues against the service-language rules.

Public API: `check_reply(text)` and `check_dialogue(transcript)`; their results have
`to_dict()` for JSON. Names are imported lazily so that loading the knowledge base, which
uses tousu.quality.text, does not pull in the checker.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tousu.quality.checker import check_reply
    from tousu.quality.dialogue import check_dialogue
    from tousu.quality.results import DialogueCheck, ReplyCheck

__all__ = ["DialogueCheck", "ReplyCheck", "check_dialogue", "check_reply"]

_HOMES = {
    "check_reply": "tousu.quality.checker",
    "check_dialogue": "tousu.quality.dialogue",
    "ReplyCheck": "tousu.quality.results",
    "DialogueCheck": "tousu.quality.results",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'tousu.quality' has no attribute {name!r}")
