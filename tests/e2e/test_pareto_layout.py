"""The 整改 Pareto draws every label where it can be read: inside the picture, clear of the other
labels, and no percentage on a bar, even with every root-cause kind and the longest name first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import SHOTS, api_token, demo_app, file_complaint, served, signed_in_tab
from tousu.domain.improvement import RootCauseKind

pytestmark = pytest.mark.e2e

# The longest names lead, so the first bar's name is the one that hangs furthest left.
COUNTS = {RootCauseKind.MARKETING_DISCLOSURE: 5, RootCauseKind.UNAUTHORISED_SERVICE: 4} | {
    kind: 1
    for kind in RootCauseKind
    if kind not in {RootCauseKind.MARKETING_DISCLOSURE, RootCauseKind.UNAUTHORISED_SERVICE}
}

# Every label's four corners on the screen (rotated names included), and every bar's box.
GEOMETRY = """svg => {
  const corners = el => {
    const box = el.getBBox(), m = el.getScreenCTM();
    return [[box.x, box.y], [box.x + box.width, box.y], [box.x + box.width, box.y + box.height], [box.x, box.y + box.height]]
      .map(([x, y]) => { const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; });
  };
  const frame = svg.getBoundingClientRect();
  return {
    frame: [frame.left, frame.top, frame.right, frame.bottom],
    labels: [...svg.querySelectorAll('text')].map(t => ({text: t.textContent.trim(), cls: t.getAttribute('class') || '', corners: corners(t)})),
    bars: [...svg.querySelectorAll('rect')].map(corners),
  };
}"""


def _overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    """Whether two convex quadrilaterals overlap by more than a hair (separating-axis test)."""
    for quad in (a, b):
        for i in range(4):
            (x1, y1), (x2, y2) = quad[i], quad[(i + 1) % 4]
            axis = (y1 - y2, x2 - x1)
            pa = [axis[0] * x + axis[1] * y for x, y in a]
            pb = [axis[0] * x + axis[1] * y for x, y in b]
            length = (axis[0] ** 2 + axis[1] ** 2) ** 0.5 or 1
            if (min(max(pa), max(pb)) - max(min(pa), min(pb))) / length < 0.5:
                return False
    return True


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = demo_app(Path(tmp_path_factory.mktemp("pareto")))
    token = api_token(app, "agent1")
    with served(app) as base:
        auth = {"Authorization": f"Bearer {token}"}
        n = 0
        for kind, count in COUNTS.items():
            for _ in range(count):
                n += 1
                c = file_complaint(
                    base,
                    token,
                    category="billing",
                    customer={"name": "周女士", "phone": f"13955{n:06d}"},
                    content=f"流量包重复扣费{30 + n}元，要求退还。",
                )
                for action, fields in (
                    ("reply", {"reply": "已退还重复扣费。"}),
                    ("follow-up", {"satisfaction": "satisfied"}),
                    ("close", {"root_cause": "查明的原因", "root_cause_kind": kind.value}),
                ):
                    reply = httpx.post(
                        f"{base}/api/v1/complaints/{c['id']}/{action}",
                        headers=auth,
                        json={"version": c["version"], **fields},
                    )
                    assert reply.status_code == 200, reply.text
                    c = reply.json()
        yield base


@pytest.mark.parametrize("width", [1280, 768])
def test_every_pareto_label_is_inside_the_chart_and_clear_of_the_others(
    browser: Browser, server: str, width: int
) -> None:
    manager = signed_in_tab(browser, server, "manager1")
    manager.set_viewport_size({"width": width, "height": 900})
    manager.goto("/improvement")
    svg = manager.locator("#pareto-chart")
    svg.scroll_into_view_if_needed()
    drawn: dict[str, Any] = svg.evaluate(GEOMETRY)
    SHOTS.mkdir(parents=True, exist_ok=True)
    svg.screenshot(path=str(SHOTS / f"pareto-{width}.png"))
    labels = drawn["labels"]
    names = [label["text"] for label in labels if "bar-name" in label["cls"]]
    assert names[0] == "营销宣传、告知不到位" and "未经客户同意开通业务" in names
    assert len(names) == len(COUNTS)
    assert any(label["text"] == "80%" for label in labels)
    left, top, right, bottom = drawn["frame"]
    for label in labels:
        for x, y in label["corners"]:
            assert left - 0.5 <= x <= right + 0.5 and top - 0.5 <= y <= bottom + 0.5, label["text"]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _overlap(a["corners"], b["corners"]), (a["text"], b["text"])
    for label in labels:
        if "bar-cumulative" in label["cls"] or "bar-count" in label["cls"]:
            for bar in drawn["bars"]:
                assert not _overlap(label["corners"], bar), label["text"]
    manager.context.close()
