"""Realistic receipts for printing tests, in both languages."""
from __future__ import annotations

from kiosk.printing.documents import QR, Barcode, Feed, Item, Pair, Receipt, Rule, Text, money

HEADER = {"zh_CN": ("前台服务中心", "终端 T01  2026-11-23 09:15"), "en": ("Front Desk", "Terminal T01  2026-11-23 09:15")}


def sale(lang: str = "zh_CN", number: str = "T01-S-000042") -> Receipt:
    zh = lang == "zh_CN"
    return Receipt(
        kind="sale", lang=lang, title="销售小票" if zh else "Sales receipt", header=HEADER[lang], number=number,
        blocks=(
            Item("矿泉水 550ml" if zh else "Mineral water 550ml", 2, 300, 600),
            Item("高尔夫球（12 粒装）" if zh else "Golf balls (12 pack)", 1, 12800, 12800),
            Item("防晒霜 SPF50" if zh else "Sunscreen SPF50", 1, 6850, 6850),
            Rule(),
            Pair("合计" if zh else "Total", money(20250), bold=True),
            Pair("现金" if zh else "Cash", money(30000)),
            Pair("找零" if zh else "Change", money(9750)),
            Feed(),
            QR(number), Barcode(number),
        ),
        footer=("谢谢惠顾，欢迎再来" if zh else "Thank you, see you again",),
    )


def fee(lang: str = "zh_CN", number: str = "T01-F-000007") -> Receipt:
    zh = lang == "zh_CN"
    return Receipt(
        kind="fee", lang=lang, title="收费收据" if zh else "Fee receipt", header=HEADER[lang], number=number,
        blocks=(
            Pair("缴费人" if zh else "Payer", "王小明" if zh else "Wang Xiaoming"),
            Pair("会员号" if zh else "Member no.", "M-20391"),
            Pair("项目" if zh else "Fee", "果岭费（18 洞）" if zh else "Green fee (18 holes)"),
            Pair("期间" if zh else "Period", "2026-11"),
            Rule(),
            Pair("金额" if zh else "Amount", money(68000), bold=True),
            Pair("银行卡" if zh else "Card", "ref 884213"),
        ),
        footer=("请妥善保管本收据" if zh else "Please keep this receipt",),
    )


def refund(lang: str = "zh_CN", number: str = "T01-R-000003") -> Receipt:
    zh = lang == "zh_CN"
    return Receipt(
        kind="refund", lang=lang, title="退款单" if zh else "Refund slip", header=HEADER[lang], number=number,
        blocks=(
            Pair("原单号" if zh else "Original", "T01-S-000042"),
            Item("防晒霜 SPF50" if zh else "Sunscreen SPF50", 1, 6850, 6850),
            Rule(),
            Pair("退款" if zh else "Refunded", money(-6850), bold=True),
            Pair("批准" if zh else "Approved by", "Demo Manager"),
            Text(("原因：" if zh else "Reason: ") + ("包装破损" if zh else "damaged packaging")),
        ),
    )


def badge(lang: str = "zh_CN", number: str = "T01-B-000120") -> Receipt:
    zh = lang == "zh_CN"
    return Receipt(
        kind="badge", lang=lang, title="访客证" if zh else "VISITOR", header=HEADER[lang], number=number,
        blocks=(
            Text("王*明" if zh else "Wang X.", align="center", bold=True, size=2),
            Pair("拜访" if zh else "Visiting", "李经理" if zh else "Ms Li"),
            Pair("进入时间" if zh else "Time in", "09:15"),
            QR("SO:K7Q2"),
            Text(("离开代码 " if zh else "Sign-out code ") + "K7Q2", align="center", bold=True),
        ),
    )


SAMPLES = {"sale": sale, "fee": fee, "refund": refund, "badge": badge}
