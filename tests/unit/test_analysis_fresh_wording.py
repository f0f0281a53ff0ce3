"""Classes of mistakes on the way the public words complaints, each guarded by texts written
for this file: Cantonese particles, quoted names of fees and slogans, hypotheticals, other
people's words and offers retold by the customer, requests phrased as questions or
conditions, and the matter of a complaint told apart from its circumstances."""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


# (expected category, industry, text)
CATEGORY_CASES = [
    # Cantonese particles (咗, 嘅, 佢) and 收唔到 are read like their Mandarin equivalents.
    ("product", "retail", "條褲買咗一個禮拜，洗完一次就縮咗成吋，質素差到咁"),
    ("network", "telecom", "客服話會跟進，但我屋企依然收唔到5G，跟進咗三個星期都係咁"),
    # A charge whose name is quoted is an unsolicited service; a quoted fee item stays billing.
    ("vas", "telecom", "我爸的手机每月多了15块的“生活资讯服务”，他根本不会订这种东西"),
    ("vas", "telecom", "小孩打游戏充了皮肤，两百多块在话费里扣掉了"),
    ("billing", "telecom", "这三个月账单里出现一项“境外上网费”，可我一直在国内，还被客服推来推去"),
    # A quoted promise or a gift of a deal makes the promotion the matter; a shop's quoted
    # excuse (不参与) is no promise.
    ("marketing", "telecom", "传单上印着“办宽带免费送路由器”，装好了路由器却要我自己买"),
    ("marketing", "telecom", "充话费送的蓝牙音箱讲好月底寄到，到今天一直没发货"),
    ("points", "retail", "美甲店储值卡充五千，店员总讲这款“不参与充值优惠”，余额用不出去"),
    # Premises and facilities are other, even when staff stand by or a part is broken.
    ("other", "retail", "游泳馆更衣间淋浴的喷头坏了一半，冷水热水来回变"),
    ("other", "telecom", "大厅的叫号机一直死机，几十个人挤成一堆，差点有人摔倒"),
    # Lying awake in pain is no noise complaint; the broken goods are the matter.
    ("product", "retail", "刚配的假牙戴了一周就崩裂了，疼得整晚睡不着，诊所说质保不包"),
    # Not being told in time and staff acting without consent are service.
    ("service", "retail", "预约的体检到了医院才说今天不做了，也没人通知我，白跑一趟"),
    ("service", "retail", "民宿的保洁员没经我同意就进了房间，我的行李都被翻过"),
    ("service", "telecom", "新卡没开通就把旧卡剪了，问门店，店长说不关我们的事"),
    # A hypothetical theft is no security matter; reporting a lost phone is account.
    ("account", "telecom", "手机掉了想挂失，客服要服务密码，我记不住，要是被人盗刷了算谁的"),
    # Leaked details, collection messages to one's contacts and personal harassment are security.
    ("security", "telecom", "刚办完宽带就有人打电话来，把我的姓名和住址一清二楚报出来，信息肯定是从你们那漏出去的"),
    ("security", "telecom", "你们把催缴短信群发到我通讯录里的同事那里，可我从来没欠过费"),
    ("security", "retail", "送外卖的骑手拿到我号码后天天发消息骚扰我，平台要管"),
    # Paid but still shown in arrears, a mistyped amount, a swallowed top-up: recharge.
    ("recharge", "telecom", "上个月25号交了268的宽带费，银行卡也扣了，可是系统里仍然显示欠费"),
    ("recharge", "telecom", "在营业厅交话费本来交一百 店员帮我输成了一千 多的那九百怎么办"),
    ("recharge", "telecom", "在报刊亭充的一百块话费被吞了，报刊亭和你们都说不是自己的问题"),
    # A warning that a line may be cut is not a suspension; the payment not credited is.
    ("recharge", "telecom", "月初就交了两百块，今天却收到短信说再不缴费就停机，钱到底去哪了"),
    # Someone else's phone being cut off is not the customer's suspension.
    ("marketing", "telecom", "存话费领电饭煲的活动说好一周内送货，现在找那个业务员，他电话都停机了"),
    # A family plan's sub-card named in passing does not make a suspension an account matter.
    ("suspension", "telecom", "我给孩子用的那张副卡被停了，说是半年没打电话，怎么才能开起来"),
    # A shop's or platform's member account is account in retail too.
    ("account", "retail", "网购平台的账号绑的是我以前的手机号，收不到验证码，客服不让换绑"),
    ("account", "retail", "想把超市会员账户注销掉，店里说要去总部办，能不能在这里直接注销"),
    # A high minimum spend pinned on an old number is a plan matter.
    ("plan", "telecom", "我用了十几年的号突然说是靓号，要每月最低消费158，不然就不能用"),
]


