"""Which library writes the month's workbook: xlsxwriter (constant_memory), PyExcelerate, rustpy-xlsxwriter.

Run: .venv/bin/python bench/xlsx_engines.py [--rows 260000] [--runs 3]
The same rows for each (the mix of a busy month's logs: ids, local datetimes, money, counts, Chinese
text, +86 phone numbers, formula-looking text, 2,000-character notes), timed as medians and p95 over
--runs, with the ratio to xlsxwriter measured in the same run. Then fidelity: openpyxl reads every file
back and checks each sampled cell's type and value (number as number, datetime as datetime, text as text,
"=1+1" as text, "+86..." with no apostrophe); when LibreOffice (soffice) is installed, it converts each
file to CSV headless and the text is compared with what was written.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HEADERS = ["No.", "Time", "Name", "Phone", "Purpose", "Purpose (code)", "Amount (yuan)", "Party", "Notes"]
KINDS = ["int", "datetime", "text", "text", "text", "text", "money", "int", "text"]
MONEY_FORMAT = '"¥"#,##0.00'


def rows(n: int) -> list[list]:
    """n rows of the export's mix; every 997th row carries the hostile values."""
    start = datetime(2026, 11, 1, 8, 0, 0)
    names = ["王芳", "李娜", "张伟", "Anna Smith", "刘洋😀"]
    out = []
    for i in range(n):
        hostile = i % 997 == 0
        out.append([i + 1, start + timedelta(seconds=9 * i), names[i % len(names)],
                    "+86 138 0013 8000" if i % 3 == 0 else f"1{i % 10**10:010d}",
                    "会议", "meeting", (i * 137 % 100000) / 100, 1 + i % 4,
                    ("=1+1" if i % 2 else "＝HYPERLINK(\"x\")") if hostile else
                    ("很长的备注" * 400 if i % 5000 == 1 else "")])
    return out


def write_xlsxwriter(path: Path, data: list[list]) -> None:
    import xlsxwriter
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Visitors")
    money = book.add_format({"num_format": MONEY_FORMAT})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for c, h in enumerate(HEADERS):
        sheet.write_string(0, c, h)
    ws, wn, wd = sheet.write_string, sheet.write_number, sheet.write_datetime
    for r, row in enumerate(data, start=1):
        for c, (kind, value) in enumerate(zip(KINDS, row)):
            if value is None or value == "":
                continue
            if kind == "datetime":
                wd(r, c, value, when)
            elif kind == "money":
                wn(r, c, value, money)
            elif kind == "int":
                wn(r, c, value)
            else:
                ws(r, c, value)
    book.close()


def write_pyexcelerate(path: Path, data: list[list]) -> None:
    from pyexcelerate import Format, Style, Workbook
    book = Workbook()
    sheet = book.new_sheet("Visitors", data=[HEADERS] + data)
    sheet.set_col_style(2, Style(format=Format("yyyy-mm-dd hh:mm:ss")))  # 1-based columns
    # PyExcelerate writes a format code into styles.xml without escaping it: the quotes of "¥" break the
    # XML, so it gets the same currency format in Excel's locale-tagged form.
    sheet.set_col_style(7, Style(format=Format("[$¥-804]#,##0.00")))
    book.save(str(path))


def write_rustpy(path: Path, data: list[list]) -> None:
    from rustpy_xlsxwriter import FastExcel, Format
    formats = [Format() for _ in HEADERS]
    formats[1] = Format().set_num_format("yyyy-mm-dd hh:mm:ss")
    formats[6] = Format().set_num_format(MONEY_FORMAT)
    records = [dict(zip(HEADERS, row)) for row in data]
    (FastExcel(str(path)).format(datetime_format="yyyy-mm-dd hh:mm:ss")
     .sheet("Visitors", records, column_formats=formats).save())


ENGINES = {"xlsxwriter": ("xlsxwriter", write_xlsxwriter), "pyexcelerate": ("pyexcelerate", write_pyexcelerate),
           "rustpy-xlsxwriter": ("rustpy_xlsxwriter", write_rustpy)}


