"""Printable documents of a complaint: the settlement confirmation (处理确认单) for the customer's
signature, the written reply (书面答复) and the reply to a transferring regulator or hotline,
named and addressed as its source's procedure has it (申诉回复 to 12300, 投诉处理情况回复 to 12315:
codes.transfer_reply).

Each is an HTML page with a print stylesheet, or a PDF printed from it by headless Chromium when
the server has it. Every print is recorded in the complaint's timeline as a `printed` event that
says which (`output`: the page printed, which its script reports after the browser's print dialog,
or the PDF downloaded); opening the page to read it is not a print. The event does not change the
complaint, so it does not bump its version (an open complaint page stays current).

Every document states the complaint as a neutral summary (its category, amount, date and, in the
letters, what the customer asks for), never the customer's own words: those may hold threats or
insults that have no place in a formal letter nor above their signature. The reply to a transfer
takes the case number recorded with the transfer unless another is given, and is refused for a
complaint that nobody transferred.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from tousu.api.deps import AppState, CurrentActor, State
from tousu.api.schemas import MAX_ID, printable
from tousu.domain.codes import TRANSFER_REPLY, Category, Demand, transfer_reply
from tousu.domain.deadlines import LOCAL
from tousu.domain.remedies import Item
from tousu.knowledge import KnowledgeBaseError
from tousu.knowledge.remedies import load_remedy_rules
from tousu.services import complaints as store
from tousu.services import customers, settlements, timeline
from tousu.services.actors import Actor
from tousu.services.customers import mask_phone
from tousu.services.errors import Conflict, Invalid, NotFound
from tousu.services.industry import (
    category_names,
    demand_names,
    demands_as_said,
    transfer_source_names,
    transfer_sources,
)
from tousu.web.auth import PageActor
from tousu.web.render import page, templates

router = APIRouter(include_in_schema=False)

STYLESHEET = Path(__file__).parent / "static" / "print.css"
CHROMIUM = "/usr/bin/chromium"
PDF_SECONDS = 60
MAX_CASE_NUMBER = 50


class DocumentKind(StrEnum):
    SETTLEMENT = "settlement"
    REPLY = "reply"
    REGULATOR = "regulator"


# The reply to a transfer by its general name; a complaint's own is named by its source (document_name).
DOCUMENT_NAMES: dict[DocumentKind, str] = {
    DocumentKind.SETTLEMENT: "处理确认单",
    DocumentKind.REPLY: "书面答复",
    DocumentKind.REGULATOR: TRANSFER_REPLY.title,
}


def document_name(kind: DocumentKind | str, transfer_source: str | None = None) -> str:
    """The document as its reader knows it: the reply to a transfer by the transfer's source
    (投诉处理情况回复 for 12315), the others by their names."""
    kind = DocumentKind(kind)
    return transfer_reply(transfer_source).title if kind is DocumentKind.REGULATOR else DOCUMENT_NAMES[kind]


class Refused(Exception):
    """The document cannot be printed: a Chinese message and the page's status code."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def chinese_date(value: datetime | None) -> str:
    """'2026年12月6日' in Asia/Shanghai; '' for nothing."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL)
    return f"{local.year}年{local.month}月{local.day}日"


class Output(StrEnum):
    """How a document left the system, as its timeline event says: 打印 or 下载PDF."""

    PRINT = "print"
    PDF = "pdf"


# What the customer asks for, by name; threats are not demands a letter repeats.
# Our labels that would judge the customer in a letter (高额赔偿, 霸王条款) are put as they asked.
_AS_ASKED = (Demand.HIGH_COMPENSATION, Demand.UNFAIR_TERMS, Demand.MANAGER)


def letter_demands(industry: str) -> dict[str, str]:
    """The demands as a letter names them, by the organisation's industry's names (a shop's
    cancel is 退货/退卡/解约); threats left out."""
    names, said = demand_names(industry), demands_as_said(industry)
    return {
        d.value: said[d] if d in _AS_ASKED else n
        for d, n in names.items()
        if d not in (Demand.MEDIA_THREAT, Demand.REGULATOR_THREAT)
    }


def _case_number(given: str | None, transferred: str | None, *, industry: str) -> str:
    """The transferring body's case number: the one typed in before printing, else the transfer's."""
    number = (given or "").strip() or (transferred or "").strip()
    if not number:
        sources = transfer_source_names(transfer_sources(industry))
        raise Refused(
            f"该投诉没有登记转办来源和案件编号，不是由{sources}转办的投诉，"
            f"不能打印{DOCUMENT_NAMES[DocumentKind.REGULATOR]}。如确属转办，请先在投诉页面“转办信息”中填写来源和案件编号；"
            "答复客户本人请打印“书面答复”。",
            422,
        )
    if len(number) > MAX_CASE_NUMBER or not printable(number):
        raise Refused(f"案件编号不超过 {MAX_CASE_NUMBER} 个字符，且不能含控制字符，请核对后重新填写。", 422)
    return number


def neutral_summary(
    complaint: dict[str, Any],
    *,
    category_names: Mapping[Category, str],
    demand_names: Mapping[str, str] | None = None,
    who: str = "客户",
) -> str:
    """The complaint as a formal letter states it: its category, the facts recorded (business,
    amount, date) and, given `demand_names` (letter_demands()), what the customer asks for; never
    their words nor their threats.

    '客户反映计费/扣费争议方面的问题，涉及金额 58.00 元，发生于2026年11月20日；诉求：退费。'
    """
    try:
        kind = category_names[Category(complaint["category"])]
    except ValueError:
        kind = category_names[Category.OTHER]
    facts = [f"{who}反映{kind}方面的问题"]
    if complaint.get("topic") and complaint["topic"] != kind:
        facts.append(f"涉及业务：{complaint['topic']}")
    if complaint.get("claimed_amount") is not None:
        facts.append(f"涉及金额 {complaint['claimed_amount']:.2f} 元")
    if complaint.get("occurred_at") is not None:
        facts.append(f"发生于{chinese_date(complaint['occurred_at'])}")
    named = demand_names or {}
    asked = [named[code] for code in complaint.get("demands") or [] if code in named]
    text = "，".join(facts)
    return text + (f"；诉求：{'、'.join(asked)}。" if asked else "。")


def _granted_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The settlements in force (granted within authority or approved), with items named in Chinese."""
    try:
        rules = load_remedy_rules()
        names = {t.value: r.name for t, r in rules.items()}
        titles = {b.code: b.title for r in rules.values() for b in r.bases}
        exceptions = {t.value: r.exception_policy for t, r in rules.items() if r.exception_policy}
    except KnowledgeBaseError:
        names, titles, exceptions = {}, {}, {}

    def basis(item: Item, settlement: dict[str, Any]) -> str:
        if item.basis:
            return titles.get(item.basis, "其他规定")
        if settlement.get("override_reason") and item.type.value in exceptions:
            return f"{exceptions[item.type.value]}（例外批准）"
        return ""

    granted = []
    for s in rows:
        if s["status"] not in settlements.GRANTED:
            continue
        items = [
            {"name": names.get(i.type.value, "处理项目"), "amount": i.amount, "basis": basis(i, s)}
            for i in settlements.items_of(s)
        ]
        granted.append({"description": s["description"], "lines": items})
    return granted


