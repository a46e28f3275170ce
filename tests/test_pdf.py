"""Reading PDF pages by their layout (kg.text.pdf), on newspaper pages the tests make with reportlab.

tests/pdfgen.py draws the pages and records every character and block it
drew, so what the reader finds is checked against what is on the page.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import pdfgen
from kg.cli import main
from kg.nlp.extract import extract_paths
from kg.text.clean import Cleaned, Paragraph
from kg.text.pdf import PageSkip, PdfPage, jump_note, page_chars, pdf_date, read_pdf
from kg.text.reading import Skip, discover
from kg.text.segment import segment_layout

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DEV_PAGE = CORPUS / "dev" / "000_09546977b2fce549.txt"
KINDS = ("entities", "relations", "metrics")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The invented front page: (path, its Layout, the page as read)."""
    path = tmp_path_factory.mktemp("pdf") / "front.pdf"
    layout = pdfgen.draw_pdf(path, [pdfgen.sample_stories()])[0]
    pages = list(read_pdf(path))
    assert len(pages) == 1 and isinstance(pages[0], PdfPage), pages
    return path, layout, pages[0]


@pytest.fixture(scope="module")
def bad_pdfs(tmp_path_factory):
    """A folder with a good PDF, a text page and every kind of unreadable PDF."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    d = tmp_path_factory.mktemp("bad")
    pdfgen.draw_pdf(d / "a_good.pdf", [pdfgen.sample_stories()])
    pdfgen.draw_pdf(d / "b_encrypted.pdf", [pdfgen.sample_stories()], encrypt="secret")
    whole = (d / "a_good.pdf").read_bytes()
    (d / "c_truncated.pdf").write_bytes(whole[:len(whole) // 2])
    (d / "d_damaged.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00\x13 not a PDF body " * 64 + b"\n%%EOF\n")
    c = canvas.Canvas(str(d / "e_scan.pdf"), pagesize=(595, 842), invariant=1)
    c.drawImage(ImageReader(pdfgen._photo_bytes()), 30, 30, 535, 780)  # a scanned page: an image only
    c.showPage()
    pdfgen._font()
    c.setFont(pdfgen.FONT, 10)
    c.drawString(60, 700, "本报讯 近日，湖南省株洲市邮政分公司开展“邮政助农”活动。")
    c.showPage()
    c.save()
    (d / "f_empty.pdf").write_bytes(b"")
    (d / "g_page.txt").write_text("近年来，湖南省株洲市邮政分公司开展“邮政助农”活动，新增客户1.2万户。\n",
                                  encoding="utf-8")
    return d


# ------------------------------------------------------------ characters


def test_characters_and_positions_are_the_ones_drawn(sample):
    path, layout, _ = sample
    chars = next(page_chars(path))
    drawn = [(ch, x, base, size) for ch, x, base, size in layout.chars if not ch.isspace()]
    read = [c for c in chars if not c.space]
    assert len(read) == len(drawn)
    for (ch, x, base, size), c in zip(drawn, read):
        assert c.text == ch
        assert abs(c.x0 - x) < 0.05 and abs(c.base - base) < 0.05, (ch, x, base, c)
        assert abs(c.size - size) < 0.01


# ----------------------------------------------------------------- layout


def test_blocks_come_in_the_papers_reading_order(sample):
    _, layout, page = sample
    assert squeeze("".join(b.text for b in page.blocks)) == squeeze("".join(b.text for b in layout.blocks))


def test_block_kinds_from_size_and_position(sample):
    _, _, page = sample
    kinds = {b.text: b.kind for b in page.blocks}
    assert kinds["金融活水润泽千家万户"] == "headline"
    assert kinds["邮储银行衢州市分行发放首笔碳汇贷款"] == "headline"
    assert kinds["——浙江丽水市分公司服务乡村振兴纪实"] == "subtitle"
    assert kinds["网点服务延伸到村"] == "subheading"
    assert kinds["产业链上做文章"] == "subheading"
    assert kinds["□本报记者 蓝海潮 通讯员 白云飞"] == "byline"  # the spaces between names stay
    assert kinds["□钟晓岚 韦明亮"] == "byline"  # set right, after the text: a block of its own
    assert kinds["邮政员工在助农服务站为村民办理业务。"] == "caption"
    assert kinds["（上接第1版）"] == "note"
    news = next(t for t in kinds if t.startswith("本报讯"))
    assert kinds[news] == "text"


def test_lines_are_joined_without_the_spaces_justification_spreads(sample):
    _, _, page = sample
    text = page.text
    # Every body line is justified (characters spread to the column's width).
    for phrase in ("列全省邮政第2位", "新增储蓄余额12.5亿元", "较年初增长18.3%", "交易金额达1.6亿元"):
        assert phrase in text
    body = "\n".join(b.text for b in page.blocks if b.kind != "byline")
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff0-9]", body)


def test_a_paragraph_running_on_into_the_next_column_is_one_block(sample):
    _, layout, page = sample
    # The generator broke this paragraph at the foot of the first column.
    pieces = [b.text for b in layout.blocks if b.story == 0 and b.kind == "text"]
    assert any(t.endswith("助农服务站") for t in pieces), pieces
    assert any("丽水市分公司在全市建成助农服务站200个，为村民提供" in b.text for b in page.blocks)


def test_stories_side_by_side_are_read_one_after_the_other(sample):
    _, _, page = sample
    texts = [b.text for b in page.blocks]
    news, comment = texts.index("邮储银行衢州市分行发放首笔碳汇贷款"), texts.index("让普惠金融更有温度")
    assert news < texts.index("□钟晓岚 韦明亮") < comment
    assert any("较年初增长18.3%" in t for t in texts[news:comment])


def test_articles_are_split_at_the_layouts_headlines(sample):
    _, layout, page = sample
    articles = segment_layout(page.cleaned())
    assert [a.title for a in articles] == [s.headline for s in layout.stories]
    assert articles[0].subtitle == "浙江丽水市分公司服务乡村振兴纪实"
    assert articles[0].bylines == ["本报记者", "蓝海潮", "白云飞"]
    assert articles[1].bylines == ["钟晓岚", "韦明亮"]
    text = page.cleaned().text
    for k, article in enumerate(articles):
        assert squeeze(text[article.start:article.end]) == squeeze(layout.story_text(k))


def test_page_identity_and_date(sample):
    path, _, page = sample
    assert (page.doc, page.number, page.pages) == ("front.pdf#p1", 1, 1)
    assert page.date == "2023-04-10"  # CreationDate D:20230410083000+08'00'
    assert page.width == pytest.approx(pdfgen.PAGE_WIDTH)


@pytest.mark.parametrize("value, iso", [
    ("D:20230410083000+08'00'", "2023-04-10"),
    ("D:20221231", "2022-12-31"),
    ("20230105120000Z", "2023-01-05"),
    ("D:202304", "2023-04"),
    ("D:2023", "2023"),
    ("D:20231341", None),  # no 13th month
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_pdf_dates(value, iso):
    assert pdf_date(value) == iso


def test_jump_notes_from_config():
    assert jump_note("（上接第1版）") is True
    assert jump_note("(接第二版)") is True
    assert jump_note("（下转第4版）") is False
    assert jump_note("上接第1版的报道说明") is None


def _cleaned(parts):
    text, paras, pos = [], [], 0
    for kind, t in parts:
        paras.append(Paragraph(pos, pos + len(t), 1, 20.0, 20.0, kind))
        text.append(t)
        pos += len(t) + 1
    joined = "\n".join(text)
    from array import array

    return Cleaned(joined, array("q", range(len(joined))), paras)


def test_segment_layout_opens_articles_at_headlines_and_continuations():
    cleaned = _cleaned([
        ("text", "接上期内容，这里是上一篇的结尾。"),
        ("headline", "云南邮政助力咖啡出山"),
        ("subtitle", "——云南省普洱市邮政分公司服务纪实"),
        ("byline", "□本报记者 段青松"),
        ("text", "本报讯 近日，云南省普洱市邮政分公司开通咖啡寄递专线。"),
        ("subheading", "专线直达"),
        ("text", "普洱市分公司为咖啡企业提供仓储和配送服务。"),
        ("note", "（下转第3版）"),
        ("note", "（上接第1版）"),
        ("text", "在西双版纳，邮政网点也开办了咖啡寄递业务。"),
    ])
    articles = segment_layout(cleaned)
    assert [(a.title, a.subtitle) for a in articles] == [
        (None, None), ("云南邮政助力咖啡出山", "云南省普洱市邮政分公司服务纪实"), (None, None)]
    assert "段青松" in articles[1].bylines
    assert cleaned.text[articles[1].start:articles[1].end].endswith("（下转第3版）")
    assert cleaned.text[articles[2].start:articles[2].end].startswith("（上接第1版）")


def test_segment_layout_without_headlines_falls_back_to_the_text_rules():
    cleaned = _cleaned([
        ("text", "本报讯 近日，云南省普洱市邮政分公司开通咖啡寄递专线，服务咖啡企业。"),
        ("text", "本报讯 近日，云南省玉溪市邮政分公司举办“邮政惠农”活动，服务农户。"),
    ])
    assert len(segment_layout(cleaned)) == 2


# ------------------------------------------------------------ pages as documents


def test_each_page_is_a_document_with_its_page_number(tmp_path):
    rows = pdfgen.sample_stories()
    pdfgen.draw_pdf(tmp_path / "issue.pdf", [rows[:1], rows[1:]])
    recs = list(extract_paths([tmp_path]))
    assert [(r["doc"], r["page"], r["pages"]) for r in recs] == [("issue.pdf#p1", 1, 2), ("issue.pdf#p2", 2, 2)]
    assert {r["path"] for r in recs} == {str(tmp_path / "issue.pdf")}
    assert {r["date"] for r in recs} == {"2023-04-10"}
    assert "浙江省丽水市邮政分公司" in {e["name"] for e in recs[0]["entities"]}
    assert "邮储银行浙江省衢州市分行" in {e["name"] for e in recs[1]["entities"]}
    assert [a["title"] for a in recs[1]["articles"]] == ["邮储银行衢州市分行发放首笔碳汇贷款", "让普惠金融更有温度", None]
    mention = next(m for e in recs[0]["entities"] for m in e["mentions"])
    assert recs[0]["articles"][mention["article"]]["start"] <= mention["start"]


def test_latin_words_keep_their_spaces_and_nothing_else(tmp_path):
    story = pdfgen.Story("移动展业进乡村", [(pdfgen.TEXT,
        "甘肃省天水市邮政分公司上线Postal Savings Bank of China的移动展业平台和智能POS机，"
        "累计办理业务2.6万笔，服务覆盖120个行政村，客户满意度达98%，平台月活跃用户1.5万户。")])
    pdfgen.draw_pdf(tmp_path / "latin.pdf", [[[(story, 2)]]])
    page = next(read_pdf(tmp_path / "latin.pdf"))
    assert "上线Postal Savings Bank of China的移动展业平台和智能POS机" in page.text


def test_discovery_finds_pdfs_beside_text_pages(bad_pdfs):
    names = [p.name for p in discover([bad_pdfs])]
    assert names == sorted(p.name for p in bad_pdfs.iterdir())


def test_unreadable_pdfs_each_give_one_line_and_the_folder_goes_on(bad_pdfs):
    result = CliRunner().invoke(main, ["extract", str(bad_pdfs)])
    assert result.exit_code == 0, result.output
    recs = {r["doc"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(recs) == {"a_good.pdf#p1", "b_encrypted.pdf", "c_truncated.pdf", "d_damaged.pdf",
                         "e_scan.pdf#p1", "e_scan.pdf#p2", "f_empty.pdf", "g_page.txt"}
    for good in ("a_good.pdf#p1", "e_scan.pdf#p2", "g_page.txt"):
        assert recs[good]["skipped"] is None and recs[good]["entities"], good
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert sorted(warnings) == [
        f"warning: {bad_pdfs / 'b_encrypted.pdf'}: encrypted PDF: it needs a password (save a copy without one)",
        f"warning: {bad_pdfs / 'c_truncated.pdf'}: truncated PDF (no %%EOF at the end); copy or download it again",
        f"warning: {bad_pdfs / 'd_damaged.pdf'}: damaged PDF (PDFium: data format error)",
        f"warning: {bad_pdfs / 'e_scan.pdf'}#p1: no text layer; OCR is not supported",
        f"warning: {bad_pdfs / 'f_empty.pdf'}: empty file",
    ]
    scan = recs["e_scan.pdf#p1"]
    assert (scan["path"], scan["page"], scan["pages"]) == (str(bad_pdfs / "e_scan.pdf"), 1, 2)
    assert "Read 3 of 8 documents (a PDF page is one); skipped 5." in result.stderr
    assert "Traceback" not in result.output


def test_strict_exits_3_when_a_pdf_page_was_skipped(bad_pdfs):
    result = CliRunner().invoke(main, ["extract", str(bad_pdfs / "e_scan.pdf"), "--strict", "--quiet"])
    assert result.exit_code == 3
    assert len(result.stdout.splitlines()) == 2


def test_read_pdf_never_raises_for_the_file(bad_pdfs, tmp_path):
    (tmp_path / "html.pdf").write_text("<html>not a pdf</html>", encoding="utf-8")
    for path in [*bad_pdfs.glob("*.pdf"), tmp_path / "html.pdf", tmp_path / "missing.pdf", tmp_path]:
        for result in read_pdf(path):
            assert isinstance(result, (PdfPage, Skip))
            if isinstance(result, Skip):
                assert str(result).startswith(str(path)) and "\n" not in str(result)
    assert isinstance(next(read_pdf(tmp_path / "html.pdf")), Skip)
    assert not isinstance(next(read_pdf(tmp_path / "html.pdf")), PageSkip)


def test_extraction_of_a_pdf_is_the_same_every_time(sample):
    path, _, _ = sample
    first, second = list(extract_paths([path])), list(extract_paths([path]))
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_build_and_query_a_folder_of_pdfs(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    rows = pdfgen.sample_stories()
    pdfgen.draw_pdf(pages / "p1.pdf", [rows[:1]])
    pdfgen.draw_pdf(pages / "p2.pdf", [rows[1:]])
    db = tmp_path / "kg.db"
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(pages), "--db", str(db), "--quiet"])
    assert built.exit_code == 0, built.output
    assert f"{db}: 2 documents" in built.stdout
    q = runner.invoke(main, ["query", "--db", str(db), "--format", "json",
                             "MATCH (d:Document) RETURN d.name AS name ORDER BY name"])
    assert q.exit_code == 0, q.output
    assert [r["name"] for r in json.loads(q.stdout)] == ["p1.pdf#p1", "p2.pdf#p1"]
    q = runner.invoke(main, ["query", "--db", str(db), "--format", "json",
                             "MATCH (d:Document) RETURN d.page AS page, d.path AS path ORDER BY path"])
    assert [(r["page"], r["path"]) for r in json.loads(q.stdout)] == [(1, str(pages / "p1.pdf")),
                                                                     (1, str(pages / "p2.pdf"))]


# ------------------------------------------------- the dev pages, as PDFs


def _dev_pages():
    from conftest import unavailable

    if not CORPUS.is_dir() or not DEV_PAGE.exists():
        unavailable(f"{CORPUS} is missing (the dev pages and their gold labels)")
    return CORPUS


def _scores(gold: Path, records: list, tmp_path: Path, name: str) -> dict:
    from kg.nlp.evaluate import evaluate

    pred = tmp_path / f"{name}.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    overall = evaluate(gold, pred, CORPUS / "score.py")["overall"]
    return {k: overall[k]["f1"] for k in KINDS}


def _as_pdfs(folder: Path, out: Path) -> dict:
    """Each text page of `folder` drawn as a one-page PDF in `out`; name → Layout."""
    out.mkdir()
    return {p.stem: pdfgen.text_page_to_pdf(p.read_text(encoding="utf-8"), out / f"{p.stem}.pdf")
            for p in sorted(folder.glob("*.txt"))}


def _under_text_names(records: list) -> list:
    """PDF page records renamed to the text page they were drawn from, as gold names it."""
    return [{**r, "doc": r["doc"].split(".pdf#")[0] + ".txt"} for r in records]


@pytest.mark.slow
def test_dev_page_as_pdf_scores_within_002_of_its_text(tmp_path):
    corpus = _dev_pages()
    layouts = _as_pdfs(corpus / "dev", tmp_path / "pdf")
    text = list(extract_paths([corpus / "dev"]))
    pdf = list(extract_paths([tmp_path / "pdf"]))
    assert all(r["skipped"] is None for r in pdf)
    got_text = _scores(corpus / "dev.gold.jsonl", text, tmp_path, "text")
    got_pdf = _scores(corpus / "dev.gold.jsonl", _under_text_names(pdf), tmp_path, "pdf")
    for kind in KINDS:
        assert abs(got_pdf[kind] - got_text[kind]) <= 0.02, (kind, got_pdf, got_text)
    # Article boundaries are the layout's: one article per story, its headline the title.
    for record in pdf:
        layout = layouts[record["doc"].split(".pdf#")[0]]
        assert [a["title"] for a in record["articles"]] == [s.headline for s in layout.stories]


@pytest.mark.slow
def test_dev2_pages_as_pdfs_score_no_worse_than_their_text(tmp_path):
    corpus = _dev_pages()
    if not (corpus / "dev2").is_dir():
        from conftest import unavailable

        unavailable(f"{corpus / 'dev2'} is missing")
    layouts = _as_pdfs(corpus / "dev2", tmp_path / "pdf")
    text = list(extract_paths([corpus / "dev2"]))
    pdf = list(extract_paths([tmp_path / "pdf"]))
    got_text = _scores(corpus / "dev2.gold.jsonl", text, tmp_path, "text")
    got_pdf = _scores(corpus / "dev2.gold.jsonl", _under_text_names(pdf), tmp_path, "pdf")
    for kind in KINDS:
        # The layout knows bylines the text runs into paragraphs, so the PDF may score higher.
        assert got_pdf[kind] >= got_text[kind] - 0.02, (kind, got_pdf, got_text)
    for record in pdf:
        layout = layouts[record["doc"].split(".pdf#")[0]]
        assert [a["title"] for a in record["articles"]] == [s.headline for s in layout.stories]


def test_eval_extracts_pdf_pages_named_as_gold_names_them(sample, tmp_path):
    path, _, _ = sample
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "front.pdf#p1", "entities": [
        {"label": "BRANCH", "names": ["浙江省丽水市邮政分公司", "丽水市分公司"]},
        {"label": "PERSON", "names": ["方志远"]},
        {"label": "PARTNER", "names": ["衢州青山林业有限公司"]}], "relations": [], "metrics": []},
        ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold), str(path), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["overall"]["entities"]
    assert scores["tp"] == 3 and scores["fn"] == 0
    # Gold that names the page as a text page: nothing matches, and kg eval says so.
    renamed = tmp_path / "other.jsonl"
    renamed.write_text(gold.read_text(encoding="utf-8").replace("front.pdf#p1", "front.txt"), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(renamed), str(path)])
    assert result.exit_code == 1
    assert f"warning: {path}: none of its 1 document(s) is in {renamed}" in result.stderr
    assert "front.pdf#p1" in result.stderr


def _facts(record):
    return ({(e["label"], e["name"]) for e in record["entities"]},
            {(r["type"], r["head"]["name"], r["tail"]["name"]) for r in record["relations"]},
            {(m["subject"]["name"], m["name"], m["value_text"], m["unit"], m["as_of"]) for m in record["metrics"]})


def test_the_readme_pdf_example_reads_as_the_text_it_was_drawn_from(tmp_path):
    """README: `python tests/pdfgen.py examples/sample_page.txt pages/sample_page.pdf`, then `kg build pages/`."""
    import subprocess
    import sys

    sample = ROOT / "examples" / "sample_page.txt"
    out = tmp_path / "pages" / "sample_page.pdf"
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "pdfgen.py"), str(sample), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (pdf_record,) = extract_paths([out])
    assert pdf_record["doc"] == "sample_page.pdf#p1" and pdf_record["skipped"] is None
    # Dated by the PDF's CreationDate; the text page, given the same date, reads the same facts.
    assert (pdf_record["date"], pdf_record["date_from"]) == ("2023-04-10", "pdf")
    (text_record,) = extract_paths([sample], date="2023-04-10")
    assert _facts(pdf_record) == _facts(text_record)
    built = CliRunner().invoke(main, ["build", str(tmp_path / "pages"), "--db", str(tmp_path / "pages.db"), "--quiet"])
    assert built.exit_code == 0, built.output
    assert f"{tmp_path / 'pages.db'}: 1 document\n" in built.stdout


@pytest.mark.parametrize("columns, rules", [(2, True), (3, False), (4, False), (5, True), (6, False)])
def test_reading_order_holds_for_other_column_counts_without_rules(tmp_path, columns, rules):
    """Side-by-side stories of unequal widths, short headlines over wide stories, no rules between rows."""
    pages = [ROOT / "examples" / "sample_page.txt"] + ([DEV_PAGE] if DEV_PAGE.exists() else [])
    pages += sorted((CORPUS / "dev2").glob("p10[12].txt"))
    for src in pages:
        path = tmp_path / f"{src.stem}.pdf"
        layout = pdfgen.text_page_to_pdf(src.read_text(encoding="utf-8"), path, columns=columns, rules=rules)
        page = next(read_pdf(path))
        assert squeeze("".join(b.text for b in page.blocks)) == squeeze("".join(b.text for b in layout.blocks)), src
        assert [a.title for a in segment_layout(page.cleaned())] == [s.headline for s in layout.stories], src


def test_a_broken_jump_note_pattern_is_one_line_naming_file_and_line(tmp_path, monkeypatch, sample):
    import shutil

    import kg.lexicon
    import kg.text.pdf

    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    notes = config / "jump_notes.jsonl"
    lines = notes.read_text(encoding="utf-8").splitlines()
    notes.write_text("\n".join(lines + ['{"pattern": "（上接", "opens": true'] ) + "\n", encoding="utf-8")
    monkeypatch.setenv("KG_CONFIG_DIR", str(config))
    kg.lexicon.jsonl.cache_clear()
    kg.text.pdf._compiled_notes.cache_clear()
    try:
        result = CliRunner().invoke(main, ["extract", str(sample[0]), "--quiet"])
        assert result.exit_code == 1
        assert f"{notes}:{len(lines) + 1}: not valid JSON" in result.output
        assert "Traceback" not in result.output and result.stdout == ""
    finally:
        monkeypatch.delenv("KG_CONFIG_DIR")
        kg.lexicon.jsonl.cache_clear()
        kg.text.pdf._compiled_notes.cache_clear()


def test_records_of_pdf_pages_load_back_and_a_wrong_page_field_is_one_line(sample, tmp_path):
    from kg.nlp.records import RecordError, iter_records, write_records

    path, _, _ = sample
    out = tmp_path / "pred.jsonl"
    write_records(extract_paths([path]), out)
    (record,) = iter_records(out)
    assert (record["page"], record["pages"], record["date"]) == (1, 1, "2023-04-10")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(out.read_text(encoding="utf-8").replace('"page": 1', '"page": "one"'), encoding="utf-8")
    with pytest.raises(RecordError, match=r"bad\.jsonl:1: .*page"):
        list(iter_records(bad))