def check_openpyxl(path: Path, data: list[list]) -> list[str]:
    """Type and value faults openpyxl sees in sampled rows (the hostile ones included)."""
    import openpyxl
    faults = []
    book = openpyxl.load_workbook(str(path), read_only=True)
    sheet = book.worksheets[0]
    wanted = {i for i in range(0, len(data), 997)} | {1, len(data) - 1}
    for r, cells in enumerate(sheet.iter_rows(min_row=2)):
        if r not in wanted:
            continue
        row = [cell.value for cell in cells]
        formulas = [getattr(cell, "data_type", "") == "f" for cell in cells]
        for c, (kind, expected, got) in enumerate(zip(KINDS, data[r], row)):
            if kind == "text" and c < len(formulas) and formulas[c]:
                if len(faults) < 5:
                    faults.append(f"row {r + 2} {HEADERS[c]}: text {str(expected)[:20]!r} written as a formula")
                continue
            if expected == "" and got in (None, ""):
                continue
            ok = {"int": lambda: isinstance(got, (int, float)) and not isinstance(got, bool) and got == expected,
                  "money": lambda: isinstance(got, (int, float)) and round(got, 2) == expected,
                  "datetime": lambda: isinstance(got, datetime) and abs(got - expected) < timedelta(seconds=1),
                  "text": lambda: isinstance(got, str) and got == expected}[kind]()
            if not ok and len(faults) < 5:
                faults.append(f"row {r + 2} {HEADERS[c]}: wrote {str(expected)[:30]!r} read {str(got)[:30]!r}")
    book.close()
    return faults


def check_libreoffice(path: Path, data: list[list]) -> list[str] | None:
    """LibreOffice headless converts the file to CSV; text, numbers and datetimes must come back."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    out = Path(tempfile.mkdtemp(prefix="lo-"))
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{out}/profile",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=600)
    faults = []
    with open(out / (path.stem + ".csv"), encoding="utf-8") as fh:
        for r, row in enumerate(csv.reader(fh)):
            if r == 0 or (r - 1) % 997:
                continue
            expected = data[r - 1]
            if row[0] != str(expected[0]) or row[3] != expected[3] or row[8] != expected[8] \
                    or not row[1].startswith(expected[1].strftime("%Y-%m-%d")):
                if len(faults) < 5:
                    faults.append(f"row {r + 1}: {row[:2]} {row[3]!r} {row[8][:20]!r}")
    shutil.rmtree(out, ignore_errors=True)
    return faults


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=260_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    data = rows(args.rows)
    work = Path(tempfile.mkdtemp(prefix="xlsx-engines-"))
    results = {}
    for name, (module, write) in ENGINES.items():
        if importlib.util.find_spec(module) is None:
            print(f"{name}: not installed")
            continue
        times = []
        for run in range(args.runs):
            path = work / f"{name}.xlsx"
            began = time.perf_counter()
            write(path, data)
            times.append(time.perf_counter() - began)
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        try:
            faults = check_openpyxl(path, data)
        except Exception as exc:  # a file openpyxl cannot open is the worst fidelity of all
            faults = [f"openpyxl cannot open it: {type(exc).__name__}: {str(exc)[:60]}"]
        lo = None if args.no_libreoffice else check_libreoffice(path, data)
        results[name] = (statistics.median(times), p95, path.stat().st_size, faults, lo)
    base = results.get("xlsxwriter", (None,))[0]
    print(f"\n{args.rows:,} rows x {len(HEADERS)} columns, {args.runs} runs each")
    print(f"{'engine':<18} {'median s':>9} {'p95 s':>7} {'ratio':>6} {'MB':>6}  openpyxl types      LibreOffice")
    for name, (median, p95, size, faults, lo) in results.items():
        ratio = f"{median / base:.2f}" if base else "-"
        lo_text = ("not run" if args.no_libreoffice else "not installed") if lo is None else ("ok" if not lo else f"{len(lo)} faults: {lo[0]}")
        print(f"{name:<18} {median:9.2f} {p95:7.2f} {ratio:>6} {size / 1e6:6.1f}  "
              f"{'ok' if not faults else f'{len(faults)} faults: {faults[0]}':<18}  {lo_text}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
