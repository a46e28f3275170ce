"""Relations between entities, one cue per short text."""
from __future__ import annotations

import pytest

from extract_helpers import extract, has_relation, relations


@pytest.mark.parametrize("text, expected", [
    ("株洲邮政各网点积极开展“春风行动”“金秋惠民”等活动。",
     {("RUNS", "株洲邮政", "春风行动"), ("RUNS", "株洲邮政", "金秋惠民")}),
    ("宜都市分公司开展“稻虾共作”活动。", {("RUNS", "宜都市分公司", "稻虾共作")}),
    ("宜昌市分行实施行长负责制。", {("RUNS", "宜昌市分行", "行长负责制")}),
    ("宜昌市分公司建立“网格化营销”机制。", {("RUNS", "宜昌市分公司", "网格化营销")}),
    ("宜昌邮银开展“金融夜校”活动。", {("RUNS", "宜昌邮银", "金融夜校")}),
])
def test_runs(text, expected):
    assert relations(extract(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("邮储银行广东省分行推出“邮e贷”产品。", {("OFFERS", "邮储银行广东省分行", "邮e贷")}),
    ("宜昌市分行推出了茶叶种植贷产品。", {("OFFERS", "宜昌市分行", "茶叶种植贷")}),
    ("宜昌市分公司上线“邮乐购”平台。", {("OFFERS", "宜昌市分公司", "邮乐购")}),
])
def test_offers(text, expected):
    assert relations(extract(text)) == expected


@pytest.mark.parametrize("text, head, tail", [
    ("宜昌市分行与湖北楚天农业发展有限公司合作。", "宜昌市分行", "湖北楚天农业发展有限公司"),
    ("宜昌市分行配合宜昌市医疗保障局推广医保电子凭证。", "宜昌市分行", "宜昌市医疗保障局"),
    ("邮储银行宜昌市分行积极对接宜昌市医保局，双方签约。", "邮储银行宜昌市分行", "宜昌市医保局"),
    ("浙江邮银积极与浙江省医保局合作。", "浙江邮银", "浙江省医保局"),
])
def test_partners_with(text, head, tail):
    rec = extract(text)
    assert relations(rec, "PARTNERS_WITH") == {("PARTNERS_WITH", head, tail)}


@pytest.mark.parametrize("text, head, tail", [
    ("湖北省医疗保障局（以下简称“湖北医保局”）与湖北省分行签订战略合作协议。", "湖北省分行", "湖北省医疗保障局"),
    ("湖北楚天农业发展有限公司与宜昌市分行签订合作协议。", "宜昌市分行", "湖北楚天农业发展有限公司"),
])
def test_partners_with_when_the_partner_comes_first(text, head, tail):
    assert has_relation(extract(text), "PARTNERS_WITH", head, tail)


def test_partners_with_a_bureau_of_agriculture():
    rec = extract("宜昌市分行与宜昌市农业农村局签订合作协议。")
    assert has_relation(rec, "PARTNERS_WITH", "宜昌市分行", "宜昌市农业农村局")


@pytest.mark.parametrize("text, head, tail", [
    ("宜昌市分行为宜昌三峡茶业有限公司发放贷款800万元。", "宜昌市分行", "宜昌三峡茶业有限公司"),
    ("邮储银行江西省赣州市南康区支行聚焦家具产业。南康区支行为江西森达家具有限公司发放贷款2000万元。",
     "邮储银行江西省赣州市南康区支行", "江西森达家具有限公司"),
    ("宜昌市分行积极参与柑橘产业园建设项目（二期）。宜昌市分行为该项目授信1亿元。",
     "宜昌市分行", "柑橘产业园建设项目（二期）"),
])
def test_finances(text, head, tail):
    assert relations(extract(text), "FINANCES") == {("FINANCES", head, tail)}


def test_works_at_carries_the_title():
    rec = extract("邮储银行宜昌市分行党委书记、行长陈志明表示，要做好金融服务。")
    (rel,) = [r for r in rec["relations"] if r["type"] == "WORKS_AT"]
    assert (rel["head"]["name"], rel["head"]["label"]) == ("陈志明", "PERSON")
    assert (rel["tail"]["name"], rel["tail"]["label"]) == ("邮储银行宜昌市分行", "BRANCH")
    assert rel["title"] == "党委书记、行长"
    assert rel["sentence"].startswith("邮储银行宜昌市分行党委书记")


def test_works_at_a_partner():
    rec = extract("湖北楚天农业发展有限公司柑橘收购组组长刘敏说，贷款到账很快。")
    assert relations(rec, "WORKS_AT") == {("WORKS_AT", "刘敏", "湖北楚天农业发展有限公司")}
    assert rec["relations"][0]["title"] == "柑橘收购组组长"


def test_part_of_with_xiaxia_de():
    rec = extract("邮储银行湖北省分行下辖的宜昌市分行开展“金融夜校”活动。")
    assert has_relation(rec, "PART_OF", "宜昌市分行", "邮储银行湖北省分行")


def test_part_of_for_two_unit_names_back_to_back():
    rec = extract("武汉市硚口区邮政分公司汉正街邮政网点开展“反诈宣传”活动。")
    assert has_relation(rec, "PART_OF", "汉正街邮政网点", "武汉市硚口区邮政分公司")


def test_runs_after_xiaxia_de_goes_to_the_sub_unit():
    rec = extract("邮储银行湖北省分行下辖的宜昌市分行开展“金融夜校”活动。")
    assert relations(rec, "RUNS") == {("RUNS", "宜昌市分行", "金融夜校")}


def test_coordinated_subjects_both_run_the_model():
    rec = extract("夷陵区分公司和夷陵区支行共同构建“邮银协同”模式。")
    assert relations(rec, "RUNS") == {("RUNS", "夷陵区分公司", "邮银协同"), ("RUNS", "夷陵区支行", "邮银协同")}


def test_coordinated_subjects_with_yu_and_lianhe():
    rec = extract("宜昌市分公司与宜都市分公司联合开展“稻虾共作”等活动。")
    assert relations(rec, "RUNS") == {("RUNS", "宜昌市分公司", "稻虾共作"), ("RUNS", "宜都市分公司", "稻虾共作")}


def test_no_relation_without_a_unit():
    assert extract("该公司推出“邮享贷”产品。")["relations"] == []


def test_relation_provenance():
    text = "湖北省宜昌市邮政分公司加强管理。该分公司开展“金融夜校”活动。"
    rec = extract(text)
    (rel,) = rec["relations"]
    assert rel["type"] == "RUNS" and rel["article"] == 0
    assert rel["sentence"] == "该分公司开展“金融夜校”活动。"
    assert 0 <= rel["start"] < rel["end"] <= rec["chars"]
    assert rel["rule"]
