"""Complaints written the way the public writes online or speaks on the phone: colloquial words,
typos, full-width digits, English and emoji. None of these texts is in the evaluation sets;
they guard the rules' reach beyond the training material."""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer

TELECOM_CATEGORIES = [
    ("service", "打你们热线半小时没人接，好不容易接通了又被转来转去"),
    ("service", "上门装机的师傅抽烟，还把我家地板弄得全是泥"),
    ("service", "营业厅的人说话阴阳怪气的，我问个问题就嫌我烦"),
    ("service", "工单提交一个月了，一直说在处理，没有任何进展"),
    ("service", "网点的人把我的件弄丢了还不认账，说话还很冲"),
    ("recharge", "给我妈充的话费充到别人号上了，能不能撤回"),
    ("recharge", "用银行卡交的宽带费，钱扣了宽带费没交上"),
    ("recharge", "话费充值显示成功，余额却没变化"),
    ("security", "天天收到贷款短信，退订了还发"),
    ("security", "有人冒用我的身份证办了手机卡，还欠了费"),
    ("security", "我的号码被标记成骚扰电话了，打出去别人都不接"),
    ("security", "你们员工把我的资料卖给了推销的"),
    ("product", "手机用了一个月屏幕就出现黑斑"),
    ("product", "刚买的路由器插上电没反应，是个坏的"),
    ("product", "送的光猫三天两头死机，要求换一个"),
    ("product", "面膜用完脸上红了一片，是不是三无产品"),
    ("account", "我的号码莫名被注销了，用了十年的号啊"),
    ("account", "想把号码转到我儿子名下，要跑好几趟"),
    ("account", "服务密码被锁了，APP也登不上去"),
    ("plan", "我的套餐怎么被降成了最低档"),
    ("plan", "合约还有半年，现在要解约得交一大笔违约金"),
    ("marketing", "办卡时说送的话费到现在一分没到"),
    ("vas", "莫名其妙多了个彩铃，从来没开过"),
    ("vas", "每个月扣10块的什么悦读会员，谁给我开的"),
    ("suspension", "我的号突然打不出去了，说是欠费停机，可我明明有余额"),
    ("suspension", "欠费交了一天了还没复机"),
    ("points", "我的积分怎么少了一大半"),
    ("points", "充了3000的美发卡，店转让了新老板不认"),
    ("delivery", "快递把我的东西送错地址了"),
    ("delivery", "物流显示三天前就到了，我一直没收到"),
    ("billing", "这个月账单里多了一笔400块的服务费，我根本不知道是啥"),
    ("billing", "国际长途费怎么这么贵，我就打了十分钟"),
    ("network", "住的地方4G时有时无，打电话经常断线"),
    ("network", "宽带速度只有合同上的一半"),
    ("other", "营业厅门口台阶太滑，我妈摔了一跤"),
    ("other", "你们的基站就装在我家窗户外面，辐射太大了"),
    ("billing", "这个月话费咋扣了三百多？？平时也就五六十，啥也没干啊，你们这是抢钱吧😡"),
    ("billing", "帐单上多了个啥国际长途费，我从来没打过国外电话，赶紧给我查清楚退了"),
    ("billing", "月租明明是58，结果每个月实际扣七十多，多出来的钱去哪了，给个说法"),
    ("billing", "APP上显示已缴清，结果又扣了一次款，重复扣费啊，退钱！"),
    ("billing", "办了宽带拆机三个月了还在扣宽带月费，你们这系统是摆设吗"),
    ("vas", "莫名其妙多了个视频彩铃，每月扣5块，我啥时候订的？？赶紧取消，钱退回来"),
    ("vas", "手机里啥时候开了个XX会员，连续包月扣了半年了，根本没用过，这不是坑人吗"),
    ("vas", "话费里有个“游戏点券”扣了98，孩子玩游戏点的，这种代扣都不用验证码的吗"),
    ("vas", "老人机哪会订什么业务，每个月被扣一堆信息费，你们就是欺负老人不懂"),
    ("plan", "套餐到期自动续了个贵的，谁同意了？给我改回原来的套餐"),
    ("plan", "想降套餐，客服说要等合约到期，合约啥时候签的我都不知道，这不是绑架吗"),
    ("plan", "新用户59块就有100G，我们老用户128才30G，凭啥区别对待，不给换我就携号转网"),
    ("plan", "提前解约要付违约金1000，搬家了你们那边都没覆盖，还收违约金，霸王条款吧"),
    ("network", "家里5G信号一格，视频卡成PPT，打电话也老是断，花钱买罪受"),
    ("network", "宽带天天掉线，晚上打游戏延迟爆表，报修了三回了都没修好，咋整"),
    ("network", "小区这两天完全没信号，电话打不出去，全楼都一样，啥时候能恢复？"),
    ("network", "光猫一直亮红灯，上不了网，客服说48小时内上门，现在都第三天了"),
    ("suspension", "就欠了几块钱直接给我停机了？？连个短信都没有，耽误我多少事"),
    ("suspension", "钱都交了一天了还是停机状态，赶紧给我开机啊，急用"),
    ("suspension", "出国回来发现号码被停了，说是长时间没用，我每月都交月租的啊"),
    ("recharge", "冲话费冲错号码了，就差一位数，能不能帮我追回来？才十分钟"),
    ("recharge", "微信充了100话费，显示支付成功，余额一直没变，钱呢？"),
    ("recharge", "买的充值卡刮开一充说密码已被使用，刚买的卡啊，坑人吧"),
    ("marketing", "营业员说办宽带送一台电视，装完了电视影子都没见着，这不是忽悠人吗"),
    ("marketing", "广告说充100送100，充完了送的一分没到，虚假宣传"),
    ("marketing", "宣传单上写的0元购机，结果每月要多交50，这跟骗有啥区别"),
    ("product", "新买的手机用了一周就黑屏，拿去售后说要返厂一个月，我要求直接换新机"),
    ("product", "合约机开机就卡，还自动重启，怀疑是翻新机，给我退了"),
    ("product", "网上买的鞋子穿了两天就开胶了，质量太差，要求退货"),
    ("service", "客服电话打了一个小时都转不了人工，机器人一问三不知"),
    ("service", "营业厅那个小姑娘态度太差了，问两句就不耐烦，还翻白眼"),
    ("service", "说好48小时回电，一个礼拜了鬼影都没有，你们说话算数吗"),
    ("service", "装维师傅约了上午来，下午五点才到，还嫌我家难找，态度恶劣"),
    ("account", "想注销副卡，非要本人带身份证去营业厅，我人在外地咋办"),
    ("account", "服务密码忘了，重置要人脸识别，老人家根本搞不定"),
    ("account", "号码过户给我老公，营业厅说要双方都到场，太麻烦了"),
    ("security", "天天接到推销电话，一天十几个，是不是你们把我信息卖了"),
    ("security", "我的短信发不出去，说是被列入灰名单了，赶紧给我解封"),
    ("security", "有人拿我身份证在你们那办了两张卡，欠费找到我头上了"),
    ("security", "收到冒充你们客服的诈骗电话，他们连我套餐都知道，信息怎么泄露的"),
    ("points", "积分说清零就清零，攒了好几年，一个通知都没有，给我恢复"),
    ("points", "健身房跑路了，年卡还有两千多没用，老板电话打不通"),
    ("points", "美容院换老板了说以前的卡不认了，卡里还有3000块"),
    ("delivery", "快递显示签收了但我根本没收到，快递员电话也不接"),
    ("delivery", "寄的东西到了里面全碎了，快递公司说只赔运费，太离谱"),
    ("delivery", "包裹三天不动了，物流一直显示运输中，到底送不送"),
    ("other", "营业厅门口的空调外机一直滴水，路过都得绕着走，能不能处理一下"),
    ("other", "你们营业厅晚上音响太吵了，楼上住户没法睡觉"),
]

