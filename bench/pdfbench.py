"""PDF pages, measured: which library kg reads them with, and pages/s beside the text path.

    python bench/pdfbench.py                 # a table on stdout
    python bench/pdfbench.py --json          # the figures as one JSON object (what bench/run.py reads)
    python bench/pdfbench.py --runs 1        # fewer repetitions (the default is 5)

The pages are the sample page and the dev pages (../shared/corpus/dev, dev2,
where present), each drawn as a newspaper PDF by tests/pdfgen.py, which
records the origin and size of every character it draws. So:

1. The library: pypdfium2 (what kg uses, through kg.text.pdf.page_chars)
   and pdfplumber (over pdfminer.six, `pip install -e '.[bench]'`) read the
   same PDFs. For each: seconds per page to get every character with its
   position and font size, the median of `--runs`; the share of drawn
   characters read back as the same character at the same origin (within
   0.1 pt) and size (within 0.05 pt); characters read that were not drawn;
   the license of the library and of what it is built on.
2. Reading: pages/s of kg's PDF reader (characters → blocks in reading
   order → cleaned text → articles: `read_pdf`, `segment_layout`) beside
   the text path over the same pages' text (`read_page`, `clean_text`,
   `segment`); and of whole extraction (`extract_paths`, pipeline loaded
   before the clock) of the PDF folder beside the text folder.

Timings are wall-clock on whatever else the machine is doing; the load
average is recorded with them.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CORPUS = ROOT.parent / "shared" / "corpus"
# Licenses as their packages declare them (PyPI metadata), and PyMuPDF's, which kg cannot take.
LICENSES = {
    "pypdfium2": "Apache-2.0 or BSD-3-Clause; PDFium itself BSD-3-Clause",
    "pdfplumber": "MIT; pdfminer.six MIT",
    "PyMuPDF (not measured)": "AGPL-3.0 or commercial: not usable in an MIT project that is distributed",
}
POSITION_TOLERANCE = 0.1
SIZE_TOLERANCE = 0.05


def source_pages() -> list[Path]:
    pages = [ROOT / "examples" / "sample_page.txt"]
    for folder in ("dev", "dev2"):
        pages += sorted((CORPUS / folder).glob("*.txt"))
    return [p for p in pages if p.exists()]


def make_pages(work: Path) -> tuple[Path, Path, dict]:
    """(pdf folder, text folder, name → Layout): each source page as text and as a one-page PDF."""
    import pdfgen

    pdf_dir, txt_dir = work / "pdf", work / "txt"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    txt_dir.mkdir(parents=True, exist_ok=True)
    layouts = {}
    for src in source_pages():
        raw = src.read_text(encoding="utf-8")
        name = f"{src.parent.name}_{src.stem}"
        (txt_dir / f"{name}.txt").write_text(raw, encoding="utf-8")
        layouts[name] = pdfgen.text_page_to_pdf(raw, pdf_dir / f"{name}.pdf")
    return pdf_dir, txt_dir, layouts


# ------------------------------------------------------------------ library


def chars_pypdfium2(path: Path) -> list:
    """[(char, x origin, baseline from the top, size)] of the PDF's one page."""
    from kg.text.pdf import page_chars

    return [(c.text, c.x0, c.base, c.size) for c in next(page_chars(path))]


def chars_pdfplumber(path: Path) -> list:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        # The text matrix's translation is the character's origin (PDF space, y up).
        return [(c["text"], c["matrix"][4], page.height - c["matrix"][5], c["size"]) for c in page.chars]


def correctness(drawn: list, read: list) -> dict:
    """Drawn characters read back exactly (char, origin, size), and read characters never drawn."""
    bucket: dict = {}
    for ch, x, base, size in read:
        if ch.isspace():
            continue
        bucket.setdefault((ch, round(base)), []).append([x, base, size, False])
    matched = 0
    total = 0
    for ch, x, base, size in drawn:
        if ch.isspace():
            continue
        total += 1
        for key in ((ch, round(base)), (ch, round(base) - 1), (ch, round(base) + 1)):
            hit = next((c for c in bucket.get(key, ()) if not c[3] and abs(c[0] - x) <= POSITION_TOLERANCE
                        and abs(c[1] - base) <= POSITION_TOLERANCE and abs(c[2] - size) <= SIZE_TOLERANCE), None)
            if hit is not None:
                hit[3] = True
                matched += 1
                break
    extra = sum(1 for cs in bucket.values() for c in cs if not c[3])
    return {"drawn": total, "matched": matched, "extra": extra}


