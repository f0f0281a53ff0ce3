"""`tousu kb`: validate the knowledge base and read its entries at the counter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tousu.domain.codes import CATEGORY_NAMES, CHANNEL_NAMES
from tousu.domain.improvement import ROOT_CAUSE_NAMES
from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.loader import KnowledgeBase, UnknownEntryError, load_knowledge_base, script_findings
from tousu.knowledge.models import (
    LAW_KIND_NAMES,
    PROFILE_GROUP_NAMES,
    SCENARIO_GROUP_NAMES,
    USAGE_NAMES,
    DemandPlaybook,
    Entry,
    Industry,
    Law,
    Profile,
    Scenario,
    Strategy,
)


class Kind(StrEnum):
    STRATEGY = "strategy"
    DEMAND = "demand"
    PROFILE = "profile"
    SCENARIO = "scenario"
    LAW = "law"
    INDUSTRY = "industry"


Render = Callable[[str], str]
_CATEGORY_NAMES = {category.value: name for category, name in CATEGORY_NAMES.items()}

_KIND_TITLES = {
    "strategy": "策略 strategy",
    "demand": "诉求 demand",
    "profile": "客户类型 profile",
    "scenario": "场景 scenario",
    "law": "法规 law",
    "industry": "行业 industry",
}


def register(app: typer.Typer) -> None:
    """Add the `kb` commands to the main application."""
    kb_app = typer.Typer(help="知识库 (knowledge base): check and browse.", no_args_is_help=True)
    kb_app.command("check")(check)
    kb_app.command("show")(show)
    kb_app.command("search")(search)
    app.add_typer(kb_app, name="kb")


DirectoryOption = Annotated[
    Path | None, typer.Option("--dir", help="a directory with the eight YAML files (default: the packaged one)")
]


def check(directory: DirectoryOption = None) -> None:
    """Validate every file and cross-reference; print the number of entries of each kind."""
    kb = _load_or_exit(directory)
    from tousu.knowledge.remedies import load_remedy_rules  # the settlement rules in laws.yaml

    try:
        remedies = load_remedy_rules(directory)
    except KnowledgeBaseError as exc:
        typer.echo(f"知识库校验失败 (knowledge base is invalid): {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"知识库校验通过 (knowledge base OK): {directory or 'packaged'}")
    typer.echo(f"  处理方案规则 remedies: {len(remedies)}")
    for kind, count in kb.counts().items():
        typer.echo(f"  {_KIND_TITLES[kind]}: {count}")
    taxonomy = kb.taxonomy
    typer.echo(
        f"  分类表 taxonomy: {len(taxonomy.categories)} categories, {len(taxonomy.demands)} demands, "
        f"{len(taxonomy.emotions)} emotions"
    )
    typer.echo(f"  服务用语 language: {len(kb.language.phrases)} phrase rules, {len(kb.language.elements)} elements")
    for finding in script_findings(kb):
        where = f"{finding.file}: {finding.entry}"
        typer.echo(f"  提示 (warning) {where}: 话术触发用语规则 {finding.rule}: {finding.script}")


def show(
    kind: Annotated[Kind, typer.Argument(help="strategy | demand | profile | scenario | law | industry")],
    name: Annotated[str, typer.Argument(help="code or Chinese name, e.g. 破唱片机法")],
    raw: Annotated[bool, typer.Option("--raw", help="show scripts with their {slots}")] = False,
    directory: DirectoryOption = None,
) -> None:
    """Print one entry readably."""
    kb = _load_or_exit(directory)
    try:
        entry = kb.find(kind.value, name)
    except UnknownEntryError as exc:
        typer.echo(f"未找到 (not found): {exc}", err=True)
        similar = kb.search(name, kinds=[kind.value])[:5]
        if similar:
            typer.echo("相近的条目 (did you mean): " + "、".join(f"{e.label} ({e.key})" for e in similar), err=True)
        raise typer.Exit(1) from None
    typer.echo("\n".join(_describe(kb, entry, raw)))


def search(
    text: Annotated[str, typer.Argument(help="words to look for in names and texts")],
    directory: DirectoryOption = None,
) -> None:
    """List the entries whose names or texts contain the words."""
    kb = _load_or_exit(directory)
    found = kb.search(text)
    if not found:
        typer.echo(f"没有找到包含“{text}”的条目 (nothing found)")
        raise typer.Exit(1)
    for entry in found:
        typer.echo(f"{entry.entry_kind:<9} {entry.key:<28} {entry.label}")


def _load_or_exit(directory: Path | None) -> KnowledgeBase:
    try:
        return load_knowledge_base(directory)
    except KnowledgeBaseError as exc:
        typer.echo(f"知识库校验失败 (knowledge base is invalid): {exc}", err=True)
        raise typer.Exit(1) from None


def _describe(kb: KnowledgeBase, entry: Entry, raw: bool) -> list[str]:
    def script(template: str) -> str:
        return template if raw else kb.render(template)

    if isinstance(entry, Strategy):
        return _strategy(entry, script)
    if isinstance(entry, DemandPlaybook):
        return _demand(kb, entry, script)
    if isinstance(entry, Profile):
        return _profile(kb, entry, script)
    if isinstance(entry, Scenario):
        return _scenario(kb, entry, script)
    if isinstance(entry, Law):
        return _law(entry)
    if isinstance(entry, Industry):
        return _industry(entry)
    raise TypeError(f"cannot describe {type(entry).__name__}")


def _heading(entry: Entry, *details: str) -> list[str]:
    line = f"{entry.label} ({entry.key}) — {entry.entry_kind_name}"
    return [line, "=" * 40, *(detail for detail in details if detail)]


def _section(title: str, items: Iterable[str], numbered: bool = False) -> list[str]:
    items = list(items)
    if not items:
        return []
    marks = [f"{number}." for number in range(1, len(items) + 1)] if numbered else ["-"] * len(items)
    return ["", f"{title}:", *(f"  {mark} {item}" for mark, item in zip(marks, items, strict=True))]


def _text(title: str, text: str | None) -> list[str]:
    return ["", f"{title}:", f"  {text}"] if text else []


def _strategy(entry: Strategy, script: Render) -> list[str]:
    return [
        *_heading(
            entry,
            f"别名: {'、'.join(entry.aliases)}" if entry.aliases else "",
            f"使用人员: {USAGE_NAMES[entry.usage]}",
        ),
        *_text("概述", entry.summary),
        *_section("适用情形", entry.when_to_use),
        *_section("不适用 / 停止使用", entry.when_not_to_use),
        *_section("步骤", entry.steps, numbered=True),
        *_text("注意", entry.caution),
        *_section("话术示例", map(script, entry.examples)),
    ]


def _demand(kb: KnowledgeBase, entry: DemandPlaybook, script: Render) -> list[str]:
    return [
        *_heading(entry),
        *_text("概述", entry.summary),
        *_section("法律与制度依据", (f"{law.citation} — {law.summary}" for law in kb.laws_of(entry))),
        *_section("可以给予", entry.may_grant),
        *_section("不能给予", entry.may_not_grant),
        *_section("推荐策略（按顺序）", (f"{s.name} ({s.code})" for s in kb.strategies_of(entry)), numbered=True),
        *_section("参考话术", map(script, entry.scripts)),
        *_section("不要说", entry.avoid_saying),
        *_section("何时上报", entry.escalate_when),
    ]


def _profile(kb: KnowledgeBase, entry: Profile, script: Render) -> list[str]:
    lines = [
        *_heading(entry, f"类别: {PROFILE_GROUP_NAMES[entry.group]}"),
        *_text("特征", entry.summary),
        *_section("识别线索（正则）", entry.signals),
        *_section("应对要点", entry.handling),
        *_section("避免", entry.avoid),
    ]
    for case in entry.sub_cases:
        lines += _section(f"情形「{case.name}」", [*case.handling, *(f"话术: {script(s)}" for s in case.scripts)])
    return [
        *lines,
        *_section("推荐策略", (f"{s.name} ({s.code})" for s in kb.strategies_of(entry))),
        *_section("参考话术", map(script, entry.scripts)),
    ]


def _scenario(kb: KnowledgeBase, entry: Scenario, script: Render) -> list[str]:
    industries = "、".join(kb.industries[code].name for code in entry.industries) or "所有行业"
    lines = [
        *_heading(entry, f"类别: {SCENARIO_GROUP_NAMES[entry.group]}", f"适用行业: {industries}"),
        *_text("情景", entry.situation),
        *_section("处理措施", entry.measures, numbered=True),
    ]
    for case in entry.cases:
        lines += _section(f"如果{case.condition}", [*case.measures, *(f"口径: {script(a)}" for a in case.answers)])
    return [
        *lines,
        *_section("参考口径", map(script, entry.answers)),
        *_section("需通知", entry.notify),
        *_section("相关策略", (f"{s.name} ({s.code})" for s in kb.strategies_of(entry))),
        *_section("依据", (law.citation for law in kb.laws_of(entry))),
        *_section("相关分类", (_CATEGORY_NAMES[code] for code in entry.categories)),
        *_section("识别线索（正则）", entry.signals),
    ]


def _law(entry: Law) -> list[str]:
    effective = f"施行日期: {entry.effective.isoformat()}" if entry.effective else ""
    return [
        *_heading(entry, entry.citation, f"类型: {LAW_KIND_NAMES[entry.kind]}", effective),
        *_text("要点", entry.summary),
        *_text("取代的旧引用", entry.replaces),
        *_section("参数", (f"{key} = {value}" for key, value in entry.parameters.items())),
    ]


def _industry(entry: Industry) -> list[str]:
    categories = [
        f"{category.code} {category.label or _CATEGORY_NAMES.get(category.code, '')}: {'、'.join(category.signals)}"
        for category in entry.categories
    ]
    return [
        *_heading(entry, "默认行业 (default)" if entry.default else ""),
        *_text("说明", entry.summary),
        *_section("细分", entry.segments),
        *_section("渠道", (CHANNEL_NAMES[channel] for channel in entry.channels)),
        *_section("结案根因类别", (ROOT_CAUSE_NAMES[kind] for kind in entry.root_causes)),
        *_section("分类与行业线索", categories),
        *_section("话术用语", (f"{{{slot}}} → {value}" for slot, value in entry.slot_defaults.items())),
    ]
