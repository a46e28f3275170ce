"""kg as a spaCy pipeline: spans, entities, relations and figures on the Doc; loadable,
savable, parallel; and `kg show`."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner
from spacy import displacy

import kg
from browser import run_chromium
from conftest import unavailable
from extract_helpers import column
from kg.nlp.extract import extract_text, record_from_doc

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample_page.txt"
DEV = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def nlp():
    return kg.load()


@pytest.fixture(scope="module")
def page():
    return SAMPLE.read_text(encoding="utf-8")


def records_equal(a: dict, b: dict) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def test_the_doc_carries_spans_entities_relations_and_figures(nlp, page):
    doc = nlp(page)
    record = extract_text(page, SAMPLE.name)
    group = doc.spans["kg"]
    assert len(group) >= len(record["entities"])
    # Every mention of the record is a span of the group, with its label and rule.
    spans = {(s.start_char, s.end_char, s.label_, s._.kg_rule) for s in group}
    for e in record["entities"]:
        for m in e["mentions"]:
            assert (m["start"], m["end"], e["label"], m["rule"]) in spans, m
    assert {e.label_ for e in doc.ents} == {e["label"] for e in record["entities"]}
    assert all(e._.kg_kind != "anaphor" for e in doc.ents)
    # doc.ents never overlap (spaCy's own rule) while the group may.
    ents = sorted((e.start_char, e.end_char) for e in doc.ents)
    assert all(a[1] <= b[0] for a, b in zip(ents, ents[1:]))
    rels = doc._.kg_rels
    assert len(rels) >= len(record["relations"])
    assert all(isinstance(r["head"], spacy.tokens.Span) and r["head"].label_ for r in rels)
    assert {(r["type"], r["head"]._.kg_canonical) for r in rels if r["type"] == "RUNS"}
    figures = doc._.kg_figures
    assert {f["value"] for f in figures} >= {m["value_text"] for m in record["metrics"]}
    assert all(f["figure"].text.replace(" ", "") in f["text"] or f["text"] in f["figure"].text for f in figures)
    # The article of a mention is reachable from its span.
    articles = doc._.kg_articles
    for s in group:
        start, end = articles[s._.kg_article][:2]
        assert start <= s.start_char < end


def test_an_anaphor_points_to_the_span_it_stands_for(nlp):
    doc = nlp("湖南省株洲市邮政分公司持续深化转型。该分公司新增余额12.5亿元。")
    anaphor = next(s for s in doc.spans["kg"] if s._.kg_kind == "anaphor")
    assert anaphor.text == "该分公司"
    assert doc.spans["kg"][anaphor._.kg_ref].text == "湖南省株洲市邮政分公司"
    assert anaphor._.kg_canonical == "湖南省株洲市邮政分公司"


def test_displacy_draws_the_span_group(nlp, page):
    doc = nlp(page)
    html = displacy.render(doc, style="span", options={"spans_key": "kg"})
    for label in {s.label_ for s in doc.spans["kg"]}:
        # displaCy labels each span where it starts.
        assert html.count(f">{label}<") + html.count(f"{label}\n") >= 1, label
    assert html.count("position: absolute") >= len(doc.spans["kg"])  # a line drawn under each span


def test_the_tokenizer_cleans_what_pdf_extraction_broke(nlp):
    # A column printed 16 characters a line, a blank line after each, spaces in a name.
    doc = nlp(column("今年以来，邮储银行江西省赣州市分行推出“赣 橙 贷”产品，服务果农2860户。"))
    assert doc.text == "今年以来，邮储银行江西省赣州市分行推出“赣橙贷”产品，服务果农2860户。"
    assert {(e.text, e.label_) for e in doc.ents} == {("邮储银行江西省赣州市分行", "BRANCH"), ("赣橙贷", "PRODUCT")}


def test_saved_and_loaded_with_spacy_load_it_reads_the_same(nlp, page, tmp_path):
    nlp.to_disk(tmp_path / "kg_pipeline")
    loaded = spacy.load(tmp_path / "kg_pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    assert records_equal(record_from_doc(loaded(page), "p", text=page), record_from_doc(nlp(page), "p", text=page))


def test_components_go_into_a_users_own_pipeline():
    own = spacy.blank("zh")
    own.add_pipe("kg_branch_finder")
    own.add_pipe("kg_span_writer")
    doc = own("今年以来，邮储银行甘肃省天水市分行新增贷款3.2亿元。")
    assert [(e.text, e.label_) for e in doc.ents] == [("邮储银行甘肃省天水市分行", "BRANCH")]


def test_pipe_with_two_processes_reads_the_same(nlp, page):
    texts = [page, page[: len(page) // 2], "邮储银行甘肃省天水市分行推出“果园贷”产品。"]
    one = [record_from_doc(d, "p", text=t) for d, t in zip(nlp.pipe(texts), texts)]
    two = [record_from_doc(d, "p", text=t) for d, t in zip(nlp.pipe(texts, n_process=2), texts)]
    assert all(records_equal(a, b) for a, b in zip(one, two))


def test_extract_jobs_gives_the_records_of_one_process(tmp_path):
    from kg.cli import main

    pages = tmp_path / "pages"
    pages.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for k in range(4):
        (pages / f"page{k}.txt").write_text(text[k * 200:], encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert CliRunner().invoke(main, ["extract", str(pages), "-o", str(one), "--quiet"]).exit_code == 0
    result = CliRunner().invoke(main, ["extract", str(pages), "-o", str(two), "--quiet", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def test_the_dev_page_entities_are_doc_ents(nlp):
    gold_path = DEV / "dev.gold.jsonl"
    if not gold_path.exists():
        unavailable(f"the corpus is not at {DEV} (../shared beside the repository)")
    gold = json.loads(gold_path.read_text(encoding="utf-8").splitlines()[0])
    page = next((DEV / "dev").glob("*.txt")).read_text(encoding="utf-8")
    doc = nlp(page)
    names = {s._.kg_name for s in doc.spans["kg"]} | {e.text for e in doc.ents}
    found = [e for e in gold["entities"] if any(n in names for n in e["names"])]
    assert len(found) >= 0.9 * len(gold["entities"])


def test_kg_show_writes_a_page(tmp_path):
    from kg.cli import main

    out = tmp_path / "sample.html"
    result = CliRunner().invoke(main, ["show", str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "邮趣周末" in html and "RUNS" in html and "program_link_finder" in html
    missing = CliRunner().invoke(main, ["show", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2


@pytest.mark.browser
def test_kg_show_draws_every_labels_colour(tmp_path):
    from PIL import Image

    from kg.cli import main
    from kg.explore.show import LABEL_COLOURS

    page = tmp_path / "shown.txt"
    page.write_text(SAMPLE.read_text(encoding="utf-8") + "\n赣州市分公司与赣州市总工会合作，邮储银行赣州市分行推出“赣橙贷”产品。\n",
                    encoding="utf-8")
    out = tmp_path / "shown.html"
    assert CliRunner().invoke(main, ["show", str(page), "-o", str(out)]).exit_code == 0
    shot = tmp_path / "shown.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2400", out.as_uri())
    image = Image.open(shot).convert("RGB")
    # Below the legend: the colours there are the mentions' own.
    body = image.crop((0, 220, image.width, image.height))
    present = {rgb for _, rgb in body.getcolors(maxcolors=1 << 22)}
    for label, colour in LABEL_COLOURS.items():
        want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert want in present, f"no {label} mention painted"
