"""Probe (issue 19.3): Latin words in an export's PDF (a Chinese site's PDF should hold none but
proper names, CSV/Excel and the site's own data)."""
import re, sys
from pypdf import PdfReader
for i, p in enumerate(PdfReader(sys.argv[1]).pages):
    t = re.sub(r"[\x00 \u00a0]", "", p.extract_text())
    print(i, sorted(set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", t))))
