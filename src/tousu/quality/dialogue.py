"""Check a whole complaint dialogue: every staff turn like a reply, plus what only a dialogue shows.

Dialogue-level findings (heuristics over the text, see language.yaml `dialogue`):
- arguing back: staff phrases of kind `argue` (不可能, 这是规定, 我们没错, 是您自己...) and staff
  turns that open by contradicting the customer (不是的, 不对...);
- cutting off: a customer turn that breaks off (……, ——, 。。, a trailing comma) followed by a
  staff turn, or a staff phrase of kind `interrupt` (你先听我说, 别说了...); the reverse — the
  customer breaking off the agent — is recorded as information;
- the customer saying they were not understood (你没明白, 我说的是...);
- demands: what the customer asks for is read by the analyzer (the same demand vocabulary, rules
  and model as for complaints; see `DemandReader`), placed in the customer turn where it was said;
  it counts as answered when a later staff turn talks about it (its `answered` words, or, for the
  manager, a senior speaker such as 经理/主任 taking over). Refusing with a reason is an answer;
  silence is not.
- promises: staff sentences with a deadline and an action, and a customer's proposed deadline
  that the agent accepts (客户：我等1个小时，可以吧 / 客服：可以).
The elements of a good reply (empathy, thanks, deadline, closing...) are looked for across
all staff turns together.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from tousu.domain.codes import DEMAND_NAMES
from tousu.knowledge import load_knowledge_base
from tousu.knowledge.language import LanguageRules, packaged_language_rules
from tousu.knowledge.taxonomy import Speakers
from tousu.matching import MatchView
from tousu.quality.checker import (
    find_problems,
    missing_deductions,
    missing_elements,
    notes_for,
    phrase_deductions,
    present_elements,
    require_text,
    score_of,
)
from tousu.quality.promises import deadline_spans, find_promises, sentence_around, sentence_boundaries
from tousu.quality.results import Deduction, DemandStatus, DialogueCheck, Finding, Problem, Promise, Turn, grade_for
from tousu.quality.transcript import parse_transcript
from tousu.text import fold

if TYPE_CHECKING:
    from tousu.analysis import Analyzer

# How much of a broken-off turn is quoted as the evidence of an interruption.
_TAIL = 15

RaisedDemand = tuple[str, int | None, int | None]
"""A demand code and where it was said in the transcript (None, None: read from the whole text)."""
DemandReader = Callable[[str], Sequence[RaisedDemand]]


def analyzer_demand_reader(analyzer: Analyzer) -> DemandReader:
    """The analyzer's demands of a transcript, each at its evidence: one demand vocabulary for
    complaints and for dialogues."""

    def read(transcript: str) -> list[RaisedDemand]:
        raised: list[RaisedDemand] = []
        for demand in analyzer.analyze(transcript, advise=False).demands:
            spans = [(e.start, e.end) for e in demand.evidence if not e.negated]
            raised.extend((demand.code, start, end) for start, end in spans or [(None, None)])
        return raised

    return read


@lru_cache(maxsize=1)
def _bundled_reader() -> DemandReader:
    from tousu.analysis import BUNDLED_MODEL, Analyzer, load_model

    return analyzer_demand_reader(Analyzer(model=load_model(BUNDLED_MODEL)))


class _Findings:
    """Collects findings; each code deducts only for its first `max_count` counted occurrences."""

    def __init__(self, rules: LanguageRules, original: str) -> None:
        self._rules = rules.dialogue.findings
        self._original = original
        self._counts: Counter[str] = Counter()
        self.items: list[Finding] = []

    def add(self, code: str, turn: int, span: tuple[int, int], *, counted: bool = True) -> None:
        """Record a finding whose evidence is original[span[0]:span[1]]."""
        rule = getattr(self._rules, code)
        charged = counted and self._counts[code] < rule.max_count
        if counted:
            self._counts[code] += 1
        start, end = span
        self.items.append(
            Finding(
                code=code,
                name=rule.name,
                message=rule.message,
                turn=turn,
                start=start,
                end=end,
                text=self._original[start:end],
                deduction=rule.deduction if charged else 0,
            )
        )


def _turn_findings(
    turns: Sequence[Turn], views: Sequence[MatchView], problems: Sequence[Problem], log: _Findings, rules: LanguageRules
) -> None:
    cues = rules.dialogue
    for turn, view in zip(turns, views, strict=True):
        following = turns[turn.index + 1] if turn.index + 1 < len(turns) else None
        broke_off = cues.unfinished_turn.search(view.text) is not None
        tail_start = max(0, len(view.text) - _TAIL)
        if turn.role == "customer":
            if broke_off and following is not None and following.role == "staff":
                log.add("cut_off", turn.index, view.span(tail_start, len(view.text)))
            if (signal := cues.misunderstood_signals.search(view.text)) is not None:
                log.add("misunderstood", turn.index, view.span(*signal.span()))
            continue
        if broke_off and following is not None and following.role == "customer":
            log.add("customer_interrupted", turn.index, view.span(tail_start, len(view.text)))
        previous = turns[turn.index - 1] if turn.index else None
        opener = cues.contradiction_openers.search(view.text)
        if opener is not None and previous is not None and previous.role == "customer":
            log.add("argue_back", turn.index, view.span(*opener.span()))
    for problem in problems:
        code = {"argue": "argue_back", "interrupt": "cut_off"}.get(problem.kind)
        if code is not None and problem.turn is not None:
            # Already charged as a phrase problem: recorded here without a second deduction.
            log.add(code, problem.turn, (problem.start, problem.end), counted=False)


def _demands(
    turns: Sequence[Turn],
    views: Sequence[MatchView],
    raised_demands: Sequence[RaisedDemand],
    original: str,
    log: _Findings,
    rules: LanguageRules,
) -> list[DemandStatus]:
    customer = [turn for turn in turns if turn.role == "customer"]
    if not customer:
        return []
    # Per demand, the turns it was raised in, each with the first place it was said there.
    raised: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for code, start, end in sorted(raised_demands, key=lambda r: (r[1] is None, r[1] or 0)):
        if start is None or end is None:  # no words to point at: the first thing the customer said
            first = customer[0]
            raised[code].setdefault(first.index, (first.start, first.end))
            continue
        said_in = next((t for t in customer if t.start <= start < t.end), None)
        if said_in is not None:
            raised[code].setdefault(said_in.index, (start, end))
    statuses: list[DemandStatus] = []
    for rule in rules.demands:
        if rule.code not in raised:
            continue
        raises = sorted((turn, start, end) for turn, (start, end) in raised[rule.code].items())
        first_turn, first_start, first_end = raises[0]
        answered_in = next(
            (
                turn.index
                for turn in turns[first_turn + 1 :]
                if turn.role == "staff"
                and (
                    rule.answered.search(views[turn.index].text) is not None
                    or (rule.answered_by_senior and turn.senior)
                )
            ),
            None,
        )
        statuses.append(
            DemandStatus(
                code=str(rule.code),
                name=DEMAND_NAMES[rule.code],
                raised_in_turns=tuple(turn for turn, _, _ in raises),
                text=original[first_start:first_end],
                answered=answered_in is not None,
                answered_in_turn=answered_in,
            )
        )
        if answered_in is None:
            log.add("unanswered_demand", first_turn, (first_start, first_end))
        if len(raises) >= rules.dialogue.repeated_demand_times:
            turn_index, start, end = raises[rules.dialogue.repeated_demand_times - 1]
            log.add("repeated_demand", turn_index, (start, end))
    return statuses


def _accepted_proposals(
    turns: Sequence[Turn], views: Sequence[MatchView], original: str, rules: LanguageRules, own: set[int]
) -> list[Promise]:
    """Deadlines a customer proposed that the next staff turn simply accepted (可以/好的/行...)."""
    promises: list[Promise] = []
    for turn in turns:
        previous = turns[turn.index - 1] if turn.index else None
        if turn.role != "staff" or turn.index in own or previous is None or previous.role != "customer":
            continue
        if rules.promises.accept_replies.search(views[turn.index].text) is None:
            continue
        proposal = views[previous.index]
        boundaries = sentence_boundaries(proposal)
        for start, end in deadline_spans(proposal, rules):
            deadline_start, deadline_end = proposal.span(start, end)
            text_start, text_end = proposal.span(*sentence_around(proposal, boundaries, start, end))
            promises.append(
                Promise(
                    turn=turn.index,
                    start=deadline_start,
                    end=deadline_end,
                    deadline=original[deadline_start:deadline_end],
                    text=f"{original[text_start:text_end].strip()} —— {turn.text}",
                    accepted_from_customer=True,
                )
            )
    return promises


def _staff_only(folded: str, staff: Sequence[Turn]) -> str:
    """`folded` with everything outside staff turns turned into line breaks: same length, and
    no pattern can run from one turn into the next."""
    pieces: list[str] = []
    cursor = 0
    for turn in staff:
        pieces.append("\n" * (turn.start - cursor))
        pieces.append(folded[turn.start : turn.end])
        cursor = turn.end
    pieces.append("\n" * (len(folded) - cursor))
    return "".join(pieces)


def _finding_deductions(findings: Sequence[Finding]) -> list[Deduction]:
    charged: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.deduction:
            charged[finding.code].append(finding)
    return [
        Deduction(code=code, reason=items[0].name, count=len(items), points=sum(f.deduction for f in items))
        for code, items in charged.items()
    ]


def check_dialogue(
    transcript: str,
    *,
    rules: LanguageRules | None = None,
    read_demands: DemandReader | None = None,
    speakers: Speakers | None = None,
    industry: str | None = None,
) -> DialogueCheck:
    """Check a transcript with speaker tags; positions are offsets into `transcript`.
    `read_demands` reads what the customer asks for (default: the analyzer with the bundled model);
    `speakers` are the speaker words (default: the knowledge base's, as the analyzer's);
    `industry` keeps the phrase rules for that industry's staff.

    Raises ValueError (Chinese message) for empty or blank text. A transcript without any
    speaker tag gives a result with no turns, no score and a note saying why.
    """
    require_text(transcript, "对话")
    rules = rules or packaged_language_rules()
    folded = fold(transcript)
    parsed = parse_transcript(transcript, folded, speakers or load_knowledge_base().taxonomy.speakers)
    turns = parsed.turns
    views = [MatchView.of(folded[turn.start : turn.end], turn.start) for turn in turns]
    staff = [turn for turn in turns if turn.role == "staff"]
    starts = [turn.start for turn in turns]

    def turn_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    staff_view = MatchView.of(_staff_only(folded, staff))
    problems = find_problems(staff_view, transcript, rules, turn_of=turn_of, industry=industry)
    promises = find_promises(staff_view, transcript, rules, turn_of=turn_of)
    promises += _accepted_proposals(turns, views, transcript, rules, {p.turn for p in promises if p.turn is not None})
    log = _Findings(rules, transcript)
    _turn_findings(turns, views, problems, log, rules)
    raised = (read_demands or _bundled_reader())(transcript) if turns else ()
    demands = _demands(turns, views, raised, transcript, log, rules)
    findings = sorted(log.items, key=lambda f: (f.start, f.code))
    notes = list(parsed.notes) + list(notes_for(folded))
    present = present_elements([staff_view.text], rules) if staff else ()
    missing = missing_elements(present, rules) if staff else ()
    deductions = phrase_deductions(problems) + missing_deductions(missing) + _finding_deductions(findings)
    score: int | None = score_of(deductions) if staff else None
    if turns and not staff:
        notes.append("对话中没有客服一方的发言，无法评分")
    return DialogueCheck(
        score=score,
        grade=grade_for(score) if score is not None else None,
        turns=turns,
        problems=tuple(problems),
        missing=missing,
        present=present,
        findings=tuple(findings),
        promises=tuple(sorted(promises, key=lambda p: p.start)),
        demands=tuple(demands),
        deductions=tuple(deductions),
        roles_guessed=parsed.roles_guessed,
        notes=tuple(notes),
    )
