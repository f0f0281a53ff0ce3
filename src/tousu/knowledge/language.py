"""Service-language rules (服务用语): phrases to avoid, elements of a good reply, dialogue cues.

`load_language_rules(path)` reads language.yaml, compiles every pattern against the
matching form of a text (see tousu.matching) and checks each rule against its own
examples; any problem raises KnowledgeBaseError(file, entry, message).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, ValidationInfo, field_validator

from tousu.domain.codes import Demand
from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.source import data_dir, read_yaml
from tousu.matching import Matcher, MatchView, variant_classes
from tousu.text import fold


def _to_matcher(value: Any, info: ValidationInfo) -> Matcher:
    if isinstance(value, Matcher):
        return value
    if not isinstance(value, list) or not value:
        raise ValueError("必须是非空列表 (expected a non-empty list of phrases or {regex: ...})")
    return Matcher.compile(value, (info.context or {}).get("variants", {}))


Patterns = Annotated[Matcher, PlainValidator(_to_matcher)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, Field(min_length=1)]
Points = Annotated[int, Field(ge=0, le=100)]
PhraseKind = Literal[
    "blame", "argue", "interrupt", "refuse", "shirk", "provoke", "wait", "rude", "belittle", "dismiss", "stonewall"
]
Severity = Literal["forbidden", "discouraged"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhraseRule(_Entry):
    """Something staff should not say, and what to say instead."""

    code: Code
    name: Text
    kind: PhraseKind
    severity: Severity
    patterns: Patterns
    replacement: tuple[Text, ...] | None = Field(description="better phrasings; None means: never say it")
    reason: Text
    deduction: Points
    unless_near: tuple[Code, ...] = ()
    near_window: int = Field(default=30, ge=1, le=500)
    examples: tuple[Text, ...] = Field(min_length=1)
    non_examples: tuple[Text, ...] = ()
    # The industries whose staff it speaks to, when its examples or reason cite what binds only
    # them (the telecom 申诉时限); empty: every industry.
    industries: tuple[Code, ...] = ()

    def speaks_to(self, industry: str | None) -> bool:
        """Whether the rule is for the industry's staff; None (no industry named): every rule."""
        return industry is None or not self.industries or industry in self.industries

    @field_validator("replacement", mode="before")
    @classmethod
    def _never_or_phrasings(cls, value: Any) -> Any:
        if value == "never":
            return None
        if value is None or value == []:
            raise ValueError("写 never，或给出至少一个替换说法 (write never or at least one replacement)")
        return (value,) if isinstance(value, str) else value

    @property
    def suggestion(self) -> str | None:
        return self.replacement[0] if self.replacement else None


class ElementRule(_Entry):
    """Something a good reply contains (empathy, a deadline, the closing sentences...)."""

    code: Code
    name: Text
    level: Literal["required", "recommended"]
    patterns: Patterns
    deduction: Points
    message: Text
    examples: tuple[Text, ...] = Field(min_length=1)


class DemandRule(_Entry):
    """How a staff answer to a customer's demand sounds (what the customer asks for is read by
    the analyzer, from the taxonomy's demand cues and its model)."""

    code: Demand
    answered: Patterns
    answered_by_senior: bool = False


class PromiseRules(_Entry):
    deadlines: Patterns
    actions: Patterns
    accept_replies: Patterns


class FindingRule(_Entry):
    name: Text
    message: Text
    deduction: Points
    max_count: int = Field(default=1, ge=1)


class DialogueFindings(_Entry):
    cut_off: FindingRule
    customer_interrupted: FindingRule
    argue_back: FindingRule
    misunderstood: FindingRule
    unanswered_demand: FindingRule
    repeated_demand: FindingRule


class DialogueRules(_Entry):
    unfinished_turn: Patterns
    contradiction_openers: Patterns
    misunderstood_signals: Patterns
    repeated_demand_times: int = Field(ge=2)
    findings: DialogueFindings


@dataclass(frozen=True)
class LanguageRules:
    phrases: tuple[PhraseRule, ...]
    elements: tuple[ElementRule, ...]
    promises: PromiseRules
    demands: tuple[DemandRule, ...]
    dialogue: DialogueRules
    _elements_by_code: dict[str, ElementRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_elements_by_code", {rule.code: rule for rule in self.elements})

    def element(self, code: str) -> ElementRule:
        return self._elements_by_code[code]

    def phrase_spans(self, rule: PhraseRule, view: MatchView) -> list[tuple[int, int]]:
        """Matching-form spans where `rule` fires, minus those near one of its `unless_near` elements."""
        spans = sorted({(m.start(), m.end()) for m in rule.patterns.finditer(view.text) if m.end() > m.start()})
        if not spans or not rule.unless_near:
            return spans
        exempt = sorted(
            (m.start(), m.end()) for code in rule.unless_near for m in self.element(code).patterns.finditer(view.text)
        )
        if not exempt:
            return spans
        starts = [start for start, _ in exempt]
        longest = max(end - start for start, end in exempt)
        window = rule.near_window

        def is_exempt(start: int, end: int) -> bool:
            low = bisect.bisect_left(starts, start - window - longest)
            high = bisect.bisect_left(starts, end + window)
            return any(exempt[i][1] > start - window for i in range(low, high))

        return [span for span in spans if not is_exempt(*span)]

    def phrases_for(self, industry: str | None) -> tuple[PhraseRule, ...]:
        """The phrase rules for the staff of `industry` (None: every rule)."""
        return tuple(rule for rule in self.phrases if rule.speaks_to(industry))

    def fired_phrases(self, text: str) -> list[str]:
        """Codes of the phrase rules that fire anywhere in `text` (used to validate the file)."""
        view = MatchView.of(fold(text))
        return [rule.code for rule in self.phrases if self.phrase_spans(rule, view)]


M = TypeVar("M", bound=BaseModel)
# Speaker tags are not here: the analyzer and the checker share taxonomy.yaml `speakers`.
_SECTIONS = {"variants", "phrases", "elements", "promises", "demands", "dialogue"}


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '-'}: {err['msg']}" for err in exc.errors())


