"""Text endpoints: the analyzer (what to do and say) and the reply checker (质检)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from tousu.api.deps import CurrentActor, State
from tousu.api.errors import documented
from tousu.api.schemas import TRANSCRIPT_CHARS, _In
from tousu.domain.codes import Channel
from tousu.services.errors import Invalid, ServiceError

router = APIRouter(prefix="/api/v1", tags=["text"], responses=documented(400, 401, 403, 413, 422))


class AnalyzeIn(_In):
    text: str = Field(max_length=TRANSCRIPT_CHARS)
    industry: str | None = Field(
        None, max_length=32, description="the organisation's industry (the policy's) when not given"
    )
    channel: Channel | None = Field(
        None, description="where the complaint came in; lines meant for a meeting in person are left out elsewhere"
    )


class CheckReplyIn(_In):
    text: str = Field(max_length=TRANSCRIPT_CHARS)
    dialogue: bool = Field(False, description="a whole transcript with speaker tags (客户：/客服：)")


class Unavailable(ServiceError):
    status = 503


@router.post("/analyze", summary="分析投诉文本：分类、诉求、情绪、紧急信号与应对建议", responses=documented(503))
def analyze(body: AnalyzeIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    if state.analyzer is None:
        raise Unavailable("analyzer_unavailable", "分析器未安装或未启用。")
    policy = state.policy
    industry = body.industry or policy.industry
    if industry not in state.analyzer.kb.industries:
        known = "、".join(f"{code}（{name}）" for code, name in state.analyzer.kb.industry_names.items())
        raise Invalid("unknown_industry", f"没有这个行业：{industry}。可用：{known}", "industry")
    authority = policy.authority.by_role[actor.role].model_dump()
    try:
        result = state.analyzer.analyze(
            body.text,
            role=actor.role.value,
            authority=authority,
            industry=industry,
            channel=body.channel.value if body.channel is not None else None,
        )
    except ValueError as exc:
        raise Invalid("nothing_to_analyze", str(exc), "text") from None
    return result.to_dict()


@router.post("/check-reply", summary="质检：检查答复或对话中的禁忌用语与缺失要素")
def check_reply(body: CheckReplyIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    from tousu.quality import check_dialogue
    from tousu.quality import check_reply as check
    from tousu.quality.dialogue import analyzer_demand_reader

    # The customer's demands are read by the analyzer in use (the organisation's model, if any).
    analyzer = state.analyzer
    reader = analyzer_demand_reader(analyzer) if analyzer is not None else None
    try:
        # The phrase rules for the organisation's staff: a shop is not told of telecom law.
        industry = state.policy.industry
        result = (
            check_dialogue(body.text, read_demands=reader, industry=industry)
            if body.dialogue
            else check(body.text, industry=industry)
        )
    except ValueError as exc:
        raise Invalid("nothing_to_check", str(exc), "text") from None
    return result.to_dict()
