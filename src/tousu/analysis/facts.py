"""Facts a handler records and reads back: amounts, dates and times, phones, packages, durations.

All functions take normalised text (half-width, lower case, simplified) and return positions
in it, which are also positions in the caller's original text.

>>> [a.value_yuan for a in find_amounts("扣了我200块，还有两千元和¥1,500，要赔1.5万")]
[200.0, 2000.0, 1500.0, 15000.0]
"""

from __future__ import annotations

import re

from tousu.analysis.results import Amount, DateTimeMention, Duration, Facts, Mention


def _starting_with(first: str, pattern: str) -> re.Pattern[str]:
    """`pattern`, told the characters its matches start with (`first`, a character-class body).

    The regex engine then rejects every other position at once instead of trying each
    alternative there: five times faster on these patterns, with the same matches.
    """
    return re.compile(rf"(?=[{first}])(?:{pattern})")


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_NUMBER_TOKEN = re.compile(rf"\d+(?:\.\d+)?|[{_CN_NUM}]")


def parse_number(text: str) -> float | None:
    """Arabic, Chinese or mixed numerals: 两千 → 2000, 一万五 → 15000, 1.5万 → 15000, 3千 → 3000."""
    text = text.replace(",", "")
    tokens = _NUMBER_TOKEN.findall(text)
    if not tokens or "".join(tokens) != text:
        return None
    total = section = 0.0
    number: float | None = None
    last_unit = 0
    for token in tokens:
        if token in _CN_DIGITS:
            number = float(_CN_DIGITS[token])
        elif token in _CN_UNITS:
            section += (1.0 if number is None else number) * _CN_UNITS[token]
            number, last_unit = None, _CN_UNITS[token]
        elif token in _CN_BIG:
            total += (section + (number or 0.0)) * _CN_BIG[token]
            section, number, last_unit = 0.0, None, _CN_BIG[token]
        else:
            number = float(token)
    if number is not None:
        # Colloquial 一万五 / 三千五 / 两百五: a trailing digit counts in the next lower unit.
        section += number * (last_unit / 10 if last_unit >= 10 and _ends_with_cn_digit(text) else 1)
    return total + section


def _ends_with_cn_digit(text: str) -> bool:
    return text[-1] in _CN_DIGITS and len(text) >= 2 and text[-2] in "十百千万亿"


_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# 块 is also a measure word: 两块电池 is no amount.
_NOT_MONEY_AFTER_KUAI = r"(?!电池|屏|玻璃|砖|地|板|手表|表|布|牌|糖|蛋糕|肉|石)"
_NOT_MONEY_AFTER_WAN = (
    r"(?!\s?(?:积分|分|人|户|个|条|次|名|位|张|台|部|件|步|字|公里|米|兆|m|g|k|倍|年|天|小时|多人|粉|用户))"
)
_AMOUNT = _starting_with(
    rf"¥r人\d{_CN_NUM}",
    rf"(?:¥|rmb|人民币)\s?(?P<n1>{_ARABIC})\s?(?P<u1>万|千)?\s?(?:元|块|圆)?"
    rf"|(?<![\d.,])(?P<n2>{_ARABIC}|[{_CN_NUM}]+)\s?(?P<u2>万|千|百)?\s?(?P<approx>多|余|来)?\s?"
    rf"(?P<cu>块钱|元钱|元|块{_NOT_MONEY_AFTER_KUAI}|圆|毛钱|毛|角)"
    rf"|(?<![\d.,])(?P<n3>\d+(?:\.\d+)?)\s?万{_NOT_MONEY_AFTER_WAN}",
)
# 赔五千, 退我两百, 多扣了我80: said aloud, the unit is left out after a verb of money. Only a
# number with a place (十百千万) or of two digits or more, and not one that counts something else.
_BARE_AMOUNT = _starting_with(
    "赔退扣补收多",
    rf"(?:赔偿?|退还?|补偿?|多扣|扣|多收|收)了?(?:我|我们)?"
    rf"(?P<n>\d{{2,}}(?:\.\d+)?|[{_CN_NUM}]*[十百千万][{_CN_NUM}]*)"
    rf"(?![\d{_CN_NUM}.a-z%]|\s?(?:元|块|圆|毛|角|个|次|天|周|月|年|号|日|小时|分|秒|条|倍|项|张|遍|回|台|部|件"
    rf"|人|位|多|几|余|来|步|积|兆|米|公|斤|克|份|家|名|户|页|字))",
)
_SMALL_UNITS = {"毛钱": 0.1, "毛": 0.1, "角": 0.1}
# Every amount has one of these; texts without any skip the regex.
_MONEY_MARKS = ("元", "块", "圆", "毛", "角", "万", "¥", "rmb", "人民币")
_MULTIPLIERS: dict[str | None, float] = {"万": 10_000.0, "千": 1000.0, "百": 100.0, None: 1.0}


