"""Check one staff reply against the service-language rules (domain §9).

>>> result = check_reply("您搞錯了")
>>> [(p.start, p.end, p.suggestion) for p in result.problems]
[(0, 4, '我觉得我们的沟通存在误解')]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from tousu.knowledge.language import LanguageRules, PhraseRule, packaged_language_rules
from tousu.matching import MatchView
from tousu.quality.promises import find_promises
from tousu.quality.results import Deduction, MissingElement, Problem, ReplyCheck, grade_for
from tousu.text import fold

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_SOFT_PUNCTUATION = "，,、；;：: \t"
_HARD_PUNCTUATION = "。！!？?…\n"
_SEVERITY_NAMES = {"forbidden": "禁用", "discouraged": "不建议"}

TurnOf = Callable[[int], int | None]


def require_text(text: object, what: str) -> str:
    """Refuse what cannot be checked, with a message fit to show the user."""
    if not isinstance(text, str):
        raise TypeError(f"{what}必须是字符串 (expected str, got {type(text).__name__})")
    if not text.strip():
        raise ValueError(f"{what}内容为空，请提供需要检查的文本")
    return text


def find_problems(
    view: MatchView,
    original: str,
    rules: LanguageRules,
    *,
    turn_of: TurnOf | None = None,
    industry: str | None = None,
) -> list[Problem]:
    """Phrase problems in `view`, one per stretch of text: forbidden beats discouraged, longer beats shorter.

    `turn_of` maps an offset in `original` to the dialogue turn holding it; `industry` keeps the
    rules for that industry's staff (a shop is not told of the telecom 申诉时限).
    """
    candidates: list[tuple[PhraseRule, int, int]] = []
    for rule in rules.phrases_for(industry):
        for start, end in rules.phrase_spans(rule, view):
            candidates.append((rule, *view.span(start, end)))
    candidates.sort(key=lambda c: (c[0].severity != "forbidden", -(c[2] - c[1]), c[1]))
    taken = bytearray(len(original))
    problems: list[Problem] = []
    for rule, start, end in candidates:
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        problems.append(_problem(rule, start, end, original, turn_of(start) if turn_of else None))
    problems.sort(key=lambda p: p.start)
    return problems


def _problem(rule: PhraseRule, start: int, end: int, original: str, turn: int | None) -> Problem:
    return Problem(
        start=start,
        end=end,
        text=original[start:end],
        code=rule.code,
        name=rule.name,
        kind=rule.kind,
        severity=rule.severity,
        message=rule.reason,
        suggestion=rule.suggestion,
        alternatives=tuple(rule.replacement[1:]) if rule.replacement else (),
        deduction=rule.deduction,
        turn=turn,
    )


def present_elements(texts: Iterable[str], rules: LanguageRules) -> tuple[str, ...]:
    """Codes of the good-reply elements found in any of the matching-form `texts`."""
    texts = list(texts)
    return tuple(
        element.code for element in rules.elements if any(element.patterns.search(text) is not None for text in texts)
    )


def missing_elements(present: Sequence[str], rules: LanguageRules) -> tuple[MissingElement, ...]:
    return tuple(
        MissingElement(
            code=element.code,
            name=element.name,
            level=element.level,
            message=element.message,
            examples=element.examples,
            deduction=element.deduction,
        )
        for element in rules.elements
        if element.code not in present
    )


def phrase_deductions(problems: Sequence[Problem]) -> list[Deduction]:
    counts = Counter(p.code for p in problems)
    first = {p.code: p for p in reversed(problems)}
    return [
        Deduction(
            code=code,
            reason=f"{first[code].name}（{_SEVERITY_NAMES[first[code].severity]}用语）",
            count=count,
            points=first[code].deduction * count,
        )
        for code, count in counts.items()
    ]


def missing_deductions(missing: Sequence[MissingElement]) -> list[Deduction]:
    return [
        Deduction(code=m.code, reason=f"缺少：{m.name}", count=1, points=m.deduction) for m in missing if m.deduction
    ]


def score_of(deductions: Sequence[Deduction]) -> int:
    return max(0, 100 - sum(d.points for d in deductions))


def notes_for(matching_text: str) -> tuple[str, ...]:
    if not _CJK.search(matching_text):
        return ("文本中没有中文内容，检查结果仅供参考",)
    return ()


def _cut_range(text: str, start: int, end: int, floor: int) -> tuple[int, int]:
    """The range to delete for text[start:end], taking the punctuation that would be left dangling."""
    after = end
    while after < len(text) and text[after] in _SOFT_PUNCTUATION:
        after += 1
    if after > end:
        return start, after
    before = start
    while before > floor and text[before - 1] in _SOFT_PUNCTUATION:
        before -= 1
    if before == 0 or text[before - 1] in _HARD_PUNCTUATION:
        while after < len(text) and text[after] in _HARD_PUNCTUATION and text[after] != "\n":
            after += 1
    return before, after


def rewrite(original: str, problems: Sequence[Problem]) -> str:
    """`original` with every suggestion applied; phrases never to be said are removed."""
    pieces: list[str] = []
    cursor = 0
    for problem in sorted(problems, key=lambda p: p.start):
        if problem.suggestion is None:
            cut_start, cut_end = _cut_range(original, problem.start, problem.end, cursor)
            pieces.append(original[cursor:cut_start])
            cursor = cut_end
        else:
            pieces.append(original[cursor : problem.start])
            pieces.append(problem.suggestion)
            cursor = problem.end
    pieces.append(original[cursor:])
    return "".join(pieces)


def check_reply(text: str, *, rules: LanguageRules | None = None, industry: str | None = None) -> ReplyCheck:
    """Check one staff reply: problems with offsets into `text`, missing elements, score, rewrite;
    with `industry`, by the phrase rules for its staff.

    Raises ValueError (Chinese message) for empty or blank text.
    """
    require_text(text, "回复")
    rules = rules or packaged_language_rules()
    view = MatchView.of(fold(text))
    problems = find_problems(view, text, rules, industry=industry)
    present = present_elements([view.text], rules)
    missing = missing_elements(present, rules)
    deductions = phrase_deductions(problems) + missing_deductions(missing)
    score = score_of(deductions)
    return ReplyCheck(
        score=score,
        grade=grade_for(score),
        problems=tuple(problems),
        missing=missing,
        present=present,
        deductions=tuple(deductions),
        promises=tuple(find_promises(view, text, rules)),
        rewritten=rewrite(text, problems),
        notes=notes_for(view.text),
    )