def _entries(doc: dict[str, Any], key: str, model: type[M], file: str, context: dict[str, Any]) -> tuple[M, ...]:
    raw_entries = doc.get(key)
    if not isinstance(raw_entries, list) or not raw_entries:
        raise KnowledgeBaseError(file, key, f"顶层必须有非空列表 '{key}' (expected a non-empty list)")
    entries: list[M] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_entries):
        label = str(raw.get("code", f"{key}#{index + 1}")) if isinstance(raw, dict) else f"{key}#{index + 1}"
        try:
            entry = model.model_validate(raw, context=context)
        except ValidationError as exc:
            raise KnowledgeBaseError(file, label, _problems(exc)) from None
        code = str(entry.code)  # type: ignore[attr-defined]
        if code in seen:
            raise KnowledgeBaseError(file, code, "重复的 code (duplicate code)")
        seen.add(code)
        entries.append(entry)
    return tuple(entries)


def _section(doc: dict[str, Any], key: str, model: type[M], file: str, context: dict[str, Any]) -> M:
    if key not in doc:
        raise KnowledgeBaseError(file, key, f"缺少 '{key}' 部分 (missing section)")
    try:
        return model.model_validate(doc[key], context=context)
    except ValidationError as exc:
        raise KnowledgeBaseError(file, key, _problems(exc)) from None


def _variants(raw: Any, file: str) -> dict[str, str]:
    groups_ok = isinstance(raw, list) and all(
        isinstance(group, list) and len(group) >= 2 and all(isinstance(c, str) and len(c) == 1 for c in group)
        for group in raw
    )
    if not groups_ok:
        raise KnowledgeBaseError(
            file, "variants", "必须是单字组成的列表的列表，每组至少两个字 (list of groups of single characters)"
        )
    try:
        return variant_classes(raw)
    except ValueError as exc:
        raise KnowledgeBaseError(file, "variants", str(exc)) from None


def _check_references(rules: LanguageRules, file: str) -> None:
    codes = [rule.code for rule in rules.phrases] + [rule.code for rule in rules.elements]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise KnowledgeBaseError(file, min(duplicates), "短语规则与要素的 code 重复 (duplicate code)")
    for rule in rules.phrases:
        for code in rule.unless_near:
            if code not in rules._elements_by_code:
                raise KnowledgeBaseError(file, rule.code, f"unless_near 引用了不存在的要素 '{code}' (unknown element)")


def _check_examples(rules: LanguageRules, file: str) -> None:
    for rule in rules.phrases:
        for example in rule.examples:
            if rule.code not in rules.fired_phrases(example):
                raise KnowledgeBaseError(file, rule.code, f"示例没有被规则识别 (example not matched): {example}")
        for example in rule.non_examples:
            if rule.code in rules.fired_phrases(example):
                raise KnowledgeBaseError(file, rule.code, f"反例被误判 (non-example matched): {example}")
        if rule.suggestion is not None and (fired := rules.fired_phrases(rule.suggestion)):
            raise KnowledgeBaseError(file, rule.code, f"替换说法本身触发了规则 {fired} (replacement breaks a rule)")
    for element in rules.elements:
        for example in element.examples:
            if element.patterns.search(MatchView.of(fold(example)).text) is None:
                raise KnowledgeBaseError(file, element.code, f"示例没有被识别 (example not matched): {example}")


def load_language_rules(path: Path) -> LanguageRules:
    """Load and validate language.yaml; KnowledgeBaseError names the file and entry at fault."""
    file = path.name
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise KnowledgeBaseError(file, "-", "顶层必须是映射 (expected a mapping at the top level)")
    unknown: Sequence[str] = sorted(str(key) for key in set(doc) - _SECTIONS)
    if unknown:
        raise KnowledgeBaseError(file, unknown[0], "未知的顶层键 (unknown top-level key)")
    context = {"variants": _variants(doc.get("variants", []), file)}
    rules = LanguageRules(
        phrases=_entries(doc, "phrases", PhraseRule, file, context),
        elements=_entries(doc, "elements", ElementRule, file, context),
        promises=_section(doc, "promises", PromiseRules, file, context),
        demands=_entries(doc, "demands", DemandRule, file, context),
        dialogue=_section(doc, "dialogue", DialogueRules, file, context),
    )
    _check_references(rules, file)
    _check_examples(rules, file)
    return rules


@lru_cache(maxsize=1)
def packaged_language_rules() -> LanguageRules:
    """The rules shipped with the package, loaded once."""
    return load_language_rules(data_dir() / "language.yaml")
