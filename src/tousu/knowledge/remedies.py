"""Which settlement items the law and the company's policy allow, read from `laws.yaml`'s
`remedies` (one source of truth for the settlement checks and the README's table).

    >>> rules = load_remedy_rules()
    >>> rules[SettlementType.DOUBLE_REFUND].excluded["network"][:6]
    '网络故障、信'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tousu.domain.codes import Role
from tousu.domain.remedies import FACT_NAMES, Basis, Fact, RemedyRule, SettlementType
from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.loader import KnowledgeBase, load_knowledge_base
from tousu.knowledge.models import Law
from tousu.knowledge.source import parse_entries

_FILE = "laws.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BasisEntry(_Strict):
    law: str
    categories: list[str] | None = None
    requires: list[Fact] = Field(default_factory=list)
    refusal: str = ""
    # Why it is not for the other categories, where `refusal` (its conditions) would mislead.
    outside: str = ""


class RemedyEntry(_Strict):
    type: SettlementType
    name: str
    basis_required: bool = False
    exception: str | None = None
    bases: list[BasisEntry] = Field(default_factory=list)
    excluded: dict[str, str] = Field(default_factory=dict)


def load_remedy_rules(directory: Path | None = None) -> dict[SettlementType, RemedyRule]:
    """The remedy rules of the packaged knowledge base (cached), or of the one in `directory`.
    They are read with the knowledge base, whose advice applies them too."""
    if directory is None:
        return _packaged()
    return dict(load_knowledge_base(Path(directory)).remedies)


@lru_cache(maxsize=1)
def _packaged() -> dict[SettlementType, RemedyRule]:
    return dict(load_knowledge_base().remedies)


def build_remedy_rules(directory: Path, laws: dict[str, Law], categories: set[str]) -> dict[SettlementType, RemedyRule]:
    """Read and check `remedies` in laws.yaml against the laws and the taxonomy's categories."""
    entries = parse_entries(directory / _FILE, "remedies", RemedyEntry, id_field="type")
    rules: dict[SettlementType, RemedyRule] = {}
    for entry in entries:
        rules[entry.type] = _rule(entry, laws, categories)
    missing = [t.value for t in SettlementType if t not in rules]
    if missing:
        raise KnowledgeBaseError(
            _FILE, "remedies", f"缺少处理方案项目的规则 (no remedy rule for): {', '.join(missing)}"
        )
    return rules


def _rule(entry: RemedyEntry, laws: dict[str, Law], categories: set[str]) -> RemedyRule:
    def law(code: str) -> Law:
        found = laws.get(code)
        if found is None:
            raise KnowledgeBaseError(_FILE, entry.type.value, f"引用了不存在的法规 (unknown law): {code}")
        return found

    def known(codes: list[str] | None) -> frozenset[str] | None:
        if codes is None:
            return None
        unknown = sorted(set(codes) - categories)
        if unknown:
            message = f"引用了分类表中不存在的分类 (unknown taxonomy category): {', '.join(unknown)}"
            raise KnowledgeBaseError(_FILE, entry.type.value, message)
        return frozenset(codes)

    bases = tuple(
        Basis(
            code=b.law,
            title=law(b.law).label,
            categories=known(b.categories),
            industries=frozenset(law(b.law).industries) or None,
            requires=frozenset(b.requires),
            refusal=b.refusal,
            outside=b.outside,
        )
        for b in entry.bases
    )
    known(list(entry.excluded))
    exception_roles: frozenset[Role] = frozenset()
    exception_policy = ""
    if entry.exception is not None:
        exception_policy = law(entry.exception).label
        raw = str(laws[entry.exception].parameters.get("exception_roles", ""))
        try:
            exception_roles = frozenset(Role(r.strip()) for r in raw.split(",") if r.strip())
        except ValueError:
            raise KnowledgeBaseError(_FILE, entry.exception, f"exception_roles 中有未知角色: {raw}") from None
        if not exception_roles:
            raise KnowledgeBaseError(_FILE, entry.exception, "例外制度须在 parameters.exception_roles 写明可批准的角色")
    return RemedyRule(
        type=entry.type,
        name=entry.name,
        bases=bases,
        basis_required=entry.basis_required,
        excluded=dict(entry.excluded),
        exception_roles=exception_roles,
        exception_policy=exception_policy,
    )


def render_table(rules: dict[SettlementType, RemedyRule] | None = None, kb: KnowledgeBase | None = None) -> str:
    """The README's table: for each settlement item, the categories and bases the law allows."""
    rules = rules if rules is not None else load_remedy_rules()
    kb = kb if kb is not None else load_knowledge_base()
    names = {c.code: c.name for c in kb.taxonomy.categories}
    order = [c.code for c in kb.taxonomy.categories]

    def cats(codes: frozenset[str] | None) -> str:
        return "所有分类" if codes is None else "、".join(names[c] for c in order if c in codes)

    lines = [
        "| 项目 | 依据（适用分类；须确认的事实） | 不适用 |",
        "|---|---|---|",
    ]
    for kind in SettlementType:
        rule = rules[kind]
        parts = []
        for b in rule.bases:
            detail = cats(b.categories)
            if b.requires:
                detail += "；" + "、".join(FACT_NAMES[f] for f in sorted(b.requires))
            parts.append(f"{b.title}（{detail}）")
        basis = "；".join(parts) or "—"
        if rule.basis_required:
            basis = "须选依据：" + basis
        if rule.exception_roles:
            basis += f"；无依据时按{rule.exception_policy}例外批准"
        excluded = "；".join(f"{names[c]}：{why.rstrip('。')}" for c, why in rule.excluded.items()) or "—"
        lines.append(f"| {rule.name}（`{kind.value}`） | {basis} | {excluded} |")
    return "\n".join(lines) + "\n"
