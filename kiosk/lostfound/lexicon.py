"""A small bilingual lexicon of what a front desk actually receives, for matching lost reports.

Each entry is the concepts a word stands for and its surface forms in Chinese and English. A concept is
`kind:key`; the kinds weigh differently in `match` (a brand says more than "手机"). One surface may stand
for several concepts ("皮夹" is a wallet and leather; "iphone" is Apple, a model and a phone). Kept as
plain data so a site can see what is known; extend it here, with a labelled case in bench/lf_match_bench.py.
"""
from __future__ import annotations

from functools import lru_cache

from kiosk.lostfound.kinds import BRANDS, KINDS

# A specific kind also says its generic parent ("公交卡" is a card, "车钥匙" keys): a report of "a card"
# still finds the transit card, and two kinds of card share only the generic word, which is not evidence.
PARENT = {"car_key": "keys", "keyring": "keys", "access_card": "card", "bank_card": "card", "transit_card": "card",
          "member_card": "card", "library_card": "card", "student_card": "card", "medical_card": "card",
          "id_card": "card", "business_card": "card", "staff_badge": "card", "down_jacket": "jacket",
          "trench_coat": "jacket", "backpack": "bag", "shoulder_bag": "bag", "laptop_bag": "bag", "briefcase": "bag",
          "waist_bag": "bag", "shopping_bag": "bag", "paper_bag": "bag", "plastic_bag": "bag", "cosmetic_bag": "bag",
          "sports_bag": "bag", "suitcase": "bag", "folding_umbrella": "umbrella", "sunglasses": "glasses",
          "smartwatch": "watch", "coin_purse": "wallet", "card_holder": "wallet", "slippers": "shoes"}
# Kinds too general to be evidence alone ("手机" says nothing about which phone); the rest are specific.
GENERIC = frozenset({"phone", "keys", "card", "bag", "documents", "jacket", "wallet", "umbrella", "book", "cash"})
HOST = {key: host for key, _cat, _zh, _en, host in KINDS if host}   # accessory -> the item it belongs to
KIND_CATEGORY = {key: cat for key, cat, _zh, _en, _host in KINDS}
# Model families that take a number ("mate 60", "p60", "iphone 15"): family -> brand
FAMILY_BRAND = {family: brand for brand, _forms, families in BRANDS for family in families}

# Brands whose products are named by a bare number ("小米14", "荣耀90", "xiaomi 14"): brand -> the model family
# the number belongs to (its own key when it has none: "苹果15" is an iPhone 15, "小米14" a Xiaomi 14).
NUMBERED_BRANDS = {"apple": "iphone", "huawei": "huawei", "xiaomi": "xiaomi", "samsung": "samsung", "oppo": "oppo",
                   "vivo": "vivo", "honor": "honor", "oneplus": "oneplus", "nokia": "nokia", "meizu": "meizu",
                   "realme": "realme", "zte": "zte", "motorola": "motorola", "sony": "sony", "dji": "dji"}
# Kinds that belong to one named person: a name written on it says whose it is (another person's ID card is
# never offered to someone who names themselves differently).
OWNED_KINDS = frozenset({"id_card", "student_card", "staff_badge", "passport", "driving_licence", "medical_card",
                         "bank_card", "library_card", "member_card", "access_card", "transit_card"})
# A bare container or accessory word after a space ends a compound, not a new phrase: "手机 壳" is a phone
# case, "相机 包" a camera bag, "钥匙 扣" a keyring (Chinese names the thing last).
COMPOUND_TAILS = frozenset("壳套包袋盒扣链绳夹圈环带")

WEIGHTS = {"brand": 4.0, "model": 3.0, "code": 3.0, "colour": 2.0, "kind": 2.5, "detail": 1.5, "thing": 1.5}

# Categories whose items are also searched for a report (a phone may be filed under electronics).
RELATED = {
    "phone": ("electronics",), "electronics": ("phone", "jewellery"), "wallet": ("documents", "bag"),
    "documents": ("wallet", "bag"), "bag": ("wallet", "clothing", "sports"), "keys": ("bag",),
    "clothing": ("bag", "sports"), "sports": ("clothing", "bag"), "jewellery": ("electronics",),
    "umbrella": (), "other": (),
}

STOPWORDS = {"a", "an", "the", "and", "with", "of", "in", "on", "my", "for", "to", "it", "is", "one", "some",
             "lost", "left", "found", "inside", "has", "have", "had", "was", "at", "near", "by", "or", "its",
             "this", "that", "i", "me", "think", "maybe", "about", "very", "colour", "color", "there"}
STOP_CHARS = "的了一个把我有是在丢很和与及里面上只串块副件条部台张支也都约那这它"

