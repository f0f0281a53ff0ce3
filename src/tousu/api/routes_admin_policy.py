"""The administrators' policy overrides: read the policy in force and change it (admins only).

A refused value answers 422 with `field` (the setting's key) and `problems` (one per refused
setting, its message in Chinese); a stale `version` answers 409. Nothing is stored on a refusal.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tousu.api.deps import Admin, AppState, State
from tousu.api.errors import documented, error_body
from tousu.domain import policy_overrides as po
from tousu.domain.policy import Policy
from tousu.services import policy_settings
from tousu.services.actors import Actor

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], responses=documented(400, 401, 403, 413, 422))
_WRITES = documented(400, 409, 413, 422)

Key = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Overrides = Annotated[dict[Key, Any], Field(max_length=policy_settings.MAX_KEYS)]


class PolicyPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    overrides: Overrides = Field(description="the whole override document: setting key → value")
    version: int | None = Field(None, ge=0, le=2147483647, description="the version read; 409 if it moved")


class PolicyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    set: Overrides = Field(default_factory=dict, description="setting key → new value")
    reset: list[Key] = Field(
        default_factory=list, max_length=policy_settings.MAX_KEYS, description="keys brought back to the file/default"
    )
    version: int | None = Field(None, ge=0, le=2147483647, description="the version read; 409 if it moved")


def _answer(state: AppState) -> dict[str, Any]:
    base = state.policies.base
    with state.read() as conn:
        stored = policy_settings.load(conn)
        effective = policy_settings.effective(base, stored.overrides)
        halls = policy_settings.teams(conn, effective)
    defaults, file = Policy().model_dump(mode="json"), base.model_dump(mode="json")
    return {
        "version": stored.version,
        "changed_by": stored.changed_by,
        "changed_at": stored.changed_at,
        "policy": effective.model_dump(mode="json"),
        "halls": halls,
        "overrides": [
            {
                "key": key,
                "name": po.label(key),
                "value": value,
                "file_value": policy_settings.shown(po.value_at(file, key)),
                "default_value": policy_settings.shown(po.value_at(defaults, key)),
            }
            for key, value in stored.overrides.items()
        ],
    }


def _change(state: AppState, actor: Actor, **kw: Any) -> Any:
    try:
        with state.write() as conn:
            policy_settings.change(conn, base=state.policies.base, actor=actor, now=state.clock(), **kw)
    except policy_settings.PolicyInvalid as exc:
        problems = [{"field": e.key, "message": e.message} for e in exc.errors]
        return JSONResponse(error_body(exc.code, exc.message, exc.field, problems=problems), status_code=422)
    state.policies.recheck()  # this process at once; the others within seconds
    return _answer(state)


@router.get("/policy", summary="当前生效的业务规则与管理员设置")
def get_policy(state: State, actor: Admin) -> dict[str, Any]:
    """The policy in force (defaults ← policy file ← administrators' overrides), the override
    document's `version`, who changed it last and when, each override with the file's and the
    default value it replaces, and the known `halls` (teams), the ones a hall calendar may name."""
    return _answer(state)


@router.put("/policy", summary="替换全部管理员设置", responses=_WRITES)
def put_policy(body: PolicyPut, state: State, actor: Admin) -> Any:
    """Replace the whole override document (`{}` brings every setting back to the file/default)."""
    return _change(state, actor, set_values=body.overrides, replace=True, expected_version=body.version)


@router.patch("/policy", summary="修改或恢复部分设置", responses=_WRITES)
def patch_policy(body: PolicyPatch, state: State, actor: Admin) -> Any:
    """Set the keys in `set` (e.g. `{"authority.by_role.manager.max_refund": 500}`, or a hall's
    own calendar: `{"sla.hall_calendars.思明营业厅": {"hours": {"opens": "08:30", "closes": "20:00"},
    "weekdays": [0, 1, 2, 3, 4, 5, 6]}}`, for one of the known `halls`) and bring those in
    `reset` back to the file's value or the default (a hall calendar reset: the hall follows the
    channel's calendar again)."""
    return _change(state, actor, set_values=body.set, reset=body.reset, expected_version=body.version)
