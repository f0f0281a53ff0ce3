"""The application factory: settings in, a FastAPI app out. Nothing happens at import."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tousu import __version__, web
from tousu.api import errors, routes_complaints, routes_people, routes_system, routes_text
from tousu.api.deps import AppState
from tousu.services.analysis_port import TextAnalyzer, analyzer_adapter, no_analysis
from tousu.services.sla import Scheduler
from tousu.settings import Settings
from tousu.storage.db import create_db_engine

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def load_analyzer(model_path: Path | None) -> tuple[object | None, TextAnalyzer]:
    """The text analyzer with the trained model if one is configured; rules only otherwise.

    Cached: the knowledge base and lexicons are loaded once per process.
    """
    try:
        from tousu.analysis import Analyzer, load_model
    except ImportError:
        log.warning("analyzer not installed: category and demands are filled in by people")
        return None, no_analysis
    analyzer = Analyzer(model=load_model(model_path) if model_path else None)
    return analyzer, analyzer_adapter(analyzer)


def create_app(settings: Settings | None = None, *, with_scheduler: bool = True) -> FastAPI:
    settings = settings or Settings()
    engine = create_db_engine(settings.database_url)
    analyzer, analyze = load_analyzer(settings.model_path)
    state = AppState(settings=settings, engine=engine, policy=settings.policy, analyze=analyze, analyzer=analyzer,
                     write_lock=threading.Lock() if engine.dialect.name == "sqlite" else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if with_scheduler and settings.scheduler_interval_seconds > 0:
            scheduler = Scheduler(engine, state.policy, settings.scheduler_interval_seconds)
            scheduler.start()
        yield
        if scheduler is not None:
            scheduler.stop()
        engine.dispose()

    app = FastAPI(title="tousu 投诉处理", version=__version__, lifespan=lifespan,
                  description="Complaint handling: intake, workflow, deadlines, analysis and quality checks.")
    app.state.tousu = state
    errors.install(app)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > settings.max_body_bytes:
            return JSONResponse(errors.error_body(
                "payload_too_large", f"请求内容过大（上限 {settings.max_body_bytes // 1024} KB）。"), status_code=413)
        return await call_next(request)

    for module in (routes_system, routes_people, routes_complaints, routes_text):
        app.include_router(module.router)
    web.register(app)
    return app
