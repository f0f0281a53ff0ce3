"""The one error type for a knowledge base that does not validate."""

from __future__ import annotations


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is wrong: names the file, the entry and how to fix it."""

    def __init__(self, file: str, entry: str, message: str) -> None:
        self.file = file
        self.entry = entry
        self.message = message
        super().__init__(f"{file}: {entry}: {message}")
