"""The triage taxonomy: label codes, Chinese names and the signals that suggest each label.

`taxonomy.yaml` is data a service manager can edit. Each label (category, demand, emotion,
urgency signal) carries groups of keyword and regex cues with a weight; the analyzer adds the
weights of the cues it finds and decides with the thresholds given here. Everything is checked
on load, and any problem raises `KnowledgeBaseError` naming the file and the entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tousu.domain.codes import Category, Demand, Emotion
from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.source import read_yaml

UrgencyCode = Literal["media", "regulator", "litigation", "group_incident", "violence", "vip_claim"]
URGENCY_CODES: tuple[str, ...] = ("media", "regulator", "litigation", "group_incident", "violence", "vip_claim")

# Factors the analyzer knows how to measure; taxonomy.yaml gives their weights.
ESCALATION_FACTORS: tuple[str, ...] = (
    *URGENCY_CODES,
    "angry",
    "upset",
    "high_demand",
    "manager",
    "repeat_text",
    "repeat_history",
    "unresolved_history",
)

_STRICT = ConfigDict(extra="forbid", frozen=True)


def _number_as_text(value: object) -> object:
    # YAML reads 12315 as a number; hotline numbers are words like any other.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Word = Annotated[str, BeforeValidator(_number_as_text)]


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"正则表达式无效 (bad regex) {pattern!r}: {exc}") from None


def _matching_something(pattern: str) -> str:
    if _compile(pattern).match(""):
        raise ValueError(f"正则表达式不能匹配空串 (regex matches the empty string): {pattern!r}")
    return pattern


# A regex of the knowledge base: it compiles and matches something.
Regex = Annotated[str, BeforeValidator(_number_as_text), AfterValidator(_matching_something)]


class SignalGroup(BaseModel):
    """Cues that count the same: keywords (exact, on normalised simplified text) and regexes."""

    model_config = _STRICT

    weight: float = Field(default=1.0, ge=-10, le=10)
    keywords: tuple[Word, ...] = ()
    regexes: tuple[Regex, ...] = ()
    # None: the label kind decides (demands and urgency signals can be negated, topics cannot).
    negatable: bool | None = None
    # For demand cues: count only when the complaint has one of these categories
    # (a bare 赔 for a lost parcel is its price back, for a missed job interview it is more).
    only_categories: tuple[Word, ...] = ()

    @field_validator("keywords")
    @classmethod
    def _keywords_are_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for keyword in value:
            if len(keyword.strip()) < 2 or keyword != keyword.strip():
                raise ValueError(f"关键词至少两个字且无首尾空格 (keyword too short): {keyword!r}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> SignalGroup:
        if not self.keywords and not self.regexes:
            raise ValueError("信号组没有关键词也没有正则 (empty signal group)")
        return self


class Label(BaseModel):
    """One category, demand, emotion or urgency signal with its cues."""

    model_config = _STRICT

    code: str
    name: str = Field(min_length=1)
    description: str = ""
    signals: tuple[SignalGroup, ...] = ()
    # A cue is dropped when one of these matches the clause it sits in.
    exclude: tuple[Word, ...] = ()
    # A cue is dropped when it overlaps a cue of one of these labels (赔偿 inside 精神赔偿).
    yields_to: tuple[Word, ...] = ()
    # When one of these labels is found, only this label's strong cues (weight at least
    # decision.demand_strong) count: 一共2000 after 精神损失费、误工费 adds no lump sum.
    suppressed_by: tuple[Word, ...] = ()
    # For categories: when one of these categories has a cue that names the matter (weight at
    # least decision.category_strong), this one's score is cut by decision.defer_factor. A
    # charge (billing) is how an unwanted subscription (vas) shows itself, not the matter.
    defers_to: tuple[Word, ...] = ()

    @field_validator("exclude")
    @classmethod
    def _excludes_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            _compile(pattern)
        return value

    def keyword_list(self) -> list[str]:
        return [keyword for group in self.signals for keyword in group.keywords]


class Negation(BaseModel):
    """How a cue is cancelled: 不是要赔偿 / 赔偿就不用了, but not 不解决就去工信部."""

    model_config = _STRICT

    before: tuple[Word, ...]
    after: tuple[Word, ...]
    # Phrases that contain a negation cue yet do not negate (不然, 不得不, 别逼我).
    not_negation: tuple[Word, ...]
    # Connectors that turn a preceding negation into a condition (不给退我就去工信部).
    bridges: tuple[Word, ...]
    window: int = Field(default=8, ge=1, le=30)
    after_window: int = Field(default=6, ge=0, le=30)
    # A work-order template's yes/no questions (是否越级投诉：否): the words a question opens
    # with, and its answers after the colon.
    questions: tuple[Word, ...] = ()
    yes_answers: tuple[Word, ...] = ()
    no_answers: tuple[Word, ...] = ()


class SpeakerSide(BaseModel):
    """The words that name one side of a dialogue (see tousu.analysis.dialogue)."""

    model_config = _STRICT

    # Role words: a tag when a colon follows (客服：, 营业员1：, 【客户】：, 客户说：).
    tags: tuple[Word, ...] = Field(min_length=1)
    # Titles: a tag alone or after a name (经理：, 张主任：, 王先生：).
    titles: tuple[Word, ...] = ()


class Speakers(BaseModel):
    """Who speaks in a dialogue: the one speaker vocabulary of the analyzer and the reply checker."""

    model_config = _STRICT

    customer: SpeakerSide
    agent: SpeakerSide
    # Staff whose taking over answers a customer's demand for a manager (值班经理, 张主任).
    senior: tuple[Word, ...] = ()
    # Labels that name no side (A：/B：, 甲：/乙：), tags only at the start of a line.
    anonymous: tuple[Word, ...] = ()
    # How each side speaks (regexes): the side of an anonymous label is guessed from them.
    agent_signals: tuple[Regex, ...] = Field(min_length=1)
    customer_signals: tuple[Regex, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sides_apart(self) -> Speakers:
        words = [*self.customer.tags, *self.customer.titles, *self.agent.tags, *self.agent.titles, *self.anonymous]
        if any(not word.strip() for word in words):
            raise ValueError("说话人用词不能为空 (a speaker word is empty)")
        both = sorted({word for word in words if words.count(word) > 1})
        if both:
            raise ValueError(f"说话人用词只能出现一次 (a speaker word is listed twice): {', '.join(both)}")
        return self


class Topic(BaseModel):
    """A short key for the affected service, used to group complaints on the same issue."""

    model_config = _STRICT

    key: str = Field(min_length=1)
    keywords: tuple[Word, ...] = Field(min_length=1)
    # Categories this topic belongs to; preferred when the complaint has that category.
    categories: tuple[Word, ...] = ()
    # Where the complaint was raised (a hall, the hotline), not the business it is about: the
    # topic only when it fits the category (a complaint about the service itself) or when no
    # business is named (我在营业厅办的套餐… is about the package).
    venue: bool = False


class EmotionRules(BaseModel):
    """Anger counts its cues plus pressure; dissatisfaction its cues plus demands and "!"."""

    model_config = _STRICT

    angry_threshold: float = Field(gt=0)
    upset_threshold: float = Field(gt=0)
    # Added to the anger score per threat (media, regulator, litigation, group action,
    # violence) the customer makes; a threat already carried out, or disclaimed
    # (我不想闹到工信部), adds only `done_threat_anger`.
    threat_anger: float = Field(ge=0)
    done_threat_anger: float = Field(ge=0)
    # Words before a threat that mark it as done or disclaimed.
    done_markers: tuple[Word, ...] = ()
    # Angry cues that press a demand (一分都不能少, 不走了) rather than show the emotion
    # rising: they count for the angry label, but only the other angry words (insults,
    # shouting) say the emotion is rising, which stops the broken-record method.
    insistence: tuple[Word, ...] = ()
    # Words that state strong anger outright (气愤, 强烈不满, 情绪激动 as an agent records it):
    # how the annotation convention defines angry. One of them, not negated, makes the emotion
    # angry even where the model reads it otherwise. Each must be an angry cue.
    explicit: tuple[Word, ...] = ()
    # An agent's record of the customer's emotion in a work order (客户情绪：平稳): the field
    # names, the words that may come before the state (非常, 较), and the states of each emotion.
    # The record decides the emotion, after anger said outright.
    stated_fields: tuple[Word, ...] = ()
    stated_degrees: tuple[Word, ...] = ()
    stated: dict[Literal["calm", "upset", "angry"], tuple[Word, ...]] = Field(default_factory=dict)
    # Added to dissatisfaction per demand (other than an explanation) and for "!".
    demand_upset: float = Field(ge=0)
    exclamation_upset: float = Field(ge=0)
    default: Literal["calm", "upset"] = "upset"


class DecisionRules(BaseModel):
    """Thresholds that turn cue weights into labels."""

    model_config = _STRICT

    category_min: float = Field(gt=0)
    category_strong: float = Field(gt=0)
    defer_factor: float = Field(default=0.5, ge=0, le=1)
    agent_turn_weight: float = Field(ge=0, le=1)
    demand_min: float = Field(gt=0)
    demand_strong: float = Field(gt=0)
    emotion: EmotionRules


class RiskFactor(BaseModel):
    model_config = _STRICT

    weight: float = Field(ge=0, le=1)
    reason: str = Field(min_length=1)


class EscalationRules(BaseModel):
    """Weights of the escalation-risk factors, combined as a noisy-OR; level cut-offs."""

    model_config = _STRICT

    factors: dict[str, RiskFactor]
    medium: float = Field(gt=0, lt=1)
    high: float = Field(gt=0, lt=1)
    repeat_window_days: int = Field(default=90, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> EscalationRules:
        if self.medium >= self.high:
            raise ValueError("medium 必须小于 high")
        return self


HINT_CONDITION_KINDS: tuple[str, ...] = ("signal", "demand", "emotion", "category", "history", "harm")
HISTORY_CONDITIONS: tuple[str, ...] = ("repeat", "unresolved", "said_repeat")
HARM_CONDITIONS: tuple[str, ...] = ("personal",)


class _PointsAtEntry:
    """A `target` written `profile:code` or `scenario:code`."""

    target: str

    @property
    def kind(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def code(self) -> str:
        return self.target.split(":", 1)[1]


class DerivedHint(_PointsAtEntry, BaseModel):
    """A customer profile or scenario that follows from the analysis itself.

    Conditions read `kind:code` — signal:media, demand:manager, emotion:angry, category:vas,
    history:repeat (a repeat complaint), history:unresolved, history:said_repeat (the text says
    the customer complained before), harm:personal (the text tells of harm to the customer's
    body, health or person: an injury, an allergy, a stay in hospital). The hint holds when every `when_all` condition, at least
    one `when_any` condition (if any are given) and no `unless_any` condition holds.
    """

    model_config = _STRICT

    target: str = Field(pattern=r"^(profile|scenario):[a-z][a-z0-9_]*$")
    when_all: tuple[str, ...] = ()
    when_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _has_condition(self) -> DerivedHint:
        if not self.when_all and not self.when_any:
            raise ValueError("至少要有一个条件 (when_all or when_any)")
        return self


class HintEvidence(_PointsAtEntry, BaseModel):
    """What the customer's own words must show before a knowledge-base signal may suggest a
    profile or scenario: threatening the media does not make a journalist, a double charge
    does not show a new employee's mistake. Hints derived from the labels are not affected.
    """

    model_config = _STRICT

    target: str = Field(pattern=r"^(profile|scenario):[a-z][a-z0-9_]*$")
    # At least one must match in the customer's turns.
    requires: tuple[Regex, ...] = Field(min_length=1)
    why: str = Field(min_length=1)


class Taxonomy(BaseModel):
    model_config = _STRICT

    version: str
    categories: tuple[Label, ...]
    demands: tuple[Label, ...]
    emotions: tuple[Label, ...]
    urgency: tuple[Label, ...]
    negation: Negation
    speakers: Speakers
    # Same-length replacements for frequent typos (暴光 → 曝光), so positions stay valid.
    typos: dict[str, str] = {}
    # Phrases saying the customer has complained before (counted in the escalation risk).
    repeat_cues: tuple[SignalGroup, ...] = ()
    # Phrases telling of harm to the customer's body, health or person (受伤, 过敏, 住院): mental
    # damages and lost wages are then a claim to examine on the facts, not a property dispute.
    harm_cues: tuple[SignalGroup, ...] = ()
    # Phrases calling the matter fraud or claiming the fraud compensation of the consumer law
    # (欺诈, 退一赔三, 按消法55条赔): the advice names that law with what must be established first.
    fraud_cues: tuple[SignalGroup, ...] = ()
    # Phrases putting what the customer threatens in the future (明天, 改天, 到时候): a threat to
    # come and block the hall is no scene in the hall, and nothing has been done about it yet.
    future_cues: tuple[SignalGroup, ...] = ()
    # Routing and contact lines of work orders (请核实处理, 联系电话…): the model reads the text
    # without them. Said the same whatever the complaint is about, they teach it only the writers'
    # habits; rules and evidence still read the whole text.
    boilerplate: tuple[Regex, ...] = ()
    topics: tuple[Topic, ...] = ()
    derived_hints: tuple[DerivedHint, ...] = ()
    hint_evidence: tuple[HintEvidence, ...] = ()
    decision: DecisionRules
    escalation: EscalationRules

    def category(self, code: str) -> Label:
        return _by_code(self.categories, code)

    def demand(self, code: str) -> Label:
        return _by_code(self.demands, code)

    def emotion(self, code: str) -> Label:
        return _by_code(self.emotions, code)

    def urgency_signal(self, code: str) -> Label:
        return _by_code(self.urgency, code)


def _by_code(labels: tuple[Label, ...], code: str) -> Label:
    for label in labels:
        if label.code == code:
            return label
    raise KeyError(code)


_SECTIONS: dict[str, tuple[str, ...]] = {
    "categories": tuple(c.value for c in Category),
    "demands": tuple(d.value for d in Demand),
    "emotions": tuple(e.value for e in Emotion),
    "urgency": URGENCY_CODES,
}


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate `taxonomy.yaml`; raise KnowledgeBaseError naming the file and entry."""
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise KnowledgeBaseError(path.name, "-", "顶层必须是映射 (expected a mapping)")
    for section, codes in _SECTIONS.items():
        _check_codes(path.name, section, doc.get(section), codes)
    try:
        taxonomy = Taxonomy.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise KnowledgeBaseError(path.name, _entry_name(doc, err["loc"]), _problem(exc)) from None
    _check_typos(path.name, taxonomy.typos)
    _check_yields(path.name, taxonomy)
    _check_hint_conditions(path.name, taxonomy)
    _check_duplicate_cues(path.name, taxonomy)
    _check_explicit_anger(path.name, taxonomy)
    for factor in taxonomy.escalation.factors:
        if factor not in ESCALATION_FACTORS:
            raise KnowledgeBaseError(
                path.name,
                f"escalation.factors.{factor}",
                f"未知的风险因素 (unknown factor); 可用: {', '.join(ESCALATION_FACTORS)}",
            )
    return taxonomy


