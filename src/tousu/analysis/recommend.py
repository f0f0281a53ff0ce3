"""Recommendations: strategies in order with why, scripts with slots filled, the legal basis,
what not to say, what the handling role may offer within its authority and what it may not.

Strategy order: each demand playbook, matched scenario and matched profile lists strategies in
its own order of preference; a strategy earns points from every list that names it (more for
earlier places, more for demands than for scenarios, more for scenarios than for profiles).
Two rules of the training material adjust that: a threat of violence or of a crowd puts
people's safety first where staff may face the customer, and on a remote channel (a hotline,
the web) the customer steadied in words and the hall warned instead; with an angry customer
or an urgent signal the feelings come first (先处理心情; never with a calm customer, who wants the matter done),
and the broken-record method is dropped back when the customer's emotion is rising (insults,
shouting, violence in the customer's own words; a threat made to press a demand is what the
method answers, not a reason to drop it). The complaint's own words come next after each
demand's first strategy: the first strategy of a scenario or profile matched in the customer's
words, and a strategy with a script written for the very threat the customer made (the court
threat is answered by hinting at its cost). Every
strategy that earned points is returned, best first; how many to show at once is the page's
business (the complaint page shows the first step, if any, and five more before folding the rest).

What fits this complaint: a script or a playbook line says what it fits (`Fits`: category,
industry, the demands or threats it speaks to, what it presumes: a past with us, an upset
customer, a meeting in person, which the complaint's channel rules out when known). A line that
gives a settlement item (退费, 费用减免, 双倍返还…) is offered only where laws.yaml `remedies`
allow that item for the complaint's category, through the same check a settlement goes through
(`tousu.domain.remedies.check_items`): advice never offers what a settlement would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, TypeVar, cast

from tousu.analysis.results import Hint, LegalBasis, Offer, Recommendations, Refusal, StrategyAdvice
from tousu.domain.codes import CATEGORY_NAMES, FACE_TO_FACE_CHANNELS, Demand, Emotion, Role
from tousu.domain.remedies import FACT_NAMES, Basis, Fact, Item, SettlementType, check_items, offer_of
from tousu.knowledge import KnowledgeBase, render_script, script_slots
from tousu.knowledge.models import DemandPlaybook, Fits, FittedScript, Grant, ProfileGroup, ScriptNeed

T = TypeVar("T")

MAX_SCRIPTS = 2
# Put first when earned, before the matter's strategies.
FIRST_STEPS = ("safety_first", "forewarn_site", "mood_first")
# A threat of violence or of a crowd: in the hall (or where the channel is not known) people are
# kept safe first; on a remote channel nobody is at risk in the call, so the customer is steadied
# in words and the hall warned (each strategy's `needs` says where it applies).
_THREAT_STEPS = (
    ("safety_first", "现场可能有冲突，先保证人身安全"),
    ("forewarn_site", "客户扬言到营业厅聚集或动手，先稳住客户并提前告知现场"),
)
_THREAT_SIGNALS = frozenset({"violence", "group_incident"})
MAX_AVOID = 8
MAX_REASONS = 3
# Strategies the complaint's own words call for, placed right after each demand's first one.
MAX_CUED = 3

# Threats and money first: they shape the whole conversation.
DEMAND_PRIORITY: tuple[str, ...] = (
    "media_threat",
    "regulator_threat",
    "high_compensation",
    "mental_damages",
    "double_refund",
    "transport_lost_wages",
    "manager",
    "apology",
    "unfair_terms",
    "refund",
    "exchange",
    "cancel",
    "fix",
    "explanation",
)
_SOURCE_WEIGHT = {"demand": 1.0, "scenario": 0.8, "profile": 0.6}
_LIMITS = {"refund": "max_refund", "compensation": "max_compensation", "gift": "max_gift"}
# Profiles read from a customer who says he has been with us for years (老用户, 用了十几年).
_SAYS_LONG_STANDING = frozenset({"loyal_supporter"})
_SENIOR_ROLES = frozenset({Role.MANAGER.value, Role.DIRECTOR.value, Role.ADMIN.value})
_UPSET = frozenset({Emotion.UPSET.value, Emotion.ANGRY.value})
_FACE_TO_FACE = frozenset(channel.value for channel in FACE_TO_FACE_CHANNELS)
# Whether a settlement item can be given at all in a category does not hang on the facts; with
# every fact granted, what the checker still refuses is refused for the category itself.
_EVERY_FACT = frozenset(Fact)
# Slots that state a fact of the complaint. Without the fact a script shows a visible blank for
# the agent to fill in (【金额】), never a made-up stand-in ("被扣了相关费用" to a customer who
# complained of rudeness). The reply deadline is the complaint's own (24 hours for one, 48 for
# another), so it is a fact too: 【期限】 unless the caller knows it. The other slots take neutral
# wording (您, 相关部门…).
FACT_SLOTS: tuple[str, ...] = ("金额", "日期", "套餐", "业务", "期限")
# Sentence ends and commas a phrase list must not double ("也一样。、你去曝光啊").
_PHRASE_END = "。．.！!？?，,、；;：: "


def blank(slot: str) -> str:
    """How a slot the complaint does not fill is shown: a blank the agent sees and fills in."""
    return f"【{slot}】"


_BLANKS = {slot: blank(slot) for slot in FACT_SLOTS}


@dataclass(frozen=True, slots=True)
class Situation:
    """What the recommender needs to know about the analysed complaint.

    `known_customer`: the caller has the customer's earlier complaints on record. A script that
    presumes a past with us ("多年的老客户", "上次") needs that, or the customer's own words
    saying so (the loyal-supporter profile).

    `charged_yuan`: the largest sum the customer's words say they were charged (what a refund
    returns); `claimed_yuan`: the largest other sum they name (what they claim in compensation).

    `emotion_rising`: the customer's own words show the emotion running high (insults,
    shouting, violence), beyond pressing a demand with threats. The broken-record method
    stops then.

    `channel`: where the complaint came in (a `Channel` value), None when not known. A line
    offering a seat or a quieter room is left out for a channel where nobody meets in person.

    `harmed`: the customer's own words tell of harm to the body, health or person (受伤, 过敏,
    住院). Mental damages and lost wages are then examined on the facts, never refused as a
    property dispute.

    `fraud_claimed`: the customer's words call the matter fraud or claim the fraud compensation
    of the consumer law (退一赔三, 按消法55条赔). The advice then names that law with what must
    be established first, or, where the complaint's category is outside it, why it does not apply.

    `future_act`: the customer's words put what he threatens in the future (明天带人去营业厅堵门).
    Nothing is happening in the hall yet: no line may say something was done about it (报了110).
    """

    demands: Sequence[str]
    emotion: str
    signals: Sequence[str]
    profiles: Sequence[Hint]
    scenarios: Sequence[Hint]
    charged_yuan: float | None
    claimed_yuan: float | None
    slots: Mapping[str, str]
    industry: str
    role: str | None
    authority: Mapping[str, Any] | None
    category: str = "other"
    known_customer: bool = False
    emotion_rising: bool = False
    channel: str | None = None
    harmed: bool = False
    fraud_claimed: bool = False
    future_act: bool = False


def recommend(kb: KnowledgeBase, situation: Situation) -> Recommendations:
    demands = sorted(map(Demand, situation.demands), key=DEMAND_PRIORITY.index)
    offers, refusals = _offers(kb, situation, demands)
    kind = _kind(kb, situation)
    return Recommendations(
        strategies=_strategies(kb, situation, demands, kind),
        legal_basis=_remember(kb, ("legal_basis", *kind), lambda: _legal_basis(kb, situation, demands)),
        avoid_phrases=_remember(kb, ("avoid", *kind), lambda: _avoid(kb, situation, demands)),
        may_offer=offers,
        may_not_offer=refusals,
    )


def _kind(kb: KnowledgeBase, situation: Situation) -> tuple[Any, ...]:
    """What the choice of scripts, laws and phrases depends on, the words aside: they are chosen
    once per kind of complaint and remembered (`_remember`)."""
    slots = script_facts(kb, situation.slots)
    return (
        situation.category,
        situation.industry,
        frozenset(situation.demands),
        frozenset(situation.signals),
        tuple(hint.code for hint in situation.scenarios),  # in order: it orders the laws
        tuple(hint.code for hint in situation.profiles),
        _known_customer(situation),
        _upset(situation),
        _face_to_face(situation),
        situation.harmed,
        situation.fraud_claimed,
        situation.future_act,
        frozenset(name for name in _BLANKS if name in slots),
    )


_MEMORY: dict[tuple[Any, ...], tuple[KnowledgeBase, Any]] = {}
_KEPT = 20_000  # kinds remembered; beyond, the memory starts again


def _remember(kb: KnowledgeBase, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` for this knowledge base and key, computed once. The knowledge base is kept
    with its entries, so an id reused by another one never matches."""
    known = _MEMORY.get((id(kb), *key))
    if known is not None and known[0] is kb:
        return cast(T, known[1])
    if len(_MEMORY) >= _KEPT:
        _MEMORY.clear()
    value = compute()
    _MEMORY[(id(kb), *key)] = (kb, value)
    return value