# (demand that must be found, industry, text)
DEMAND_CASES = [
    # Cancelling phrased as switching a thing off, giving it back, or dropping the deal.
    ("cancel", "telecom", "这个自动续费的功能我用不上，赶紧把这个业务关了"),
    ("cancel", "telecom", "网速一直上不去，再这样我就换别家的宽带了"),
    ("cancel", "telecom", "你们这样宣传是骗人的，这个合约我不办了"),
    ("cancel", "telecom", "阿嫲嘅手機多咗個收費服務，佢都唔知係乜嘢，即刻同佢取消"),
    # Refusing to pay a fee asks for it to be waived; a bare 必须退 asks for the money back.
    ("refund", "telecom", "装机的时候没人说过要收调试费，这笔调试费我不会付"),
    ("refund", "telecom", "账单上多出一项六十块的服务费，我没用过，必须退"),
    ("refund", "retail", "咖啡店说好第二杯半价结果收了全价，补我差价的钱"),
    ("double_refund", "telecom", "彩铃是你们偷偷开的，扣过的钱双倍退我"),
    # Losses caused elsewhere, asked for in other word orders.
    ("high_compensation", "retail", "快递压坏了样品，客户取消了订单，这笔生意损失要另行赔偿"),
    ("high_compensation", "telecom", "师傅修宽带时把我家地板砸了个坑，修地板的钱希望公司承担一下"),
    ("transport_lost_wages", "telecom", "等你们上门装机我请假扣了三百，你们看怎么办"),
    # Wanting to know: where the money went, the reason, the rule, a date, the origin.
    ("explanation", "telecom", "充进去的两百块钱跑哪去了，余额一点没变"),
    ("explanation", "telecom", "我的会员等级突然从钻石降到了普通，降级的依据是什么"),
    ("explanation", "telecom", "客服说我的参与资格不够，那我要看看签约时的协议原文"),
    ("explanation", "telecom", "我的合约到底是哪天到期的"),
    ("explanation", "telecom", "每月多扣五块的短信包，到底从哪里订来的"),
    # Getting things done: chasing, resending, blocking, one more serving, more counters.
    ("fix", "retail", "包裹在中转站趴了五天没动，帮忙催催派件"),
    ("fix", "telecom", "寄来的新卡信封是空的，要求补寄一张"),
    ("fix", "telecom", "天天收到赌博网站的短信，麻烦帮我拦截掉"),
    ("fix", "retail", "套餐里的薯条没给，补一份吧"),
    ("fix", "telecom", "一个多小时只开了一个窗口，请加开窗口"),
    ("fix", "telecom", "钱再到不了账的话我就去营业厅当面找你们"),
    ("fix", "telecom", "别给我升什么新档位，保留原来的资费就行"),
    ("fix", "telecom", "钱我早就交了，请把我的欠费标记撤销掉"),
    ("fix", "telecom", "充错号了，能不能帮我转到我儿子的号上"),
    ("fix", "telecom", "把我那个老人套餐还给我，新套餐我用不上"),
    ("fix", "telecom", "楼顶的信号塔离卧室太近了，请把信号塔挪走"),
    # The company's head office as the upper-level channel.
    ("regulator_threat", "retail", "门店一直推，明天我们几个会员一起去他们总部讨个说法"),
    ("regulator_threat", "retail", "尊敬的某某连锁集团公司：贵司门店关门后余额无人处理，请总部出面解决"),
]


