"""Reproducible demo data: staff accounts and a few hundred varied complaints in realistic Chinese."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tousu.domain.codes import Category, Channel, Role, UrgencyType
from tousu.domain.improvement import MeasureStatus, RootCauseKind, local_today
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


@dataclass(frozen=True)
class Outcome:
    """How a demo complaint ends, told so that its parts agree with each other and with the complaint.

    The reply answers what the customer asked for in the words the app itself uses (a network
    fault's charges are waived, not refunded); the root cause and its kind say why it happened;
    a responsible person and an improvement measure appear only when the cause is a staff matter
    (the "three musts" for work-quality complaints), and then the complaint is one of work quality.
    """

    reply: str
    root_cause: str
    kind: RootCauseKind
    responsible_person: str | None = None
    improvement_measure: str | None = None

    @property
    def work_quality(self) -> bool:
        return self.responsible_person is not None


K = RootCauseKind
BILLING_ERROR = Outcome(
    "经核查是我们的计费差错，多扣的费用已全额退回您的账户，并修正了计费规则，给您添麻烦了，非常抱歉。",
    "计费规则配置错误，流量包重复出账",
    K.BILLING_ERROR,
)
DOUBLE_CHARGE = Outcome(
    "经核查同一笔费用确实扣了两次，重复扣除的部分已退回您的账户，给您添麻烦了，非常抱歉。",
    "出账系统重复扣费，同一笔费用扣了两次",
    K.BILLING_ERROR,
)
MISREAD_PLAN = Outcome(
    "已调出详单逐项和您核对，各项费用按套餐规则计收，没有多扣；已为您开通余额和流量提醒，超出套餐前会短信告诉您。",
    "客户对套餐流量计费规则理解有误，实际计费无误",
    K.CUSTOMER_SIDE,
)
SP_WITHOUT_CONSENT = Outcome(
    "已为您退订该业务。经核实，合作方开通时没有经过您的二次确认，已向合作方追回费用，已扣的费用全部退还给您。",
    "合作方未经客户二次确认即开通增值业务",
    K.THIRD_PARTY,
)
STAFF_WITHOUT_CONSENT = Outcome(
    "已为您退订该业务。经核实，是营业员办理其他业务时没有征得您同意就一并开通的，这是我们的责任，已扣的费用全部退还给您，非常抱歉。",
    "营业员办理业务时未经客户同意捆绑开通增值业务",
    K.UNAUTHORISED_SERVICE,
    "办理业务的营业员",
    "增值业务开通一律短信二次确认，每月抽查营业员的开通记录",
)
PLAN_NOT_TOLD = Outcome(
    "经核实，办理时营业员没有把合约期和达量限速的规则讲清楚，这是我们的责任；已为您免除违约金解除合约，改办您选择的套餐。",
    "办理时未逐条告知资费规则、合约期和限速条件",
    K.MARKETING_DISCLOSURE,
    "办理业务的营业员",
    "班前会培训资费规则，办理时逐条告知合约期和限速条件并请客户签字确认",
)
PLAN_RULE = Outcome(
    "已向您逐条说明套餐的合约期和达量限速规则，办理时这些条款已书面告知并经您签字；合约期满后可以免费改办其他套餐，到期前我们会短信提醒您。",
    "合约期、达量限速是套餐的既定规则，办理时已书面告知",
    K.POLICY_RULE,
)
BROADBAND_FAULT = Outcome(
    "装维人员已上门更换故障设备，宽带已恢复正常；障碍期间的宽带月租已为您减免，给您带来不便，非常抱歉。",
    "小区光纤分纤箱故障，宽带时断时续",
    K.NETWORK_FAULT,
)
BROADBAND_LATE_REPAIR = Outcome(
    "装维人员已上门修复，宽带已恢复正常；报修后没有及时上门是我们的失职，障碍期间的月租已为您减免，非常抱歉。",
    "报修工单派发遗漏，装维人员未按时上门",
    K.HANDLING_ERROR,
    "装维班组长",
    "报修工单超时自动提醒，班组长每日核对未上门工单",
)
CELL_FAULT = Outcome(
    "经排查是附近基站设备故障，已完成抢修，信号已恢复正常；给您带来不便，非常抱歉。",
    "基站设备故障，片区信号中断",
    K.NETWORK_FAULT,
)
CELL_EDGE = Outcome(
    "网络优化人员已到小区现场测试，小区处在基站覆盖边缘，已调整天线方向并把小区列入新建基站计划，信号已明显改善。",
    "小区处于基站覆盖边缘，室内信号弱",
    K.NETWORK_FAULT,
)
RESUME_STUCK = Outcome(
    "经核查是您缴费后复机指令没有及时下发，已为您恢复通话，停机期间的月租已为您减免，给您添麻烦了，非常抱歉。",
    "缴费后复机指令未及时下发，系统未自动复机",
    K.SYSTEM_FAULT,
)
GIFT_BALANCE = Outcome(
    "已向您说明：账户里的余额是只能用于指定业务的赠款，不能抵扣月租，所以欠费停机了；补缴后已为您恢复通话，并开通了余额提醒。",
    "账户余额为专款专用的赠款，不能抵扣月租，客户不知情",
    K.CUSTOMER_SIDE,
)
WRONG_NUMBER = Outcome(
    "充值在24小时内，已为您办理冲正，充错的话费已退回原支付账户；以后充值前请再核对一遍号码。",
    "客户充值时输错号码",
    K.CUSTOMER_SIDE,
)
CARD_PIN_USED = Outcome(
    "经核查，这张充值卡在售出前密码已被使用，已为您更换同面值的新卡，并要求代售网点加强卡密保管。",
    "代售网点充值卡保管不当，卡密泄露",
    K.THIRD_PARTY,
)
GIFT_NOT_ENTERED = Outcome(
    "经核查，办理时承诺赠送的话费漏登记了，已为您补充到账，给您添麻烦了，非常抱歉。",
    "营业员办理时漏登记活动赠送话费",
    K.HANDLING_ERROR,
    "办理业务的营业员",
    "活动赠送当场录入系统，并请客户核对到账短信",
)
GIFT_DELAYED = Outcome(
    "赠送的话费因活动系统批量处理延迟没有到账，已为您单独补发到账，给您添麻烦了。",
    "活动赠款批量到账程序延迟",
    K.SYSTEM_FAULT,
)
PHONE_NOT_DELIVERED = Outcome(
    "活动手机因缺货没能按时交给您，这是我们的责任；已从其他营业厅调到现货，您可以随时到厅领取。",
    "活动终端缺货，承诺的手机未按时交付",
    K.PROMISE_UNKEPT,
    "营业厅店长",
    "活动开始前核实终端库存，缺货时如实告知客户到货时间",
)
FAULTY_PHONE = Outcome(
    "经检测，手机是主板质量问题，在三包期内，已为您更换新机。",
    "终端主板质量缺陷",
    K.PRODUCT_QUALITY,
)
PHONE_RETURNED = Outcome(
    "手机在三包期内经两次修理仍不能正常使用，已为您办理退货，货款全额退还。",
    "终端电池质量缺陷，两次修理未修复",
    K.PRODUCT_QUALITY,
)
RUDE_CLERK = Outcome(
    "经调取监控核实，营业员接待您时态度确有不当，我们向您郑重道歉；已对该营业员批评教育。",
    "营业员接待时态度生硬，未耐心解答",
    K.SERVICE_ATTITUDE,
    "当班营业员",
    "班前会开展服务礼仪培训，每月抽查服务质量",
)
NO_CALLBACK = Outcome(
    "您多次来电，我们都承诺回电却没有回，是我们的失职，诚恳向您道歉；已由专人跟进，处理结果已电话告诉您。",
    "客服承诺回电后未跟进，回电工单未派发",
    K.PROMISE_UNKEPT,
    "热线客服班组长",
    "承诺回电一律建回电工单，超时自动提醒",
)
HUNG_UP = Outcome(
    "经核听录音，客服确实挂断了您的电话，我们书面向您道歉；该客服已停岗培训。",
    "客服在通话中途挂断客户电话",
    K.SERVICE_ATTITUDE,
    "接听电话的热线客服",
    "开展服务规范培训，每周抽听通话录音",
)
WRONG_BUSINESS = Outcome(
    "经核查，营业员确实把您的业务办错了，已为您更正，并向您书面道歉。",
    "营业员办理业务时选错业务类型，事后未主动纠正",
    K.HANDLING_ERROR,
    "办理业务的营业员",
    "办理完成后当场与客户复核业务内容",
)
RECORDS_PRIVACY = Outcome(
    "通话记录是您的隐私，查询要验证服务密码或本人身份证件，这是为了保护您；您持身份证到任一营业厅即可重置密码，之后在网上营业厅就能自助查询。",
    "通话记录属客户隐私，查询须验证服务密码或本人身份证件",
    K.POLICY_RULE,
)
TRANSFER_STUCK = Outcome(
    "经核查是过户工单在系统中卡住了，已协调后台处理完毕，过户已办结，让您多跑了几趟，非常抱歉。",
    "过户工单在系统流程中卡单，未能流转",
    K.SYSTEM_FAULT,
)
SPAM = Outcome(
    "经核查，这些短信来自外部号码，我们的系统没有查到您号码信息外泄的记录；已为您开通垃圾短信拦截，并把这些发送号码提交关停。",
    "营销短信来自第三方号码，我方系统无信息外泄记录",
    K.THIRD_PARTY,
)
IDENTITY_NOT_CHECKED = Outcome(
    "经核查，这张卡办理时营业员没有核验到本人，是我们的责任；已为您注销该号码，欠费不由您承担，并向您书面说明。",
    "营业员办理入网时未严格核验本人身份",
    K.HANDLING_ERROR,
    "办理入网的营业员",
    "入网办理严格执行人证比对，每周抽查实名登记资料",
)
POINTS_NOT_WARNED = Outcome(
    "积分是按年度规则到期清零的，但清零前没有短信提醒您，兑换的礼品也漏发了，是我们的疏漏；已为您恢复积分并重新寄出礼品。",
    "积分清零前未短信提醒客户，兑换礼品漏发",
    K.HANDLING_ERROR,
    "积分兑换专员",
    "积分清零前一个月短信提醒，兑换订单每周核对发货",
)
POINTS_COURIER = Outcome(
    "积分按年度规则到期清零，清零前一个月已短信提醒；兑换的礼品由合作商家配送，因物流延误没有送到，已催商家重新发货并把物流单号告诉您。",
    "积分按年度规则到期清零；兑换礼品由合作商家配送延误",
    K.THIRD_PARTY,
)
RAMP = Outcome(
    "感谢您的建议，营业厅门口已加装无障碍坡道，方便老人和推车进出。",
    "营业厅入口未设无障碍坡道",
    K.OTHER,
)

# (category, demands, topic, texts): each text with the ways it may end; {amt} {pkg} {area} {n}
# {day} are filled in.
TEMPLATES: list[tuple[Category, list[str], str | None, list[tuple[str, tuple[Outcome, ...]]]]] = [
    (
        Category.BILLING,
        ["refund", "explanation"],
        None,
        [
            (
                "我这个月话费莫名其妙多扣了{amt}元，我根本没用那么多流量，你们给我查清楚，多扣的钱要退给我。",
                (BILLING_ERROR, BILLING_ERROR, MISREAD_PLAN),
            ),
            ("{day}收到账单，同一笔{amt}元被扣了两次，重复扣费太离谱了，请尽快退回。", (DOUBLE_CHARGE,)),
            ("国际漫游费扣了{amt}块，我人根本没出过国，你们计费系统是不是有问题？", (BILLING_ERROR,)),
        ],
    ),
    (
        Category.BILLING,
        ["double_refund", "media_threat"],
        None,
        [
            (
                "你们乱扣我{amt}元，按规定多收的要双倍返还！今天不给说法我就找电视台曝光你们。",
                (BILLING_ERROR, MISREAD_PLAN),
            ),
            ("连续三个月多扣费，一共{amt}元，我要求双倍退还，不然发微博让大家看看你们怎么坑人的。", (BILLING_ERROR,)),
        ],
    ),
    (
        Category.VAS,
        ["refund", "cancel"],
        "彩铃",
        [
            (
                "我从来没订过什么彩铃和手机报，每个月扣{amt}元，扣了大半年了，马上给我退订并退钱。",
                (SP_WITHOUT_CONSENT, STAFF_WITHOUT_CONSENT),
            ),
            (
                "莫名其妙开通了一个视频会员，每月{amt}元，我没有回复过任何确认短信，要求全部退还。",
                (SP_WITHOUT_CONSENT, STAFF_WITHOUT_CONSENT),
            ),
        ],
    ),
    (
        Category.PLAN,
        ["unfair_terms", "cancel"],
        None,
        [
            (
                "办{pkg}的时候说随时可以改，现在要改套餐说有合约期，这就是霸王条款，我要解约。",
                (PLAN_NOT_TOLD, PLAN_RULE),
            ),
            ("营业员说{pkg}流量不限量，结果超了{n}G就限速，宣传和实际完全两回事。", (PLAN_NOT_TOLD, PLAN_RULE)),
        ],
    ),
    (
        Category.NETWORK,
        ["fix", "refund"],
        "宽带",
        [
            (
                "{area}我家宽带从{day}开始就断断续续，报修{n}次没人上门，网费照扣，必须马上修好并减免这几天的费用。",
                (BROADBAND_LATE_REPAIR, BROADBAND_FAULT),
            ),
            (
                "{area}这边宽带一到晚上就断，打了好几次10086都说在处理，到底什么时候能修好？",
                (BROADBAND_FAULT, BROADBAND_LATE_REPAIR),
            ),
        ],
    ),
    (
        Category.NETWORK,
        ["fix"],
        "4G信号",
        [
            ("{area}小区里4G信号特别差，打电话经常断线，已经一个多月了，请尽快解决。", (CELL_EDGE, CELL_FAULT)),
            ("我们{area}整片手机没信号，从早上到现在打不出电话，急死人了，赶紧抢修！", (CELL_FAULT,)),
        ],
    ),
    (
        Category.SUSPENSION,
        ["fix", "explanation"],
        None,
        [
            ("我{day}就把欠费交了，到现在还是停机状态，耽误我做生意，你们说48小时恢复的呢？", (RESUME_STUCK,)),
            ("话费还有{amt}元余额就被停机了，谁给我一个解释？", (GIFT_BALANCE,)),
        ],
    ),
    (
        Category.RECHARGE,
        ["refund"],
        None,
        [
            ("我在网上给自己充了{amt}元，结果输错一位号码充到别人手机上了，能不能帮我追回来？", (WRONG_NUMBER,)),
            ("买的充值卡刮开一看密码已经被用过了，{amt}元面值，要求退换。", (CARD_PIN_USED,)),
        ],
    ),
    (
        Category.MARKETING,
        ["fix", "explanation"],
        None,
        [
            ("办{pkg}时承诺送的{amt}元话费到现在都没到账，营业员当时拍胸脯保证的。", (GIFT_NOT_ENTERED, GIFT_DELAYED)),
            ("参加存{amt}送手机活动，手机一直没给我，问了几次都说在调货。", (PHONE_NOT_DELIVERED,)),
        ],
    ),
    (
        Category.PRODUCT,
        ["exchange"],
        None,
        [
            ("合约机用了{n}天就黑屏开不了机，怀疑是翻新机，要求换新机。", (FAULTY_PHONE,)),
            ("买的手机充电发烫得厉害，送修了两次还是一样，我要退货。", (PHONE_RETURNED,)),
        ],
    ),
    (
        Category.SERVICE,
        ["apology", "manager"],
        None,
        [
            (
                "{day}在营业厅办业务，那个营业员态度极差，还冲我翻白眼，我要见你们经理，必须给我道歉。",
                (RUDE_CLERK,),
            ),
            ("打了{n}次10086，每次都说会回电，到现在没有一个人给我回电话，你们就是这样服务的？", (NO_CALLBACK,)),
        ],
    ),
    (
        Category.SERVICE,
        ["apology", "regulator_threat"],
        None,
        [
            ("你们客服直接挂我电话，这种态度我要投诉到工信部，必须书面道歉。", (HUNG_UP,)),
            ("营业员把我的业务办错了还不承认，再不处理我就打12300投诉你们。", (WRONG_BUSINESS,)),
        ],
    ),
    (
        Category.ACCOUNT,
        ["fix", "explanation"],
        None,
        [
            ("我想查通话记录，营业厅说要服务密码，我忘了密码又说要本人带身份证，太麻烦了。", (RECORDS_PRIVACY,)),
            ("过户手续办了半个月还没办好，每次去都说系统问题。", (TRANSFER_STUCK,)),
        ],
    ),
    (
        Category.SECURITY,
        ["fix"],
        None,
        [
            ("每天都收到十几条贷款推销短信，你们是不是把我的号码泄露出去了？", (SPAM,)),
            ("有人用我的身份证在你们这开了一张卡，我完全不知情，现在欠费找到我头上。", (IDENTITY_NOT_CHECKED,)),
        ],
    ),
    (
        Category.POINTS,
        ["explanation"],
        None,
        [
            (
                "我的积分{n}分突然清零了，事先没有任何通知，积分兑换的东西也没收到。",
                (POINTS_NOT_WARNED, POINTS_COURIER),
            ),
        ],
    ),
    (
        Category.OTHER,
        [],
        None,
        [
            ("营业厅门口的台阶太高，老人推车进不去，建议加个坡道。", (RAMP,)),
        ],
    ),
]

# What the follow-up call heard, by the customer's satisfaction.
FOLLOW_UP_COMMENTS: dict[str, tuple[str, ...]] = {
    "satisfied": ("客户对处理结果满意，感谢我们及时处理。", "客户表示问题已经解决，对处理结果满意。"),
    "neutral": ("客户接受处理结果，但觉得处理时间偏长。", "客户表示问题已解决，对处理过程感觉一般。"),
    "dissatisfied": ("客户对处理结果不满意，认为问题没有真正解决。", "客户不认可处理结果，要求再次处理。"),
}
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


def sample_complaint(rng: random.Random) -> tuple[Category, list[str], str | None, str]:
    """A demo complaint's category, demands, topic and words: for benchmarks that need many."""
    category, demands, topic, texts = rng.choice(TEMPLATES)
    template, _ = rng.choice(texts)
    return category, demands, topic, _text(rng, template)[0]


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
        category, demands, topic, texts = rng.choice(TEMPLATES)
        agent = actors[rng.choice(["agent1", "agent2", "agent3"])]
        person = f"{rng.choice(SURNAMES)}{rng.choice(TITLES)}"
        template, outcomes = rng.choice(texts)
        content, amount = _text(rng, template)
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
            # By the id, not the random stream: the rest of the demo stays as it was.
            outcome = outcomes[complaint_id % len(outcomes)]
            _progress(conn, complaint_id, outcome, agent, policy, received, now, rng)
    _outage(engine, policy, actors["agent1"], now=now, rng=rng, analyze=analyze)
    with engine.begin() as conn:
        _measure(conn, actors["manager1"], now=now)
    with engine.begin() as conn:
        sla.sweep(conn, now=now, policy=policy)
    return count + OUTAGE_SIZE


OUTAGE_SIZE = 12


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
    outcome: Outcome,
    agent: Actor,
    policy: Policy,
    received: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    """Move older complaints along the workflow so every state appears, towards `outcome`.

    A customer dissatisfied at the follow-up is not closed: the complaint waits to be handled again."""
    age = now - received
    stage = rng.random() * min(1.0, age / timedelta(days=10))
    steps: list[tuple[Action, dict[str, object]]] = []
    if stage > 0.15:
        steps.append((Action.START, {}))
    if stage > 0.35:
        steps.append((Action.REPLY, {"reply": outcome.reply, "settlement_confirmed": rng.random() < 0.5}))
    satisfaction = None
    if stage > 0.55:
        satisfaction = rng.choices(["satisfied", "neutral", "dissatisfied"], [70, 20, 10])[0]
        comment = FOLLOW_UP_COMMENTS[satisfaction][complaint_id % 2]
        steps.append((Action.FOLLOW_UP, {"satisfaction": satisfaction, "comments": comment}))
    if stage > 0.7:
        close: dict[str, object] = {"root_cause": outcome.root_cause, "root_cause_kind": outcome.kind.value}
        if outcome.work_quality:
            close.update(responsible_person=outcome.responsible_person, improvement_measure=outcome.improvement_measure)
        steps.append((Action.CLOSE, close))
    moment = received
    version = 1
    row: dict[str, Any] = {}
    for action, fields in steps:
        moment += timedelta(hours=rng.uniform(1, 30))  # drawn for every step, so the demo's stream stays the same
        if moment >= now or (action is Action.CLOSE and satisfaction == "dissatisfied"):
            return
        try:
            if action is Action.CLOSE and row.get("work_quality") != outcome.work_quality:
                # Responsibility decided before closing: a staff matter is one of work quality.
                row = workflow.update_details(
                    conn,
                    complaint_id=complaint_id,
                    changes={"work_quality": outcome.work_quality},
                    version=version,
                    actor=agent,
                    policy=policy,
                    now=moment,
                )
                version = row["version"]
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