def find_amounts(text: str) -> list[Amount]:
    amounts = _marked_amounts(text) if any(mark in text for mark in _MONEY_MARKS) else []
    for match in _BARE_AMOUNT.finditer(text):
        start, end = match.span("n")
        value = parse_number(match.group("n"))
        if value is None or any(a.start < end and start < a.end for a in amounts):
            continue
        amounts.append(Amount(text=match.group("n"), start=start, end=end, value_yuan=round(value, 2)))
    return sorted(amounts, key=lambda a: a.start)


def _marked_amounts(text: str) -> list[Amount]:
    amounts: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        groups = match.groupdict()
        if groups["n1"] is not None:
            value = parse_number(groups["n1"])
            multiplier: float = _MULTIPLIERS[groups["u1"]]
        elif groups["n2"] is not None:
            value = parse_number(groups["n2"])
            multiplier = _MULTIPLIERS[groups["u2"]] * _SMALL_UNITS.get(groups["cu"], 1.0)
        else:
            value = parse_number(groups["n3"])
            multiplier = 10_000.0
        if value is None:
            continue
        amounts.append(
            Amount(
                text=match.group(0).strip(),
                start=match.start(),
                end=match.start() + len(match.group(0).rstrip()),
                value_yuan=round(value * multiplier, 2),
                approximate=bool(groups.get("approx")),
            )
        )
    return amounts


# What an amount is: money the customer was charged (and may want back), or money they claim
# on top (compensation, lost wages). A claim named right after the amount (60块的交通费) decides,
# else the nearest cue before it in its sentence, else the first one after it in its clause.
# The claim cues are tried first (交通费 is no 交).
_AMOUNT_CUE = re.compile(
    r"(?P<claim>交通费|路费|车费|打车|误工|工资|赔|补偿|精神|损失|罚)"
    r"|(?P<charge>扣|收|花了|交了|缴|付了|充了|充值|话费|费用|月租|账单|消费|计费|退|返还)"
)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[，,。！？!?；;、\n]")
_CUE_BEFORE = 12
_CUE_AFTER = 6


def is_charged(text: str, amount: Amount) -> bool:
    """Whether `amount` (found in normalised `text`) is money the customer was charged, not a
    compensation or lost-wages claim; with no cue either way it is not taken as charged.

    >>> text = "话费多扣了50元，还耽误我上班，误工费200元你们得赔"
    >>> [is_charged(text, a) for a in find_amounts(text)]
    [True, False]
    """
    after = text[amount.end : amount.end + _CUE_AFTER]
    stop = _CLAUSE_END.search(after)
    cue_after = _AMOUNT_CUE.search(after[: stop.start()] if stop else after)
    if cue_after is not None and cue_after.group("claim") is not None:
        return False
    before = text[max(0, amount.start - _CUE_BEFORE) : amount.start]
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    cues = list(_AMOUNT_CUE.finditer(before))
    if cues:
        return cues[-1].group("charge") is not None
    return cue_after is not None