def _known_customer(situation: Situation) -> bool:
    return situation.known_customer or any(hint.code in _SAYS_LONG_STANDING for hint in situation.profiles)


def _upset(situation: Situation) -> bool:
    """The customer is upset or angry: what a line soothing feelings, and the mood-first step, need."""
    return situation.emotion in _UPSET


def _face_to_face(situation: Situation) -> bool:
    """Staff may be facing the customer: a hall or a visit, or a channel nobody told us."""
    return situation.channel is None or situation.channel in _FACE_TO_FACE


def _remote(situation: Situation) -> bool:
    """The channel is known and nobody meets the customer in person (a hotline, the web)."""
    return not _face_to_face(situation)


def _on_scene(situation: Situation) -> bool:
    """What the customer does is happening where staff face him, not threatened for tomorrow."""
    return _face_to_face(situation) and not situation.future_act


_NEEDS: dict[ScriptNeed, Callable[[Situation], bool]] = {
    ScriptNeed.HISTORY: _known_customer,
    ScriptNeed.UPSET: _upset,
    ScriptNeed.FACE_TO_FACE: _face_to_face,
    ScriptNeed.REMOTE: _remote,
    ScriptNeed.HARM: lambda situation: situation.harmed,
    ScriptNeed.NO_HARM: lambda situation: not situation.harmed,
    ScriptNeed.FRAUD_CLAIM: lambda situation: situation.fraud_claimed,
    ScriptNeed.ON_SCENE: _on_scene,
}


