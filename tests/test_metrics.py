"""Metrics: value, unit, as_of, name and subject of each reported figure."""
from __future__ import annotations

import pytest

from extract_helpers import extract, metric


def only(text):
    rec = extract(text)
    return rec, [(m["subject"]["name"], m["name"], m["value"], m["unit"], m["as_of"]) for m in rec["metrics"]]


@pytest.mark.parametrize("text, subject, name, value, unit, as_of", [
    ("2022年，宜昌市分公司新增余额57.76亿元。", "宜昌市分公司", "新增余额", 5776000000, "元", "2022"),
    ("2022年，宜昌市分公司新增余额16.4亿元。", "宜昌市分公司", "新增余额", 1640000000, "元", "2022"),
    ("宜昌市分公司新增余额1,250万元。", "宜昌市分公司", "新增余额", 12500000, "元", None),
    ("宜昌市分行手机银行月活跃客户1500户。", "宜昌市分行", "手机银行月活跃客户", 1500, "户", None),
    ("宜昌市分行共撰写了8个产业的研究报告。", "宜昌市分行", "产业的研究报告", 8, "个", None),
    # No page date: the year of 3月25日 cannot be known (as_of_text keeps the words; tests/test_dates.py).
    ("截至 3月25日，宜昌市分公司新增余额1.35亿元。", "宜昌市分公司", "新增余额", 135000000, "元", None),
    ("截至2023年3月25日，宜昌市分行累计发放贷款约3.6亿元。", "宜昌市分行", "累计发放贷款", 360000000, "元",
     "2023-03-25"),
    ("2022年末，宜昌市分公司代理金融余额达120.5亿元。", "宜昌市分公司", "代理金融余额", 12050000000, "元", "2022"),
])
def test_single_metric(text, subject, name, value, unit, as_of):
    rec, found = only(text)
    assert found == [(subject, name, value, unit, as_of)]
    m = rec["metrics"][0]
    assert m["subject"]["label"] == "BRANCH"
    assert isinstance(m["value"], int)


def test_value_text_is_exact():
    rec, _ = only("2022年，宜昌市分公司新增余额16.4亿元。")
    assert rec["metrics"][0]["value_text"] == "1640000000"
    assert rec["metrics"][0]["text"].replace(" ", "") == "16.4亿元"


def test_person_times_with_wan():
    rec, found = only("宜昌市分公司“邮政进村”活动参与客户达5.6万人次。")
    assert [(f[2], f[3]) for f in found] == [(56000, "人次")]
    assert found[0][0] in {"宜昌市分公司", "邮政进村"}
    assert "参与客户" in found[0][1]


def test_percent_and_ranking():
    rec, found = only("2022年末，宜昌市分公司代理金融余额达120.5亿元，同比增长15.3%，列全省邮政第2位。")
    assert ("宜昌市分公司", "同比增长", 15.3, "%", "2022") in found
    assert len(found) == 2  # the ranking is no metric of its own
    assert any(m["rank"] == "列全省邮政第2位" for m in rec["metrics"])
    assert not any(m["value"] == 2 for m in rec["metrics"])


def test_zero_bad_loan_rate():
    _, found = only("2023年，夷陵区支行累计投放贷款15.6亿元，不良率为0。")
    assert ("夷陵区支行", "不良率", 0, "%", "2023") in found


@pytest.mark.parametrize("text, value, unit", [
    ("宜昌市分行累计发放贷款约3.6亿元。", 360000000, "元"),
    ("马家店镇营业所服务客户1200余户。", 1200, "户"),
    ("宜昌市分行惠及农户2万多户。", 20000, "户"),
    ("宜昌市分公司累计布放300多台。", 300, "台"),
])
def test_approximate_words_are_not_part_of_the_unit(text, value, unit):
    _, found = only(text)
    assert [(f[2], f[3]) for f in found] == [(value, unit)]


def test_negative_percent():
    _, found = only("宜昌市分公司新增余额同比下降-5%。")
    assert [(f[2], f[3]) for f in found] == [(-5, "%")]


def test_dates_and_durations_are_not_metrics():
    rec, _ = only("宜昌市分公司于3月25日开展活动，历时3天。")
    assert rec["metrics"] == []


def test_figures_about_a_place_are_skipped():
    rec, _ = only("2023年，全市邮政金融资产余额达300亿元。")
    assert rec["metrics"] == []
    rec, _ = only("宜昌市分公司开展活动，覆盖12个乡镇。")
    assert rec["metrics"] == []


def test_first_person_figures_are_skipped():
    rec, _ = only("“我去年养了100多头猪。”宜昌市分行客户说。")
    assert rec["metrics"] == []


def test_figures_about_a_partner_company():
    _, found = only("宜昌市分行支持湖北楚天农业发展有限公司。该公司累计收购柑橘3000多吨。")
    assert found == [("湖北楚天农业发展有限公司", "累计收购柑橘", 3000, "吨", None)]


def test_figure_of_a_financed_project():
    _, found = only("宜昌市分行积极参与柑橘产业园建设项目（二期）。该项目总投资2.5亿元。")
    assert found == [("柑橘产业园建设项目（二期）", "总投资", 250000000, "元", None)]


def test_two_figures_in_one_sentence_share_the_date():
    _, found = only("截至2023年3月25日，宜昌市分行累计发放贷款约3.6亿元，惠及农户2万多户。")
    assert [(f[2], f[3], f[4]) for f in found] == [(360000000, "元", "2023-03-25"), (20000, "户", "2023-03-25")]


def test_loan_to_a_company_names_the_loan():
    _, found = only("宜昌市分行为宜昌三峡茶业有限公司发放贷款800万元。")
    assert len(found) == 1
    subject, name, value, unit, _ = found[0]
    assert (value, unit) == (8000000, "元")
    assert subject in {"宜昌市分行", "宜昌三峡茶业有限公司"}
    assert name.endswith("发放贷款")


def test_loan_metric_name_without_the_client_after_a_full_bank_name():
    _, found = only("邮储银行宜昌市分行为宜昌三峡茶业有限公司发放贷款800万元。")
    assert found[0][1] == "发放贷款"


def test_credit_metric_name_leaves_out_the_anaphor():
    _, found = only("宜昌市分行积极参与柑橘产业园建设项目（二期）。宜昌市分行为该项目授信1亿元。")
    assert [f[1] for f in found if f[2] == 100000000] == ["授信"]


def test_metric_provenance():
    text = "湖北省宜昌市邮政分公司持续发力。今年以来，该分公司新增余额8.5亿元。"
    rec = extract(text)
    (m,) = rec["metrics"]
    assert m["article"] == 0
    assert m["sentence"] == "今年以来，该分公司新增余额8.5亿元。"
    assert m["rule"]
    assert text[m["start"]:m["end"]] == m["text"]


def test_absurdly_large_figure_does_not_stop_the_extraction():
    rec = extract("宜昌市分公司新增余额" + "1" * 25 + "亿元。")
    assert "宜昌市分公司" in {e["name"] for e in rec["entities"]}
