"""A small bilingual lexicon of what a front desk actually receives, for matching lost reports.

Each entry is the concepts a word stands for and its surface forms in Chinese and English. A concept is
`kind:key`; the kinds weigh differently in `match` (a brand says more than "手机"). One surface may stand
for several concepts ("皮夹" is a wallet and leather; "iphone" is Apple, a model and a phone). Kept as
plain data so a site can see what is known; extend it here, with a labelled case in bench/lf_match_bench.py.
"""
from __future__ import annotations

from functools import lru_cache

WEIGHTS = {"brand": 4.0, "model": 3.0, "colour": 2.0, "detail": 1.5, "thing": 1.5}

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

_E = [  # (concepts, surfaces separated by "|")
    # things
    (("thing:phone",), "手机|电话|phone|mobile|cellphone|smartphone|cell phone"),
    (("thing:keys",), "钥匙|钥匙串|key|keys|keyring|key ring|keychain"),
    (("thing:keys", "detail:car"), "车钥匙|汽车钥匙|car key|car keys|fob"),
    (("thing:wallet",), "钱包|钱夹|皮夹|wallet|purse|billfold"),
    (("thing:wallet", "detail:leather"), "皮夹子|皮夹"),
    (("thing:wallet", "detail:card"), "卡包|卡套|card holder|card wallet"),
    (("thing:umbrella",), "伞|雨伞|umbrella|brolly"),
    (("thing:umbrella", "detail:folding"), "折叠伞|折伞|folding umbrella"),
    (("thing:card",), "卡|card|cards"),
    (("thing:card", "detail:bank"), "银行卡|bank card|debit card|credit card|信用卡"),
    (("thing:card", "detail:id"), "身份证|id card|identity card"),
    (("thing:card", "detail:member"), "会员卡|membership card|member card"),
    (("thing:card", "detail:library"), "借书证|图书卡|library card"),
    (("thing:card", "detail:transport"), "公交卡|交通卡|地铁卡|metro card|bus card|transport card"),
    (("thing:bag",), "包|袋|bag|handbag|tote|satchel"),
    (("thing:bag", "detail:backpack"), "背包|双肩包|书包|backpack|rucksack|school bag"),
    (("thing:bag", "detail:shoulder"), "挎包|单肩包|斜挎包|shoulder bag|crossbody"),
    (("thing:bag", "detail:laptop"), "电脑包|laptop bag|computer bag"),
    (("thing:bag", "detail:paper"), "纸袋|paper bag"),
    (("thing:bag", "detail:plastic"), "塑料袋|plastic bag"),
    (("thing:glasses",), "眼镜|眼镜盒|glasses|spectacles|eyeglasses|glasses case"),
    (("thing:glasses", "detail:sun"), "墨镜|太阳镜|sunglasses|shades"),
    (("thing:jacket",), "外套|夹克|上衣|jacket|coat|blazer"),
    (("thing:jacket", "detail:down"), "羽绒服|down jacket|puffer"),
    (("thing:jacket", "detail:wind"), "风衣|trench coat|windbreaker"),
    (("thing:sweater",), "毛衣|卫衣|针织衫|sweater|jumper|hoodie|cardigan"),
    (("thing:scarf",), "围巾|scarf"),
    (("thing:hat",), "帽子|帽|hat|cap|beanie"),
    (("thing:gloves",), "手套|gloves|glove|mittens"),
    (("thing:shirt",), "衬衫|t恤|shirt|t-shirt|polo"),
    (("thing:watch",), "手表|表|watch|wristwatch"),
    (("thing:watch", "detail:smart"), "智能手表|手环|smartwatch|smart watch|fitness band"),
    (("thing:earphones",), "耳机|earphones|earbuds|headphones|headset"),
    (("thing:charger",), "充电器|充电线|数据线|charger|charging cable|cable"),
    (("thing:powerbank",), "充电宝|移动电源|power bank|powerbank"),
    (("thing:laptop",), "笔记本电脑|笔记本|电脑|laptop|notebook computer|computer"),
    (("thing:tablet",), "平板|平板电脑|tablet"),
    (("thing:bottle",), "水杯|保温杯|杯子|水壶|bottle|water bottle|flask|thermos|cup|tumbler"),
    (("thing:ring",), "戒指|ring"),
    (("thing:necklace",), "项链|necklace|pendant|吊坠"),
    (("thing:bracelet",), "手镯|手链|bracelet|bangle"),
    (("thing:earrings",), "耳环|耳钉|earrings|earring"),
    (("thing:book",), "书|book|notebook|笔记本子"),
    (("thing:document",), "文件|文件夹|资料|document|documents|folder|file"),
    (("thing:passport",), "护照|passport"),
    (("thing:racket",), "球拍|racket|racquet"),
    (("thing:golf",), "球杆|高尔夫|golf club|golf"),
    (("thing:ball",), "球|ball"),
    (("thing:toy",), "玩具|公仔|toy|plush"),
    (("thing:shoes",), "鞋|鞋子|运动鞋|shoes|trainers|sneakers"),
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
    # brands (and the models that name them)
    (("brand:apple",), "苹果|apple"),
    (("brand:apple", "model:iphone", "thing:phone"), "iphone|苹果手机"),
    (("brand:apple", "model:airpods", "thing:earphones"), "airpods|airpod"),
    (("brand:apple", "model:ipad", "thing:tablet"), "ipad"),
    (("brand:apple", "model:watch", "thing:watch"), "apple watch"),
    (("brand:apple", "model:macbook", "thing:laptop"), "macbook"),
    (("brand:huawei",), "华为|huawei"),
    (("brand:huawei", "model:mate"), "mate"),
    (("brand:xiaomi",), "小米|xiaomi|mi"),
    (("brand:xiaomi", "model:redmi"), "红米|redmi"),
    (("brand:samsung",), "三星|samsung"),
    (("brand:samsung", "model:galaxy"), "galaxy"),
    (("brand:oppo",), "oppo"),
    (("brand:vivo",), "vivo|步步高"),
    (("brand:honor",), "荣耀|honor|honour"),
    (("brand:lenovo",), "联想|lenovo|thinkpad"),
    (("brand:sony",), "索尼|sony"),
    (("brand:nike",), "耐克|nike"),
    (("brand:adidas",), "阿迪达斯|阿迪|adidas"),
    (("brand:lining",), "李宁|li ning|li-ning|lining"),
    (("brand:anta",), "安踏|anta"),
    (("brand:uniqlo",), "优衣库|uniqlo"),
    (("brand:coach",), "蔻驰|coach"),
    (("brand:fossil",), "fossil"),
    (("brand:lv",), "路易威登|lv|louis vuitton"),
    (("brand:gucci",), "古驰|gucci"),
    (("brand:prada",), "普拉达|prada"),
    (("brand:casio",), "卡西欧|casio"),
    (("brand:rayban",), "雷朋|ray-ban|rayban|ray ban"),
    (("brand:paradise",), "天堂|paradise"),
    (("brand:dell",), "戴尔|dell"),
    (("brand:thermos",), "膳魔师|thermos"),
    (("brand:swarovski",), "施华洛世奇|swarovski"),
    (("brand:toyota",), "丰田|toyota"),
    (("brand:vw",), "大众|volkswagen|vw"),
    (("brand:bmw",), "宝马|bmw"),
    (("brand:titleist",), "titleist"),
    # details people name
    (("detail:leather",), "真皮|皮质|皮革|皮|leather"),
    (("detail:long",), "长款|长|long"),
    (("detail:long", "detail:handle"), "长柄|long-handled|long handle"),
    (("detail:handle",), "手柄|伞柄|柄|handle"),
    (("detail:folding",), "折叠|folding|foldable|folds|fold"),
    (("detail:case",), "手机壳|保护壳|壳|case|cover"),
    (("detail:cracked",), "碎屏|屏幕裂|裂|裂痕|cracked|crack|broken screen"),
    (("detail:sticker",), "贴纸|sticker|stickers"),
    (("detail:transparent",), "透明|transparent|clear"),
    (("detail:wood",), "木质|木头|木|wooden|wood"),
    (("detail:dots",), "圆点|波点|点|dots|dot|polka dot|spotted"),
    (("detail:stripes",), "条纹|格子|stripes|striped|checked|plaid"),
    (("detail:logo",), "标志|logo|徽标"),
    (("detail:bear",), "小熊|熊|teddy bear|teddy|bear"),
    (("detail:cat",), "猫咪|猫|cat|kitten"),
    (("detail:pendant",), "挂件|挂饰|钥匙扣|charm|keyring charm|pendant charm"),
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


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    by_surface: dict[str, list[str]] = {}
    for concepts, forms in _E:
        for form in forms.split("|"):
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
