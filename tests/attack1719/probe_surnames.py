"""Probe (issue 17.2): surname readings first in the first position, initials, ü spellings."""
import sys, time
sys.path.insert(0, ".")
from tests.pinyin_support import cached_engine
e = cached_engine().load()
def rank(q, ch, kind="surname", before=""):
    r = [c.text for c in e.candidates(q, None, kind, before)]
    return (r.index(ch) + 1 if ch in r else None), r[:6]
cases = [("zeng","曾"),("shan","单"),("xie","解"),("qiu","仇"),("zha","查"),("zhai","翟"),("qin","覃"),
         ("ou","区"),("piao","朴"),("ouyang","欧阳"),("sima","司马"),("zhuge","诸葛"),("shangguan","上官"),
         ("yuchi","尉迟"),("moqi","万俟"),("yu","尉"),("yun","员"),("xian","冼"),("miao","缪"),("mi","宓"),
         ("chong","种"),("gai","盖"),("ge","葛"),("ge","盖"),("bo","柏"),("bai","柏"),("he","贺"),("shen","沈"),
         ("zhang","张"),("lv","吕"),("lü","吕"),("nv","女"),("lue","略"),("lve","略"),("nue","虐"),("nve","虐"),("lüe","略"),
         ("huangfu","皇甫"),("linghu","令狐"),("xiahou","夏侯"),("dongfang","东方"),("ximen","西门"),("murong","慕容"),
         ("duanmu","端木"),("gongsun","公孙"),("zhangsun","长孙"),("yuwen","宇文"),("situ","司徒"),("sikong","司空"),
         ("chanyu","单于"),("zhongli","钟离"),("huyan","呼延"),("nangong","南宫"),("taishi","太史"),
         ("oy","欧阳"),("sm","司马"),("zg","诸葛"),("sg","上官"),("yc","尉迟"),("mq","万俟"),
         ("hua","华"),("pu","朴"),("ju","句"),("gou","句"),("kan","阚"),("yan","闫"),("yan","燕"),("tan","谈"),("rui","芮"),
         ("zhou","周"),("qi","綦"),("jia","贾"),("xiao","肖"),("xiao","萧"),("le","乐"),("yue","乐"),("zhe","折"),("she","折"),
         ("ni","倪"),("shi","石"),("dan","单"),("zhu","祝"),("quan","全"),("zang","臧"),("tong","佟"),("pang","逄"),("pang","庞")]
for q, ch in cases:
    print(q, ch, *rank(q, ch))
print("-- whole names / initials")
for q, name in [("wangxiaoming","王晓明"),("wxm","王晓明"),("zhangwei","张伟"),("lijing","李静"),("liuyang","刘洋"),
                ("ouyangna","欧阳娜"),("ouyangnana","欧阳娜娜"),("zhugeliang","诸葛亮"),("simaqian","司马迁"),
                ("shanyu","单钰"),("xieyufeng","解钰锋"),("zengguofan","曾国藩"),("qiuying","仇英"),("zhaxiaoyu","查晓宇"),
                ("piaojinghui","朴敬惠"),("lvxiaoming","吕晓明"),("lüxiaoming","吕晓明"),("nvwa","女娲"),("yanwei","闫伟"),
                ("huangzirui","黄梓睿"),("hzr","黄梓睿"),("zhangyu","张钰")]:
    print(q, name, *rank(q, name))
print("-- given position")
for q, ch, b in [("yu","钰","单"),("yu","钰","解"),("feng","锋","解钰"),("rui","睿","黄梓"),("zi","梓","黄"),("lv","绿","王"),("nv","女","王")]:
    print(q, ch, b, *rank(q, ch, "given", b))
