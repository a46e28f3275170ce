"""Relations as reports state them: who runs, offers and works with what.

Invented units, partners and campaigns in provinces the corpus pages do not use.
"""
from __future__ import annotations

from extract_helpers import extract, has_relation, relations


def test_a_programme_introduced_in_a_units_story_is_its_own():
    rec = extract("近年来，黔东南州邮政分公司深耕农村市场，“侗乡好物”寄递季累计寄递农产品3万件。")
    assert has_relation(rec, "RUNS", "黔东南州邮政分公司", "侗乡好物")


def test_a_regions_programme_is_not_the_units():
    rec = extract("宁夏分行围绕自治区“滩羊提质”工程，创新推出“滩羊贷”。")
    assert not has_relation(rec, "RUNS", "宁夏分行", "滩羊提质")
    assert has_relation(rec, "OFFERS", "宁夏分行", "滩羊贷")


def test_an_internal_tool_is_offered_to_nobody():
    rec = extract("邮储银行青海省分行上线“雪域风控”预警系统，推出“牦牛贷”产品。")
    assert has_relation(rec, "OFFERS", "邮储银行青海省分行", "牦牛贷")
    assert not [r for r in rec["relations"] if r["type"] == "OFFERS" and "系统" in r["tail"]["name"]]


def test_an_outside_body_running_its_own_activity():
    rec = extract("中国邮政发行《长白》特种邮票。接下来，吉林省集邮协会将联合各地集邮协会开展“长白邮票进社区”活动。")
    assert not [r for r in rec["relations"] if r["type"] == "RUNS" and r["tail"]["name"] == "长白邮票进社区"]


def test_a_clause_names_its_own_subject():
    rec = extract("邮储银行辽宁省分行人力资源部总经理赵峰表示，该行将建立新员工“导师制”，为新员工配备导师。")
    assert has_relation(rec, "RUNS", "辽宁省分行", "导师制") or \
        {r["head"]["name"] for r in rec["relations"] if r["tail"]["name"] == "导师制"} == {"邮储银行辽宁省分行"}


def test_both_networks_and_their_collective_name_run_a_joint_campaign():
    rec = extract("本报讯 9月以来，辽宁省邮政分公司和邮储银行辽宁省分行（以下简称“辽宁邮银”）联合开展"
                  "“金秋邮银行”专项服务活动。")
    for head in ("辽宁邮银", "辽宁省邮政分公司", "邮储银行辽宁省分行"):
        assert has_relation(rec, "RUNS", head, "金秋邮银行"), head


def test_a_unit_joined_to_the_subject_runs_it_too():
    rec = extract("今年以来，湖北省分公司联合邮储银行湖北省分行开展“邮银同心”营销活动。")
    assert has_relation(rec, "RUNS", "湖北省分公司", "邮银同心")
    assert has_relation(rec, "RUNS", "邮储银行湖北省分行", "邮银同心")


def test_a_ranking_unit_is_no_actor():
    rec = extract("2023年上半年，该分公司新增余额5.7亿元，列白城市邮政第1位。\n"
                  "——答好“存什么”。我们在秋收季开展“售粮存邮”专项营销。")
    assert not [r for r in rec["relations"] if r["head"]["name"].startswith("白城市邮政")]


def test_an_event_is_run_by_the_organiser_named_in_it():
    rec = extract("赛后，松原市分公司将选拔集训队，备战中国邮政集团有限公司第五届揽投技能大赛。")
    runs = {(h, t) for _, h, t in relations(rec, "RUNS")}
    assert ("中国邮政集团有限公司", "中国邮政集团有限公司第五届揽投技能大赛") in runs
    assert not any(h == "松原市分公司" for h, _ in runs)


def test_partners_in_a_list_after_lianhe():
    rec = extract("近日，漳州市邮政分公司联合漳州市农业农村局、漳州市水果协会启动“芦柑寄全国”寄递活动。")
    assert has_relation(rec, "PARTNERS_WITH", "漳州市邮政分公司", "漳州市农业农村局")
    assert has_relation(rec, "PARTNERS_WITH", "漳州市邮政分公司", "漳州市水果协会")


def test_yu_and_any_joint_action():
    rec = extract("为保障航班稳定运行，新疆邮政与乌鲁木齐空港海关建立预约通关机制。")
    assert {h for _, h, t in relations(rec, "PARTNERS_WITH") if t == "乌鲁木齐空港海关"}


def test_co_organisers():
    rec = extract("本届展览由吉林市集邮协会、吉林市邮政分公司、吉林市教育局联合主办，全市20所学校参展。")
    assert has_relation(rec, "PARTNERS_WITH", "吉林市邮政分公司", "吉林市集邮协会")
    assert has_relation(rec, "PARTNERS_WITH", "吉林市邮政分公司", "吉林市教育局")


def test_a_partner_with_its_foreign_name_in_brackets():
    rec = extract("今年，福州市邮政分公司与德国易达物流公司（Eida Logistik GmbH）合作开通欧洲专线。")
    assert has_relation(rec, "PARTNERS_WITH", "福州市邮政分公司", "德国易达物流公司")


def test_a_platform_partner_named_after_its_kind():
    rec = extract("浙江省义乌市邮政分公司与跨境电商平台ShopNova合作推出“义速达”国际小包产品。")
    assert {t for _, _, t in relations(rec, "PARTNERS_WITH")} == {"ShopNova"}