_CN_SMALL = "一二两三四五六七八九十"
_DAY = rf"(?:\d{{1,2}}|[{_CN_SMALL}]{{1,3}})"
_PART_OF_DAY = r"(?:上午|下午|中午|晚上|早上|早晨|凌晨|傍晚|夜里|半夜|深夜|今早|今晚|昨晚)"
_RELATIVE_WORDS = (
    r"大前天|前天|昨天|昨日|今天|今日|明天|后天|前几天|这几天|近几天|最近几天|前些天|前段时间|"
    r"上个?(?:周|星期|礼拜)[一二三四五六日天]?|这个?(?:周|星期|礼拜)[一二三四五六日天]?|本周|"
    r"上上个?月|上个?月|这个月|本月|下个?月|月初|月底|月末|去年|今年|前年|年初|年底|"
    r"(?:周|星期|礼拜)[一二三四五六日天末]"
)
_AGO = rf"(?:\d+|[{_CN_SMALL}几半]+)\s?(?:个)?(?:多)?(?:天|周|星期|礼拜|月|年|小时|分钟)(?:多)?(?:前|以前|之前)"
_ABSOLUTE = (
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    rf"|(?:\d{{4}}|[{_CN_SMALL}〇零]{{4}})\s?年\s?(?:{_DAY}\s?月(?:份)?\s?(?:{_DAY}\s?[日号])?)?"
    rf"|(?<!\d){_DAY}\s?月\s?{_DAY}\s?[日号]"
    rf"|(?<![\d.]){_DAY}\s?月份"
    rf"|(?<![\d.年]){_DAY}月(?=[初中底末的,，。\s])"
    r"|(?<![\d月.])\d{1,2}\s?[号日](?!线|码|楼|店|机|卡|键|位|门|院|车|厅)"
)
# The expensive alternatives only run when the characters they need occur in the text.
_DATE_FIRST = rf"大前昨今明后这近最上本下月去年周星礼\d{_CN_SMALL}几半〇零"
_DATES = {
    (ago, absolute): _starting_with(
        _DATE_FIRST,
        rf"(?P<relative>{_RELATIVE_WORDS}{'|' + _AGO if ago else ''})"
        + (rf"|(?P<absolute>{_ABSOLUTE})" if absolute else ""),
    )
    for ago in (False, True)
    for absolute in (False, True)
}
_CLOCK = r"\d{1,2}\s?(?:点|时|:)(?:\s?\d{1,2}\s?分?|\s?半|\s?[一三]刻)?(?:钟)?(?:左右|多)?"
_SPOKEN_CLOCK = rf"[{_CN_SMALL}]{{1,3}}\s?点(?:半|[一二三四五]?十?[一二三四五六七八九]?分)?(?:钟)?"
# Every alternative starts with a known character, so the regex engine skips ahead quickly.
_TIME = _starting_with(
    rf"上下中晚早凌傍夜半深今昨\d{_CN_SMALL}",
    rf"{_PART_OF_DAY}\s?(?:(?<!\d){_CLOCK}|{_SPOKEN_CLOCK})"
    rf"|(?<!\d){_CLOCK}"
    rf"|[{_CN_SMALL}]{{1,3}}点(?:钟|半)"
    rf"|{_PART_OF_DAY}",
)


def find_datetimes(text: str) -> list[DateTimeMention]:
    """Dates, times and the two together (昨天上午10点 is one datetime)."""
    pattern = _DATES[("前" in text, any(c in text for c in "年月日号-/"))]
    dates = [(m.start(), m.end(), m.group("relative") is not None) for m in pattern.finditer(text)]
    times = [(m.start(), m.end()) for m in _TIME.finditer(text) if m.group(0).strip()]
    mentions: list[DateTimeMention] = []
    used_times: set[int] = set()
    for start, end, relative in dates:
        joined = next(
            (t for t in times if 0 <= t[0] - end <= 2 and not text[end : t[0]].strip(" 的")),
            None,
        )
        if joined is not None:
            used_times.add(joined[0])
            end = joined[1]
            mentions.append(DateTimeMention(text[start:end], start, end, "datetime", relative))
        else:
            mentions.append(DateTimeMention(text[start:end], start, end, "date", relative))
    for start, end in times:
        if start in used_times or any(m.start <= start < m.end for m in mentions):
            continue
        if _PART_OF_DAY_ONLY.fullmatch(text[start:end].strip()):
            continue  # 晚上经常没信号: a part of the day alone is no point in time
        mentions.append(
            DateTimeMention(text[start:end].strip(), start, start + len(text[start:end].rstrip()), "time", False)
        )
    return sorted(mentions, key=lambda m: m.start)


