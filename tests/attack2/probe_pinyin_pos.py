from tests.pinyin_support import cached_engine
eng = cached_engine(); eng.load()
for typed, kind, want in [("ly","surname","李阳"),("ly","given","阳"),("n","given","嗯"),("ng","given","嗯"),("en","given","嗯"),("ng","surname","嗯"),("n","surname","嗯"),("ng","general","嗯"),("n","general","嗯"),("en","general","嗯"), ("wxm","surname","王小明"), ("lina","surname","李娜"), ("wangwei","general","王伟")]:
    got=[c.text for c in eng.candidates(typed, None, kind=kind)]
    print(typed, kind, want, got.index(want) if want in got else None, len(got))
