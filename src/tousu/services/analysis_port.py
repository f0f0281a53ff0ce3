"""The seam where text analysis plugs into intake.

Intake needs only a few facts from the analyzer (category, demands, urgency signals and
the affected service that sharpens the issue key); the full analysis is stored as JSON.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from tousu.analysis import Analyzer, load_model
from tousu.services.recheck import Recheck

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextAnalysis:
    category: str | None = None
    demands: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    topic: str | None = None
    version: str | None = None
    details: dict[str, Any] | None = None


class TextAnalyzer(Protocol):
    def __call__(self, text: str, *, industry: str, channel: str | None = None) -> TextAnalysis:
        """`industry`: the organisation's (the policy's), a code of the knowledge base;
        `channel`: where the complaint came in (a `Channel` value), None when not known."""
        ...


def no_analysis(text: str, *, industry: str, channel: str | None = None) -> TextAnalysis:
    """Used when no analyzer is configured: people fill in category and demands."""
    return TextAnalysis()


def analyzer_adapter(analyzer: Any) -> TextAnalyzer:
    """Wrap a tousu.analysis.Analyzer into the intake seam."""

    def analyze(text: str, *, industry: str, channel: str | None = None) -> TextAnalysis:
        result = analyzer.analyze(text, industry=industry, channel=channel, advise=False).to_dict()
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


CHECK_SECONDS = 5.0
"""How often a server process looks for a newly activated model."""


@dataclass(frozen=True)
class Current:
    analyzer: Analyzer | None  # the full analyzer, for /analyze and the pages
    analyze: TextAnalyzer  # what intake stores
    model_id: int | None  # the organisation's model in use; None: the configured one


class ActiveModel:
    """The analyzer every request uses: the model activated in the database (tousu.services.
    learning) when there is one, else the configured one. Each process reads the active model's
    id at most every CHECK_SECONDS (by the app's clock, so a request pays nothing in between)
    and, when the id changed, loads that model in a thread and swaps it in once ready:
    activations reach every process without a restart."""

    def __init__(
        self,
        engine: Engine | None,
        configured: tuple[Analyzer | None, TextAnalyzer],
        *,
        interval: float = CHECK_SECONDS,
    ) -> None:
        self._engine = engine
        self._configured = Current(configured[0], configured[1], None)
        self._current = self._configured
        self._recheck = Recheck(self._refresh, interval)
        self._failed: int | None = None
        self._loader: threading.Thread | None = None

    @classmethod
    def fixed(cls, analyzer: Analyzer | None, analyze: TextAnalyzer) -> ActiveModel:
        """Always the given analyzer (no database)."""
        return cls(None, (analyzer, analyze))

    @property
    def configured(self) -> Current:
        """The configured analyzer (TOUSU_MODEL_PATH), used when no model is active."""
        return self._configured

    def recheck(self) -> None:
        """Look at the database on the next use: this process made the change itself."""
        self._recheck.soon()

    def current(self, now: datetime) -> Current:
        if self._engine is not None:
            self._recheck(now)
        return self._current

    def _refresh(self) -> None:
        from tousu.services import learning

        assert self._engine is not None
        try:
            with self._engine.connect() as conn:
                model_id = learning.active_model_id(conn)
        except SQLAlchemyError:
            logger.exception("cannot read the active analyzer model; keeping the one in use")
            return
        if model_id == self._current.model_id or (model_id is not None and model_id == self._failed):
            return
        if model_id is None:
            self._current = self._configured
            return
        # Loading a model takes a second or two: in a thread of its own, so no request (nor the
        # event loop) waits for it; requests go on with the analyzer in use until it is ready.
        if self._loader is None or not self._loader.is_alive():
            self._loader = threading.Thread(target=self._load, args=(model_id,), name="tousu-model", daemon=True)
            self._loader.start()

    def _load(self, model_id: int) -> None:
        from tousu.services import learning
        from tousu.services.errors import ServiceError

        assert self._engine is not None
        kb = self._configured.analyzer.kb if self._configured.analyzer is not None else None
        try:
            with self._engine.connect() as conn:
                artifact = learning.artifact_of(conn, model_id)
            analyzer = Analyzer(kb, model=learning.predictor(artifact))
            analyzer.analyze("话费", advise=False)  # builds the matchers before a complaint needs them
        except (SQLAlchemyError, ServiceError):
            logger.exception("cannot read analyzer model %s; keeping the one in use", model_id)
            return
        except ValueError:  # ModelError: a stored model this version cannot read
            logger.exception("analyzer model %s cannot be loaded; keeping the one in use", model_id)
            self._failed = model_id
            return
        self._current = Current(analyzer, analyzer_adapter(analyzer), model_id)
        logger.info("analyzer model %s (%s) in use", model_id, getattr(analyzer.model, "version", None))

    def settle(self, timeout: float | None = None) -> None:
        """Wait until a model being loaded is in use (tests; a caller that must see the switch)."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)