# (demand that must NOT be found, industry, text)
NOT_DEMAND_CASES = [
    # Other people's offers and suggestions, retold, are not the customer's demands.
    ("refund", "retail", "网店卖假面霜，商家只同意退款，我坚持要退一赔三"),
    ("exchange", "retail", "耳机用三天就没声音了，店家只肯退货不肯赔，我要求三倍赔偿"),
    ("refund", "telecom", "骗子冒充客服打来，说要我下载个软件办退费，我没理他"),
    # Narration of what staff did, and words used as modifiers, are no requests.
    ("fix", "telecom", "营业员帮我办的新套餐，第二个月就多扣了三十"),
    ("fix", "telecom", "到手的平板一看激活日期是三个月前，明显被人用过，我要退一赔三"),
    ("cancel", "telecom", "去年就拆了宽带，手里有拆机回执，可今年还在扣月租，钱要退给我"),
    ("cancel", "telecom", "我要求取消这个多收的手续费，套餐照常用"),
    # 还 as "also", a company's condition, something handed back that is not money.
    ("refund", "telecom", "催收的人不光打我电话，还给我单位前台打，烦死了"),
    ("refund", "telecom", "营业员讲旧号码欠费不交清就不给办销户，可那个号我早销了"),
    ("refund", "telecom", "把我原来那个58的套餐还给我"),
    # Asking a manager to act is no demand for a manager.
    ("manager", "telecom", "请店长查一下当天的监控，他们确实答应过"),
    # Explaining why a service was opened is no request to open one.
    ("fix", "telecom", "这个包月到底谁授权开通，我想知道"),
    # A television given away in a deal is no threat to go to the media.
    ("media_threat", "telecom", "办套餐的时候说送电视送宽带，结果什么都没送，我要退掉"),
]


# Insults, scolding and ordering a manager out are pressure: angry, not merely upset.
ANGRY_CASES = [
    "转了四个人工没一个管用的，全是废物",
    "说好今天来装结果又没来，你们公司是干什么吃的",
    "扣错的钱一拖再拖不肯退，还好意思催我续费，把你们领导叫出来",
    "站在柜台后面翻白眼，什么素质",
]


@pytest.mark.parametrize("text", ANGRY_CASES)
def test_angry(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).emotion.code == "angry"


# --- Everyday wording: slogans, shared personal data, nuisances, staff insults ---