_E = [  # (concepts, surfaces separated by "|"): the things and brands come from the reviewed table (kinds.py)
    # colours (navy counts as blue: people say "dark blue", registers say "navy")
    (("colour:black",), "黑色|黑|black"),
    (("colour:white",), "白色|白|white"),
    (("colour:red",), "红色|红|red"),
    (("colour:blue",), "蓝色|蓝|blue|navy|藏青|藏蓝|深蓝|dark blue|light blue|浅蓝"),
    (("colour:green",), "绿色|绿|green"),
    (("colour:yellow",), "黄色|黄|yellow"),
    (("colour:brown",), "棕色|棕|褐色|褐|咖啡色|咖啡|brown|tan|coffee"),
    (("colour:grey",), "灰色|灰|grey|gray"),
    (("colour:pink",), "粉色|粉红|粉|pink"),
    (("colour:purple",), "紫色|紫|purple|violet"),
    (("colour:orange",), "橙色|橙|橘色|orange"),
    (("colour:silver",), "银色|银|silver"),
    (("colour:gold",), "金色|金|gold|golden"),
    (("colour:beige",), "米色|米白|beige|cream"),
    (("colour:khaki",), "卡其色|卡其|khaki"),
    (("colour:green",), "苹果绿|果绿|军绿|墨绿|olive"),
    (("colour:red",), "酒红|枣红"),
    # words that hold a colour or thing character but say neither (consumed first, longest first): a bank is
    # not silver, a pocket is not a bag, a pack of tissues is not a bag
    ((), "银行|口袋|衣袋|一包|包装|红色的字|白天|黑夜|金额|表格|代表|表面|表示|蓝天"),
    # details people name
    (("detail:leather",), "真皮|皮质|皮革|皮|leather"),
    (("detail:leather",), "皮夹|皮夹子|皮鞋|皮手套|皮带|皮箱"),  # with the kind the table gives them
    (("thing:bag", "detail:leather"), "皮包"),
    (("detail:long",), "长款|长|long"),
    (("detail:long", "detail:handle"), "长柄|long-handled|long handle"),
    (("detail:handle",), "手柄|伞柄|柄|handle"),
    (("detail:folding",), "折叠|folding|foldable|folds|fold"),
    (("detail:cracked",), "碎屏|屏幕裂|屏幕碎|碎了|碎|裂|裂痕|cracked|crack|broken screen|smashed"),
    (("detail:sticker",), "贴纸|sticker|stickers"),
    (("detail:transparent",), "透明|transparent|clear"),
    (("detail:wood",), "木质|木头|木|wooden|wood"),
    (("detail:dots",), "圆点|波点|点|dots|dot|polka dot|spotted"),
    (("detail:stripes",), "条纹|格子|stripes|striped|checked|plaid"),
    (("detail:logo",), "标志|logo|徽标"),
    (("detail:bear",), "小熊|熊|teddy bear|teddy|bear"),
    (("detail:cat",), "猫咪|猫|cat|kitten"),
    (("detail:pendant",), "挂件|挂饰|charm|keyring charm|pendant charm"),
    (("detail:bluetooth",), "蓝牙|bluetooth|wireless|无线"),
    (("detail:woman",), "女士|女性|女|woman|lady|female"),
    (("detail:man",), "男士|男性|男|man|gentleman|male"),
    (("detail:bell",), "铃铛|铃|bell"),
    (("detail:initials",), "缩写|首字母|initials|monogram"),
    (("detail:small",), "小|small|mini"),
    (("detail:large",), "大号|large|big"),
    (("detail:cash",), "现金|钱|cash|money"),
    (("detail:photo",), "照片|photo|picture"),
    (("detail:zip",), "拉链|zip|zipper"),
    (("detail:wool",), "羊毛|羊绒|wool|cashmere"),
    (("detail:metal",), "金属|metal|steel|不锈钢|stainless"),
    (("detail:plastic",), "塑料|plastic"),
    (("detail:kids",), "儿童|小孩|kids|child|children"),
]


def _generated() -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for key, _cat, zh, en, _host in KINDS:
        concepts = ("thing:" + key,) + (("thing:" + PARENT[key],) if key in PARENT else ())
        out.append((concepts, zh + "|" + en))
    for brand, forms, families in BRANDS:
        out.append((("brand:" + brand,), forms))
        for family, family_forms in families.items():
            if family_forms:
                out.append((("brand:" + brand, "model:" + family), family_forms))
    # the models that also say the thing
    out += [(("thing:phone",), "iphone|苹果手机"), (("thing:earphones",), "airpods|airpod"),
            (("thing:tablet",), "ipad"), (("thing:laptop",), "macbook|matebook|thinkpad"),
            (("thing:smartwatch",), "apple watch")]
    return out


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    by_surface: dict[str, list[str]] = {}
    for concepts, forms in (*_generated(), *_E):
        for form in forms.split("|"):
            if not form:
                continue
            bucket = by_surface.setdefault(form.lower(), [])
            bucket.extend(c for c in concepts if c not in bucket)
    order = tuple(sorted(by_surface, key=lambda s: (-len(s), s)))
    return order, {k: tuple(v) for k, v in by_surface.items()}


def surfaces() -> tuple[str, ...]:
    """Every known surface form, longest first (so a longer form is taken before its parts)."""
    return _table()[0]


def concepts_of_surface(surface: str) -> tuple[str, ...]:
    """The concepts one surface form stands for."""
    return _table()[1][surface]


@lru_cache(maxsize=1)
def _names() -> dict[tuple[str, str], str]:
    """(concept, 'zh' | 'en') -> the first form the table gives it in that language (its own entry first)."""
    names: dict[tuple[str, str], str] = {}
    for concepts, forms in (*_generated(), *_E):
        if not concepts:
            continue
        for form in forms.split("|"):
            if not form:
                continue
            lang = "en" if form.isascii() else "zh"
            names.setdefault((concepts[-1] if concepts[0].startswith("brand:") and len(concepts) > 1
                              else concepts[0], lang), form)
    return names


def concept_name(concept: str, lang: str) -> str:
    """A concept as the screen's language names it (brand:huawei -> 华为 / huawei); "" when unknown."""
    return _names().get((concept, "zh" if lang.startswith("zh") else "en"), "")
