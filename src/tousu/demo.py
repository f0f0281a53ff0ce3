"""Reproducible demo data: staff accounts and a few hundred varied complaints in realistic Chinese."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tousu.domain.codes import Category, Channel, Role, UrgencyType
from tousu.domain.improvement import MeasureStatus, local_today
from tousu.domain.policy import Policy
from tousu.domain.workflow import Action
from tousu.services import improvement, intake, sla, users, workflow
from tousu.services.actors import Actor
from tousu.services.analysis_port import TextAnalyzer, no_analysis
from tousu.services.errors import ServiceError

DEMO_PASSWORD = "demo-pass-2026"
HALL = "思明营业厅"
STAFF = [
    ("agent1", "陈晓燕", Role.AGENT, HALL),
    ("agent2", "林志强", Role.AGENT, HALL),
    ("agent3", "黄丽娟", Role.AGENT, "湖里营业厅"),
    ("manager1", "张建国", Role.MANAGER, HALL),
    ("manager2", "吴美玲", Role.MANAGER, "湖里营业厅"),
    ("director1", "郑海峰", Role.DIRECTOR, "客户中心"),
    ("admin1", "系统管理员", Role.ADMIN, "服务管理室"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
TITLES = ["先生", "女士"]
AREAS = ["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]
PACKAGES = ["畅享128元套餐", "花卡宝藏版", "全家享199元套餐", "4G飞享套餐", "5G智享套餐"]

# (category, demands, topic, templates): {amt} {pkg} {area} {n} {day} are filled in.
TEMPLATES: list[tuple[Category, list[str], str | None, list[str]]] = [
    (
        Category.BILLING,
        ["refund", "explanation"],
        None,
        [
            "我这个月话费莫名其妙多扣了{amt}元，我根本没用那么多流量，你们给我查清楚，多扣的钱要退给我。",
            "{day}收到账单，同一笔{amt}元被扣了两次，重复扣费太离谱了，请尽快退回。",
            "国际漫游费扣了{amt}块，我人根本没出过国，你们计费系统是不是有问题？",
        ],
    ),
    (
        Category.BILLING,
        ["double_refund", "media_threat"],
        None,
        [
            "你们乱扣我{amt}元，按规定多收的要双倍返还！今天不给说法我就找电视台曝光你们。",
            "连续三个月多扣费，一共{amt}元，我要求双倍退还，不然发微博让大家看看你们怎么坑人的。",
        ],
    ),
    (
        Category.VAS,
        ["refund", "cancel"],
        "彩铃",
        [
            "我从来没订过什么彩铃和手机报，每个月扣{amt}元，扣了大半年了，马上给我退订并退钱。",
            "莫名其妙开通了一个视频会员，每月{amt}元，我没有回复过任何确认短信，要求全部退还。",
        ],
    ),
    (
        Category.PLAN,
        ["unfair_terms", "cancel"],
        None,
        [
            "办{pkg}的时候说随时可以改，现在要改套餐说有合约期，这就是霸王条款，我要解约。",
            "营业员说{pkg}流量不限量，结果超了{n}G就限速，宣传和实际完全两回事。",
        ],
    ),
    (
        Category.NETWORK,
        ["fix", "refund"],
        "宽带",
        [
            "{area}我家宽带从{day}开始就断断续续，报修{n}次没人上门，网费照扣，必须马上修好并减免这几天的费用。",
            "{area}这边宽带一到晚上就断，打了好几次10086都说在处理，到底什么时候能修好？",
        ],
    ),
    (
        Category.NETWORK,
        ["fix"],
        "4G信号",
        [
            "{area}小区里4G信号特别差，打电话经常断线，已经一个多月了，请尽快解决。",
            "我们{area}整片手机没信号，从早上到现在打不出电话，急死人了，赶紧抢修！",
        ],
    ),
    (
        Category.SUSPENSION,
        ["fix", "explanation"],
        None,
        [
            "我{day}就把欠费交了，到现在还是停机状态，耽误我做生意，你们说48小时恢复的呢？",
            "话费还有{amt}元余额就被停机了，谁给我一个解释？",
        ],
    ),
    (
        Category.RECHARGE,
        ["refund"],
        None,
        [
            "我在网上给自己充了{amt}元，结果输错一位号码充到别人手机上了，能不能帮我追回来？",
            "买的充值卡刮开一看密码已经被用过了，{amt}元面值，要求退换。",
        ],
    ),
    (
        Category.MARKETING,
        ["fix", "explanation"],
        None,
        [
            "办{pkg}时承诺送的{amt}元话费到现在都没到账，营业员当时拍胸脯保证的。",
            "参加存{amt}送手机活动，手机一直没给我，问了几次都说在调货。",
        ],
    ),
    (
        Category.PRODUCT,
        ["exchange"],
        None,
        [
            "合约机用了{n}天就黑屏开不了机，怀疑是翻新机，要求换新机。",
            "买的手机充电发烫得厉害，送修了两次还是一样，我要退货。",
        ],
    ),
    (
        Category.SERVICE,
        ["apology", "manager"],
        None,
        [
            "{day}在营业厅办业务，那个营业员态度极差，还冲我翻白眼，我要见你们经理，必须给我道歉。",
            "打了{n}次10086，每次都说会回电，到现在没有一个人给我回电话，你们就是这样服务的？",
        ],
    ),
    (
        Category.SERVICE,
        ["apology", "regulator_threat"],
        None,
        [
            "你们客服直接挂我电话，这种态度我要投诉到工信部，必须书面道歉。",
            "营业员把我的业务办错了还不承认，再不处理我就打12300投诉你们。",
        ],
    ),
    (
        Category.ACCOUNT,
        ["fix", "explanation"],
        None,
        [
            "我想查通话记录，营业厅说要服务密码，我忘了密码又说要本人带身份证，太麻烦了。",
            "过户手续办了半个月还没办好，每次去都说系统问题。",
        ],
    ),
    (
        Category.SECURITY,
        ["fix"],
        None,
        [
            "每天都收到十几条贷款推销短信，你们是不是把我的号码泄露出去了？",
            "有人用我的身份证在你们这开了一张卡，我完全不知情，现在欠费找到我头上。",
        ],
    ),
    (
        Category.POINTS,
        ["explanation"],
        None,
        [
            "我的积分{n}分突然清零了，事先没有任何通知，积分兑换的东西也没收到。",
        ],
    ),
    (
        Category.OTHER,
        [],
        None,
        [
            "营业厅门口的台阶太高，老人推车进不去，建议加个坡道。",
        ],
    ),
]
CHANNEL_WEIGHTS = [
    (Channel.HOTLINE, 40),
    (Channel.HALL, 30),
    (Channel.WEB, 10),
    (Channel.SMS, 4),
    (Channel.LETTER, 2),
    (Channel.ACCOUNT_MANAGER, 3),
    (Channel.GOVERNMENT, 4),
    (Channel.CONSUMER_BODY, 3),
    (Channel.MEDIA, 2),
    (Channel.GROUP_HQ, 2),
]


def _text(rng: random.Random, template: str) -> tuple[str, float | None]:
    """The complaint's words, and the amount they name (the amount recorded with it)."""
    amount = rng.choice([18, 30, 58, 88, 120, 200, 356, 1200])
    text = template.format(
        amt=amount,
        pkg=rng.choice(PACKAGES),
        area=rng.choice(AREAS),
        n=rng.randint(2, 9),
        day=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
    )
    return text, float(amount) if "{amt}" in template else None


