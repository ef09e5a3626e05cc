"""Probe (issue 17.2): single surnames of the 百家姓 opening (typed from the classic text; readings
pypinyin's, the best over all readings) in the surname position: how many are off the first page (6)."""
import sys
sys.path.insert(0, ".")
from tests.pinyin_support import cached_engine
from pypinyin import pinyin, Style
BJX = ("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
       "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
       "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
       "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
       "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
       "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双"
       "闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
       "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空"
       "曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公")
e = cached_engine().load()
off = []
for ch in BJX:
    best = None
    for syl in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
        syl = syl.replace("ü", "v")
        r = [c.text for c in e.candidates(syl, None, "surname") if c.consumed == len(syl)]
        if ch in r and (best is None or r.index(ch) + 1 < best[0]):
            best = (r.index(ch) + 1, syl)
    if best is None or best[0] > 6:
        off.append((ch, best))
print(len(BJX), "surnames;", len(off), "off the first page of 6 for every reading:")
print(off)
