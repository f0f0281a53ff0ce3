"""Loading the knowledge base: every file validated, every cross-reference checked.

`load_knowledge_base()` returns the packaged knowledge base, loaded once; pass a directory
holding the same eight files to load a custom one (tests, a deployment's own edition).
Any problem raises KnowledgeBaseError(file, entry, message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from tousu.domain.codes import Demand
from tousu.domain.remedies import RemedyRule, SettlementType
from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.language import LanguageRules, load_language_rules
from tousu.knowledge.models import (
    DemandPlaybook,
    Entry,
    Fits,
    Industry,
    Law,
    Profile,
    ProfileGroup,
    Scenario,
    Strategy,
    render_script,
)
from tousu.knowledge.source import data_dir, parse_entries
from tousu.knowledge.taxonomy import Taxonomy, load_taxonomy
from tousu.text import fold

E = TypeVar("E", bound=Entry)

# The kinds a person can browse, in the order search results are listed.
KINDS: tuple[str, ...] = ("strategy", "demand", "profile", "scenario", "law", "industry")
_ATTRIBUTE = {
    "strategy": "strategies",
    "demand": "demands",
    "profile": "profiles",
    "scenario": "scenarios",
    "law": "laws",
    "industry": "industries",
}
_FILE = {kind: f"{attribute}.yaml" for kind, attribute in _ATTRIBUTE.items()}
_KIND_NAME = {
    "strategy": "策略",
    "demand": "诉求",
    "profile": "客户类型",
    "scenario": "场景",
    "law": "法规",
    "industry": "行业",
}


def normalize_text(text: str) -> str:
    """Fold text for matching signals and names: the shared folding (tousu.text.fold: half-width,
    simplified, lower-case ASCII), which the analyzer's profile and scenario hints match too, so a
    signal means the same in both. Nothing more: names and signals need no step of their own.

    >>> normalize_text("破唱片機法 ＡＢＣ")
    '破唱片机法 abc'
    """
    return fold(text)


class UnknownEntryError(LookupError):
    """A lookup by code or name found nothing; the message is bilingual for people."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(f"知识库中没有名为“{name}”的{_KIND_NAME.get(kind, kind)} (no {kind} named {name!r})")


