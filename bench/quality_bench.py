"""Throughput of the reply and dialogue checkers.

Prints one JSON object: {"check_reply_per_s": ..., "check_dialogue_per_s": ...}, each
measured for about three seconds on a realistic hall reply and a 14-turn dialogue.
Run: PYTHONPATH=src python bench/quality_bench.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tousu.knowledge.language import packaged_language_rules
from tousu.quality import check_dialogue, check_reply

REPLY = (
    "王先生，您好！给您添麻烦了，我非常理解您的心情。您反映的这笔10元流量包费用，"
    "我已经为您核实过了，是上个月20号通过短信订购的。请您等一下，您搞错了也没关系，"
    "我马上为您办理退订，费用会在2个工作日内退回到您的账户。感谢您对我们的信任，"
    "也谢谢您的宝贵意见，我们会改进短信提醒，避免类似情况再次发生。"
)

DIALOGUE = """客户：你好，我要用积分换这个包，5000分的这个。
营业员：好的，请出示一下身份证。办好了，您还剩1000积分。其实我们这里也有3000积分的礼品。
客户：啊？那你怎么不早说，剩下的1000分怎么办？
营业员：额，您之前也没有说要换3000的啊。
客户：你也没问我啊，这本来就该你先告诉我。
营业员：没关系，反正您还要继续用，攒够了再来换不就行了吗？
客户：什么没关系！我本来可以全部换掉的，你这是什么服务态度？叫你们经理来，我要投诉你！
经理：您好，我是这里的值班经理，请问遇到什么问题了？
客户：我来换积分礼品，你们营业员也不告诉我有哪些可以换，现在剩了1000分，用不掉。
经理：我理解您的意思了，这确实是我们没有提前说明，给您添麻烦了。请您稍等一下，我跟同事商量一个补救办法，20分钟内给您答复。
客户：行，我等着。
经理：先生，剩下的1000积分，我们按比例给您换成60元话费，话费会在1个小时内到账，您看这样可以吗？
客户：那也只能这样了。
经理：好的，我现在就为您办理。感谢您的理解和支持，也谢谢您的批评，我们会加强培训，避免类似问题再次发生。
"""


def per_second(work: Callable[[], object], seconds: float = 3.0) -> float:
    work()
    calls = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        work()
        calls += 1
    return round(calls / elapsed, 1)


def main() -> None:
    packaged_language_rules()
    print(
        json.dumps(
            {
                "check_reply_per_s": per_second(lambda: check_reply(REPLY)),
                "check_dialogue_per_s": per_second(lambda: check_dialogue(DIALOGUE)),
            }
        )
    )


if __name__ == "__main__":
    main()