# (expected category, industry, text)
EVERYDAY_CATEGORY_CASES = [
    # A quoted slogan that gives something away is a promotion, even when it names a fee.
    ("marketing", "telecom", "宣传单上写着「转网就送半年月费」，转过来第一个月照样收了"),
    # A quoted service name in plain or corner quotes, opened by default or by someone else.
    ("vas", "telecom", '手机里不知道谁给开了个"天气资讯"，每月扣5块'),
    ("vas", "telecom", "我妈的卡被默认开了「每日阅读」，她连字都看不清"),
    # 卡 of a SIM card is no lag on the line.
    ("billing", "telecom", "公司宽带加三张手机卡说好一共299，这个月多收了我八百多"),
    # Calls counted in Chinese numerals; impersonated banks; personal data passed to a group.
    ("security", "telecom", "你们的推销电话一天打五次，我都说了不要"),
    ("security", "telecom", "天天收到冒充银行的短信，让我点链接更新资料"),
    ("security", "telecom", "营业员把我的身份证照片发到了他们的工作群里"),
    # Reporting a lost phone is the holder's own account business.
    ("account", "telecom", "手机丢了当天就报失了，可号码到现在都没冻结"),
    # A worry that credit may suffer is no fraud.
    ("account", "telecom", "以前把身份证借给表哥办过一张卡，他早不用了，怕会影响征信，想把它注销"),
    # Paid but shown as unpaid; a top-up card whose code is refused.
    ("recharge", "telecom", "上周在便利店缴了¥120话费，系统还显示我没缴，天天发短信催"),
    ("recharge", "telecom", "买的储值卡刮开输进去，提示密码无效"),
    # 少说 is "at least", no promise; a solution (方案) is no tariff plan.
    ("network", "telecom", "光纤断了两天，我的生意少说损失五千，今天必须给个解决方案"),
    # Nuisance to neighbours and shop fittings are neither promotions nor products.
    ("other", "telecom", "营业厅门口的音箱天天喊办卡送礼，我们楼上没法休息"),
    ("other", "retail", "餐馆的油烟直往我家窗户里灌，晚上都睡不好"),
    ("other", "retail", "超市的手推车刹不住，差点撞到我家孩子"),
    # Staff insulting a customer in front of others; no explanation at all; a hair service.
    ("service", "retail", "收银员当着一排人的面说我想占便宜，太过分了"),
    ("service", "retail", "店员当我是小偷一样盯着，还要翻我的包"),
    ("service", "retail", "高铁晚点两个多小时，车站一句解释都没有"),
    ("service", "retail", "在你们店染的头发一周就褪成黄色了"),
    # Falling ill after eating the product.
    ("product", "retail", "孩子喝了你们的果汁上吐下泻，同一批次的我还留着"),
    # A written promise of what a deal includes.
    ("marketing", "retail", "团购券上写着含饮料，到店却说饮料另收"),
]


# (demand, industry, text)
EVERYDAY_DEMAND_CASES = [
    # The spam reporting line is a regulator; a post on a platform is exposure.
    ("regulator_threat", "telecom", "再发这种垃圾短信，我就打12321举报"),
    ("media_threat", "retail", "三天不退款，我就在小红书上把聊天记录全发出来"),
]


def test_court_as_a_parcel_destination_is_no_threat(analyzer: Analyzer) -> None:
    text = "寄到法院的证据材料被快递弄丢了，我要求赔偿损失"
    assert "regulator_threat" not in analyzer.analyze(text, industry="retail").demand_codes