_PART_OF_DAY_ONLY = re.compile(_PART_OF_DAY)

_PHONE = re.compile(r"(?<![\d.])(?:1[3-9]\d[\dx*]{8}|1[3-9]\d[- ]\d{4}[- ]\d{4}|0\d{2,3}-\d{7,8}|0\d{9,11})(?![\d.])")


def find_phones(text: str) -> list[Mention]:
    """Mobile (also masked, 139****1234) and landline numbers; hotlines like 10086 are not phones."""
    return [Mention(m.group(0), m.start(), m.end()) for m in _PHONE.finditer(text)]


_BRANDS = "全球通|神州行|动感地带|大王卡|王卡|冰激凌|花卡|任我行|飞享|畅享|和家庭|天翼|沃派|芒果卡|无限流量"
_PACKAGE = _starting_with(
    "\\d不融宽家亲校商日月语流" + "".join(sorted({brand[0] for brand in _BRANDS.split("|")})),
    r"\d+(?:\.\d+)?\s?元钱?(?:/月|每月|一个月|包月)?的?[\u4e00-\u9fffa-z0-9]{0,6}?(?:套餐|流量包|语音包|短信包|流量|宽带|会员|包月)"
    rf"|(?:4g|5g|不限量|融合|宽带|家庭|亲情|校园|商务|日租|月租|语音|流量|{_BRANDS})[\u4e00-\u9fffa-z0-9]{{0,4}}?(?:套餐|卡|流量包|语音包)"
    rf"|{_BRANDS}",
)


_PACKAGE_MARKS = ("套餐", "流量", "语音", "短信", "宽带", "会员", "包月", "卡", *_BRANDS.split("|"))


def find_packages(text: str) -> list[Mention]:
    if not any(mark in text for mark in _PACKAGE_MARKS):
        return []
    return [Mention(m.group(0), m.start(), m.end()) for m in _PACKAGE.finditer(text)]


_DURATION = _starting_with(
    rf"\d{_CN_SMALL}百几半好",
    rf"(?<![\d月.第])(?P<n>\d+(?:\.\d+)?|[{_CN_SMALL}百几半]+|好几)\s?(?P<more>多)?\s?"
    r"(?P<unit>个多小时|个小时|小时|个多钟头|个钟头|钟头|分钟|天|个多星期|个星期|星期|周|个多礼拜|个礼拜|礼拜|个多月|个月|年)(?:半)?(?:多)?"
    r"(?!前|以前|之前|后|以后|之后|底|初|级)",
)
_UNITS = (
    ("小时", "hour"),
    ("钟头", "hour"),
    ("分钟", "minute"),
    ("天", "day"),
    ("星期", "week"),
    ("礼拜", "week"),
    ("周", "week"),
    ("月", "month"),
    ("年", "year"),
)


def find_durations(text: str) -> list[Duration]:
    durations = []
    for match in _DURATION.finditer(text):
        unit_text = match.group("unit")
        if unit_text == "年" and not re.fullmatch(r"\d{1,2}(?:\.\d+)?|[一二两三四五六七八九十几半]+", match.group("n")):
            continue  # 2008年 is a date, not eight years
        unit = next(code for word, code in _UNITS if word in unit_text)
        number = match.group("n")
        value = 0.5 if number == "半" else parse_number(number)
        durations.append(Duration(match.group(0), match.start(), match.end(), value, unit))
    return durations


def extract_facts(text: str) -> Facts:
    datetimes = find_datetimes(text)
    packages = find_packages(text)
    # 30元一个月的套餐 holds no duration, 3天前 is a date.
    taken = [(d.start, d.end) for d in datetimes] + [(p.start, p.end) for p in packages]
    return Facts(
        amounts=tuple(find_amounts(text)),
        datetimes=tuple(datetimes),
        phones=tuple(find_phones(text)),
        packages=tuple(packages),
        durations=tuple(d for d in find_durations(text) if not any(s <= d.start < e for s, e in taken)),
    )