RETAIL_CATEGORIES = [
    ("product", "网购的羽绒服跑绒跑得厉害，穿一天身上全是毛，商家还不给退"),
    ("product", "在你们店买的面包吃出头发，恶心死了"),
    ("product", "药店买的感冒药过期了半年还在卖，吃了拉肚子"),
    ("product", "刚买的电饭煲用了三天就不加热了，质量也太差了吧"),
    ("product", "外卖的菜里有虫子，商家只肯退一半的钱"),
    ("product", "化妆品用了脸上起疹子，柜姐当初说孕妇都能用"),
    ("service", "餐厅服务员上错菜还甩脸色，叫了半天没人理"),
    ("service", "理发师剪得跟狗啃似的，我说了只修一点点，态度还很横"),
    ("service", "健身房教练天天推销私教课，不买就爱答不理"),
    ("service", "在你们店排队结账半小时，只开一个收银台"),
    ("points", "理发店的储值卡还有800，店突然关门了，老板失联"),
    ("points", "游泳馆年卡没用几次就倒闭了，钱能退吗"),
    ("points", "洗车卡说好不限次，现在每月限4次，充的钱不认了"),
    ("billing", "超市结账多收了我20块，小票上一看同一样东西扫了两次"),
    ("marketing", "商场说满500减100，结账时说活动商品不参加，海报上没写啊"),
    ("marketing", "直播间说买二送一，收到货只有两件，客服装死"),
    ("delivery", "买的东西一个星期都没发货，问商家说快递没来取"),
    ("delivery", "快递员不送上门，直接放驿站也不通知，我找了半天"),
    ("delivery", "包裹显示已签收，问了门卫和快递柜都没有"),
    ("security", "办会员卡留了电话，现在天天有装修公司打电话来，是不是你们卖了我的信息"),
    ("other", "商场的扶梯突然停了，我女儿摔倒了膝盖擦破皮"),
    ("other", "你们店门口堆满了杂物，轮椅根本过不去"),
]