# (demand, industry, text): requests worded as the public words them: a deadline or a
# condition with the action, Cantonese 返, an amount named before its verb, the promised
# terms to be honoured, something taken out of a plan, a waiver, English.
REQUEST_FORM_CASES = [
    ("fix", "telecom", "充的50块到现在没到账，现在就给我手动加上"),
    ("fix", "retail", "说好每月返30元话费券，才返了三个月就停了，剩下的接着给我返"),
    ("fix", "retail", "下单时写明包安装，而家要我另外俾上门费，唔该照原本讲嘅上门装好"),
    ("fix", "retail", "页面上写满300减50，付款时没减，请按照页面上的活动给我折抵"),
    ("fix", "retail", "快递又放在小区门口了，下次必须给我送上楼"),
    ("fix", "telecom", "我的套餐被人改成了199的，麻烦给我改过来"),
    ("fix", "telecom", "不知道谁把我的宽带降成了100兆，赶紧给我整回去"),
    ("fix", "telecom", "营业厅排了两个小时的队，今天必须多开三个窗口"),
    ("fix", "retail", "请有关部门督促这家烧烤店整改油烟"),
    ("fix", "telecom", "楼顶那个信号塔限你们十天内拆走"),
    ("fix", "telecom", "号码被限制呼出，请尽快把这个限制解除"),
    ("fix", "telecom", "把限速的门槛调高一点，20G就限速太离谱了"),
    ("fix", "retail", "会员积分月底就清零了，能不能帮我把有效期延长三个月"),
    ("fix", "telecom", "我要求转返之前那个月费98的plan"),
    ("cancel", "telecom", "那个视频会员我从来不看，从我的套餐里去掉"),
    ("cancel", "telecom", "家里的固话早就不用了，这次顺便销掉"),
    ("cancel", "telecom", "退订是一定的，之前扣的钱也要说清楚"),
    ("cancel", "telecom", "异地不能过户的话，这个号我只能停掉了"),
    ("refund", "retail", "多收的二十三块五你今天必须给我退了"),
    ("refund", "telecom", "话费里不明不白多了三十块，该退的你们要退"),
    ("refund", "telecom", "宽带早就拆了，账上还挂着120，这120我不认"),
    ("refund", "retail", "洗衣店把衬衫洗坏了还收了洗衣费，这35希望能退"),
    ("refund", "telecom", "违约金太离谱了，请全部免除"),
    ("refund", "retail", "买的是软卧结果给安排到硬座车厢，要求退两种票的差价"),
    ("refund", "retail", "跑腿平台无故冻结我账户，里面六百多余额赶紧让我提出来"),
    ("refund", "retail", "唔好收我手續費，係你哋系統出錯我先要改期"),
    ("high_compensation", "telecom", "网断了五天，我的网店一单都接不了，损失按实际营业额给我赔"),
    ("high_compensation", "retail", "课程和宣传完全两回事，除了退学费还得给个赔偿"),
    ("high_compensation", "telecom", "营业厅没核实身份就让人补了我的卡，被转走的钱你们多少得承担一点"),
    ("high_compensation", "retail", "洗衣机漏水把楼下泡了，我赔给邻居的钱你们也得出"),
    ("exchange", "retail", "新买的吹风机用三天就冒烟，换新！"),
    ("exchange", "retail", "The kettle 水壶 leaks from the bottom, please change a new one for me"),
    ("transport_lost_wages", "telecom", "为了补卡专门坐高铁回老家，来回的车票钱你们得给我报"),
    ("transport_lost_wages", "retail", "店里给错了尺码，我又跑了一趟，打车钱你们出一下"),
    ("explanation", "retail", "寄的文件一个礼拜没更新物流，到底在哪"),
    ("explanation", "telecom", "请提供这个增值业务的订购记录和订购渠道"),
]


# (demand, industry, text): the words of a demand in narration: a manager the staff need,
# one who came out earlier, someone else's lawsuit, a regulator's advice or rule, a shop
# that closed, porting told as the moment something happened, compensation waved off.
NARRATED_CASES = [
    ("manager", "retail", "退款要找经理签字，经理一下午都没露面"),
    ("manager", "retail", "后来店长出来说给送张优惠券，我没要，我就要把钱退回来"),
    ("manager", "telecom", "推销电话拉黑一个号，过两天换个人又打来"),
    ("manager", "telecom", "我不是非要见你们领导，我只要一个说话算数的答复"),
    ("regulator_threat", "telecom", "我和装修公司在打官司，要用到去年的通话记录，请帮忙调出来"),
    ("regulator_threat", "retail", "消协早就发过提醒说健身卡别充太多，是我自己没在意"),
    ("regulator_threat", "telecom", "工信部早就要求不能用不限量这种说法了，你们宣传页上还在写"),
    ("cancel", "telecom", "我在办理携号转网的时候，营业员阴阳怪气的，我要她道歉"),
    ("cancel", "retail", "假货卖了就跑，现在网店都关了，平台得给我个说法"),
    ("high_compensation", "retail", "药品快到期也不提醒，我不要你们赔什么，换一盒新的就行"),
]


