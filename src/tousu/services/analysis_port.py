"""The seam where text analysis plugs into intake.

Intake needs only a few facts from the analyzer (category, demands, urgency signals and
the affected service that sharpens the issue key); the full analysis is stored as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from tousu.analysis import Analyzer, load_model


@dataclass(frozen=True)
class TextAnalysis:
    category: str | None = None
    demands: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    topic: str | None = None
    version: str | None = None
    details: dict[str, Any] | None = None


class TextAnalyzer(Protocol):
    def __call__(self, text: str) -> TextAnalysis: ...


def no_analysis(text: str) -> TextAnalysis:
    """Used when no analyzer is configured: people fill in category and demands."""
    return TextAnalysis()


def analyzer_adapter(analyzer: Any) -> TextAnalyzer:
    """Wrap a tousu.analysis.Analyzer into the intake seam."""

    def analyze(text: str) -> TextAnalysis:
        result = analyzer.analyze(text, advise=False).to_dict()
        return TextAnalysis(
            category=result.get("category"),
            demands=list(result.get("demands") or []),
            signals=[s["code"] for s in result.get("signals") or []],
            topic=result.get("issue_topic"),
            version=result.get("analyzer_version"),
            # Recommendations follow from the labels and the knowledge base; they are not stored.
            details={k: v for k, v in result.items() if k != "recommendations"},
        )

    return analyze


@lru_cache(maxsize=4)
def load_analyzer(model_path: Path | None) -> tuple[Analyzer, TextAnalyzer]:
    """The text analyzer with the trained model if one is configured; rules only otherwise.

    Cached: the knowledge base and lexicons are loaded once per process.
    """
    analyzer = Analyzer(model=load_model(model_path) if model_path else None)
    return analyzer, analyzer_adapter(analyzer)