@dataclass(frozen=True)
class SignalMatch:
    """An entry whose signals occur in a text, with the snippets that matched."""

    entry: Profile | Scenario
    hits: tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    taxonomy: Taxonomy
    language: LanguageRules
    strategies: dict[str, Strategy]
    demands: dict[Demand, DemandPlaybook]
    profiles: dict[str, Profile]
    scenarios: dict[str, Scenario]
    laws: dict[str, Law]
    industries: dict[str, Industry]
    # laws.yaml `remedies`: what a settlement may hold, by category (tousu.knowledge.remedies).
    remedies: Mapping[SettlementType, RemedyRule] = field(default_factory=dict)
    _names: dict[str, dict[str, Entry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {kind: _name_index(_FILE[kind], self.entries(kind).values()) for kind in KINDS}
        object.__setattr__(self, "_names", names)

    def entries(self, kind: str) -> Mapping[str, Entry]:
        if kind not in _ATTRIBUTE:
            raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        entries: Mapping[str, Entry] = getattr(self, _ATTRIBUTE[kind])
        return entries

    def find(self, kind: str, name: str) -> Entry:
        """An entry by code, Chinese name or alias (simplified or traditional, any width)."""
        self.entries(kind)
        entry = self._names[kind].get(_name_key(name))
        if entry is None:
            raise UnknownEntryError(kind, name)
        return entry

    def strategy(self, name: str) -> Strategy:
        return _typed(self.find("strategy", name), Strategy)

    def demand(self, name: str) -> DemandPlaybook:
        return _typed(self.find("demand", name), DemandPlaybook)

    def profile(self, name: str) -> Profile:
        return _typed(self.find("profile", name), Profile)

    def scenario(self, name: str) -> Scenario:
        return _typed(self.find("scenario", name), Scenario)

    def law(self, name: str) -> Law:
        return _typed(self.find("law", name), Law)

    def industry(self, name: str | None = None) -> Industry:
        """The named industry, or the default one (telecom in the shipped knowledge base)."""
        if name is None:
            return next(industry for industry in self.industries.values() if industry.default)
        return _typed(self.find("industry", name), Industry)

    @property
    def industry_names(self) -> dict[str, str]:
        """Each industry's code and Chinese name: what an organisation may name in its policy."""
        return {code: industry.name for code, industry in self.industries.items()}

    def strategies_of(self, entry: DemandPlaybook | Profile | Scenario) -> list[Strategy]:
        """The strategies an entry recommends, in its order."""
        return [self.strategies[code] for code in entry.strategies]

    def laws_of(self, entry: DemandPlaybook | Scenario) -> list[Law]:
        return [self.laws[law_id] for law_id in entry.laws]

    def profiles_in(self, group: ProfileGroup | str) -> list[Profile]:
        return [profile for profile in self.profiles.values() if profile.group == group]

    def render(self, template: str, slots: Mapping[str, str] | None = None, industry: str | None = None) -> str:
        """render_script() with the industry's wording for slots the caller left empty."""
        return render_script(template, slots, self.industry(industry).slot_defaults)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.entries(kind)) for kind in KINDS}

    def search(self, text: str, kinds: Sequence[str] = KINDS) -> list[Entry]:
        """Entries whose names or text contain every word of `text`; name matches first.

        >>> [entry.key for entry in load_knowledge_base().search("破唱片")][:1]
        ['broken_record']
        """
        words = normalize_text(text).split()
        if not words:
            return []
        query = "".join(words)
        ranked: list[tuple[int, int, int, Entry]] = []
        for kind_rank, kind in enumerate(kinds):
            for position, entry in enumerate(self.entries(kind).values()):
                names, blob = self._search_texts[(kind, entry.key)]
                if query in names:
                    rank = 0
                elif any(all(word in name for word in words) for name in names):
                    rank = 1
                elif all(word in blob for word in words):
                    rank = 2
                else:
                    continue
                ranked.append((rank, kind_rank, position, entry))
        ranked.sort(key=lambda item: item[:3])
        return [entry for *_, entry in ranked]

    def match_profiles(self, text: str, group: ProfileGroup | str | None = None) -> list[SignalMatch]:
        """Profiles whose signals occur in a customer's text, most hits first."""
        profiles = self.profiles_in(group) if group is not None else list(self.profiles.values())
        return _matches(profiles, text)

    def match_scenarios(self, text: str, industry: str | None = None) -> list[SignalMatch]:
        """Scenarios for the industry whose signals occur in the text, most hits first."""
        code = self.industry(industry).code
        scenarios = [s for s in self.scenarios.values() if not s.industries or code in s.industries]
        return _matches(scenarios, text)

    @cached_property
    def _search_texts(self) -> dict[tuple[str, str], tuple[list[str], str]]:
        texts: dict[tuple[str, str], tuple[list[str], str]] = {}
        for kind in KINDS:
            for entry in self.entries(kind).values():
                names = [_name_key(name) for name in entry.lookup_names()]
                texts[(kind, entry.key)] = (names, " ".join([*names, normalize_text(entry.search_text())]))
        return texts


def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """The packaged knowledge base (loaded once), or the one in `directory`."""
    if directory is None:
        return _packaged_knowledge_base()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _packaged_knowledge_base() -> KnowledgeBase:
    return _load(data_dir())


def _load(directory: Path) -> KnowledgeBase:
    if not directory.is_dir():
        raise KnowledgeBaseError(str(directory), "-", "知识库目录不存在 (knowledge-base directory not found)")
    laws = _parse(directory, "law", Law, "id")
    strategies = _parse(directory, "strategy", Strategy, "code")
    playbooks = _parse(directory, "demand", DemandPlaybook, "code")
    profiles = _parse(directory, "profile", Profile, "code")
    scenarios = _parse(directory, "scenario", Scenario, "code")
    industries = _parse(directory, "industry", Industry, "code")
    _check_demands_complete(playbooks)
    _check_references(laws, strategies, playbooks, profiles, scenarios, industries)
    _check_default_industry(industries)
    by_kind: dict[str, Mapping[str, Entry]] = {
        "law": laws,
        "strategy": strategies,
        "demand": playbooks,
        "profile": profiles,
        "scenario": scenarios,
        "industry": industries,
    }
    for kind, entries in by_kind.items():
        _name_index(_FILE[kind], entries.values())
    # The shared files come last: a mistake in ours is reported without parsing theirs.
    taxonomy = load_taxonomy(directory / "taxonomy.yaml")
    categories = {category.code for category in taxonomy.categories}
    _check_industry_categories(industries, categories)
    _check_derived_hints(taxonomy, profiles, scenarios)
    from tousu.knowledge.remedies import build_remedy_rules  # it reads laws.yaml with our models

    remedies = build_remedy_rules(directory, laws, categories)
    _check_fits(taxonomy, strategies, playbooks, profiles, scenarios, industries, remedies)
    language = load_language_rules(directory / "language.yaml")
    for rule in language.phrases:
        _refer("language.yaml", rule.code, "industries", list(rule.industries), industries, "行业 industry")
    kb = KnowledgeBase(
        taxonomy=taxonomy,
        language=language,
        strategies=strategies,
        demands={playbook.code: playbook for playbook in playbooks.values()},
        profiles=profiles,
        scenarios=scenarios,
        laws=laws,
        industries=industries,
        remedies=remedies,
    )
    _check_scripts_language(kb)
    _check_avoided_phrases_are_checked(kb)
    return kb


