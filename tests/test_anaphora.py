"""Anaphora (该分公司, 该行 …) resolve to the last suitable unit of their article."""
from __future__ import annotations

import pytest

from extract_helpers import column, entity_of, extract, has_relation, metric, names


@pytest.mark.parametrize("text, anaphor, unit, value", [
    ("湖北省宜昌市邮政分公司持续发力。今年以来，该分公司新增余额8.5亿元。",
     "该分公司", "湖北省宜昌市邮政分公司", 850000000),
    ("邮储银行宜昌市夷陵区支行服务乡村。该支行累计投放贷款3.2亿元。",
     "该支行", "邮储银行宜昌市夷陵区支行", 320000000),
    ("邮储银行湖北省分行加大投入。该行推出“楚农贷”产品，累计放款12亿元。",
     "该行", "邮储银行湖北省分行", 1200000000),
    ("马家店镇营业所贴近农户。该网点开展“金融夜校”活动，服务客户1200余户。",
     "该网点", "马家店镇营业所", 1200),
])
def test_anaphor_carries_metrics_to_its_antecedent(text, anaphor, unit, value):
    rec = extract(text)
    assert names(rec, "BRANCH") == {unit}
    m = metric(rec, value)
    assert m is not None and m["subject"]["name"] == unit
    e = entity_of(rec, unit)
    assert anaphor in [x["text"] for x in e["mentions"]]
    # an anaphor is a mention, never a name
    assert anaphor not in e["aliases"]


def test_anaphor_carries_relations_to_its_antecedent():
    rec = extract("邮储银行湖北省分行加大投入。该行推出“楚农贷”产品。")
    assert has_relation(rec, "OFFERS", "邮储银行湖北省分行", "楚农贷")
    rec = extract("马家店镇营业所贴近农户。该网点开展“金融夜校”活动。")
    assert has_relation(rec, "RUNS", "马家店镇营业所", "金融夜校")


def test_anaphor_takes_the_last_unit_of_its_kind():
    rec = extract("宜昌市分公司开展工作。宜都市分公司也开展工作。该分公司新增余额2亿元。")
    assert metric(rec, 200000000)["subject"]["name"] == "宜都市分公司"


def test_gai_zhihang_skips_a_later_post_branch():
    rec = extract("邮储银行宜昌市夷陵区支行服务乡村。夷陵区分公司开展寄递业务。该支行累计投放贷款3.2亿元。")
    assert metric(rec, 320000000)["subject"]["name"] == "邮储银行宜昌市夷陵区支行"


def test_gai_gongsi_refers_to_the_partner_company():
    rec = extract("宜昌市分行支持湖北楚天农业发展有限公司。该公司累计收购柑橘3000多吨。")
    m = metric(rec, 3000, "吨")
    assert m["subject"]["name"] == "湖北楚天农业发展有限公司"


def test_gai_xiangmu_refers_to_the_project():
    rec = extract("宜昌市分行积极参与柑橘产业园建设项目（二期）。该项目总投资2.5亿元。宜昌市分行为该项目授信1亿元。")
    project = "柑橘产业园建设项目（二期）"
    assert metric(rec, 250000000)["subject"]["name"] == project
    assert has_relation(rec, "FINANCES", "宜昌市分行", project)
    credit = metric(rec, 100000000)
    assert credit["subject"]["name"] in {"宜昌市分行", project}
    assert "授信" in credit["name"]


def test_anaphor_does_not_cross_into_the_next_article():
    first = "近年来，湖北省宜昌市邮政分公司坚持以客户为本，分层分类深耕客群，推动代理金融转型发展。"
    second = "近日，江西省赣州市某单位召开会议，部署全年工作任务。该分公司新增余额2亿元，增长明显。"
    # Control: within one article the same anaphor does reach the unit and the figure is read,
    # so a figure missing below is the article boundary at work, not a figure the extractor misses.
    joined = extract(column(first, second))
    assert len(joined["articles"]) == 1
    assert metric(joined, 200000000)["subject"]["name"] == "湖北省宜昌市邮政分公司"
    rec = extract(column(first, ("（宜昌市分公司提供）",), ("□王强 李明",), "本报讯 " + second))
    assert len(rec["articles"]) == 2
    m = metric(rec, 200000000)
    assert m is None or m["subject"]["name"] != "湖北省宜昌市邮政分公司"


def test_anaphor_without_antecedent_makes_no_entity():
    rec = extract("该分公司新增余额2亿元。")
    assert rec["entities"] == [] and rec["metrics"] == []


def test_anaphor_without_antecedent_does_not_give_the_product_a_metric():
    rec = extract("该分公司依托“邮e链”平台服务商户1.5万户。")
    assert rec["metrics"] == []
