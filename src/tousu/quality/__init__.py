"""Quality checking of staff replies and dialogues against the service-language rules.

Public API: `check_reply(text)` and `check_dialogue(transcript)`; their results have
`to_dict()` for JSON.
"""

from __future__ import annotations

from tousu.quality.checker import check_reply
from tousu.quality.dialogue import check_dialogue
from tousu.quality.results import DialogueCheck, ReplyCheck

__all__ = ["DialogueCheck", "ReplyCheck", "check_dialogue", "check_reply"]
