"""The issue topic: a short key for the affected service or place, to group complaints.

Complaints with the same category and the same topic are candidates for a batch (§3): an
outage in 阳光小区 groups by the place, unsolicited ring-back tones by 彩铃.

>>> find_place("我家住在阳光小区，晚上没信号")
'阳光小区'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping

from tousu.analysis.matcher import Hit

# Longer suffixes first; a single character (村, 区, …) ends a name only when none of these does.
_NAMED_SUFFIXES = (
    "小区", "花园", "新村", "公寓", "大厦", "广场", "家园", "社区", "工业园", "园区", "校区", "大学", "学院",
    "营业厅", "服务厅", "街道", "大街",
)  # fmt: skip
_SUFFIXES = "|".join((*_NAMED_SUFFIXES, "村", "镇", "乡", "路(?!由)", "县", "区", "市"))  # 路由 is a router
_PLACE = re.compile(rf"[\u4e00-\u9fffa-z0-9]{{2,8}}?(?:{_SUFFIXES})")
# Every position where a suffix starts (新村 and its 村 too): a place name ends 2 to 8 characters after its start.
_SUFFIX_AT = re.compile(f"(?=(?:{_SUFFIXES}))")
# Words that end the lead-in before a place name: 我家住在|阳光小区.
_LEAD_IN = re.compile(
    r".*(?:住在|位于|附近|整个|这个|那个|我们|你们|他们|我家|所在|在|住|到|去|从|是|的|了|和|与|及|跟|我|这|那|个|全|整|该|本)"
)
_NOT_A_NAME_END = set("线网套思道走出上半马电一小这那们个超")  # 超市 is a shop, not a city

# Categories whose complaints are about a place rather than a service.
_PLACE_CATEGORIES = frozenset({"network"})


def find_place(text: str) -> str | None:
    for match in _places(text):
        found = match.group(0)
        lead = _LEAD_IN.match(found)
        name = found[lead.end() :] if lead else found
        suffix_start = _suffix_start(name)
        stem = name[:suffix_start]
        if len(stem) >= 2 and stem[-1] not in _NOT_A_NAME_END:
            return name
    return None


def _places(text: str) -> Iterator[re.Match[str]]:
    """What `_PLACE.finditer(text)` finds, trying only the positions 2 to 8 characters before a
    suffix: elsewhere the lazy name would be tried at every length, at every character."""
    suffixes = [match.start() for match in _SUFFIX_AT.finditer(text)]
    if not suffixes:
        return
    starts = sorted({start for suffix in suffixes for start in range(max(0, suffix - 8), suffix - 1)})
    resume = 0
    for start in starts:
        if start < resume:
            continue
        match = _PLACE.match(text, start)
        if match is not None:
            resume = match.end()
            yield match


def _suffix_start(name: str) -> int:
    for suffix in _NAMED_SUFFIXES:
        if name.endswith(suffix):
            return len(name) - len(suffix)
    return len(name) - 1


def issue_topic(
    category: str,
    category_name: str,
    topic_hits: list[Hit],
    topic_categories: Mapping[str, frozenset[str]],
    place: str | None,
    venues: frozenset[str] = frozenset(),
) -> str:
    """The place for area problems, else the service most mentioned, else the category name.

    A topic of the complaint's category comes first; then the business the complaint is about
    before `venues`, the hall or hotline where it was raised (a package sold in a hall is a
    package matter); then the most mentioned, then the first.

    >>> hits = [Hit("topic", "营业厅服务", 2, 5, "营业厅", 1.0), Hit("topic", "套餐", 7, 9, "套餐", 1.0)]
    >>> issue_topic("marketing", "营销活动", hits, {"套餐": frozenset({"plan"})}, None, frozenset({"营业厅服务"}))
    '套餐'
    """
    if place and category in _PLACE_CATEGORIES:
        return place
    counts = Counter(hit.code for hit in topic_hits)
    if counts:
        first_seen: dict[str, int] = {}
        for hit in topic_hits:
            first_seen.setdefault(hit.code, hit.start)

        def rank(code: str) -> tuple[int, int, int, int]:
            fits = category in topic_categories.get(code, frozenset())
            return (int(fits), int(code not in venues), counts[code], -first_seen[code])

        return max(counts, key=rank)
    return place or category_name
