"""The application factory: settings in, a FastAPI app out. Nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tousu import __version__, web
from tousu.api import (
    docs,
    errors,
    routes_admin_policy,
    routes_complaints,
    routes_improvement,
    routes_notifications,
    routes_people,
    routes_reports,
    routes_system,
    routes_text,
    routes_work,
)
from tousu.api.access_log import AccessLog
from tousu.api.deps import AppState
from tousu.api.limits import BodyLimit
from tousu.services.analysis_port import ActiveModel, load_analyzer
from tousu.services.dispatcher import Dispatcher
from tousu.services.policy_settings import ActivePolicy
from tousu.services.sla import Scheduler
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, write_lock_for
from tousu.web import notifications as notification_pages
from tousu.web.headers import SecurityHeaders


def create_app(settings: Settings | None = None, *, with_scheduler: bool = True) -> FastAPI:
    settings = settings or Settings()
    engine = create_db_engine(settings.database_url)
    state = AppState(
        settings=settings,
        engine=engine,
        policies=ActivePolicy(engine, settings.policy),
        models=ActiveModel(engine, load_analyzer(settings.model_path)),
        write_lock=write_lock_for(engine),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if with_scheduler and settings.scheduler_interval_seconds > 0:
            scheduler = Scheduler(engine, lambda: state.policy, settings.scheduler_interval_seconds)
            scheduler.start()
        # Sends the notification outbox; safe in every worker process (each message is claimed once).
        dispatcher = None
        if with_scheduler and settings.outbox_interval_seconds > 0:
            dispatcher = Dispatcher(state.write, settings, clock=lambda: state.clock())
            dispatcher.start()
        yield
        if dispatcher is not None:
            dispatcher.stop()
        if scheduler is not None:
            scheduler.stop()
        engine.dispose()

    app = FastAPI(
        title="tousu 投诉处理",
        version=__version__,
        lifespan=lifespan,
        description="Complaint handling: intake, workflow, deadlines, analysis and quality checks.",
        docs_url=None,  # served by docs.register, without any CDN
        redoc_url=None,
    )
    app.state.tousu = state
    errors.install(app)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Around BodyLimit, so refusals are logged too; inside SecurityHeaders, so its 500s get them.
    app.add_middleware(AccessLog)

    # The busiest routes first: routing tries each router in turn.
    for module in (routes_complaints, routes_text, routes_people, routes_system, routes_improvement, routes_work):
        app.include_router(module.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_notifications.router)
    app.include_router(routes_admin_policy.router)
    web.register(app)
    app.include_router(notification_pages.router)
    docs.register(app)
    # Outermost: every answer gets the headers, refusals from the other middlewares included.
    app.add_middleware(SecurityHeaders, always_https=settings.https)
    return app
