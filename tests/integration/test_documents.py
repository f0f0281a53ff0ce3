"""Printable documents from the complaint page: what they show, who may print them, what each print
records in the timeline, and the refusals when the complaint lacks what a document states."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.integration.conftest import Api, complaint_body
from tousu.web import documents

PHONE = "13900001111"


def _page(api: Api, path: str, who: str | None) -> Any:
    headers = {"Cookie": f"tousu_session={api.tokens[who]}"} if who else {}
    api.client.cookies.clear()
    return api.client.get(path, headers=headers, follow_redirects=False)


def _complaint(api: Api) -> dict[str, Any]:
    body = complaint_body(channel="hall", category="billing", demands=["refund"])
    created = api.post("/complaints", "agent1", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _printed(api: Api, complaint_id: int) -> list[dict[str, Any]]:
    events = api.get(f"/complaints/{complaint_id}/events", "agent1").json()["events"]
    return [e for e in events if e["kind"] == "printed"]


def _report_print(api: Api, complaint_id: int, kind: str, case_number: str | None = None) -> Any:
    """What the document page's script sends once the browser's print dialog closes."""
    return api.post(f"/complaints/{complaint_id}/documents/{kind}/printed", "agent1", {"case_number": case_number})


def _version(api: Api, complaint_id: int) -> int:
    return int(api.get(f"/complaints/{complaint_id}", "agent1").json()["version"])


def _settle(api: Api, complaint: dict[str, Any]) -> None:
    proposal = api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": _version(api, complaint["id"]), "refund": 58, "description": "退还重复扣取的58元"},
    )
    assert proposal.status_code == 201, proposal.text
    # Beyond an agent's 50 yuan: the document waits for the manager's approval.
    assert proposal.json()["status"] == "pending_approval", proposal.text
    waiting = _page(api, f"/complaints/{complaint['id']}/documents/settlement", "agent1")
    assert waiting.status_code == 409
    decision = api.post(f"/settlements/{proposal.json()['id']}/decision", "manager1", {"approve": True})
    assert decision.status_code == 200, decision.text
    assert decision.json()["status"] == "approved"


def _reply(api: Api, complaint: dict[str, Any], text: str) -> None:
    body = {"version": _version(api, complaint["id"]), "reply": text}
    answered = api.post(f"/complaints/{complaint['id']}/reply", "agent1", body)
    assert answered.status_code == 200, answered.text


def test_the_settlement_confirmation_shows_the_items_and_the_signature_lines(api: Api) -> None:
    complaint = _complaint(api)
    url = f"/complaints/{complaint['id']}/documents/settlement"
    refused = _page(api, url, "agent1")
    assert refused.status_code == 409
    assert "还没有已生效或已批准的处理方案" in refused.text
    assert _printed(api, complaint["id"]) == []

    _settle(api, complaint)
    version = _version(api, complaint["id"])
    shown = _page(api, url, "agent1")
    assert shown.status_code == 200, shown.text
    text = shown.text
    for expected in ("处理确认单", "思明营业厅", complaint["reference"], "王先生", "139****1111", "2026年11月23日"):
        assert expected in text, expected
    assert "退费" in text and "58.00" in text
    assert "客户签字" in text and "经办人" in text and "日期" in text
    assert PHONE not in text
    assert '<script src="/static/print.js">' in text and "/static/print.css" in text
    assert _printed(api, complaint["id"]) == []  # reading it is not printing it

    assert _report_print(api, complaint["id"], "settlement").status_code == 204
    printed = _printed(api, complaint["id"])
    assert [e["data"]["document"] for e in printed] == ["settlement"]
    assert _version(api, complaint["id"]) == version  # a print changes nothing of the complaint
    timeline = _page(api, f"/complaints/{complaint['id']}", "agent1").text
    assert "打印文书" in timeline and "文书：处理确认单" in timeline and "方式：打印" in timeline


def test_the_written_reply_and_the_regulator_reply_need_a_recorded_reply(api: Api) -> None:
    complaint = _complaint(api)
    base = f"/complaints/{complaint['id']}/documents"
    assert "尚未答复客户" in _page(api, f"{base}/reply", "agent1").text
    assert _page(api, f"{base}/reply", "agent1").status_code == 409
    assert _page(api, f"{base}/regulator?case_number=GX-2026-001", "agent1").status_code == 409

    _reply(api, complaint, "经核查，重复扣取的58元已于今日退回您的账户。")
    reply = _page(api, f"{base}/reply", "agent1")
    assert reply.status_code == 200
    assert "书面答复" in reply.text and "经核查，重复扣取的58元已于今日退回您的账户。" in reply.text
    assert "客户签字" not in reply.text and "经办人" in reply.text

    missing = _page(api, f"{base}/regulator", "agent1")
    assert missing.status_code == 422 and "案件编号" in missing.text
    too_long = _page(api, f"{base}/regulator?case_number={'9' * 51}", "agent1")
    assert too_long.status_code == 422
    regulator = _page(api, f"{base}/regulator?case_number=%E9%97%BD12300-2026-0815", "agent1")
    assert regulator.status_code == 200
    # No source recorded, only a number typed in: the reply by its general name, to nobody named.
    assert "<h1>转办回复</h1>" in regulator.text and "闽12300-2026-0815" in regulator.text
    assert 'id="addressee"' not in regulator.text
    assert "经核查" in regulator.text

    assert _report_print(api, complaint["id"], "reply").status_code == 204
    assert _report_print(api, complaint["id"], "regulator", "闽12300-2026-0815").status_code == 204
    printed = _printed(api, complaint["id"])
    assert [e["data"]["document"] for e in printed] == ["reply", "regulator"]
    assert printed[1]["data"]["case_number"] == "闽12300-2026-0815"


@pytest.mark.parametrize("who, status", [("agent_b", 404), ("agent2", 200), ("manager1", 200), ("director1", 200)])
def test_only_those_who_see_the_complaint_print_it(api: Api, who: str, status: int) -> None:
    complaint = _complaint(api)
    _reply(api, complaint, "已为您退回重复扣费。")
    answer = _page(api, f"/complaints/{complaint['id']}/documents/reply", who)
    assert answer.status_code == status
    if status == 404:
        assert "王先生" not in answer.text and complaint["reference"] not in answer.text
        assert _page(api, f"/complaints/{complaint['id']}/documents/reply.pdf", who).status_code == 404
        unseen = api.post(f"/complaints/{complaint['id']}/documents/reply/printed", who, {})
        assert unseen.status_code == 404
        assert _printed(api, complaint["id"]) == []
    anonymous = _page(api, f"/complaints/{complaint['id']}/documents/reply", None)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")


def test_without_chromium_the_pdf_answers_503_and_records_nothing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    complaint = _complaint(api)
    _reply(api, complaint, "已为您退回重复扣费。")
    monkeypatch.setattr(documents, "CHROMIUM", "/nonexistent/chromium")
    answer = _page(api, f"/complaints/{complaint['id']}/documents/reply.pdf", "agent1")
    assert answer.status_code == 503
    assert "另存为 PDF" in answer.text
    assert _printed(api, complaint["id"]) == []


@pytest.mark.skipif(shutil.which(documents.CHROMIUM) is None, reason="Chromium is not installed")
def test_the_pdf_is_printed_by_chromium(api: Api) -> None:
    complaint = _complaint(api)
    _settle(api, complaint)
    answer = _page(api, f"/complaints/{complaint['id']}/documents/settlement.pdf", "agent1")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert [e["data"]["document"] for e in _printed(api, complaint["id"])] == ["settlement"]


def _transferred(api: Api, **overrides: Any) -> dict[str, Any]:
    transfer = {"transfer_source": "12300", "transfer_case_number": "闽12300-2026-0815"}
    body = complaint_body(
        channel="hall", category="billing", demands=["refund", "media_threat"], **transfer | overrides
    )
    created = api.post("/complaints", "agent1", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_the_regulator_reply_takes_the_case_number_of_the_transfer(api: Api) -> None:
    transferred = _transferred(api)
    _reply(api, transferred, "经核查，重复扣取的58元已于今日退回您的账户。")
    regulator = _page(api, f"/complaints/{transferred['id']}/documents/regulator", "agent1")
    assert regulator.status_code == 200, regulator.text
    assert "申诉回复" in regulator.text and "闽12300-2026-0815" in regulator.text
    typed = _page(api, f"/complaints/{transferred['id']}/documents/regulator?case_number=GX-9", "agent1")
    assert typed.status_code == 200 and "GX-9" in typed.text  # a number typed in wins
    assert _report_print(api, transferred["id"], "regulator").status_code == 204
    assert _report_print(api, transferred["id"], "regulator", "GX-9").status_code == 204
    cases = [e["data"]["case_number"] for e in _printed(api, transferred["id"])]
    assert cases == ["闽12300-2026-0815", "GX-9"]


def test_the_regulator_reply_is_refused_for_a_complaint_nobody_transferred(api: Api) -> None:
    walk_in = _complaint(api)
    _reply(api, walk_in, "已为您退回重复扣费。")
    refused = _page(api, f"/complaints/{walk_in['id']}/documents/regulator", "agent1")
    assert refused.status_code == 422
    assert "不是由12300(电信用户申诉受理中心)、12315(市场监管)、工信部/通信管理局转办的投诉" in refused.text
    assert "转办信息" in refused.text  # and where to record the transfer if there is one
    assert _printed(api, walk_in["id"]) == []
    reported = _report_print(api, walk_in["id"], "regulator")
    assert reported.status_code == 422 and "不是由12300" in reported.json()["error"]["message"]
    assert _printed(api, walk_in["id"]) == []


def test_the_documents_state_the_complaint_neutrally_without_the_customers_threats(api: Api) -> None:
    words = "这个月被重复扣费两次，每次58元，要求双倍返还，不处理我就找记者曝光。"
    complaint = _transferred(api, content=words, claimed_amount=58, occurred_at="2026-11-20T09:30:00+08:00")
    _reply(api, complaint, "经核查，重复扣取的58元已于今日退回您的账户。")
    _settle(api, complaint)
    base = f"/complaints/{complaint['id']}/documents"
    for kind in ("reply", "regulator", "settlement"):
        letter = _page(api, f"{base}/{kind}", "agent1")
        assert letter.status_code == 200, letter.text
        assert words not in letter.text and "记者" not in letter.text and "曝光" not in letter.text
        for fact in ("计费/扣费争议", "58.00 元", "2026年11月20日", "退费"):
            assert fact in letter.text, (kind, fact)
        summary = letter.text.split('id="summary">')[1].split("</div>")[0]
        # The letters answer what was asked; the confirmation states only what was agreed.
        assert ("诉求" in summary) is (kind != "settlement"), (kind, summary)


def test_an_exception_is_printed_as_one_on_the_confirmation(api: Api) -> None:
    complaint = _complaint(api)
    proposal = api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": _version(api, complaint["id"]), "compensation": 50, "description": "挽留客户"},
    ).json()
    assert proposal["approver_role"] == "director"  # no basis: the director's exception
    decided = api.post(
        f"/settlements/{proposal['id']}/decision", "director1", {"approve": True, "override_reason": "老客户挽留"}
    )
    assert decided.status_code == 200, decided.text
    printed = _page(api, f"/complaints/{complaint['id']}/documents/settlement", "agent1").text
    row = printed.split("<tbody>")[1].split("</tbody>")[0]
    assert "赔偿" in row and "（例外批准）" in row


@pytest.mark.skipif(shutil.which(documents.CHROMIUM) is None, reason="Chromium is not installed")
def test_the_timeline_tells_a_print_from_a_pdf_download(api: Api) -> None:
    complaint = _complaint(api)
    _reply(api, complaint, "已为您退回重复扣费。")
    assert _report_print(api, complaint["id"], "reply").status_code == 204
    assert _page(api, f"/complaints/{complaint['id']}/documents/reply.pdf", "agent1").status_code == 200
    timeline = _page(api, f"/complaints/{complaint['id']}", "agent1").text
    assert "方式：打印" in timeline and "方式：下载PDF" in timeline


def test_the_complaint_page_offers_the_regulator_reply_only_for_a_transfer_with_its_number(api: Api) -> None:
    transferred = _transferred(api)
    page = _page(api, f"/complaints/{transferred['id']}", "agent1").text
    assert 'id="print-regulator"' in page and 'value="闽12300-2026-0815"' in page
    walk_in = _page(api, f"/complaints/{_complaint(api)['id']}", "agent1").text
    assert 'id="print-regulator"' not in walk_in and 'id="no-regulator-reply"' in walk_in


def test_the_reply_to_a_transfer_is_named_and_addressed_as_its_source_has_it(api: Api) -> None:
    """12300 and the 通信管理局 handle a 申诉: the reply is a 申诉回复 to them. 12315 handles a
    consumer's 投诉: the reply is a 投诉处理情况回复 addressed to the market regulator, in the
    document, the complaint page's button, the timeline and the refusal."""
    telecom = _transferred(api)
    _reply(api, telecom, "经核查，重复扣取的58元已于今日退回您的账户。")
    letter = _page(api, f"/complaints/{telecom['id']}/documents/regulator", "agent1").text
    assert "<h1>申诉回复</h1>" in letter
    assert '<p class="addressee" id="addressee">工业和信息化部电信用户申诉受理中心（12300）：</p>' in letter
    assert "的申诉（案件编号：闽12300-2026-0815）已收悉" in letter

    market = _transferred(api, transfer_source="12315", transfer_case_number="12315-3502-0099")
    complaint_page = _page(api, f"/complaints/{market['id']}", "agent1").text
    assert ">打印投诉处理情况回复（12315(市场监管)）</button>" in complaint_page
    refused = _page(api, f"/complaints/{market['id']}/documents/regulator", "agent1")
    assert refused.status_code == 409 and "不能打印投诉处理情况回复" in refused.text

    _reply(api, market, "经核查，多收的58元已于今日退回。")
    letter = _page(api, f"/complaints/{market['id']}/documents/regulator", "agent1").text
    assert "<title>投诉处理情况回复 · " in letter and "<h1>投诉处理情况回复</h1>" in letter
    assert '<p class="addressee" id="addressee">市场监督管理局（12315）：</p>' in letter
    assert "的投诉（案件编号：12315-3502-0099）已收悉" in letter
    assert "申诉" not in letter.split('id="document"')[1]
    assert _report_print(api, market["id"], "regulator").status_code == 204
    [printed] = _printed(api, market["id"])
    assert printed["data"]["transfer_source"] == "12315"
    timeline = _page(api, f"/complaints/{market['id']}", "agent1").text
    assert "文书：投诉处理情况回复" in timeline and "文书：申诉回复" not in timeline