def _check_codes(file: str, section: str, entries: object, codes: tuple[str, ...]) -> None:
    if not isinstance(entries, list):
        raise KnowledgeBaseError(file, section, f"必须是列表 (expected a list under '{section}')")
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        code = entry.get("code") if isinstance(entry, dict) else None
        if not isinstance(code, str):
            raise KnowledgeBaseError(file, f"{section}[{index}]", "缺少 code (missing code)")
        if code not in codes:
            raise KnowledgeBaseError(file, f"{section}.{code}", f"未知代码 (unknown code); 可用: {', '.join(codes)}")
        if code in seen:
            raise KnowledgeBaseError(file, f"{section}.{code}", "重复的代码 (duplicate code)")
        seen.add(code)
    missing = [code for code in codes if code not in seen]
    if missing:
        raise KnowledgeBaseError(file, section, f"缺少代码 (missing codes): {', '.join(missing)}")


def _check_typos(file: str, typos: dict[str, str]) -> None:
    for wrong, right in typos.items():
        if len(wrong) != len(right) or not wrong:
            raise KnowledgeBaseError(file, f"typos.{wrong}", "替换前后长度必须相同 (a typo fix must keep the length)")


def _check_duplicate_cues(file: str, taxonomy: Taxonomy) -> None:
    for section in ("categories", "demands", "emotions", "urgency"):
        for label in getattr(taxonomy, section):
            seen: set[str] = set()
            cues = [*label.keyword_list(), *(p for g in label.signals for p in g.regexes)]
            for cue in cues:
                if cue in seen:
                    raise KnowledgeBaseError(file, f"{section}.{label.code}", f"重复的信号 (duplicate cue): {cue}")
                seen.add(cue)
    keys: set[str] = set()
    for topic in taxonomy.topics:
        if topic.key in keys:
            raise KnowledgeBaseError(file, f"topics.{topic.key}", "重复的主题 (duplicate topic)")
        keys.add(topic.key)
        unknown = [code for code in topic.categories if code not in _SECTIONS["categories"]]
        if unknown:
            raise KnowledgeBaseError(file, f"topics.{topic.key}", f"未知类别 (unknown category): {', '.join(unknown)}")