def load_demo(
    engine: Engine,
    policy: Policy,
    *,
    count: int,
    seed: int,
    now: datetime | None = None,
    analyze: TextAnalyzer = no_analysis,
) -> int:
    """Create the demo staff and `count` complaints; does nothing if the demo staff exist."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    with engine.begin() as conn:
        if users.get_by_username(conn, "agent1") is not None:
            return 0
        for username, name, role, team in STAFF:
            users.add_user(
                conn, username=username, password=DEMO_PASSWORD, role=role, team=team, display_name=name, now=now
            )
        actors = {u: users.actor_of(users.require_user(conn, u)) for u, *_ in STAFF}
    channels, weights = zip(*CHANNEL_WEIGHTS, strict=True)
    start = now - timedelta(days=30)
    moments = sorted(start + timedelta(seconds=rng.uniform(0, 30 * 86400)) for _ in range(count))
    for received in moments:
        category, demands, topic, templates = rng.choice(TEMPLATES)
        agent = actors[rng.choice(["agent1", "agent2", "agent3"])]
        person = f"{rng.choice(SURNAMES)}{rng.choice(TITLES)}"
        content, amount = _text(rng, rng.choice(templates))
        new = intake.NewComplaint(
            channel=rng.choices(channels, weights)[0],
            customer={
                "name": person,
                "phone": f"139{rng.randint(0, 99999999):08d}",
                "vip_level": rng.choices(["normal", "silver", "gold", "diamond"], [80, 10, 7, 3])[0],
                "sensitive": rng.random() < 0.02,
            },
            content=content,
            category=category,
            demands=demands,
            claimed_amount=amount,
            occurred_at=received - timedelta(days=rng.randint(0, 20)),
            received_at=received,
            topic=topic,
            area=rng.choice(AREAS) if topic else None,
            manual_urgency=[UrgencyType.CROSS_REGION] if rng.random() < 0.03 else [],
        )
        with engine.begin() as conn:
            complaint_id = intake.create(
                conn,
                new=new,
                analysis=analyze(new.content, industry=policy.industry, channel=new.channel.value),
                actor=agent,
                policy=policy,
                now=received,
            ).complaint["id"]
            _progress(conn, complaint_id, agent, actors, policy, received, now, rng)
    _outage(engine, policy, actors["agent1"], now=now, rng=rng, analyze=analyze)
    with engine.begin() as conn:
        _measure(conn, actors["manager1"], now=now)
    with engine.begin() as conn:
        sla.sweep(conn, now=now, policy=policy)
    return count + OUTAGE_SIZE


OUTAGE_SIZE = 12

# Closed complaints' root causes, repeated in the proportions a hall might see, so the 整改
# Pareto has a head and a tail.
DEMO_ROOT_CAUSES: list[tuple[str, str]] = [
    *[("计费规则配置错误，流量包重复出账", "billing_error")] * 5,
    *[("办理时未逐条告知资费规则和生效时间", "marketing_disclosure")] * 3,
    *[("基站设备故障，片区信号中断", "network_fault")] * 2,
    ("未经客户确认开通增值业务", "unauthorised_service"),
    ("客户对套餐共享规则理解有误", "customer_side"),
]


def _measure(conn: sa.Connection, manager: Actor, *, now: datetime) -> None:
    """One improvement measure against the hall's most frequent root cause, under way."""
    try:
        measure = improvement.create_measure(
            conn,
            actor=manager,
            title="计费规则上线前双人复核",
            root_cause_kind="billing_error",
            description="新资费、流量包规则配置上线前由两人分别核对出账结果，每周抽查一次。",
            owner="agent1",
            due_on=local_today(now) + timedelta(days=7),
            within=improvement.period(None, None, now=now),
            now=now,
        )
    except ServiceError:  # too few complaints to have closed one of that kind
        return
    improvement.change_measure(
        conn, actor=manager, measure_id=measure["id"], version=1, status=MeasureStatus.IN_PROGRESS, now=now
    )


