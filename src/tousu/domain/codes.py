"""Stable codes shared by the API, the database, the analyzer and the UI.

The taxonomy codes (category, demand, emotion) follow the analyzer's label contract;
the Chinese names are what people see.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Category(StrEnum):
    BILLING = "billing"
    VAS = "vas"
    PLAN = "plan"
    NETWORK = "network"
    SUSPENSION = "suspension"
    RECHARGE = "recharge"
    MARKETING = "marketing"
    PRODUCT = "product"
    SERVICE = "service"
    ACCOUNT = "account"
    SECURITY = "security"
    POINTS = "points"
    DELIVERY = "delivery"
    OTHER = "other"


CATEGORY_NAMES: dict[Category, str] = {
    Category.BILLING: "计费/扣费争议",
    Category.VAS: "增值业务/代收费",
    Category.PLAN: "套餐/资费",
    Category.NETWORK: "网络/信号",
    Category.SUSPENSION: "停机/复机",
    Category.RECHARGE: "充值/缴费",
    Category.MARKETING: "营销活动/宣传",
    Category.PRODUCT: "终端/商品质量",
    Category.SERVICE: "服务态度/服务质量",
    Category.ACCOUNT: "账户/实名",
    Category.SECURITY: "信息安全",
    Category.POINTS: "积分/会员/预付卡",
    Category.DELIVERY: "快递/物流",
    Category.OTHER: "其他",
}


class Demand(StrEnum):
    EXPLANATION = "explanation"
    REFUND = "refund"
    DOUBLE_REFUND = "double_refund"
    HIGH_COMPENSATION = "high_compensation"
    MENTAL_DAMAGES = "mental_damages"
    TRANSPORT_LOST_WAGES = "transport_lost_wages"
    APOLOGY = "apology"
    MEDIA_THREAT = "media_threat"
    REGULATOR_THREAT = "regulator_threat"
    UNFAIR_TERMS = "unfair_terms"
    CANCEL = "cancel"
    FIX = "fix"
    EXCHANGE = "exchange"
    MANAGER = "manager"


DEMAND_NAMES: dict[Demand, str] = {
    Demand.EXPLANATION: "要说法/解释",
    Demand.REFUND: "退费",
    Demand.DOUBLE_REFUND: "双倍返还",
    Demand.HIGH_COMPENSATION: "高额赔偿",
    Demand.MENTAL_DAMAGES: "精神赔偿",
    Demand.TRANSPORT_LOST_WAGES: "交通费/误工费",
    Demand.APOLOGY: "道歉",
    Demand.MEDIA_THREAT: "媒体曝光",
    Demand.REGULATOR_THREAT: "越级/监管投诉",
    Demand.UNFAIR_TERMS: "霸王条款",
    Demand.CANCEL: "退订/销号/解约",
    Demand.FIX: "恢复/修复/办理",
    Demand.EXCHANGE: "退换货",
    Demand.MANAGER: "找领导/经理",
}

# A demand as the read-back on saving puts it to the customer: what they asked for in plain
# words, not our label for it (高额赔偿 read back sounds like an accusation). Threats are never
# read back, so they have none.
DEMANDS_AS_SAID: dict[Demand, str] = {
    Demand.EXPLANATION: "给您一个解释",
    Demand.REFUND: "退还费用",
    Demand.DOUBLE_REFUND: "双倍返还",
    Demand.HIGH_COMPENSATION: "赔偿损失",
    Demand.MENTAL_DAMAGES: "精神损失赔偿",
    Demand.TRANSPORT_LOST_WAGES: "交通费、误工费",
    Demand.APOLOGY: "向您道歉",
    Demand.UNFAIR_TERMS: "重新审视相关条款",
    Demand.CANCEL: "退订或解约",
    Demand.FIX: "恢复或办好相关业务",
    Demand.EXCHANGE: "退换货",
    Demand.MANAGER: "由负责人出面处理",
}


class Emotion(StrEnum):
    CALM = "calm"
    UPSET = "upset"
    ANGRY = "angry"


EMOTION_NAMES: dict[Emotion, str] = {
    Emotion.CALM: "平静",
    Emotion.UPSET: "不满",
    Emotion.ANGRY: "愤怒",
}


class Channel(StrEnum):
    """Where a complaint came in (domain §2)."""

    HALL = "hall"
    HOTLINE = "hotline"
    WEB = "web"
    SMS = "sms"
    LETTER = "letter"
    FAX = "fax"
    ACCOUNT_MANAGER = "account_manager"
    VISIT = "visit"
    GROUP_HQ = "group_hq"
    PROVINCE = "province"
    PROVINCE_LEADER = "province_leader"
    PROVINCE_HOTLINE = "province_hotline"
    GOVERNMENT = "government"
    CONSUMER_BODY = "consumer_body"
    MEDIA = "media"
    COURT = "court"


# Where staff and customer meet in person: only there can a line offer a seat or a quieter room.
FACE_TO_FACE_CHANNELS: frozenset[Channel] = frozenset({Channel.HALL, Channel.VISIT})


class TransferSource(StrEnum):
    """The regulator or hotline a complaint was transferred from, with its own case number and deadline."""

    MIIT_12300 = "12300"
    SAMR_12315 = "12315"
    MIIT = "miit"


TRANSFER_SOURCE_NAMES: dict[TransferSource, str] = {
    TransferSource.MIIT_12300: "12300(电信用户申诉受理中心)",
    TransferSource.SAMR_12315: "12315(市场监管)",
    TransferSource.MIIT: "工信部/通信管理局",
}


class TransferReply(NamedTuple):
    """The written reply to a transferring body, as that body's own procedure names it."""

    title: str  # the document: 申诉回复
    matter: str  # what the body handled and transferred: 申诉, 投诉
    addressee: str  # whom the letter is addressed to, on its first line


