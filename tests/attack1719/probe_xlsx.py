"""Probe (issue 19.3): the workbook read back with openpyxl: sheet names, summary cell types and
formats, phone columns as text, English words left on a Chinese export."""
import sys, re
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1], read_only=False)
ascii_word = re.compile(r"\b[a-z]{3,}\b")
for ws in wb.worksheets:
    rows = list(ws.iter_rows(min_row=1, max_row=min(ws.max_row, 400)))
    header = [c.value for c in rows[0]] if rows else []
    print("== sheet", ws.title, ws.max_row, "rows; header:", header[:14])
    if ws.title in (wb.worksheets[0].title, ) or "日" in ws.title or "summary" in ws.title.lower():
        for r in rows[:25]:
            print("   ", [(c.value, c.data_type, c.number_format) for c in r if c.value is not None])
    eng = {}
    for r in rows[1:]:
        for h, c in zip(header, r):
            if isinstance(c.value, str) and h and "代码" not in str(h) and "原始" not in str(h) and ascii_word.search(c.value) and not re.search(r"[A-Z]", c.value):
                eng.setdefault(h, set()).add(c.value[:40])
    if eng:
        print("   lower-case English words in translated columns:", {k: sorted(v)[:5] for k, v in eng.items()})
    for h, c in zip(header, rows[1] if len(rows) > 1 else []):
        if h and ("电话" in str(h) or "号码" in str(h) or "联系" in str(h)):
            print("   phone column", h, repr(c.value), c.data_type)