def _needs_hold(needs: Sequence[ScriptNeed], situation: Situation) -> bool:
    return all(_NEEDS[need](situation) for need in needs)


def _scenes(kb: KnowledgeBase, situation: Situation) -> list[Hint]:
    """The matched scenarios whose measures fit the channel: one in the hall (security, 110,
    moving the other customers) is nothing to do now on a hotline."""
    return [hint for hint in situation.scenarios if _needs_hold(kb.scenarios[hint.code].needs, situation)]


def _set_aside(kb: KnowledgeBase, situation: Situation) -> list[Hint]:
    """The matched scenarios whose measures do not fit the channel (see `_scenes`)."""
    kept = {hint.code for hint in _scenes(kb, situation)}
    return [hint for hint in situation.scenarios if hint.code not in kept]


def fits(line: Fits, situation: Situation) -> bool:
    """Whether a script or a playbook line is meant for this complaint (see `Fits`)."""
    if line.categories and situation.category not in line.categories:
        return False
    if line.industries and situation.industry not in line.industries:
        return False
    if not _needs_hold(line.needs, situation):
        return False
    if not line.topical:
        return True
    return bool(
        set(line.demands) & set(situation.demands)
        or set(line.signals) & set(situation.signals)
        or {hint.code for hint in situation.scenarios} & set(line.scenarios)
        or {hint.code for hint in situation.profiles} & set(line.profiles)
    )


def _strategies(
    kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand], kind: tuple[Any, ...]
) -> tuple[StrategyAdvice, ...]:
    """The strategies with their scripts filled from this complaint's facts; which strategies,
    why and which scripts are chosen once per kind of complaint (`_chosen`)."""
    key = ("strategies", situation.emotion, situation.emotion_rising, situation.role, *kind)
    chosen = _remember(kb, key, lambda: _chosen(kb, situation, demands))
    industry = kb.industries.get(situation.industry) or kb.industry(situation.industry)
    slots = script_facts(kb, situation.slots)
    wording = {**industry.slot_defaults, **_BLANKS}
    return tuple(
        StrategyAdvice(
            code,
            name,
            why,
            tuple(render_script(script.text, slots, wording) for script in scripts),
            first_step=place == 0 and code in FIRST_STEPS,
        )
        for place, (code, name, why, scripts) in enumerate(chosen)
    )


