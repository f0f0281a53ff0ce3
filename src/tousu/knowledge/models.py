"""Typed entries of the knowledge base and the script slots they may use.

Every model forbids unknown keys, so a misspelt field in a YAML file is reported instead of
silently ignored. Cross-references between files (a playbook naming a strategy, a scenario
citing a law) are checked by the loader, which sees all files at once.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from tousu.domain.codes import (
    CATEGORY_NAMES,
    DEMAND_NAMES,
    DEMANDS_AS_SAID,
    Category,
    Channel,
    Demand,
    TransferSource,
)
from tousu.domain.improvement import RootCauseKind
from tousu.domain.remedies import SettlementType

# The only placeholders a script may contain, with the neutral wording used when the
# caller has no value for one. Industries may override the defaults (see Industry).
SLOT_DEFAULTS: dict[str, str] = {
    "称呼": "您",
    "金额": "相关费用",
    "期限": "48小时",
    "业务": "这项业务",
    "套餐": "您的套餐",
    "号码": "您的号码",
    "日期": "当天",
    "礼品": "一份小礼品",
    "部门": "相关部门",
    "经理": "我们的值班经理",
    "门店": "我们这里",
    "公司": "我们公司",
    "热线": "客服热线",
    "商品": "商品",
    "积分": "积分",
    "方案": "这个处理方案",
}

_SLOT = re.compile(r"\{([^{}]*)\}")


@lru_cache(maxsize=4096)
def script_slots(template: str) -> tuple[str, ...]:
    """The slot names a script uses, in order of appearance (parsed once per script)."""
    return tuple(_SLOT.findall(template))


# An address without a name reads better dropped ("{称呼}，您好" → "您好") than defaulted.
_BARE_ADDRESS = re.compile(r"\{称呼\}[，,]\s*")


def render_script(
    template: str,
    slots: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> str:
    """Fill `{slot}` placeholders; a slot without a (non-blank) value gets a neutral default.

    `defaults` overrides SLOT_DEFAULTS (an industry's wording); a slot unknown to both is
    rendered as its bare name. A missing {称呼} followed by a comma is left out.

    >>> render_script("{称呼}，{金额}会在{期限}内退回。", {"称呼": "王先生", "金额": "50元"})
    '王先生，50元会在48小时内退回。'
    >>> render_script("{称呼}，{金额}会在{期限}内退回。")
    '相关费用会在48小时内退回。'
    """
    given = slots or {}
    wording = defaults or {}

    def value(name: str) -> str:
        return str(given.get(name) or "").strip()

    pieces = _pieces(template, bare_address=not value("称呼"))
    rendered = [pieces[0]]
    for at in range(1, len(pieces), 2):
        name = pieces[at]
        rendered.append(value(name) or (wording[name] if name in wording else SLOT_DEFAULTS.get(name, name)))
        rendered.append(pieces[at + 1])
    return "".join(rendered)


@lru_cache(maxsize=4096)
def _pieces(template: str, *, bare_address: bool) -> tuple[str, ...]:
    """The template split at its slots (text, slot name, text, …), parsed once: the same
    scripts are rendered for complaint after complaint."""
    if bare_address:
        template = _BARE_ADDRESS.sub("", template)
    return tuple(_SLOT.split(template))


def _check_script(text: str) -> str:
    unknown = [name for name in script_slots(text) if name not in SLOT_DEFAULTS]
    if unknown:
        allowed = "、".join(SLOT_DEFAULTS)
        raise ValueError(f"未知的话术占位符 (unknown slot) {{{unknown[0]}}}，可用的占位符: {allowed}")
    rest = _SLOT.sub("", text)
    if "{" in rest or "}" in rest:
        raise ValueError("话术中的花括号不成对 (unbalanced brace in script)")
    return text


def _check_pattern(pattern: str) -> str:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"信号不是合法的正则表达式 (bad regex) {pattern!r}: {exc}") from None
    if compiled.search("") is not None:
        raise ValueError(f"信号会匹配空文本 (pattern matches empty text) {pattern!r}")
    return pattern


# YAML folds a long line by joining its pieces with a space, which Chinese does not want.
_FOLD_SPACE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def _unfold(text: str) -> str:
    return _FOLD_SPACE.sub("", text)


Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_unfold)]
Script = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_unfold), AfterValidator(_check_script)
]
# A regular expression matched against normalize_text() output; a plain word is one too.
Pattern = Annotated[str, StringConstraints(min_length=1), AfterValidator(_check_pattern)]


def _check_slot_name(name: str) -> str:
    _check_script("{" + name + "}")
    return name


SlotName = Annotated[str, AfterValidator(_check_slot_name)]


class ScriptNeed(StrEnum):
    """What a line presumes that not every complaint has: it is offered only where that holds."""

    HISTORY = "history"  # the customer's past with us is known (earlier complaints, a loyal customer)
    UPSET = "upset"  # the customer is upset or angry: no "请您息怒" to a calm question
    # Staff and customer meet in person (a hall, a visit), or the channel is not known: a seat,
    # a glass of water, a quieter room are no offer to make on the telephone.
    FACE_TO_FACE = "face_to_face"
    # The channel is known and nobody meets in person (a hotline, the web): a threat to come to
    # the hall is answered in words, and the hall is warned; there is no scene to secure yet.
    REMOTE = "remote"
    # The customer tells of harm to the body, health or person (受伤, 过敏, 住院): mental damages
    # and lost wages are then examined on the facts. `no_harm`: no such harm is told, and only
    # then may they be refused as a mere property dispute.
    HARM = "harm"
    NO_HARM = "no_harm"
    # The customer calls the matter fraud or claims the fraud compensation of the consumer law
    # (退一赔三, 按消法55条赔): a line explaining what that law needs first is meant for that claim.
    FRAUD_CLAIM = "fraud_claim"
    # The act is happening now where staff are: a meeting in person (or an unknown channel) and the
    # customer's words do not put it in the future (明天带人去堵门 is a threat, not a scene). A
    # line saying something was done about it (已经报了110) needs this.
    ON_SCENE = "on_scene"


class Fits(BaseModel):
    """The complaints a script or a line of a playbook is meant for. Empty fits every complaint.

    `categories`, `industries` and `needs` must all hold when given. `demands`, `signals`,
    `scenarios` and `profiles` name what the line speaks to (a threat, a claim, a situation):
    when any is given, the complaint must have at least one of them. A line that says something
    happened (we called the police, the customer works there, the fault was ours) names the
    scenario or profile in which it is the matter, or does not say it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: list[Category] = Field(default_factory=list)
    industries: list[Code] = Field(default_factory=list)
    needs: list[ScriptNeed] = Field(default_factory=list)
    demands: list[Demand] = Field(default_factory=list)
    signals: list[Code] = Field(default_factory=list)
    scenarios: list[Code] = Field(default_factory=list)
    profiles: list[Code] = Field(default_factory=list)

    @property
    def topical(self) -> bool:
        return bool(self.demands or self.signals or self.scenarios or self.profiles)


class FittedScript(BaseModel):
    """A script with the complaints it fits, as written in YAML (`{text: ..., fits: {...}}`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Script
    fits: Fits = Field(default_factory=Fits)


class Grant(BaseModel):
    """A line of a playbook's may_grant or may_not_grant with when it applies. `remedy` names the
    settlement item the line gives (laws.yaml `remedies` then decide for which categories it
    can be given, as for a settlement); `bases` narrows the remedy to these laws."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Text
    fits: Fits = Field(default_factory=Fits)
    remedy: SettlementType | None = None
    bases: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bases_need_remedy(self) -> Grant:
        if self.bases and self.remedy is None:
            raise ValueError("写了 bases 就必须写 remedy (bases narrow a remedy)")
        return self


class Claim(BaseModel):
    """The settlement item a demand asks for, to check against laws.yaml `remedies`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    remedy: SettlementType
    bases: list[Code] = Field(default_factory=list)


def _split_lines(data: Any, field: str, derived: str, shape: tuple[str, ...]) -> Any:
    """Let a YAML list hold plain lines and `{text: ..., fits: ...}` mappings: the texts stay in
    `field` (what the browser and the command line show), the mappings go to `derived`, one per
    line in the same order."""
    if not isinstance(data, dict) or not isinstance(data.get(field), list):
        return data
    if derived in data:
        raise ValueError(f"{derived} 由 {field} 生成，不能直接填写 ({derived} is derived from {field})")
    texts: list[Any] = []
    lines: list[Any] = []
    for item in data[field]:
        if isinstance(item, dict):
            unknown = sorted(set(item) - set(shape))
            if unknown:
                raise ValueError(f"{field} 中有未知字段 (unknown key) {unknown[0]}，可用: {', '.join(shape)}")
            texts.append(item.get("text"))
            lines.append(item)
        else:
            texts.append(item)
            lines.append({"text": item})
    return {**data, field: texts, derived: lines}


class Entry(BaseModel, ABC):
    """Common shape: a stable key, a Chinese label, and text the KB browser searches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry_kind: ClassVar[str]
    entry_kind_name: ClassVar[str]

    @property
    @abstractmethod
    def key(self) -> str:
        """The stable code (or id)."""

    @property
    @abstractmethod
    def label(self) -> str:
        """The Chinese name people see."""

    def lookup_names(self) -> list[str]:
        """Names a person may type to find this entry: code, Chinese name, aliases."""
        return [self.key, self.label]

    @abstractmethod
    def search_text(self) -> str:
        """Everything else worth finding by substring, joined."""


class NamedEntry(Entry):
    """An entry identified by a snake_case code and named in Chinese."""

    code: Code
    name: Text

    @property
    def key(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return self.name


class SignalMixin(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    signals: list[Pattern] = Field(default_factory=list)

    @cached_property
    def _compiled_signals(self) -> list[re.Pattern[str]]:
        return [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in self.signals]

    def signal_hits(self, normalized_text: str) -> list[str]:
        """The matched snippets of this entry's signals in text already passed through
        normalize_text(), one per matching signal."""
        hits: list[str] = []
        for compiled in self._compiled_signals:
            found = compiled.search(normalized_text)
            if found:
                hits.append(found.group(0))
        return hits


class LawKind(StrEnum):
    LAW = "law"
    REGULATION = "regulation"
    COMPANY_POLICY = "company_policy"


LAW_KIND_NAMES: dict[LawKind, str] = {
    LawKind.LAW: "法律",
    LawKind.REGULATION: "法规/规章",
    LawKind.COMPANY_POLICY: "公司制度（可配置）",
}


class Law(Entry):
    entry_kind: ClassVar[str] = "law"
    entry_kind_name: ClassVar[str] = "法律法规与公司制度"

    id: Code
    title: Text
    short_title: Text
    article: Text
    kind: LawKind
    effective: date | None = None
    summary: Text
    replaces: Text | None = None
    # Numbers other modules may read (time limits, multiples); company policies are meant
    # to be edited here by service management.
    parameters: dict[Code, int | float | str] = Field(default_factory=dict)
    # The complaint categories the article speaks to; empty: any. Advice cites it only there
    # (a charging-basis article is no basis for an outage).
    categories: list[Category] = Field(default_factory=list)
    # The industries it binds; empty: every one (the telecom regulations bind no shop).
    industries: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _law_has_date(self) -> Law:
        if self.kind is not LawKind.COMPANY_POLICY and self.effective is None:
            raise ValueError("法律法规必须写明施行日期 effective (laws and regulations need a date)")
        return self

    @property
    def key(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        return f"{self.short_title}{self.article}"

    @property
    def citation(self) -> str:
        return f"《{self.title}》{self.article}"

    def lookup_names(self) -> list[str]:
        return [self.id, self.label, f"{self.title}{self.article}", self.citation]

    def search_text(self) -> str:
        return " ".join([self.title, self.summary, self.replaces or ""])


class StrategyUsage(StrEnum):
    ALL = "all"
    WITH_CARE = "with_care"
    MANAGER = "manager"


USAGE_NAMES: dict[StrategyUsage, str] = {
    StrategyUsage.ALL: "所有人员可用",
    StrategyUsage.WITH_CARE: "一线人员谨慎使用",
    StrategyUsage.MANAGER: "厅经理/店长及以上使用",
}


class Strategy(NamedEntry):
    entry_kind: ClassVar[str] = "strategy"
    entry_kind_name: ClassVar[str] = "应对策略"

    aliases: list[Text] = Field(default_factory=list)
    summary: Text
    when_to_use: list[Text] = Field(min_length=1)
    when_not_to_use: list[Text] = Field(default_factory=list)
    steps: list[Text] = Field(min_length=1)
    usage: StrategyUsage = StrategyUsage.ALL
    caution: Text | None = None
    # What the strategy itself presumes (keeping people in the hall safe needs the hall): it is
    # advised only where that holds, whoever recommends it.
    needs: list[ScriptNeed] = Field(default_factory=list)
    # A script is a line or `{text, fits}`; `fitted` holds each with what it fits, in order.
    examples: list[Script] = Field(min_length=2)
    fitted: list[FittedScript] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _fitted_examples(cls, data: Any) -> Any:
        return _split_lines(data, "examples", "fitted", ("text", "fits"))

    def lookup_names(self) -> list[str]:
        return [self.code, self.name, *self.aliases]

    def search_text(self) -> str:
        return " ".join([self.summary, *self.when_to_use, *self.steps, self.caution or ""])


class DemandPlaybook(Entry):
    entry_kind: ClassVar[str] = "demand"
    entry_kind_name: ClassVar[str] = "诉求应对"

    code: Demand
    summary: Text
    laws: list[Code] = Field(default_factory=list)
    # What the customer asks for as a settlement item, checked as a settlement would be.
    claim: Claim | None = None
    # Each line is text or `{text, fits, remedy, bases}`; `grants`/`refusals` hold them whole.
    may_grant: list[Text] = Field(min_length=1)
    may_not_grant: list[Text] = Field(default_factory=list)
    grants: list[Grant] = Field(default_factory=list)
    refusals: list[Grant] = Field(default_factory=list)
    strategies: list[Code] = Field(min_length=1)
    scripts: list[Script] = Field(min_length=2)
    avoid_saying: list[Text] = Field(min_length=1)
    escalate_when: list[Text] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _fitted_lines(cls, data: Any) -> Any:
        shape = ("text", "fits", "remedy", "bases")
        return _split_lines(_split_lines(data, "may_grant", "grants", shape), "may_not_grant", "refusals", shape)

    @property
    def key(self) -> str:
        return self.code.value

    @property
    def label(self) -> str:
        return DEMAND_NAMES[self.code]

    def lookup_names(self) -> list[str]:
        return [self.code.value, self.label, *self.label.split("/")]

    def search_text(self) -> str:
        return " ".join([self.summary, *self.may_grant, *self.may_not_grant])


class ProfileGroup(StrEnum):
    DIFFICULT = "difficult"
    PERSONALITY = "personality"
    MOTIVE = "motive"


PROFILE_GROUP_NAMES: dict[ProfileGroup, str] = {
    ProfileGroup.DIFFICULT: "疑难客户类型",
    ProfileGroup.PERSONALITY: "性格类型",
    ProfileGroup.MOTIVE: "投诉动机类型",
}


class SubCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    name: Text
    handling: list[Text] = Field(min_length=1)
    scripts: list[Script] = Field(default_factory=list)


class Profile(NamedEntry, SignalMixin):
    entry_kind: ClassVar[str] = "profile"
    entry_kind_name: ClassVar[str] = "客户类型"

    group: ProfileGroup
    summary: Text
    handling: list[Text] = Field(min_length=1)
    avoid: list[Text] = Field(default_factory=list)
    strategies: list[Code] = Field(default_factory=list)
    sub_cases: list[SubCase] = Field(default_factory=list)
    scripts: list[Script] = Field(default_factory=list)

    def lookup_names(self) -> list[str]:
        return [self.code, self.name, self.name.removesuffix("型")]

    def search_text(self) -> str:
        return " ".join([self.summary, *self.handling, *(case.name for case in self.sub_cases)])


class ScenarioGroup(StrEnum):
    EVERYDAY = "everyday"
    GROUP_INCIDENT = "group_incident"
    SPECIAL_CASE = "special_case"


SCENARIO_GROUP_NAMES: dict[ScenarioGroup, str] = {
    ScenarioGroup.EVERYDAY: "日常投诉场景",
    ScenarioGroup.GROUP_INCIDENT: "群体/过激事件",
    ScenarioGroup.SPECIAL_CASE: "专项业务案例",
}


class ScenarioCase(BaseModel):
    """A branch of a scenario whose answer depends on a fact (e.g. where a card was sold)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    condition: Text
    measures: list[Text] = Field(min_length=1)
    answers: list[Script] = Field(default_factory=list)


class Scenario(NamedEntry, SignalMixin):
    entry_kind: ClassVar[str] = "scenario"
    entry_kind_name: ClassVar[str] = "处理场景"

    group: ScenarioGroup
    situation: Text
    measures: list[Text] = Field(min_length=1)
    answers: list[Script] = Field(min_length=1)
    cases: list[ScenarioCase] = Field(default_factory=list)
    notify: list[Text] = Field(default_factory=list)
    strategies: list[Code] = Field(default_factory=list)
    laws: list[Code] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    # Empty means every industry.
    industries: list[Code] = Field(default_factory=list)
    # What the scenario's measures presume (a scene in the hall: security, 110, moving the other
    # customers): where it does not hold (a hotline), its strategies and laws are no advice for now.
    needs: list[ScriptNeed] = Field(default_factory=list)

    def search_text(self) -> str:
        return " ".join([self.situation, *self.measures, *(case.condition for case in self.cases)])


class IndustryCategory(SignalMixin):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    label: Text | None = None


class IndustryDemand(BaseModel):
    """A demand as an industry names it (a shop's cancel is 退货/退卡/解约, not 退订/销号/解约)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Demand
    label: Text
    # As the read-back on saving puts it to the customer (codes.DEMANDS_AS_SAID).
    as_said: Text | None = None


class Industry(NamedEntry):
    entry_kind: ClassVar[str] = "industry"
    entry_kind_name: ClassVar[str] = "行业配置"

    default: bool = False
    summary: Text
    segments: list[Text] = Field(default_factory=list)
    categories: list[IndustryCategory] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    # The regulators and hotlines that transfer its customers' complaints to it.
    transfer_sources: list[TransferSource] = Field(min_length=1)
    # The body above the organisation a complaint may be escalated to (省公司, 总部).
    head_office: Text
    # A business its complaints are typically about, the example in intake's 涉及业务 field.
    topic_example: Text
    # The root-cause kinds its complaints can have; empty means every kind.
    root_causes: list[RootCauseKind] = Field(default_factory=list)
    slot_defaults: dict[SlotName, Text] = Field(default_factory=dict)
    # Its own names of the demands where the common ones are another industry's words.
    demands: list[IndustryDemand] = Field(default_factory=list)

    @model_validator(mode="after")
    def _categories_unique(self) -> Industry:
        codes = [category.code for category in self.categories]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"分类重复 (duplicate category) {', '.join(repeated)}")
        return self

    def search_text(self) -> str:
        return " ".join([self.summary, *self.segments])

    def category(self, code: str) -> IndustryCategory | None:
        return next((category for category in self.categories if category.code == code), None)

    def category_names(self) -> dict[Category, str]:
        """Every category by the name this industry gives it: its own label where it has one
        (a shop's billing is 收银/价格争议), else the common name; a category it does not use keeps
        the common name, for complaints stored before the industry changed."""
        labels = {category.code: category.label for category in self.categories if category.label}
        return {code: labels.get(code.value, name) for code, name in CATEGORY_NAMES.items()}

    def demand_names(self) -> dict[Demand, str]:
        """Every demand by the name this industry gives it (a shop's cancel is 退货/退卡/解约), else
        the common name."""
        labels = {demand.code: demand.label for demand in self.demands}
        return {code: labels.get(code, name) for code, name in DEMAND_NAMES.items()}

    def demands_as_said(self) -> dict[Demand, str]:
        """The read-back's words for the demands, this industry's where it has them."""
        said = {demand.code: demand.as_said for demand in self.demands if demand.as_said}
        return {code: said.get(code, words) for code, words in DEMANDS_AS_SAID.items()}
