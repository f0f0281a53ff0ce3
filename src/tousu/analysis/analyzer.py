"""The analyzer: complaint text in, labels with evidence, facts and recommendations out.

Everything heavy (the knowledge base, compiled cues, the optional model) is built once when
the Analyzer is created; `analyze` itself does no I/O and runs in time linear in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from tousu.analysis.classify import (
    ModelPrediction,
    Tally,
    decide_category,
    decide_demands,
    decide_emotion,
    stated_emotion,
)
from tousu.analysis.dialogue import DialogueSplitter, Turn, customer_text, customer_turns
from tousu.analysis.facts import extract_facts, is_charged
from tousu.analysis.hints import HintMatcher
from tousu.analysis.matcher import Hit, LabelCues, Matcher
from tousu.analysis.normalize import MAX_CHARS, Normalizer, has_content
from tousu.analysis.recommend import Situation, recommend
from tousu.analysis.results import (
    Amount,
    Analysis,
    DateTimeMention,
    Duration,
    Evidence,
    Facts,
    LabelResult,
    Mention,
    Recommendations,
    UrgencySignal,
)
from tousu.analysis.signals import PastComplaint, escalation_risk, repeat_complaints, urgency_signals
from tousu.analysis.topic import find_place, issue_topic
from tousu.domain.codes import Channel, Role
from tousu.knowledge import Industry, KnowledgeBase, UnknownEntryError, load_knowledge_base
from tousu.knowledge.taxonomy import EmotionRules, SignalGroup

ANALYZER_VERSION = "1.0.0"

# Industry cue regexes (industries.yaml) count like a medium-weight taxonomy cue.
_INDUSTRY_CUE_WEIGHT = 1.5
_THREATS = ("media", "regulator", "litigation", "violence", "group_incident")
_CHANNELS = frozenset(channel.value for channel in Channel)
# Diminishing returns for category cues (see classify.Tally).
CATEGORY_DECAY = 0.5

F = TypeVar("F", Amount, DateTimeMention, Mention, Duration)


@dataclass
class _Found:
    """Cue hits of one text, sorted for the decisions."""

    tallies: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: {kind: {} for kind in ("category", "demand", "emotion", "urgency")}
    )
    topic_hits: list[Hit] = field(default_factory=list)
    demand_hits: list[Hit] = field(default_factory=list)
    repeat_hits: int = 0
    harm_hits: int = 0  # the customer tells of harm to the person (not negated)
    fraud_hits: int = 0  # the customer calls it fraud or claims the fraud compensation (not negated)
    future_hits: int = 0  # the customer puts what he threatens in the future (明天带人去)
    hint_triggers: set[int] = field(default_factory=set)  # see Matcher's riders
    unsaid: list[tuple[int, int]] = field(default_factory=list)  # see Matcher.scan_turns


class Predictor(Protocol):
    """What the analyzer needs from a statistical model (see tousu.analysis.model.Model)."""

    def predict(self, text: str) -> ModelPrediction: ...


class Analyzer:
    """Build once, then call `analyze` for each complaint.

    >>> analyzer = Analyzer()  # doctest: +SKIP
    >>> analyzer.analyze("乱扣我话费，不退钱我就去工信部投诉！").demand_codes  # doctest: +SKIP
    ('refund', 'regulator_threat')
    """

    def __init__(self, kb: KnowledgeBase | None = None, model: Predictor | None = None) -> None:
        self.kb = kb if kb is not None else load_knowledge_base()
        self.model = model
        taxonomy = self.kb.taxonomy
        self._taxonomy = taxonomy
        self._normalizer = Normalizer(taxonomy.typos)
        self._splitter = DialogueSplitter(taxonomy.speakers)
        self._hints = HintMatcher(self.kb)
        self._matchers: dict[str, Matcher] = {}
        self._category_names_by_industry: dict[str, dict[str, str]] = {}
        self._demand_names_by_industry: dict[str, dict[str, str]] = {}
        self._defers_to = {label.code: label.defers_to for label in taxonomy.categories if label.defers_to}
        self._suppressed_by = {label.code: label.suppressed_by for label in taxonomy.demands if label.suppressed_by}
        self._emotion_names = {label.code: label.name for label in taxonomy.emotions}
        self._stated = stated_emotion(taxonomy.decision.emotion)
        self._topic_categories = {topic.key: frozenset(topic.categories) for topic in taxonomy.topics}
        self._topic_venues = frozenset(topic.key for topic in taxonomy.topics if topic.venue)
        self.version = f"{ANALYZER_VERSION}+taxonomy.{taxonomy.version}"

    def analyze(
        self,
        text: str,
        *,
        history: Sequence[PastComplaint] | None = None,
        role: str | None = None,
        authority: Mapping[str, Any] | None = None,
        industry: str = "telecom",
        now: datetime | None = None,
        advise: bool = True,
        channel: str | None = None,
        recorded_category: str | None = None,
        reply_within: str | None = None,
    ) -> Analysis:
        """Analyse one complaint. `now` (default: the current time) anchors the repeat window.

        `recorded_category`: the complaint's category as its record has it (a person may have
        chosen or corrected it): the category, and the advice that depends on it, follow the record
        rather than this reading of the text.
        `reply_within`: the complaint's reply deadline as said to the customer ("24小时"); scripts
        promising an answer within it say so, and without it show 【期限】 for the agent to fill.

        `channel`: where the complaint came in (a `Channel` value; None: not known). The advice
        offers a seat or a quieter room only where staff may be facing the customer.
        `advise=False` leaves the recommendations empty, for callers that only store the labels.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if not has_content(text):
            raise ValueError("投诉内容为空，没有可分析的文字 (nothing to analyse)")
        industry_entry = self._industry(industry)
        if role is not None and role not in {r.value for r in Role}:
            raise ValueError(f"未知的岗位 (unknown role) {role!r}; 可用: {', '.join(r.value for r in Role)}")
        if channel is not None and (not isinstance(channel, str) or channel not in _CHANNELS):
            known = ", ".join(sorted(_CHANNELS))
            raise ValueError(f"未知的投诉渠道 (unknown channel) {channel!r}; 可用: {known}")
        history = tuple(history or ())
        moment = now if now is not None else datetime.now(UTC)
        rules = self._taxonomy.decision

        original = text[:MAX_CHARS]
        normalized = self._normalizer.normalize(original)
        turns = self._splitter.split(normalized)
        own = customer_turns(turns)
        found = self._collect(normalized, original, turns, own, self._matcher(industry_entry))

        own_text = customer_text(normalized, turns)
        prediction = self.model.predict(own_text) if self.model is not None else None
        category_names = self._category_names(industry_entry)
        category = decide_category(
            found.tallies["category"], category_names, rules, prediction, self._defers_to, words=_words(own_text)
        )
        if recorded_category is not None:
            if recorded_category not in category_names:
                known = ", ".join(category_names)
                raise ValueError(f"未知的投诉类别 (unknown category) {recorded_category!r}; 可用: {known}")
            category = LabelResult(recorded_category, category_names[recorded_category], 1.0, (), "record")
        for hit in found.demand_hits:
            if not hit.only_categories or category.code in hit.only_categories:
                _tally(found.tallies, "demand", hit, hit.weight, original)
        demands = decide_demands(
            found.tallies["demand"], self._demand_names(industry_entry), rules, prediction, self._suppressed_by
        )
        urgency = {code: t.evidence for code, t in found.tallies["urgency"].items() if t.score >= rules.demand_min}
        signals = urgency_signals(self._taxonomy, {d.code: d.evidence for d in demands}, urgency)
        exclamations = sum(normalized.count(mark, turn.start, turn.end) for turn in own for mark in "!！")
        emotion = decide_emotion(
            found.tallies["emotion"],
            _threat_pressure(normalized, signals, rules.emotion),
            sum(1 for d in demands if d.code != "explanation"),
            exclamations,
            self._emotion_names,
            rules,
            prediction,
            self._stated_emotion(normalized, own, original),
        )
        signal_codes = [s.code for s in signals]
        demand_codes = [d.code for d in demands]
        risk = escalation_risk(
            self._taxonomy.escalation,
            signals=signal_codes,
            emotion=emotion.code,
            demands=demand_codes,
            repeat_cues=found.repeat_hits,
            category=category.code,
            history=history,
            now=moment,
        )

        facts = _with_original_text(extract_facts(normalized), original)
        place = find_place(customer_text(normalized, turns))
        topic = issue_topic(
            category.code, category.name, found.topic_hits, self._topic_categories, place, self._topic_venues
        )
        conditions = self._conditions(signal_codes, demand_codes, emotion.code, category.code, history, moment)
        if found.repeat_hits:
            conditions.add("history:said_repeat")
        if found.harm_hits:
            conditions.add("harm:personal")
        profiles, scenarios = self._hints.match(
            normalized,
            own,
            conditions,
            triggered=found.hint_triggers,
            unsaid=found.unsaid,
            category=category.code,
            industry=industry_entry.code,
            original=original,
        )
        situation = Situation(
            demands=demand_codes,
            emotion=emotion.code,
            signals=signal_codes,
            profiles=profiles,
            scenarios=scenarios,
            charged_yuan=_largest(facts, own, normalized, charged=True),
            claimed_yuan=_largest(facts, own, normalized, charged=False),
            slots={
                **_slots(facts, normalized, own, topic if topic not in (place, category.name) else None, place),
                **({"期限": reply_within} if reply_within else {}),
            },
            industry=industry_entry.code,
            role=role,
            authority=authority,
            category=category.code,
            known_customer=bool(history),
            emotion_rising=_emotion_rising(emotion.code, found.tallies["emotion"], signal_codes, rules.emotion),
            channel=channel,
            harmed=bool(found.harm_hits),
            fraud_claimed=bool(found.fraud_hits),
            future_act=bool(found.future_hits),
        )
        return Analysis(
            category=category,
            demands=tuple(demands),
            emotion=emotion,
            signals=signals,
            escalation_risk=risk,
            facts=facts,
            issue_topic=topic,
            analyzer_version=self.version,
            industry=industry_entry.code,
            profile_hints=profiles,
            scenarios=scenarios,
            recommendations=recommend(self.kb, situation) if advise else Recommendations(),
            dialogue=any(turn.tagged for turn in turns),
            truncated=len(text) > MAX_CHARS,
            model_version=prediction.version if prediction is not None else None,
        )

    def _collect(self, normalized: str, original: str, turns: list[Turn], own: list[Turn], matcher: Matcher) -> _Found:
        """Cue hits sorted by use: category from every turn (agents' words count less), the
        rest from the customer's turns only."""
        found = _Found()
        own_ids = {id(turn) for turn in own}
        agent_weight = self._taxonomy.decision.agent_turn_weight
        hits_per_turn, found.hint_triggers, found.unsaid = matcher.scan_turns(
            normalized, [(t.start, t.end) for t in turns]
        )
        for turn, hits in zip(turns, hits_per_turn, strict=True):
            is_customer = id(turn) in own_ids
            for hit in hits:
                if hit.kind == "category":
                    weight = hit.weight if is_customer else hit.weight * agent_weight
                    _tally(found.tallies, "category", hit, weight, original)
                elif not is_customer:
                    continue
                elif hit.kind == "topic":
                    found.topic_hits.append(hit)
                elif hit.kind == "repeat":
                    found.repeat_hits += 0 if hit.negated else 1
                elif hit.kind == "harm":
                    found.harm_hits += 0 if hit.negated else 1
                elif hit.kind == "fraud":
                    found.fraud_hits += 0 if hit.negated else 1
                elif hit.kind == "future":
                    found.future_hits += 0 if hit.negated else 1
                elif hit.kind == "demand":
                    found.demand_hits.append(hit)
                else:
                    _tally(found.tallies, hit.kind, hit, hit.weight, original)
        return found

    def _conditions(
        self,
        signals: Sequence[str],
        demands: Sequence[str],
        emotion: str,
        category: str,
        history: Sequence[PastComplaint],
        now: datetime,
    ) -> set[str]:
        """Facts about the analysis in the form the taxonomy's derived hints test."""
        conditions = {f"signal:{c}" for c in signals} | {f"demand:{c}" for c in demands}
        conditions |= {f"emotion:{emotion}", f"category:{category}"}
        window = self._taxonomy.escalation.repeat_window_days
        if repeat_complaints(history, category=category, now=now, window_days=window):
            conditions.add("history:repeat")
        if any(p.category == category and not p.closed for p in history):
            conditions.add("history:unresolved")
        return conditions

    def _stated_emotion(self, text: str, own: Sequence[Turn], original: str) -> tuple[str, Evidence] | None:
        """The emotion an agent recorded in the customer's part of the text, with its evidence."""
        if self._stated is None:
            return None
        for turn in own:
            found = self._stated.search(text, turn.start, turn.end)
            if found is not None and found.lastgroup is not None:
                return found.lastgroup, Evidence(original[found.start() : found.end()], found.start(), found.end())
        return None

    def _industry(self, code: str) -> Industry:
        # A code is the usual argument and needs no normalising search; names and aliases do.
        entry = self.kb.industries.get(code)
        if entry is not None:
            return entry
        try:
            return self.kb.industry(code)
        except UnknownEntryError:
            known = ", ".join(self.kb.industries)
            raise ValueError(f"未知的行业 (unknown industry) {code!r}; 可用: {known}") from None

    def _category_names(self, industry: Industry) -> dict[str, str]:
        """The industry's categories with their display names (built once per industry)."""
        names = self._category_names_by_industry.get(industry.code)
        if names is None:
            names = {c.code: c.label or self._taxonomy.category(c.code).name for c in industry.categories}
            self._category_names_by_industry[industry.code] = names
        return names

    def _demand_names(self, industry: Industry) -> dict[str, str]:
        """The demands with the names the industry gives them (a shop's cancel is 退货/退卡/解约),
        else the taxonomy's (built once per industry)."""
        names = self._demand_names_by_industry.get(industry.code)
        if names is None:
            own = {demand.code.value: demand.label for demand in industry.demands}
            names = {label.code: own.get(label.code, label.name) for label in self._taxonomy.demands}
            self._demand_names_by_industry[industry.code] = names
        return names

    def _matcher(self, industry: Industry) -> Matcher:
        matcher = self._matchers.get(industry.code)
        if matcher is None:
            matcher = Matcher(self._cues(industry), self._taxonomy.negation, riders=self._hints.signals)
            self._matchers[industry.code] = matcher
        return matcher

    def _cues(self, industry: Industry) -> list[LabelCues]:
        taxonomy = self._taxonomy
        cues: list[LabelCues] = []
        for kind, labels in (
            ("category", taxonomy.categories),
            ("demand", taxonomy.demands),
            ("emotion", taxonomy.emotions),
            ("urgency", taxonomy.urgency),
        ):
            cues.extend(LabelCues(kind, label.code, label.signals, label.exclude, label.yields_to) for label in labels)
        for category in industry.categories:
            if category.signals:
                group = SignalGroup(weight=_INDUSTRY_CUE_WEIGHT, regexes=tuple(category.signals))
                cues.append(LabelCues("category", category.code, (group,)))
        if taxonomy.repeat_cues:
            cues.append(LabelCues("repeat", "repeat", taxonomy.repeat_cues))
        if taxonomy.harm_cues:
            cues.append(LabelCues("harm", "personal", taxonomy.harm_cues))
        if taxonomy.fraud_cues:
            cues.append(LabelCues("fraud", "claimed", taxonomy.fraud_cues))
        if taxonomy.future_cues:
            cues.append(LabelCues("future", "act", taxonomy.future_cues))
        cues.extend(
            LabelCues("topic", topic.key, (SignalGroup(keywords=topic.keywords, negatable=False),))
            for topic in taxonomy.topics
        )
        return cues