def _chosen(
    kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]
) -> list[tuple[str, str, str, list[FittedScript]]]:
    """Every applicable strategy, in order, with why and the scripts meant for this complaint."""
    points: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}

    def credit(codes: Sequence[str], weight: float, reason: str) -> None:
        for place, code in enumerate(codes):
            if code not in kb.strategies or not _needs_hold(kb.strategies[code].needs, situation):
                continue
            points[code] = points.get(code, 0.0) + weight / (1 + 0.5 * place)
            reasons.setdefault(code, [])
            if reason not in reasons[code]:
                reasons[code].append(reason)

    industry = kb.industries.get(situation.industry) or kb.industry(situation.industry)
    demand_names = industry.demand_names()  # a shop's cancel is 退货/退卡/解约
    for rank, demand in enumerate(demands):
        playbook = kb.demands[demand]
        credit(
            playbook.strategies,
            _SOURCE_WEIGHT["demand"] / (1 + 0.3 * rank),
            f"应对“{demand_names[demand]}”诉求",
        )
    for rank, hint in enumerate(_scenes(kb, situation)):
        scenario = kb.scenarios[hint.code]
        credit(scenario.strategies, _SOURCE_WEIGHT["scenario"] / (1 + 0.3 * rank), f"适用于“{scenario.name}”场景")
    for hint in _set_aside(kb, situation):
        # An in-hall scene told from afar: the hall is warned instead of secured (forewarn_site
        # needs a remote channel; the safety step it stands for needs the hall).
        scenario = kb.scenarios[hint.code]
        if "safety_first" in scenario.strategies:
            reason = f"客户说的“{scenario.name}”不在眼前发生，先稳住客户并提前告知营业厅"
            credit(["forewarn_site"], _SOURCE_WEIGHT["scenario"], reason)
    for rank, hint in enumerate(situation.profiles):
        profile = kb.profiles[hint.code]
        credit(profile.strategies, _SOURCE_WEIGHT["profile"] / (1 + 0.3 * rank), f"客户可能属于“{profile.name}”")
    heated = situation.emotion == Emotion.ANGRY.value or bool(situation.signals)
    if not _upset(situation):
        # A calm customer wants the matter done, not soothing (mood_first's when_not_to_use).
        points.pop("mood_first", None)
        reasons.pop("mood_first", None)
    elif heated and "mood_first" in kb.strategies:
        points["mood_first"] = max(points.values(), default=0.0) + 1.0
        reasons.setdefault("mood_first", []).insert(0, "客户情绪激动或有紧急信号，先处理心情再处理事情")
    damped: set[str] = set()
    if situation.emotion_rising and "broken_record" in points:
        points["broken_record"] *= 0.3
        damped.add("broken_record")
        # First: the reasons shown are cut to MAX_REASONS, and this one must not be cut.
        reasons["broken_record"].insert(0, "注意：客户情绪上升时应停止使用")
    if _THREAT_SIGNALS & set(situation.signals):
        for code, reason in _THREAT_STEPS:
            if code in kb.strategies and _needs_hold(kb.strategies[code].needs, situation):
                points[code] = max(points.values(), default=0.0) + 2.0
                reasons.setdefault(code, []).insert(0, reason)
                break
    ranked = _best_first(points)
    # Every demand gets its playbook: safety and mood first, then the first strategy of each
    # demand, then what the customer's own words call for (`_cued`), then the rest of the demands'
    # playbooks in turn (second of each, third of each…: one demand's points must not crowd out
    # another's), then what scenarios and profiles add, and last those to be used with restraint.
    first_aid = [code for code in ranked[:1] if code in FIRST_STEPS]
    playbooks = zip_longest(*(kb.demands[d].strategies for d in demands))
    demanded = [code for row in playbooks for code in row if code is not None and code in points]
    leads = [kb.demands[d].strategies[0] for d in demands if kb.demands[d].strategies]
    cued = [code for code in _cued(kb, situation, credit) if code not in damped][:MAX_CUED]
    ordered = [
        code
        for code in dict.fromkeys([*first_aid, *leads, *cued, *demanded, *_best_first(points)])
        if code in points and code not in damped
    ]
    ordered += [code for code in _best_first(points) if code in damped]
    slots = script_facts(kb, situation.slots)
    chosen = []
    for code in ordered:
        strategy = kb.strategies[code]
        why = "；".join(reasons.get(code, [])[:MAX_REASONS])
        usage_note = _usage_note(strategy.usage.value, situation.role)
        if usage_note:
            why = f"{why}；{usage_note}" if why else usage_note
        chosen.append((code, strategy.name, why, _fitting(strategy.fitted, situation, slots)))
    return chosen