def _context(
    state: AppState, *, complaint_id: int, kind: DocumentKind, actor: Actor, case_number: str | None
) -> dict[str, Any]:
    """What the document shows; NotFound for a complaint this person may not see, Refused when
    the complaint lacks what the document states."""
    if not 1 <= complaint_id <= MAX_ID:
        raise NotFound("complaint_not_found", "投诉不存在。")
    with state.read() as conn:
        row = store.load(conn, complaint_id=complaint_id, actor=actor)
        customer = customers.view(conn, customer_id=row["customer_id"], actor=actor, complaint=row)
        events = store.timeline_of(conn, complaint_id=complaint_id)
        granted = _granted_items(settlements.for_complaint(conn, complaint_id=complaint_id))
    replies = [e for e in events if e["kind"] == "reply" and (e["data"] or {}).get("reply")]
    reply = replies[-1] if replies else None
    number = (
        _case_number(case_number, row["transfer_case_number"], industry=state.policy.industry)
        if kind is DocumentKind.REGULATOR
        else None
    )
    if kind is DocumentKind.SETTLEMENT and not granted:
        raise Refused("该投诉还没有已生效或已批准的处理方案，不能打印处理确认单。请先提出处理方案并待其生效。")
    title = document_name(kind, row["transfer_source"])
    if kind in (DocumentKind.REPLY, DocumentKind.REGULATOR) and reply is None:
        raise Refused(f"该投诉尚未答复客户，不能打印{title}。请先在投诉页面“答复”后再打印。")
    return {
        "kind": kind.value,
        "title": title,
        # The reply to a transfer answers the body's 申诉 or 投诉, addressed to it.
        "transfer": transfer_reply(row["transfer_source"]) if kind is DocumentKind.REGULATOR else None,
        "transfer_source": row["transfer_source"] if kind is DocumentKind.REGULATOR else None,
        "c": row,
        "hall": row["team"] or "客户服务中心",
        "customer_name": customer["name"],
        "customer_phone": mask_phone(customer["phone"]),
        # The matter as agreed, never the customer's words: what they sign or receive does not
        # repeat their threats back to them.
        # The confirmation names what was agreed, not what was asked (a demand refused would
        # read as agreed above the customer's signature).
        "summary": neutral_summary(
            row,
            category_names=category_names(state.policy.industry),
            demand_names=letter_demands(state.policy.industry) if kind is not DocumentKind.SETTLEMENT else None,
            who="您" if kind is DocumentKind.REPLY else "客户",
        ),
        "received_on": chinese_date(row["received_at"]),
        "occurred_on": chinese_date(row["occurred_at"]),
        "reply_text": (reply["data"]["reply"] if reply else ""),
        "replied_on": chinese_date(reply["at"]) if reply else "",
        "settlements": granted,
        "case_number": number,
        "printed_on": chinese_date(state.clock()),
    }