# (category, industry, text): money still taken after a service ended or taken twice is a
# charge dispute; the customer's own trade (a courier), a threat to leave and a TV station
# are circumstances, not the matter.
CIRCUMSTANCE_CASES = [
    ("billing", "telecom", "光纤上个月就拆了，为啥还在扣我的月租"),
    ("billing", "telecom", "宽带都停用半年了咋还扣我月租"),
    ("billing", "retail", "超市自助收银付了一次没反应又付一次，两笔钱都扣了"),
    ("billing", "telecom", "我这个号几乎不用，月月扣五六十，再不说清楚我就找电视台"),
    ("vas", "telecom", "那个“游戏加速包”我退订过还是照样续费，再续一次我直接销号"),
    ("suspension", "telecom", "本人是快递员，号码突然被停了，一天的单都接不了"),
    # Money paid but never arriving, or landing in the wrong account, is a top-up problem.
    ("recharge", "retail", "小程序上给饭卡充了100，钱扣了卡里没有，中午饭都没吃上"),
    ("recharge", "retail", "交了水费页面显示缴费成功，第二天照样停水了"),
    ("recharge", "telecom", "营业厅的自助缴费机吞了我50块，话费一分没涨"),
    ("recharge", "telecom", "开了自动充值，一天里自动充了三次，扣了我150"),
    ("billing", "telecom", "固话上个月就拆了，这个月照样扣了月租"),
    ("billing", "retail", "奶茶店扫码的时候卡了一下，结果付了两次，店员说系统里只有一单"),
    ("recharge", "telecom", "微信上交话费扣了两次款，话费只到了一次"),
    ("recharge", "telecom", "喺便利店幫張卡增值$50，戶口到而家都冇入到"),
    ("billing", "telecom", "手机开热点下了个游戏，套餐外流量收了我一百多"),
]


# (demand, industry, text): more everyday request forms: a bare 换！, a polite 可以直接换,
# money sent back the way it came, part of a fee back, keeping the old plan, sending it
# again, stopping calls, blocking numbers, a condition on the repair, the number given
# back, another expense the company should bear next to a refund, Taiwan words for pay.
EVERYDAY_REQUEST_CASES = [
    ("exchange", "retail", "电水壶用了五天就不加热，换！"),
    ("exchange", "retail", "这条裤子线头全开了，可以直接换一条吗"),
    ("refund", "retail", "订单被商家取消了，钱赶紧原路打回来"),
    ("refund", "telecom", "说好的千兆只跑到一百兆，能不能退一部分宽带费"),
    ("fix", "telecom", "通知说我的套餐要下架，希望能保留原来的套餐"),
    ("fix", "retail", "寄来的会员卡在路上丢了，麻烦重新给我寄一张"),
    ("fix", "telecom", "缴费都到账了还是停机，赶紧开机！"),
    ("fix", "telecom", "保险推销天天打到我手机上，别再打了"),
    ("fix", "telecom", "有几个号码天天骚扰我，能不能帮我把这几个号封了"),
    ("fix", "telecom", "家里电视又没信号，修不好的话我就换别家"),
    ("fix", "retail", "活动说的赠品少了两件，麻烦给我补齐"),
    ("cancel", "telecom", "新号的卡半个月都没寄到，再不到就把号退了"),
    ("cancel", "telecom", "话费里多了个视频包月，把它给我退掉"),
    ("high_compensation", "telecom", "境外流量包用不了，包的钱退我，租随身WiFi的钱也得你们出"),
    ("transport_lost_wages", "retail", "師傅爽約兩次，我請假的薪水損失和計程車錢都要你們負責"),
    ("regulator_threat", "telecom", "号码被停了一个月，我也不愿意把事情闹到工信部，尽快恢复就好"),
    ("unfair_terms", "telecom", "试用期一过自动扣费还不通知，这不是霸王条款是什么"),
]


# (demand, industry, text): narration again: one's own job as a lawyer, a manager who came
# and did nothing, porting done last week, docked pay that is not a refund.
MORE_NARRATED_CASES = [
    ("regulator_threat", "telecom", "我就是做律师的，天天收到催债短信，请查一下号码是不是被人补过卡"),
    ("manager", "retail", "服务员把菜洒了，店长过来也就笑了笑，这件衣服的干洗费你们出"),
    ("cancel", "telecom", "上周在营业厅办理携号转网，营业员把我身份证号输错了，害我白跑一趟"),
    ("refund", "retail", "装修队迟到半天，我请假扣掉的工资你们得赔"),
]