def _best_first(points: Mapping[str, float]) -> list[str]:
    return sorted(points, key=lambda code: -points[code])


def _cued(kb: KnowledgeBase, situation: Situation, credit: Callable[[Sequence[str], float, str], None]) -> list[str]:
    """The strategies the complaint's own words call for, in order: the first strategy of each
    scenario, then of each difficult type or personality, matched in the customer's words (a hint
    drawn only from the labels adds nothing the demands have not said); then each strategy with a
    script written for an urgency signal of this complaint (the court threat, the regulator
    threat), credited as a scenario would be."""
    found: list[str] = []
    for hint in _scenes(kb, situation):
        entry = kb.scenarios[hint.code]
        if hint.evidence and entry.strategies:
            found.append(entry.strategies[0])
    for hint in situation.profiles:
        profile = kb.profiles[hint.code]
        # Difficult types and personalities have their own handling; a motive (money) the demands
        # already speak to.
        if hint.evidence and profile.strategies and profile.group is not ProfileGroup.MOTIVE:
            found.append(profile.strategies[0])
    signals = set(situation.signals)
    for code, strategy in kb.strategies.items():
        if any(set(script.fits.signals) & signals and fits(script.fits, situation) for script in strategy.fitted):
            credit([code], _SOURCE_WEIGHT["scenario"], "有针对客户这一威胁的话术")
            found.append(code)
    return [code for code in dict.fromkeys(found) if code in kb.strategies]


def script_facts(kb: KnowledgeBase, slots: Mapping[str, str]) -> dict[str, str]:
    """The slots as scripts may use them. A category name is no service: pasted into a script it
    reads "计费/扣费争议扣费问题", so 业务 holding one is left blank."""
    filled = {name: value.strip() for name, value in slots.items() if value and value.strip()}
    if "业务" in filled and filled["业务"] in _category_names(kb):
        del filled["业务"]
    return filled


def _category_names(kb: KnowledgeBase) -> frozenset[str]:
    labels = {c.label for industry in kb.industries.values() for c in industry.categories if c.label}
    return frozenset({*CATEGORY_NAMES.values(), *labels})


def _fitting(scripts: Sequence[FittedScript], situation: Situation, slots: Mapping[str, str]) -> list[FittedScript]:
    """A strategy's scripts meant for this complaint, those its facts fill preferred (a script
    about a charge is a poor first choice for a complaint without one), then those written for
    its category or demands over the general ones. Ties keep the knowledge base's order."""

    def blanks(script: FittedScript) -> int:
        return sum(1 for name in script_slots(script.text) if name in _BLANKS and name not in slots)

    def general(script: FittedScript) -> bool:
        return not (script.fits.topical or script.fits.categories)

    meant = [script for script in scripts if fits(script.fits, situation)]
    return sorted(meant, key=lambda script: (blanks(script), general(script)))[:MAX_SCRIPTS]


def _usage_note(usage: str, role: str | None) -> str:
    senior = role in _SENIOR_ROLES
    if usage == "manager" and not senior:
        return "需厅经理/店长及以上出面使用"
    if usage == "with_care" and not senior:
        return "一线人员谨慎使用"
    return ""


