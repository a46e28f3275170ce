"""Dates a reader can sort: each page's date, and the figures' as_of placed by it.

The words stay as written (`as_of_text`); `as_of` is a value that sorts and
never claims more precision than the words give (docs/FORMAT.md).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from extract_helpers import column
from kg.cli import main
from kg.nlp.dates import date_in_name, find_dates, resolve
from kg.nlp.extract import extract_paths, extract_text, page_date


@pytest.mark.parametrize("text, words", [
    ("截至2023年3月25日，", "2023年3月25日"),
    ("2022年10月，", "2022年10月"),
    ("2022年末，", "2022年末"),
    ("2022年，", "2022年"),
    ("截至 3月25日，", "3月25日"),
    ("12月1号，", "12月1号"),
    ("今年前三季度，", "今年前三季度"),
    ("截至9月末，", "9月末"),
    ("今年1—10月，", "今年1—10月"),
    ("今年以来，", "今年以来"),
    ("去年11月，", "去年11月"),
    ("2023年上半年，", "2023年上半年"),
    ("第三季度，", "第三季度"),
    ("11月上旬，", "11月上旬"),
    ("第二届，", "第二届"),
])
def test_find_dates_keeps_the_words(text, words):
    assert [w for _, _, w in find_dates(text)] == [words]


@pytest.mark.parametrize("text", ["3个月内", "较年末增长", "12.5亿元", "第1位"])
def test_no_date_where_there_is_none(text):
    assert find_dates(text) == []


def test_this_year_after_a_date_is_part_of_it():
    # 截至3月25日，该行今年新增…: the figure is as of 3月25日, counted from January.
    assert [w for _, _, w in find_dates("截至3月25日，青岚县支行今年新增存款8亿元。")] == ["3月25日"]
    # In the next sentence 今年 is a date of its own again.
    found = find_dates("截至3月25日，新增8亿元。今年，青岚县支行新增客户1万户。")
    assert [w for _, _, w in found] == ["3月25日", "今年"]


@pytest.mark.parametrize("words, doc_date, as_of", [
    ("2023年3月25日", None, "2023-03-25"),
    ("2022年末", None, "2022"),
    ("2022年10月", None, "2022-10"),
    ("2023年上半年", None, "2023-H1"),
    ("2023年前三季度", None, "2023-Q1..Q3"),
    # what the text leaves open needs the page's date
    ("3月25日", None, None),
    ("今年", None, None),
    ("3月25日", "2023-03-28", "2023-03-25"),
    ("今年", "2023-03-28", "2023"),
    ("今年以来", "2023-11-20", "2023"),
    ("去年", "2023-03-28", "2022"),
    ("去年11月", "2023-03-28", "2022-11"),
    ("前三季度", "2023-11-20", "2023-Q1..Q3"),
    ("今年前三季度", "2023-11-20", "2023-Q1..Q3"),
    ("今年1—10月", "2023-11-20", "2023-01..10"),
    ("第三季度", "2023-11-20", "2023-Q3"),
    ("上半年", "2023-08-01", "2023-H1"),
    ("9月末", "2023-11-20", "2023-09"),
    ("11月上旬", "2023-11-20", "2023-11"),
    # a month is a month: 今年3月 is not guessed into 2023-03-31
    ("今年3月", "2023-04-12", "2023-03"),
    ("3月", "2023-04-12", "2023-03"),
    # a January paper's December is last year's; a November paper's 12月底 this year's
    ("12月31日", "2024-01-05", "2023-12-31"),
    ("12月底", "2023-11-20", "2023-12"),
    ("3月25日", "2023-11-20", "2023-03-25"),
    ("第二届", "2023-11-20", None),
    ("2月30日", "2023-03-28", None),
])
def test_resolve(words, doc_date, as_of):
    assert resolve(words, doc_date) == as_of


def test_values_sort_by_year_first():
    values = [resolve(w, "2023-11-20") for w in ("今年前三季度", "2022年末", "3月25日", "去年11月", "9月末")]
    assert sorted(values) == ["2022", "2022-11", "2023-03-25", "2023-09", "2023-Q1..Q3"]


@pytest.mark.parametrize("name, date", [
    ("2023-03-28.txt", "2023-03-28"),
    ("中国邮政报_20230328_第3版.txt", "2023-03-28"),
    ("page.2023.03.28.pdf", "2023-03-28"),
    ("2023_03_28-p2.txt", "2023-03-28"),
    ("000_09546977b2fce549.txt", None),  # a hash is no date
    ("2023-13-01.txt", None),
    ("p101.txt", None),
])
def test_date_in_file_name(name, date):
    assert date_in_name(name) == date


def test_page_date_option_then_name_then_reader(tmp_path):
    dated = tmp_path / "2023-03-28.txt"
    plain = tmp_path / "page.txt"
    assert page_date(dated) == ("2023-03-28", "name")
    assert page_date(dated, "2023-04-01") == ("2023-04-01", "option")
    assert page_date(plain, None, "2023-02-02") == ("2023-02-02", "pdf")
    assert page_date(dated, None, "2023-02-02") == ("2023-03-28", "name")
    assert page_date(plain) == (None, None)


PAGE = column("近年来，江南省青岚市邮政分公司坚持以客户为本。",
              "2022年，青岚市分公司新增余额12.5亿元。截至3月25日，该分公司今年新增余额3.2亿元。",
              "今年前三季度，青岚市分公司新增客户1.6万户。")


def _metrics(record):
    """{value: (as_of, as_of_text)}: both 新增余额 figures (2022年 and 今年) share their name."""
    return {m["value"]: (m["as_of"], m["as_of_text"]) for m in record["metrics"]}


def test_a_dated_page_gives_sortable_as_of(tmp_path):
    page = tmp_path / "2023-11-20.txt"
    page.write_text(PAGE, encoding="utf-8")
    (record,) = list(extract_paths([page]))
    assert (record["date"], record["date_from"]) == ("2023-11-20", "name")
    got = _metrics(record)
    assert got[1250000000] == ("2022", "2022年")
    assert got[320000000] == ("2023-03-25", "3月25日")
    assert got[16000] == ("2023-Q1..Q3", "今年前三季度")


def test_an_undated_page_keeps_the_words_only():
    record = extract_text(PAGE, "page.txt")
    assert record["date"] is None
    got = _metrics(record)
    assert got[1250000000] == ("2022", "2022年")  # a written year needs no page date
    assert got[16000] == (None, "今年前三季度")
    assert got[320000000] == (None, "3月25日")


def test_cli_date_option(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(page), "--date", "2024-01-05", "--quiet"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["date"], record["date_from"]) == ("2024-01-05", "option")
    assert _metrics(record)[16000] == ("2024-Q1..Q3", "今年前三季度")
    bad = CliRunner().invoke(main, ["extract", str(page), "--date", "2023-02-30"])
    assert bad.exit_code == 2 and "--date" in bad.output


def test_build_dates_records_and_the_graph_keeps_both(tmp_path):
    from kg.graph.store import run_query

    records = tmp_path / "pred.jsonl"
    records.write_text(json.dumps(extract_text(PAGE, "page.txt"), ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "kg.db"
    result = CliRunner().invoke(main, ["build", str(records), "--db", str(db), "--date", "2023-11-20", "--quiet"])
    assert result.exit_code == 0, result.output
    _, rows = run_query(db, "MATCH (m:Metric) RETURN m.name, m.as_of, m.as_of_text ORDER BY m.as_of")
    assert ["新增客户", "2023-Q1..Q3", "今年前三季度"] in rows
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    _, docs = run_query(db, "MATCH (d:Document) RETURN d.name, d.date")
    assert docs == [["page.txt", "2023-11-20"]]