# (demand, industry, text): oblique threats: regulators of other trades, local government,
# taking it upward together, a post in a town's group chat or one already on a platform.
OBLIQUE_THREAT_CASES = [
    ("regulator_threat", "retail", "航班取消还不给改签，不给个交代我就投诉到民航局"),
    ("regulator_threat", "telecom", "小区没信号三年了，再拖下去我们几十户联名往上告"),
    ("regulator_threat", "retail", "物业乱收停车费，今天不说清楚我们就去街道办反映"),
    ("media_threat", "retail", "美容院不认原来的卡，不退钱我就发到业主群里"),
    ("media_threat", "telecom", "这事我已经在微博上发了，好多人说遇到过一样的"),
    ("media_threat", "retail", "再不回复，视频剪好了直接放出来让大家都看看"),
]


# (demand, industry, text): a court or the news named in passing.
PASSING_MENTION_CASES = [
    ("regulator_threat", "telecom", "我姐夫在法院上班，他说断网这么多天应该减免月租，能减吗"),
    ("media_threat", "telecom", "看新闻说有记者暗访营业厅乱开业务，我查了一下我爸也被开了，麻烦取消"),
]


# (demand, industry, text): requests as work orders and dialects put them: 说明 which one,
# 说道说道, a written reply, a dish not to be charged, a fee the customer will not pay, a
# penalty waived, a bill recalculated at the fair price, Shanghainese 钞票, 开开, rebates to
# continue, a phone set to take only contacts, not renewing, a team leader to call back.
WORK_ORDER_CASES = [
    ("explanation", "telecom", "期望：说明多出来的短信费是哪几条产生的"),
    ("explanation", "telecom", "号码平白无故欠费停了，这是咋回事你得给俺说道说道"),
    ("explanation", "retail", "会员信息被泄露了，请出一份书面的答复给我"),
    ("refund", "retail", "菜里吃出沙子，这道菜不要算钱了"),
    ("refund", "telecom", "停机三天又要我交20块复机费，这笔我不会给"),
    ("refund", "telecom", "合约签的时候没人说保底，给我免了违约金"),
    ("refund", "telecom", "国际通话一分钟二十多，能不能按漫游包的价格给我重新算"),
    ("refund", "retail", "商场的购物卡过期勿好用了，侬要帮我拿钞票退出来"),
    ("fix", "telecom", "俺爹的手机又停了，麻溜给开开"),
    ("fix", "telecom", "说好返满十二个月的，才返了四个月，剩下的赶紧给我返"),
    ("fix", "telecom", "骚扰电话太多，能不能把我的号设置成只接通讯录里的来电"),
    ("cancel", "telecom", "宽带到期自动续了一年，我不续了，钱退给我"),
    ("manager", "retail", "客服说了两句就挂我电话，让你们班长给我回个电话"),
]


def test_the_other_side_of_a_chat_is_the_agent(analyzer: Analyzer) -> None:
    """In a 我/对方 chat, 对方 is the business: its requests are not the customer's demands."""
    text = "我：充的话费一天了还没到账\n对方：亲，请提供一下支付截图，我们给您说明原因\n我：截图发了，赶紧给我到账"
    result = analyzer.analyze(text)
    assert result.dialogue
    assert "explanation" not in result.demand_codes
    assert "fix" in result.demand_codes


def test_recalculating_a_level_is_no_refund(analyzer: Analyzer) -> None:
    text = "我的会员等级被降了，可我今年的消费明明够了，请重新计算，恢复我的等级"
    assert "refund" not in analyzer.analyze(text).demand_codes