def _legal_basis(kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]) -> tuple[LegalBasis, ...]:
    """Each demand's and scenario's laws in turn (first of each, then second of each…), so a
    long list for one demand does not crowd out the only law another one has. A demand's list
    starts with the grounds of what may be offered for it, then the reason for what may not,
    then the playbook's own laws; a law meant for other categories is left out (see _law_fits).
    A claim of fraud puts the fraud law first, in any category: where the category is outside it,
    it is the reason the claim is refused (see _fraud_refusals)."""
    lists: list[list[str]] = []
    for demand in demands:
        playbook = kb.demands[demand]
        fraud = [basis.code for _, basis in _fraud_bases(kb, playbook, situation)]
        cited = [code for grant in _grants(kb, playbook, situation) for code in _ground_codes(kb, grant, situation)]
        reasons = _claim_laws(kb, playbook, situation)
        own = [code for code in playbook.laws if _law_fits(kb, code, situation)]
        lists.append([*fraud, *cited, *reasons, *own])
    for hint in _scenes(kb, situation):
        lists.append([code for code in kb.scenarios[hint.code].laws if _law_fits(kb, code, situation)])
    ordered = [law_id for row in zip_longest(*lists) for law_id in row if law_id is not None]
    found = []
    for law_id in dict.fromkeys(ordered):
        law = kb.laws[law_id]
        effective = law.effective.isoformat() if law.effective else ""
        found.append(LegalBasis(law.id, law.title, law.article, law.summary, law.kind.value, effective))
    return tuple(found)


def _law_fits(kb: KnowledgeBase, law_id: str, situation: Situation) -> bool:
    """A law cited for this complaint: one the knowledge base limits to other industries (the
    telecom regulations for a shop) or other categories is not, nor one that grounds only
    settlement items `remedies` do not allow here (the double-refund promise on an outage, the
    arrears rules on a fault). Computed once per law, category and industry."""
    key = ("law_fits", law_id, situation.category, situation.industry)
    return _remember(kb, key, lambda: _law_fits_now(kb, law_id, situation.category, situation.industry))


def _binds(kb: KnowledgeBase, law_id: str, industry: str) -> bool:
    industries = kb.laws[law_id].industries
    return not industries or industry in industries


def _law_fits_now(kb: KnowledgeBase, law_id: str, category: str, industry: str) -> bool:
    law = kb.laws[law_id]
    if (law.categories and category not in law.categories) or not _binds(kb, law_id, industry):
        return False
    uses = [(rule, basis) for rule in kb.remedies.values() for basis in rule.bases if basis.code == law_id]
    return not uses or any(
        category not in rule.excluded and (basis.categories is None or category in basis.categories)
        for rule, basis in uses
    )


def _avoid(kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]) -> tuple[str, ...]:
    phrases: list[str] = []
    if {"media", "regulator", "litigation"} & set(situation.signals):
        phrases.extend(
            rule.examples[0] for rule in kb.language.phrases_for(situation.industry) if rule.kind == "provoke"
        )
    for demand in demands:
        phrases.extend(kb.demands[demand].avoid_saying)
    for hint in situation.profiles:
        phrases.extend(kb.profiles[hint.code].avoid)
    # Only the rules for its industry's staff: a shop is not shown the telecom 申诉时限.
    phrases.extend(
        rule.examples[0] for rule in kb.language.phrases_for(situation.industry) if rule.severity == "forbidden"
    )
    kept: list[str] = []
    for phrase in (p.strip().rstrip(_PHRASE_END) for p in phrases):
        # "向上投诉也一样" says nothing "您向上投诉也一样" has not.
        if phrase and not any(phrase in other or other in phrase for other in kept):
            kept.append(phrase)
    return tuple(kept[:MAX_AVOID])


@dataclass(frozen=True, slots=True)
class _Assessment:
    """What the settlement checks say of an item in a category: the bases that can ground it
    there (`None` for an item that needs none) and why the others cannot."""

    grounds: tuple[Basis | None, ...]
    refusals: tuple[str, ...]
    excluded: bool


def _assess(kb: KnowledgeBase, remedy: SettlementType, bases: Sequence[str], situation: Situation) -> _Assessment:
    """What the settlement checks say of an item in the complaint's category, on the bases
    that bind its industry (computed once each)."""
    category, industry = situation.category, situation.industry
    key = ("assess", remedy.value, tuple(bases), category, industry)
    return _remember(kb, key, lambda: _assessed(kb, remedy, bases, category, industry))