def library_comparison(pdf_dir: Path, layouts: dict, runs: int) -> dict:
    readers = {"pypdfium2": chars_pypdfium2}
    try:
        import pdfplumber  # noqa: F401

        readers["pdfplumber"] = chars_pdfplumber
    except ImportError:
        pass
    out = {}
    for name, reader in readers.items():
        per_page, tally = [], {"drawn": 0, "matched": 0, "extra": 0}
        for stem, layout in sorted(layouts.items()):
            path = pdf_dir / f"{stem}.pdf"
            reader(path)  # warm: imports and caches out of the clock
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                chars = reader(path)
                times.append(time.perf_counter() - t0)
            per_page.append(statistics.median(times))
            for k, v in correctness(layout.chars, chars).items():
                tally[k] += v
        seconds = sum(per_page)
        out[name] = {"pages": len(per_page), "seconds": seconds, "pages_per_second": len(per_page) / seconds,
                     "chars_drawn": tally["drawn"], "chars_exact": tally["matched"],
                     "exact_share": tally["matched"] / tally["drawn"] if tally["drawn"] else 0.0,
                     "chars_extra": tally["extra"], "license": LICENSES[name]}
    if "pdfplumber" not in out:
        out["pdfplumber"] = {"unavailable": "pdfplumber is not installed (pip install -e '.[bench]')",
                             "license": LICENSES["pdfplumber"]}
    out["PyMuPDF (not measured)"] = {"unavailable": "AGPL", "license": LICENSES["PyMuPDF (not measured)"]}
    return out


# ------------------------------------------------------------------ reading


def _timed(fn, runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def reading_speed(pdf_dir: Path, txt_dir: Path, runs: int) -> dict:
    from kg.nlp.extract import extract_paths
    from kg.nlp.pipeline import load_pipeline
    from kg.text.clean import clean_text
    from kg.text.pdf import read_pdf
    from kg.text.reading import read_page
    from kg.text.segment import segment, segment_layout

    pdfs = sorted(pdf_dir.glob("*.pdf"))
    texts = sorted(txt_dir.glob("*.txt"))

    def read_pdfs():
        n = 0
        for path in pdfs:
            for page in read_pdf(path):
                segment_layout(page.cleaned())
                n += 1
        return n

    def read_texts():
        for path in texts:
            segment(clean_text(read_page(path).text))

    load_pipeline("default")
    pages = read_pdfs()
    out = {"pages": pages, "chars_pdf": sum(len(p.cleaned().text) for f in pdfs for p in read_pdf(f)),
           "chars_text": sum(len(clean_text(read_page(p).text).text) for p in texts)}
    for key, fn, n in (("read_pdf", read_pdfs, pages), ("read_text", read_texts, len(texts)),
                       ("extract_pdf", lambda: list(extract_paths([pdf_dir])), pages),
                       ("extract_text", lambda: list(extract_paths([txt_dir])), len(texts))):
        seconds = _timed(fn, runs if key.startswith("read") else max(1, runs // 2))
        out[key] = {"seconds": seconds, "pages_per_second": n / seconds}
    return out


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kg-pdfbench-") as tmp:
        pdf_dir, txt_dir, layouts = make_pages(Path(tmp))
        load = [round(x, 2) for x in os.getloadavg()]
        result = {"runs": runs, "pages": sorted(layouts), "load_before": load,
                  "library": library_comparison(pdf_dir, layouts, runs),
                  "reading": reading_speed(pdf_dir, txt_dir, runs)}
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def table(r: dict) -> list[str]:
    """Markdown lines of both tables (RESULTS.md and the stdout of this script)."""
    lines = [f"{len(r['pages'])} pages (the sample page and the dev pages drawn by tests/pdfgen.py), "
             f"median of {r['runs']} runs; load average {r['load_before']} → {r['load_after']}.", "",
             "| library | s/page | pages/s | drawn chars read exactly (char, origin ±0.1 pt, size) | "
             "chars read but not drawn | license |", "|---|---|---|---|---|---|"]
    for name, x in r["library"].items():
        if "unavailable" in x:
            lines.append(f"| {name} | – | – | – | – | {x['license']} ({x['unavailable']}) |")
            continue
        lines.append(f"| {name} | {x['seconds'] / x['pages']:.3f} | {x['pages_per_second']:.1f} | "
                     f"{x['chars_exact']:,} of {x['chars_drawn']:,} ({x['exact_share']:.2%}) | "
                     f"{x['chars_extra']:,} | {x['license']} |")
    g = r["reading"]
    lines += ["", "| path | what is timed | s for all pages | pages/s |", "|---|---|---|---|",
              f"| PDF | `read_pdf` → blocks → `segment_layout` | {g['read_pdf']['seconds']:.2f} | "
              f"{g['read_pdf']['pages_per_second']:.1f} |",
              f"| text | `read_page` → `clean_text` → `segment` | {g['read_text']['seconds']:.2f} | "
              f"{g['read_text']['pages_per_second']:.1f} |",
              f"| PDF | whole extraction (`extract_paths`) | {g['extract_pdf']['seconds']:.2f} | "
              f"{g['extract_pdf']['pages_per_second']:.1f} |",
              f"| text | whole extraction (`extract_paths`) | {g['extract_text']['seconds']:.2f} | "
              f"{g['extract_text']['pages_per_second']:.1f} |", ""]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)
    result = measure(max(1, args.runs))
    print(json.dumps(result, ensure_ascii=False) if args.json else "\n".join(table(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