def _outage(
    engine: Engine, policy: Policy, agent: Actor, *, now: datetime, rng: random.Random, analyze: TextAnalyzer
) -> None:
    """A network outage: a dozen customers within the hour, so a batch forms and its banner shows."""
    start = now - timedelta(minutes=50)
    for index in range(OUTAGE_SIZE):
        new = intake.NewComplaint(
            channel=Channel.HOTLINE,
            customer={
                "name": f"{rng.choice(SURNAMES)}{rng.choice(TITLES)}",
                "phone": f"138{rng.randint(0, 99999999):08d}",
            },
            content=_text(rng, "我们{area}这边从下午开始手机完全没信号，打不了电话也上不了网，什么时候能恢复？")[0],
            category=Category.NETWORK,
            demands=["fix"],
            received_at=start + timedelta(minutes=4 * index),
            topic="4G信号",
            area="思明区",
        )
        with engine.begin() as conn:
            intake.create(
                conn,
                new=new,
                analysis=analyze(new.content, industry=policy.industry, channel=new.channel.value),
                actor=agent,
                policy=policy,
                now=new.received_at or now,
            )


def _progress(
    conn: sa.Connection,
    complaint_id: int,
    agent: Actor,
    actors: dict[str, Actor],
    policy: Policy,
    received: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    """Move older complaints along the workflow so every state appears."""
    age = now - received
    stage = rng.random() * min(1.0, age / timedelta(days=10))
    steps: list[tuple[Action, dict[str, object]]] = []
    if stage > 0.15:
        steps.append((Action.START, {}))
    if stage > 0.35:
        steps.append(
            (
                Action.REPLY,
                {
                    "reply": "已核实情况并向客户说明，按规定办理退费，客户表示认可。",
                    "settlement_confirmed": rng.random() < 0.5,
                },
            )
        )
    if stage > 0.55:
        steps.append(
            (
                Action.FOLLOW_UP,
                {
                    "satisfaction": rng.choices(["satisfied", "neutral", "dissatisfied"], [70, 20, 10])[0],
                    "comments": "客户对处理结果基本满意",
                },
            )
        )
    if stage > 0.7:
        steps.append(
            (
                Action.CLOSE,
                {
                    # By the id, not the random stream: the rest of the demo stays as it was.
                    "root_cause": DEMO_ROOT_CAUSES[complaint_id % len(DEMO_ROOT_CAUSES)][0],
                    "root_cause_kind": DEMO_ROOT_CAUSES[complaint_id % len(DEMO_ROOT_CAUSES)][1],
                    "responsible_person": "当班营业员",
                    "improvement_measure": "班前会培训业务规则，办理时逐条告知",
                },
            )
        )
    moment = received
    version = 1
    for action, fields in steps:
        moment += timedelta(hours=rng.uniform(1, 30))
        if moment >= now:
            return
        try:
            row = workflow.transition(
                conn,
                complaint_id=complaint_id,
                action=action,
                version=version,
                actor=agent,
                policy=policy,
                now=moment,
                fields=fields,
            )
        except ServiceError:
            return
        version = row["version"]