def _assessed(
    kb: KnowledgeBase, remedy: SettlementType, bases: Sequence[str], category: str, industry: str
) -> _Assessment:
    rule = kb.remedies[remedy]
    candidates: list[Basis | None] = [
        b for b in rule.bases if (not bases or b.code in bases) and _binds(kb, b.code, industry)
    ]
    if not candidates:
        candidates = [None]
    grounds: list[Basis | None] = []
    refusals: list[str] = []
    for basis in candidates:
        item = Item(remedy, 0.0, basis.code if basis is not None else None)
        findings = check_items([item], category=category, facts=_EVERY_FACT, rules=kb.remedies, industry=industry)
        if all(not finding.refused for finding in findings):
            grounds.append(basis)
        refusals.extend(finding.message for finding in findings if finding.refused)
    return _Assessment(tuple(grounds), tuple(dict.fromkeys(refusals)), category in rule.excluded)


def _grants(kb: KnowledgeBase, playbook: DemandPlaybook, situation: Situation) -> list[Grant]:
    """The playbook's may_grant lines meant for this complaint and allowed in its category."""
    return [
        grant
        for grant in playbook.grants
        if fits(grant.fits, situation)
        and (grant.remedy is None or _assess(kb, grant.remedy, grant.bases, situation).grounds)
    ]


def _ground_codes(kb: KnowledgeBase, grant: Grant, situation: Situation) -> list[str]:
    if grant.remedy is None:
        return []
    grounds = _assess(kb, grant.remedy, grant.bases, situation).grounds
    return [b.code for b in grounds if b is not None and _law_fits(kb, b.code, situation)]


def _claim_laws(kb: KnowledgeBase, playbook: DemandPlaybook, situation: Situation) -> list[str]:
    """The laws that decide the demand's own claim in this category: its grounds, or the reason
    it is refused. None when the category is excluded outright (the double-refund promise is no
    reason to cite on an outage; the grants' grounds say what applies instead)."""
    claim = playbook.claim
    if claim is None:
        return []
    rule = kb.remedies[claim.remedy]
    if situation.category in rule.excluded:
        return []
    refused = not _assess(kb, claim.remedy, claim.bases, situation).grounds
    return [
        b.code
        for b in rule.bases
        if (not claim.bases or b.code in claim.bases)
        and _binds(kb, b.code, situation.industry)
        and (refused or _law_fits(kb, b.code, situation))
    ]


def _claim_refusal(kb: KnowledgeBase, playbook: DemandPlaybook, situation: Situation, *, offered: bool) -> str | None:
    """What the settlement checks say against the demand's own claim: refused in this category,
    or not to be promised before its facts are confirmed (unless it is `offered`: the offer then
    names the facts to confirm, and the claim is not refused beside it)."""
    claim = playbook.claim
    if claim is None:
        return None
    assessment = _assess(kb, claim.remedy, claim.bases, situation)
    if not assessment.grounds:
        return assessment.refusals[0] if assessment.refusals else None
    if offered or any(basis is None or not basis.requires for basis in assessment.grounds):
        return None
    # Every basis it may rest on, each with the facts to confirm: naming the first alone would
    # send an outage's claim to the rules on a late installation.
    titles: dict[str, list[str]] = {}  # the facts to confirm, with the laws that ask for them
    for basis in assessment.grounds:
        if basis is not None:
            titles.setdefault("、".join(FACT_NAMES[f] for f in sorted(basis.requires)), []).append(basis.title)
    conditions = [f"{facts}（{'、'.join(laws)}）" for facts, laws in titles.items()]
    name = kb.remedies[claim.remedy].name
    if len(conditions) == 1:
        return f"{name}须先确认：{conditions[0]}，确认前不可承诺。"
    return f"{name}须先确认下列情形之一，确认前不可承诺：{'；'.join(conditions)}。"