DEMANDS = [
    ("refund", "乱扣的钱赶紧给我吐出来"),
    ("refund", "多收的58块退回我账户"),
    ("refund,cancel", "这破会员我不要了，钱全退"),
    ("cancel", "这个业务我不需要，给我关了"),
    ("cancel", "不给解决我就携号转网"),
    ("cancel", "合约到期了我要解约，别再扣我钱了"),
    ("fix", "网断三天了，赶紧派人来修"),
    ("fix", "充的话费到现在没到账，麻烦给我补上"),
    ("fix", "套餐被改了，给我改回原来的"),
    ("fix", "快递赶紧给我送过来"),
    ("explanation", "我就想知道这钱到底扣在哪了"),
    ("explanation", "凭什么扣我钱？给我个说法"),
    ("apology", "你们客服骂人，必须给我道歉"),
    ("manager", "叫你们管事的出来"),
    ("manager", "找个能做主的人跟我说"),
    ("regulator_threat", "再不处理我就打12315"),
    ("regulator_threat", "不解决我就去通管局申诉"),
    ("regulator_threat", "我已经在工信部网站提交申诉了"),
    ("regulator_threat", "等着收律师函吧"),
    ("media_threat", "信不信我发抖音曝光你们"),
    ("media_threat", "我要让网友评评理"),
    ("media_threat", "已经发微博了，等着上热搜吧"),
    ("high_compensation", "耽误我谈生意损失好几万，你们必须赔偿"),
    ("high_compensation", "假一赔十，少一分都不行"),
    ("double_refund", "多收的钱按规定双倍返还"),
    ("mental_damages", "吓得我好几天睡不着，要赔精神损失费"),
    ("transport_lost_wages", "为这事我跑了五趟，请假扣的工资和车费你们报"),
    ("exchange", "手机有质量问题，给我换台新的"),
    ("exchange", "衣服质量太差，我要退货"),
    ("unfair_terms", "这种霸王条款谁定的"),
    ("", "请问流量包怎么办理"),
    ("", "你们的网速最近有点慢"),
]

EMOTIONS = [
    ("calm", "请问我的套餐还剩多少流量？"),
    ("calm", "你好，想咨询一下宽带怎么续费，谢谢"),
    ("calm", "麻烦帮我看看这个月话费是不是多扣了"),
    ("calm", "我上周投诉的事情，想问一下处理进度"),
    ("upset", "说好48小时回复，现在都一周了，什么服务"),
    ("upset", "话费莫名其妙多了50，我不认可"),
    ("upset", "信号太差了，打个电话都断断续续的"),
    ("upset", "客服一直让我等，等了半天也没结果"),
    ("angry", "你们这群骗子！！！"),
    ("angry", "再不给我退钱我就去工信部告你们"),
    ("angry", "垃圾运营商，气死我了"),
    ("angry", "我已经打了五次电话了，你们到底管不管？今天必须给我解决！"),
    ("angry", "信不信我去你们营业厅拉横幅"),
    ("upset", "你们这个规定也太不近人情了吧"),
    ("calm", "我已经向12315反映过了，平台让我先找你们协商，请尽快处理"),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(("category", "text"), TELECOM_CATEGORIES)
def test_telecom_category(analyzer: Analyzer, category: str, text: str) -> None:
    assert analyzer.analyze(text).category.code == category


@pytest.mark.parametrize(("category", "text"), RETAIL_CATEGORIES)
def test_retail_category(analyzer: Analyzer, category: str, text: str) -> None:
    assert analyzer.analyze(text, industry="retail").category.code == category


@pytest.mark.parametrize(("demands", "text"), DEMANDS)
def test_demands(analyzer: Analyzer, demands: str, text: str) -> None:
    expected = {code for code in demands.split(",") if code}
    found = set(analyzer.analyze(text).demand_codes)
    # An explanation asked along the way is no error; anything else must match.
    assert expected <= found and found - expected <= {"explanation"}


@pytest.mark.parametrize(("emotion", "text"), EMOTIONS)
def test_emotion(analyzer: Analyzer, emotion: str, text: str) -> None:
    assert analyzer.analyze(text).emotion.code == emotion