# (category, industry, text): single quotes name a service as double quotes do; paid but
# still cut off, or paid into a number and never arrived, is a top-up problem; a courier by
# trade is no parcel; 慢游 is a slip for 漫游.
QUOTED_AND_PAID_CASES = [
    ("vas", "telecom", "我爸手机上每个月有个叫'天天彩讯'的东西扣5块，麻烦退订"),
    ("recharge", "telecom", "微信交了宽带费还是断网，这钱交哪去了"),
    ("recharge", "telecom", "用手机银行给我妈的号交了100，钱已经划走了，你们那边说查不到"),
    ("suspension", "telecom", "我是跑外卖的，号码莫名其妙被停了，一天单都接不了"),
    ("billing", "telecom", "账单上有笔国际慢游费四十多，我今年就没出过门"),
]

# (demand, industry, text): the goods sent back, a balance returned, a charge cancelled,
# a level restored, the volume turned down, a free repair, a contract undone.
MORE_REQUEST_CASES = [
    ("exchange", "retail", "买的电热毯一通电就冒火星，东西我寄回去，钱一分不少退给我"),
    ("refund", "retail", "理发店说会员卡到期清零？把余额还我"),
    ("refund", "telecom", "出国前就开了漫游包还收我数据费，马上撤销这笔费用"),
    ("fix", "telecom", "在网十几年，会员等级被降了两级，请给我调回原来的等级"),
    ("fix", "telecom", "营业厅门口的喇叭从早吵到晚，能不能把声音关小点"),
    ("fix", "telecom", "合约机才用三个月就花屏，要么免费修，要么给我换台新的"),
    ("cancel", "telecom", "说好零元购机，结果每月强制消费两百，合约给我解掉"),
]

# (demand, industry, text): money the customer says not to give back.
MORE_NOT_DEMAND_CASES = [
    ("refund", "telecom", "钱我不要你们退，就想知道账单上这个'其他费用'是什么"),
    # A platform's own appeal, a regulator's published figures, someone else's old story,
    # one's own profession.
    ("regulator_threat", "retail", "店铺被平台封了，申诉两次都被驳回，麻烦人工复核一下"),
    ("regulator_threat", "telecom", "通管局之前不是公布过各家的网速排名吗，你们排第一，我家怎么才10兆"),
    ("regulator_threat", "telecom", "邻居说他去年也遇到过，投诉到工信部才退的钱，我就想你们直接给我退了"),
    ("regulator_threat", "telecom", "我自己就是律师，道理不多讲，宽带到期没续约你们还扣了一年的钱，退给我"),
]


CATEGORIES = [*CATEGORY_CASES, *EVERYDAY_CATEGORY_CASES, *CIRCUMSTANCE_CASES, *QUOTED_AND_PAID_CASES]
DEMANDS_FOUND = [
    *DEMAND_CASES,
    *EVERYDAY_DEMAND_CASES,
    *REQUEST_FORM_CASES,
    *EVERYDAY_REQUEST_CASES,
    *OBLIQUE_THREAT_CASES,
    *WORK_ORDER_CASES,
    *MORE_REQUEST_CASES,
]
DEMANDS_NOT_FOUND = [
    *NOT_DEMAND_CASES,
    *NARRATED_CASES,
    *MORE_NARRATED_CASES,
    *PASSING_MENTION_CASES,
    *MORE_NOT_DEMAND_CASES,
]


@pytest.mark.parametrize(("category", "industry", "text"), CATEGORIES)
def test_category(analyzer: Analyzer, category: str, industry: str, text: str) -> None:
    assert analyzer.analyze(text, industry=industry).category.code == category


@pytest.mark.parametrize(("demand", "industry", "text"), DEMANDS_FOUND)
def test_demand_found(analyzer: Analyzer, demand: str, industry: str, text: str) -> None:
    assert demand in analyzer.analyze(text, industry=industry).demand_codes


@pytest.mark.parametrize(("demand", "industry", "text"), DEMANDS_NOT_FOUND)
def test_demand_not_found(analyzer: Analyzer, demand: str, industry: str, text: str) -> None:
    assert demand not in analyzer.analyze(text, industry=industry).demand_codes