def _offers(
    kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]
) -> tuple[tuple[Offer, ...], tuple[Refusal, ...]]:
    offers: list[Offer] = []
    refusals: list[Refusal] = []
    for demand in demands:
        playbook = kb.demands[demand]
        grant = next(iter(_grants(kb, playbook, situation)), None)
        if grant is not None:
            offers.append(_offer(kb, demand, grant, situation))
        offered = grant is not None and playbook.claim is not None and grant.remedy == playbook.claim.remedy
        refusal = _claim_refusal(kb, playbook, situation, offered=offered) or next(
            (line.text for line in playbook.refusals if fits(line.fits, situation)), None
        )
        if refusal:
            refusals.append(Refusal(demand.value, refusal))
        refusals.extend(Refusal(demand.value, note) for note in _fraud_refusals(kb, playbook, situation))
    return tuple(offers), tuple(refusals)


def _fraud_bases(
    kb: KnowledgeBase, playbook: DemandPlaybook, situation: Situation
) -> list[tuple[SettlementType, Basis]]:
    """Where the customer claims fraud: the bases of the demand's playbook that need established
    fraud (the consumer law's 退一赔三), binding the complaint's industry. None otherwise."""
    if not situation.fraud_claimed:
        return []
    named = {*playbook.laws, *(code for grant in playbook.grants for code in grant.bases)}
    return [
        (remedy, basis)
        for remedy, rule in kb.remedies.items()
        for basis in rule.bases
        if Fact.FRAUD in basis.requires and basis.code in named and _binds(kb, basis.code, situation.industry)
    ]


def _fraud_refusals(kb: KnowledgeBase, playbook: DemandPlaybook, situation: Situation) -> list[str]:
    """What the settlement checks say of a fraud compensation before the fraud is established: in
    a category the law covers, what must be established first and by whom; outside it (a billing
    error), why the law does not apply. The checker's own words, never a second wording."""
    return _remember(
        kb,
        ("fraud_refusals", playbook.code, situation.category, situation.industry, situation.fraud_claimed),
        lambda: _fraud_refusals_now(kb, playbook, situation),
    )


def _fraud_refusals_now(kb: KnowledgeBase, playbook: DemandPlaybook, situation: Situation) -> list[str]:
    notes: list[str] = []
    for remedy, basis in _fraud_bases(kb, playbook, situation):
        item = Item(remedy, 0.0, basis.code)
        findings = check_items(
            [item], category=situation.category, facts=(), rules=kb.remedies, industry=situation.industry
        )
        notes.extend(finding.message for finding in findings if finding.refused)
    return list(dict.fromkeys(notes))


def _offer(kb: KnowledgeBase, demand: Demand, grant: Grant, situation: Situation) -> Offer:
    if grant.remedy is None:
        needs_approval = demand == "manager" and situation.role not in _SENIOR_ROLES
        return Offer(demand.value, "action", None, None, needs_approval, grant.text)
    kind = _authority_kind(grant.remedy)
    limit = _limit(situation.authority, _LIMITS[kind])
    requested = _requested(grant.remedy, situation)
    # Without the role's limits nobody knows what it may give: ask the superior.
    needs_approval = limit is None or (requested > limit if requested is not None else limit <= 0)
    grounds = _assess(kb, grant.remedy, grant.bases, situation).grounds
    first = grounds[0] if grounds else None
    requires = tuple(FACT_NAMES[fact] for fact in sorted(first.requires)) if first is not None else ()
    return Offer(demand.value, kind, limit, requested, needs_approval, grant.text, grant.remedy.value, requires)


def _requested(remedy: SettlementType, situation: Situation) -> float | None:
    """The sum the offer would come to, as far as the words tell: the charge refunded, twice
    the charge, or the compensation claimed (not the monthly fee, not the sum of another demand)."""
    if remedy in (SettlementType.REFUND, SettlementType.DOUBLE_REFUND) and situation.charged_yuan is not None:
        return situation.charged_yuan * (2 if remedy is SettlementType.DOUBLE_REFUND else 1)
    if remedy in (SettlementType.COMPENSATION, SettlementType.TRANSPORT_LOST_WAGES):
        return situation.claimed_yuan
    return None


def _authority_kind(remedy: SettlementType) -> str:
    """The authority limit a settlement item counts against, as the settlement counts it."""
    counted = offer_of([Item(remedy, 1.0)])
    return next(kind for kind in _LIMITS if getattr(counted, kind))


def _limit(authority: Mapping[str, Any] | None, key: str) -> float | None:
    if authority is None or authority.get(key) is None:
        return None
    try:
        return float(authority[key])
    except (TypeError, ValueError):
        return None
