"""`tousu check-reply [FILE|-] [--dialogue] [--json] [--industry CODE]`: check a staff reply or a
dialogue by the phrase rules for the industry's staff (a shop's staff are not told of the telecom
appeal time limits).

Exit status 0 for every completed check, whatever the score; 2 for input that cannot be
checked (missing file, empty text), with the reason on standard error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tousu.knowledge import load_knowledge_base
from tousu.quality.checker import check_reply
from tousu.quality.dialogue import check_dialogue
from tousu.quality.results import DialogueCheck, MissingElement, Problem, ReplyCheck, Turn

_LEVEL_NAMES = {"required": "必备", "recommended": "建议"}
_SEVERITY_NAMES = {"forbidden": "禁用", "discouraged": "不建议"}
_ROLE_NAMES = {"customer": "客户", "staff": "客服"}


def register(app: typer.Typer) -> None:
    app.command("check-reply", help="检查客服回复或整段对话的服务用语（禁用语、缺少的要素、承诺）。")(
        check_reply_command
    )


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, the usual encodings of Chinese text files."""
    encodings = ("utf-8-sig",) if b"\x00" in data else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _read(source: str) -> str:
    if source == "-":
        return _decode(typer.get_binary_stream("stdin").read())
    try:
        return _decode(Path(source).read_bytes())
    except FileNotFoundError:
        raise ValueError(f"找不到文件：{source}") from None
    except OSError as exc:
        raise ValueError(f"无法读取文件 {source}：{exc.strerror or exc}") from None


def _where(problem: Problem, turns: tuple[Turn, ...]) -> str:
    if problem.turn is None:
        return f"第{problem.start + 1}–{problem.end}字"
    turn = turns[problem.turn]
    return f"第{turn.index + 1}轮 {turn.speaker}"


def _problem_lines(problems: tuple[Problem, ...], turns: tuple[Turn, ...]) -> list[str]:
    lines = [f"用语问题（{len(problems)}）："] if problems else ["用语问题：无"]
    for number, problem in enumerate(problems, 1):
        lines.append(
            f"  {number}. [{_SEVERITY_NAMES[problem.severity]}] {_where(problem, turns)} "
            f"“{problem.text}” —— {problem.name}（-{problem.deduction}）"
        )
        lines.append(f"     原因：{problem.message}")
        if problem.suggestion is None:
            lines.append("     建议：不要说这句话")
        else:
            lines.append(f"     建议改为：{problem.suggestion}")
        lines.extend(f"     也可以说：{alternative}" for alternative in problem.alternatives)
    return lines


def _missing_lines(missing: tuple[MissingElement, ...]) -> list[str]:
    if not missing:
        return []
    lines = ["缺少的要素："]
    for element in missing:
        lines.append(f"  - {element.name}（{_LEVEL_NAMES[element.level]}，-{element.deduction}）：{element.message}")
        lines.append(f"    例如：{element.examples[0]}")
    return lines


def _common_tail(result: ReplyCheck | DialogueCheck) -> list[str]:
    lines = [f"扣分明细：{'；'.join(f'{d.reason} -{d.points}' for d in result.deductions) or '无'}"]
    lines.extend(f"备注：{note}" for note in result.notes)
    return lines


def _reply_report(result: ReplyCheck) -> str:
    lines = [f"得分：{result.score}/100（{result.grade}）"]
    lines += _problem_lines(result.problems, ())
    lines += _missing_lines(result.missing)
    if result.promises:
        lines.append("承诺（需跟踪）：")
        lines.extend(f"  - {p.deadline}：{p.text}" for p in result.promises)
    lines += _common_tail(result)
    if result.problems:
        lines += ["修改后的回复：", result.rewritten]
    return "\n".join(lines)


def _dialogue_report(result: DialogueCheck) -> str:
    score = f"{result.score}/100（{result.grade}）" if result.score is not None else "无法评分"
    customers = sum(1 for t in result.turns if t.role == "customer")
    lines = [
        f"得分：{score}",
        f"对话：{len(result.turns)}轮（客户{customers}轮，客服{len(result.turns) - customers}轮）",
    ]
    if result.turns:
        lines += _problem_lines(result.problems, result.turns)
        lines += _missing_lines(result.missing)
    if result.findings:
        lines.append("对话问题：")
        for finding in result.findings:
            points = f"（-{finding.deduction}）" if finding.deduction else ""
            lines.append(f"  - 第{finding.turn + 1}轮 {finding.name}：“{finding.text}”{points}")
    if result.promises:
        lines.append("承诺（需跟踪）：")
        for promise in result.promises:
            source = "（客户提出，客服同意）" if promise.accepted_from_customer else ""
            lines.append(f"  - 第{(promise.turn or 0) + 1}轮 {promise.deadline}{source}：{promise.text}")
    if result.demands:
        lines.append("客户诉求：")
        for demand in result.demands:
            raised = "、".join(str(turn + 1) for turn in demand.raised_in_turns)
            status = (
                f"已在第{demand.answered_in_turn + 1}轮回应" if demand.answered_in_turn is not None else "未得到回应"
            )
            lines.append(f"  - {demand.name}（“{demand.text}”）：第{raised}轮提出，{status}")
    lines += _common_tail(result)
    return "\n".join(lines)


def check_reply_command(
    source: Annotated[str, typer.Argument(help="要检查的文本文件；- 或省略表示从标准输入读取")] = "-",
    dialogue: Annotated[bool, typer.Option("--dialogue", help="按对话检查（每轮以“客户：”“客服：”等开头）")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    industry: Annotated[
        str, typer.Option(help="行业：telecom（电信运营）或 retail（零售与生活服务），按该行业客服的用语规则检查")
    ] = "telecom",
) -> None:
    """检查客服回复（或整段对话）的服务用语。"""
    try:
        known = load_knowledge_base().industries
        if industry not in known:
            raise ValueError(f"未知的行业 {industry!r}；可用：{'、'.join(known)}")
        text = _read(source)
        result: ReplyCheck | DialogueCheck = (
            check_dialogue(text, industry=industry) if dialogue else check_reply(text, industry=industry)
        )
    except ValueError as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=2) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif isinstance(result, DialogueCheck):
        typer.echo(_dialogue_report(result))
    else:
        typer.echo(_reply_report(result))