def _check_explicit_anger(file: str, taxonomy: Taxonomy) -> None:
    """An explicit-anger word decides through the angry cue that finds it, and that cue's
    exclusions (我不气愤) hold for it."""
    angry = next(label for label in taxonomy.emotions if label.code == "angry")
    keywords = set(angry.keyword_list())
    regexes = [re.compile(regex) for group in angry.signals for regex in group.regexes]
    missing = [
        word
        for word in taxonomy.decision.emotion.explicit
        if word not in keywords and not any(regex.fullmatch(word) for regex in regexes)
    ]
    if missing:
        raise KnowledgeBaseError(
            file, "decision.emotion.explicit", f"不是“愤怒”的线索 (not an angry cue): {', '.join(missing)}"
        )


def _check_yields(file: str, taxonomy: Taxonomy) -> None:
    for section in ("categories", "demands", "emotions", "urgency"):
        labels = getattr(taxonomy, section)
        codes = {label.code for label in labels}
        for label in labels:
            for other in (*label.yields_to, *label.suppressed_by, *label.defers_to):
                if other not in codes or other == label.code:
                    raise KnowledgeBaseError(
                        file,
                        f"{section}.{label.code}",
                        f"yields_to/suppressed_by/defers_to 引用了未知代码 (unknown code): {other}",
                    )
            for group in label.signals:
                unknown = [code for code in group.only_categories if code not in _SECTIONS["categories"]]
                if unknown:
                    raise KnowledgeBaseError(
                        file,
                        f"{section}.{label.code}",
                        f"only_categories 引用了未知类别 (unknown category): {', '.join(unknown)}",
                    )


def _check_hint_conditions(file: str, taxonomy: Taxonomy) -> None:
    known = {
        "signal": set(URGENCY_CODES),
        "demand": set(_SECTIONS["demands"]),
        "emotion": set(_SECTIONS["emotions"]),
        "category": set(_SECTIONS["categories"]),
        "history": set(HISTORY_CONDITIONS),
        "harm": set(HARM_CONDITIONS),
    }
    for hint in taxonomy.derived_hints:
        for condition in (*hint.when_all, *hint.when_any, *hint.unless_any):
            kind, _, code = condition.partition(":")
            if code not in known.get(kind, set()):
                raise KnowledgeBaseError(
                    file, f"derived_hints.{hint.target}", f"未知条件 (unknown condition): {condition}"
                )


def _entry_name(doc: dict[str, object], loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and isinstance(loc[1], int):
        section = doc.get(str(loc[0]))
        if isinstance(section, list) and loc[1] < len(section) and isinstance(section[loc[1]], dict):
            return f"{loc[0]}.{section[loc[1]].get('code', loc[1])}"
    return ".".join(str(part) for part in loc[:2]) or "-"


def _problem(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:3])