def _words(text: str) -> int:
    """Chinese characters and Latin words or numbers: how much the customer said. Counted in a
    loop, which compiles to C, rather than by listing a regex's matches."""
    count = 0
    in_word = False
    for char in text:
        if "\u4e00" <= char <= "\u9fff":
            count += 1
            in_word = False
        elif "a" <= char <= "z" or "0" <= char <= "9":
            count += 0 if in_word else 1
            in_word = True
        else:
            in_word = False
    return count


def _tally(tallies: dict[str, dict[str, Tally]], kind: str, hit: Hit, weight: float, original: str) -> None:
    evidence = Evidence(original[hit.start : hit.end], hit.start, hit.end, negated=hit.negated)
    tally = tallies[kind].get(hit.code)
    if tally is None:
        tally = tallies[kind][hit.code] = Tally(decay=CATEGORY_DECAY if kind == "category" else 1.0)
    tally.add(weight, evidence)


def _emotion_rising(emotion: str, tallies: Mapping[str, Tally], signals: Sequence[str], rules: EmotionRules) -> bool:
    """Whether the customer's own words show the emotion running high: an angry customer whose
    angry words alone (insults, shouting) reach the angry threshold, or who speaks of violence.
    A threat or an insistence (一分都不能少) pressed to get a demand makes a customer angry too,
    but that is the hard-liner the broken-record method answers, not an emotion that stops it."""
    if emotion != "angry":
        return False
    words = tallies.get("angry")
    if "violence" in signals:
        return True
    if words is None:
        return False
    return words.score_of(lambda text: not any(word in text for word in rules.insistence)) >= rules.angry_threshold


