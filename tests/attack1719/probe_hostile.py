"""Probe (issue 17): hostile input into the engine, time bound per look-up (cold, not cached)."""
import sys, time, random
sys.path.insert(0, ".")
from tests.pinyin_support import cached_engine
e = cached_engine().load()
random.seed(1719)
inputs = {
 "64 z": "z" * 64, "zh*32": "zh" * 32, "hzh*21": "hzh" * 21, "xian*16": "xian" * 16, "a*200": "a" * 200,
 "apos*500": "'" * 500, "space*500": " " * 500, "x'*32": "x'" * 32, "lv:*30": "lu:" * 30,
 "tones": "wang2" * 20, "mixed": "zhuangshuangchuang" * 4, "ng*30": "ng" * 30, "wxm*20": "wxm" * 20,
 "sh'zh'ch'": "sh'zh'ch'" * 10, "uu": "u" * 64, "vvv": "v" * 64, "iii": "i" * 64,
 "rand": "".join(random.choice("bcdfghjklmnpqrstwxyz") for _ in range(64)),
 "rand2": "".join(random.choice("zcsh") for _ in range(64)), "fangan": "fangan" * 10,
 "yyyy": "y" * 5, "yyyyy12": "y" * 12, "initials5": "zhchsh", "long_ok": "ouyangnana" * 6,
 "combining": "a\u0301" * 300, "nbsp": "wang\u00a0xiao", "fullwidth": "ｗａｎｇ", "ü*64": "ü" * 64,
}
for kind in ("surname", "given", "general"):
    worst = (0, None)
    for name, q in inputs.items():
        e._recent.clear()
        t = time.process_time(); w = time.perf_counter()
        try:
            r = e.candidates(q, None, kind, "王" if kind == "given" else "")
            n = len(r)
        except Exception as exc:
            n = repr(exc)
        cpu = (time.process_time() - t) * 1000
        if cpu > 20 or isinstance(n, str):
            print(kind, name, "cpu %.1f ms wall %.1f ms" % (cpu, (time.perf_counter() - w) * 1000), "n", n)
        worst = max(worst, (cpu, name))
    print(kind, "worst cpu %.1f ms" % worst[0], worst[1])
print("fullwidth ->", [c.text for c in e.candidates("ｗａｎｇ", 3, "surname")], "nbsp ->", [(c.text, c.consumed) for c in e.candidates("wang\u00a0xiao", 3, "surname")])
