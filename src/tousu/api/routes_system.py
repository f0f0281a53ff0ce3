"""Health, the effective configuration, the admissibility check."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tousu import __version__
from tousu.api.deps import CurrentActor, State
from tousu.api.errors import documented, error_body
from tousu.api.schemas import AdmissibilityIn
from tousu.domain.admissibility import AppealFacts, check_admissibility
from tousu.services.industry import appeal_time_limits_bind

router = APIRouter(prefix="/api/v1", tags=["system"], responses=documented(400, 401, 403, 413, 422))


@router.get("/health", summary="健康检查（无需登录）", responses=documented(503))
def health(state: State) -> Any:
    try:
        with state.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return JSONResponse(error_body("database_unreachable", "数据库无法连接。"), status_code=503)
    return {"status": "ok", "version": __version__, "database": state.engine.dialect.name}


@router.get("/config", summary="当前生效的配置（只读）")
def config(state: State, actor: CurrentActor) -> dict[str, Any]:
    return {"policy": state.policy.model_dump(mode="json"), "analyzer": state.analyzer is not None}


@router.post("/admissibility", summary="申诉受理审查")
def admissibility(body: AdmissibilityIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    """By the rules of the body the organisation's customers turn to: the 通信管理局 (12300) for a
    telecom organisation, 市场监管 (12315) for any other."""
    facts = AppealFacts(now=state.clock(), **body.model_dump())
    telecom = appeal_time_limits_bind(state.policy.industry)
    return check_admissibility(facts, state.policy.admissibility, telecom=telecom).to_dict()