def _threat_pressure(text: str, signals: Sequence[UrgencySignal], rules: EmotionRules) -> float:
    """Anger added by threats: full for a threat made now, little for one already carried
    out (我已经打了12315) or disclaimed (我不想闹到工信部)."""
    pressure = 0.0
    for signal in signals:
        if signal.code not in _THREATS:
            continue
        done = all(
            evidence.start is not None
            and any(marker in text[max(0, evidence.start - 10) : evidence.start] for marker in rules.done_markers)
            for evidence in signal.evidence
        )
        pressure += rules.done_threat_anger if done else rules.threat_anger
    return pressure


def _largest(facts: Facts, own: Sequence[Turn], text: str, *, charged: bool) -> float | None:
    """The largest sum in the customer's own words that they were charged (`charged`), or that
    they claim (compensation, lost wages, any sum no word says was charged)."""
    sums = [
        a.value_yuan
        for a in facts.amounts
        if a.value_yuan is not None and _inside(a.start, own) and is_charged(text, a) is charged
    ]
    return max(sums, default=None)


def _inside(position: int, turns: Sequence[Turn]) -> bool:
    return any(turn.start <= position < turn.end for turn in turns)


def _with_original_text(facts: Facts, original: str) -> Facts:
    """Facts were found in the normalised text; show them as the customer wrote them."""

    def fix(items: tuple[F, ...]) -> tuple[F, ...]:
        return tuple(
            item
            if item.text == original[item.start : item.end]
            else replace(item, text=original[item.start : item.end])
            for item in items
        )

    return Facts(
        amounts=fix(facts.amounts),
        datetimes=fix(facts.datetimes),
        phones=fix(facts.phones),
        packages=fix(facts.packages),
        durations=fix(facts.durations),
    )


def _slots(facts: Facts, text: str, own: Sequence[Turn], service: str | None, place: str | None) -> dict[str, str]:
    """Script slots the complaint itself fills; the knowledge base words the rest."""
    slots: dict[str, str] = {}
    first = {
        # Only money the customer was charged: a lost-wages or compensation figure is a claim.
        "金额": next((a.text for a in facts.amounts if _inside(a.start, own) and is_charged(text, a)), None),
        # The customer's own date: an agent's 今天 in a dialogue is the day of the call, not of the charge.
        "日期": next((d.text for d in facts.datetimes if d.kind != "time" and _inside(d.start, own)), None),
        "套餐": next((p.text for p in facts.packages), None),
        "号码": next((p.text for p in facts.phones), None),
        "业务": service,
        "门店": place if place and place.endswith(("营业厅", "服务厅", "店")) else None,
    }
    slots.update({name: value for name, value in first.items() if value})
    return slots