def _parse(directory: Path, kind: str, model: type[E], id_field: str) -> dict[str, E]:
    entries = parse_entries(directory / _FILE[kind], _ATTRIBUTE[kind], model, id_field=id_field)
    return {entry.key: entry for entry in entries}


def _check_demands_complete(playbooks: Mapping[str, DemandPlaybook]) -> None:
    missing = [demand.value for demand in Demand if demand.value not in playbooks]
    if missing:
        message = f"缺少诉求应对手册 (no playbook for demand): {', '.join(missing)}"
        raise KnowledgeBaseError(_FILE["demand"], missing[0], message)


def _check_default_industry(industries: Mapping[str, Industry]) -> None:
    defaults = [industry.code for industry in industries.values() if industry.default]
    if len(defaults) != 1:
        entry = defaults[1] if defaults else "-"
        message = f"必须恰好有一个默认行业 (exactly one default industry), 现有 {len(defaults)} 个"
        raise KnowledgeBaseError(_FILE["industry"], entry, message)


def _check_industry_categories(industries: Mapping[str, Industry], categories: set[str]) -> None:
    for industry in industries.values():
        for category in industry.categories:
            if category.code not in categories:
                message = f"引用了分类表中不存在的分类 (unknown taxonomy category): {category.code}"
                raise KnowledgeBaseError(_FILE["industry"], industry.code, message)


def _check_derived_hints(
    taxonomy: Taxonomy, profiles: Mapping[str, Profile], scenarios: Mapping[str, Scenario]
) -> None:
    """The taxonomy may name profiles and scenarios that follow from the labels; they must exist."""
    for hint in taxonomy.derived_hints:
        known: Mapping[str, Entry] = profiles if hint.kind == "profile" else scenarios
        if hint.code not in known:
            message = f"知识库中没有这个{hint.kind} (no such {hint.kind} in {_FILE[hint.kind]})"
            raise KnowledgeBaseError("taxonomy.yaml", f"derived_hints.{hint.target}", message)


def _check_references(
    laws: Mapping[str, Law],
    strategies: Mapping[str, Strategy],
    playbooks: Mapping[str, DemandPlaybook],
    profiles: Mapping[str, Profile],
    scenarios: Mapping[str, Scenario],
    industries: Mapping[str, Industry],
) -> None:
    for law in laws.values():
        _refer(_FILE["law"], law.key, "industries", law.industries, industries, "行业 industry")
    for playbook in playbooks.values():
        _refer(_FILE["demand"], playbook.key, "laws", playbook.laws, laws, "法规 law")
        _refer(_FILE["demand"], playbook.key, "strategies", playbook.strategies, strategies, "策略 strategy")
    for profile in profiles.values():
        _refer(_FILE["profile"], profile.key, "strategies", profile.strategies, strategies, "策略 strategy")
    for scenario in scenarios.values():
        _refer(_FILE["scenario"], scenario.key, "strategies", scenario.strategies, strategies, "策略 strategy")
        _refer(_FILE["scenario"], scenario.key, "laws", scenario.laws, laws, "法规 law")
        _refer(_FILE["scenario"], scenario.key, "industries", scenario.industries, industries, "行业 industry")