# 申诉 is the telecom regulator's word (《电信用户申诉处理办法》): 12300 and the 通信管理局 handle
# 申诉. The market regulator's 12315 handles a consumer's 投诉 and transfers it for 处理.
TRANSFER_REPLIES: dict[TransferSource, TransferReply] = {
    TransferSource.MIIT_12300: TransferReply("申诉回复", "申诉", "工业和信息化部电信用户申诉受理中心（12300）"),
    TransferSource.SAMR_12315: TransferReply("投诉处理情况回复", "投诉", "市场监督管理局（12315）"),
    TransferSource.MIIT: TransferReply("申诉回复", "申诉", "通信管理局"),
}
# The reply to a transfer whose source is not recorded (only its case number was typed in).
TRANSFER_REPLY = TransferReply("转办回复", "投诉", "")


def transfer_reply(source: str | None) -> TransferReply:
    """The reply to a transfer from `source` (a TransferSource code): the one place its document's
    name, the matter it answers and its addressee are decided.

    >>> transfer_reply("12315").title
    '投诉处理情况回复'
    """
    try:
        return TRANSFER_REPLIES[TransferSource(source or "")]
    except ValueError:
        return TRANSFER_REPLY


# Named so that a shop and a telecom hall both read them as theirs (the regulator a transfer
# came from is named by TransferSource).
CHANNEL_NAMES: dict[Channel, str] = {
    Channel.HALL: "营业厅/门店",
    Channel.HOTLINE: "客服热线",
    Channel.WEB: "网上渠道/APP",
    Channel.SMS: "短信",
    Channel.LETTER: "信函",
    Channel.FAX: "传真",
    Channel.ACCOUNT_MANAGER: "客户经理",
    Channel.VISIT: "上访",
    Channel.GROUP_HQ: "集团公司转办",
    Channel.PROVINCE: "省公司转办",
    Channel.PROVINCE_LEADER: "省公司领导批示",
    Channel.PROVINCE_HOTLINE: "省监督热线",
    Channel.GOVERNMENT: "政府部门/监管机构",
    Channel.CONSUMER_BODY: "消协/12315",
    Channel.MEDIA: "媒体",
    Channel.COURT: "法院/仲裁",
}


class UrgencyType(StrEnum):
    """Why a complaint is urgent (domain §3). A complaint may carry several."""

    MAJOR = "major"
    OVER_LEVEL = "over_level"
    BATCH = "batch"
    REPEAT = "repeat"
    ESCALATED = "escalated"
    CROSS_REGION = "cross_region"
    IMPORTANT_CUSTOMER = "important_customer"
    SENSITIVE = "sensitive"


URGENCY_NAMES: dict[UrgencyType, str] = {
    UrgencyType.MAJOR: "重大",
    UrgencyType.OVER_LEVEL: "越级",
    UrgencyType.BATCH: "批量",
    UrgencyType.REPEAT: "重复",
    UrgencyType.ESCALATED: "升级",
    UrgencyType.CROSS_REGION: "跨区",
    UrgencyType.IMPORTANT_CUSTOMER: "重要客户",
    UrgencyType.SENSITIVE: "敏感",
}


class VipLevel(StrEnum):
    NORMAL = "normal"
    SILVER = "silver"
    GOLD = "gold"
    DIAMOND = "diamond"


VIP_NAMES: dict[VipLevel, str] = {
    VipLevel.NORMAL: "普通",
    VipLevel.SILVER: "银卡",
    VipLevel.GOLD: "金卡",
    VipLevel.DIAMOND: "钻石",
}


class Role(StrEnum):
    """Staff roles, lowest authority first; the order is the escalation ladder."""

    AGENT = "agent"
    MANAGER = "manager"
    DIRECTOR = "director"
    ADMIN = "admin"


ROLE_NAMES: dict[Role, str] = {
    Role.AGENT: "一线客服/营业员",
    Role.MANAGER: "厅经理/店长",
    Role.DIRECTOR: "客户中心主任",
    Role.ADMIN: "系统管理员",
}