def _record(
    state: AppState, *, complaint_id: int, kind: DocumentKind, output: Output, actor: Actor, context: dict[str, Any]
) -> None:
    """The print in the timeline; the reply to a transfer with the source that names it."""
    data = {
        "document": kind.value,
        "output": output.value,
        **({"transfer_source": context["transfer_source"]} if context["transfer_source"] else {}),
        **({"case_number": context["case_number"]} if context["case_number"] else {}),
    }
    with state.write() as conn:
        timeline.append(conn, complaint_id=complaint_id, kind="printed", actor_id=actor.id, at=state.clock(), data=data)


def _refusal(request: Request, actor: Actor, exc: Refused, complaint_id: int) -> Response:
    return page(
        request,
        "documents/refused.html",
        status_code=exc.status_code,
        actor=actor,
        message=exc.message,
        complaint_id=complaint_id,
    )


def _pdf(html: str) -> bytes | None:
    """The page printed to PDF by headless Chromium; None when it is missing or fails."""
    if shutil.which(CHROMIUM) is None:
        return None
    with tempfile.TemporaryDirectory(prefix="tousu-print-") as work:
        source, target = Path(work) / "document.html", Path(work) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        data = target.read_bytes() if target.exists() else b""
    return data if data.startswith(b"%PDF") else None


# The PDF route comes first: the page's {kind} would otherwise match "settlement.pdf".
@router.get("/complaints/{complaint_id}/documents/{kind}.pdf")
def document_pdf(
    complaint_id: int, kind: DocumentKind, request: Request, state: State, actor: PageActor, case_number: str = ""
) -> Response:
    try:
        context = _context(state, complaint_id=complaint_id, kind=kind, actor=actor, case_number=case_number)
    except NotFound:
        return page(request, "missing.html", status_code=404, actor=actor)
    except Refused as exc:
        return _refusal(request, actor, exc, complaint_id)
    html = (
        templates()
        .get_template("documents/document.html")
        .render(**context, pdf=True, stylesheet=STYLESHEET.read_text(encoding="utf-8"))
    )
    data = _pdf(html)
    if data is None:
        return _refusal(
            request,
            actor,
            Refused("服务器暂时无法生成 PDF。请打开文书页面，点击“打印”，在打印窗口中选择“另存为 PDF”。", 503),
            complaint_id,
        )
    _record(state, complaint_id=complaint_id, kind=kind, output=Output.PDF, actor=actor, context=context)
    name = f"{context['c']['reference']}-{kind.value}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/complaints/{complaint_id}/documents/{kind}")
def document_page(
    complaint_id: int, kind: DocumentKind, request: Request, state: State, actor: PageActor, case_number: str = ""
) -> Response:
    try:
        context = _context(state, complaint_id=complaint_id, kind=kind, actor=actor, case_number=case_number)
    except NotFound:
        return page(request, "missing.html", status_code=404, actor=actor)
    except Refused as exc:
        return _refusal(request, actor, exc, complaint_id)
    query = "?" + urlencode({"case_number": context["case_number"]}) if context["case_number"] else ""
    response: HTMLResponse = page(request, "documents/document.html", actor=actor, pdf=False, query=query, **context)
    return response


class PrintedIn(BaseModel):
    case_number: str | None = Field(None, max_length=MAX_CASE_NUMBER)


@router.post("/api/v1/complaints/{complaint_id}/documents/{kind}/printed", status_code=204, include_in_schema=False)
def document_printed(
    complaint_id: int, kind: DocumentKind, body: PrintedIn, state: State, actor: CurrentActor
) -> Response:
    """The document page's script reports a print (after the browser's print dialog): the event
    in the timeline. Refused like the page itself for a complaint that cannot support the document."""
    try:
        context = _context(state, complaint_id=complaint_id, kind=kind, actor=actor, case_number=body.case_number)
    except Refused as exc:
        refusal = Conflict if exc.status_code == 409 else Invalid
        raise refusal("document_refused", exc.message) from None
    _record(
        state,
        complaint_id=complaint_id,
        kind=kind,
        output=Output.PRINT,
        actor=actor,
        context=context,
    )
    return Response(status_code=204)