def _check_fits(
    taxonomy: Taxonomy,
    strategies: Mapping[str, Strategy],
    playbooks: Mapping[str, DemandPlaybook],
    profiles: Mapping[str, Profile],
    scenarios: Mapping[str, Scenario],
    industries: Mapping[str, Industry],
    remedies: Mapping[SettlementType, RemedyRule],
) -> None:
    """What a script or a playbook line says it fits must exist, and a line's remedy must have
    the bases it names (as laws.yaml `remedies` give them)."""
    signals = {label.code: label for label in taxonomy.urgency}

    def check(file: str, entry: str, fits: Fits) -> None:
        _refer(file, entry, "fits.industries", fits.industries, industries, "行业 industry")
        _refer(file, entry, "fits.scenarios", fits.scenarios, scenarios, "场景 scenario")
        _refer(file, entry, "fits.profiles", fits.profiles, profiles, "客户类型 profile")
        _refer(file, entry, "fits.signals", fits.signals, signals, "紧急信号 signal")

    def check_remedy(entry: str, remedy: SettlementType | None, bases: Sequence[str]) -> None:
        if remedy is None:
            return
        known = {basis.code for basis in remedies[remedy].bases}
        unknown = [code for code in bases if code not in known]
        if unknown:
            message = f"bases 中的 {unknown[0]} 不是 remedies 中“{remedies[remedy].name}”的依据 (not a basis of {remedy.value})"
            raise KnowledgeBaseError(_FILE["demand"], entry, message)

    for strategy in strategies.values():
        for script in strategy.fitted:
            check(_FILE["strategy"], strategy.key, script.fits)
    for playbook in playbooks.values():
        for line in [*playbook.grants, *playbook.refusals]:
            check(_FILE["demand"], playbook.key, line.fits)
            check_remedy(playbook.key, line.remedy, line.bases)
        if playbook.claim is not None:
            check_remedy(playbook.key, playbook.claim.remedy, playbook.claim.bases)


def _refer(file: str, entry: str, field_name: str, codes: Sequence[str], known: Mapping[str, Any], what: str) -> None:
    for code in codes:
        if code not in known:
            raise KnowledgeBaseError(file, entry, f"{field_name} 引用了不存在的{what}: {code}")
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise KnowledgeBaseError(file, entry, f"{field_name} 中有重复项 (duplicate reference): {', '.join(repeated)}")


@dataclass(frozen=True)
class ScriptFinding:
    """A script that trips a service-language rule (see language.yaml)."""

    file: str
    entry: str
    rule: str
    severity: str
    script: str


def script_findings(kb: KnowledgeBase) -> list[ScriptFinding]:
    """Every script that trips a service-language rule, forbidden or discouraged."""
    severity = {rule.code: rule.severity for rule in kb.language.phrases}
    findings: list[ScriptFinding] = []
    for kind in ("strategy", "demand", "profile", "scenario"):
        for entry in kb.entries(kind).values():
            for script in _scripts(entry):
                for code in kb.language.fired_phrases(render_script(script)):
                    findings.append(ScriptFinding(_FILE[kind], entry.key, code, severity[code], script))
    return findings


def _check_scripts_language(kb: KnowledgeBase) -> None:
    """Scripts are what staff will say, so none may use a forbidden phrase."""
    for finding in script_findings(kb):
        if finding.severity == "forbidden":
            raise KnowledgeBaseError(
                finding.file,
                finding.entry,
                f"话术含有服务用语禁用说法 (script breaks language rule {finding.rule}): {finding.script}",
            )


def _check_avoided_phrases_are_checked(kb: KnowledgeBase) -> None:
    """What a playbook tells staff not to say, the reply checker flags: one list of 忌语, not
    one shown on the complaint page and another enforced by 质检."""
    for playbook in kb.demands.values():
        for phrase in playbook.avoid_saying:
            if not kb.language.fired_phrases(phrase):
                raise KnowledgeBaseError(
                    _FILE["demand"],
                    playbook.key,
                    f"忌语没有对应的服务用语规则，答复质检查不出 (avoid_saying phrase matches no rule in "
                    f"language.yaml: add a pattern there): {phrase}",
                )


def _scripts(entry: Entry) -> Iterable[str]:
    if isinstance(entry, Strategy):
        return entry.examples
    if isinstance(entry, DemandPlaybook):
        return entry.scripts
    if isinstance(entry, Profile):
        return [*entry.scripts, *(script for case in entry.sub_cases for script in case.scripts)]
    if isinstance(entry, Scenario):
        return [*entry.answers, *(answer for case in entry.cases for answer in case.answers)]
    return []


def _name_key(name: str) -> str:
    return "".join(normalize_text(name).split())


def _name_index(file: str, entries: Iterable[Entry]) -> dict[str, Entry]:
    index: dict[str, Entry] = {}
    for entry in entries:
        for name in {_name_key(name) for name in entry.lookup_names()}:
            other = index.get(name)
            if other is not None and other is not entry:
                message = f"名称“{name}”与 {other.key} 重复 (name already used by {other.key})"
                raise KnowledgeBaseError(file, entry.key, message)
            index[name] = entry
    return index


def _typed(entry: Entry, model: type[E]) -> E:
    assert isinstance(entry, model)
    return entry


def _matches(entries: Iterable[Profile | Scenario], text: str) -> list[SignalMatch]:
    normalized = normalize_text(text)
    found = [SignalMatch(entry, tuple(hits)) for entry in entries if (hits := entry.signal_hits(normalized))]
    return sorted(found, key=lambda match: -len(match.hits))
