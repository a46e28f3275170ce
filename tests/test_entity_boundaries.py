"""Where organisation names start and end, and what is counted rather than named.

Each case is a shape of newspaper prose (a verb or a person's name run into a
unit's name, another company's branch, a department, a count of units), with
invented names in provinces and businesses the corpus pages do not use.
"""
from __future__ import annotations

import pytest

from extract_helpers import entity_of, extract, has_relation, names


def found(text, label=None):
    return names(extract(text), label)


def aliases(text, label):
    return {a for e in extract(text)["entities"] if e["label"] == label for a in e["aliases"]}


# ------------------------------------------------------------ left edges

@pytest.mark.parametrize("text, name", [
    # A ranking verb before the bank's own name.
    ("今年以来，该支行新增贷款3.1亿元，增量列邮储银行绍兴市分行第2位。", "邮储银行绍兴市分行"),
    # A subject's name run into the unit after it (a signature glued to a headline).
    ("林晓雯湖州市分公司开展“邮享金秋”活动。", "湖州市分公司"),
    # A verb of motion before the unit.
    ("新员工分赴宁波市分行、温州市分行等二级分行跟岗实践。", "宁波市分行"),
    ("据介绍，来自舟山市邮政分公司的选手获得一等奖。", "舟山市邮政分公司"),
])
def test_unit_names_start_at_their_network_or_first_place(text, name):
    assert name in aliases(text, "BRANCH")


def test_a_unit_listed_under_its_parent_is_part_of_it():
    rec = extract("衢州市分公司所辖龙游县分公司、江山市分公司今年新增余额分别达3.2亿元、2.8亿元。")
    assert {"龙游县分公司", "江山市分公司"} <= names(rec, "BRANCH")
    assert not any(n.startswith("所辖") for n in names(rec))
    assert has_relation(rec, "PART_OF", "龙游县分公司", "衢州市分公司")


# ------------------------------------------------------------ counts are not names

@pytest.mark.parametrize("text", [
    "长治市分公司所辖38个网点全部完成厅堂改造。",
    "全市326个邮政网点均可办理该业务。",
    "光我们一个县分公司就有十几个网点。",
    "全省56个区县分公司参加了竞赛。",
])
def test_counted_units_are_no_names(text):
    assert not any(ch.isdigit() or ch in "个" for n in found(text) for ch in n)
    assert not {n for n in found(text, "BRANCH") if n.endswith("网点")}


def test_counted_cooperatives_are_no_names():
    text = "该分公司与15家猕猴桃种植合作社签订寄递协议，城固县一家茶叶合作社负责人说。"
    assert found(text, "PARTNER") == set()


def test_network_outlets_in_general_are_no_outlet():
    text = "发挥邮储银行网点遍布城乡的优势，汉中市分公司网点全部开通该业务。"
    assert not {n for n in found(text, "BRANCH") if n.endswith("网点")}


def test_a_named_road_outlet_is_still_one():
    assert "滨江路邮政网点" in found("滨江路邮政网点开展“反诈宣传”活动。", "BRANCH")


# ------------------------------------------------------------ departments and teams

def test_a_department_after_its_unit_holds_the_units_name_and_is_part_of_it():
    rec = extract("本次培训由邮储银行山西省分行人力资源部组织，山西省分行各部门参加。")
    assert "邮储银行山西省分行人力资源部" in names(rec, "BRANCH")
    assert has_relation(rec, "PART_OF", "邮储银行山西省分行人力资源部", "山西省分行")


def test_a_competition_team_of_a_unit():
    rec = extract("经过激烈角逐，黔西南州邮政分公司代表队获得团体第一名。")
    assert "黔西南州邮政分公司代表队" in names(rec, "BRANCH")
    assert has_relation(rec, "PART_OF", "黔西南州邮政分公司代表队", "黔西南州邮政分公司")


def test_a_party_branch_is_no_unit():
    units = found("“我们把支部建在线上。”安宁区分公司东岗投递部党支部书记马兰说。", "BRANCH")
    assert units and not any("党支部" in n for n in units)


@pytest.mark.parametrize("text, name", [
    ("阿拉山口国际邮件互换局今年处理进出口邮件120万件。", "阿拉山口国际邮件互换局"),
    ("柳州邮件处理中心新上线一套分拣设备。", "柳州邮件处理中心"),
    ("玉溪市邮政寄递物流共配中心投入运营。", "玉溪市邮政寄递物流共配中心"),
])
def test_postal_facilities_are_units(text, name):
    assert name in found(text, "BRANCH")


def test_the_networks_named_on_their_own_are_one_unit():
    rec = extract("中国邮政集团有限公司发行《山水》特种邮票。中国邮政同时推出纪念封。")
    e = entity_of(rec, "中国邮政")
    assert e is not None and e["label"] == "BRANCH"
    assert "中国邮政集团有限公司" in e["aliases"]


def test_a_name_for_both_networks_is_an_entity_of_its_own():
    rec = extract("甘肃省邮政分公司和邮储银行甘肃省分行（以下简称“甘肃邮银”）联合开展“邮银同行”活动。"
                  "甘肃邮银累计代发工资12亿元。")
    e = entity_of(rec, "甘肃邮银")
    assert e is not None and e["label"] == "BRANCH"
    assert e["aliases"] == ["甘肃邮银"]


def test_china_post_is_not_a_foreign_post():
    assert "中国邮政" not in found("中国邮政与泰国邮政签署合作备忘录。", "PARTNER")
    assert "泰国邮政" in found("中国邮政与泰国邮政签署合作备忘录。", "PARTNER")


# ------------------------------------------------------------ outside organisations

def test_another_companys_branch_is_a_partner():
    text = ("2023年5月，该支行与陕西省农业信贷担保有限责任公司汉中分公司（以下简称“陕西农担汉中分公司”）"
            "签订合作协议。")
    rec = extract(text)
    assert "陕西省农业信贷担保有限责任公司汉中分公司" in names(rec, "PARTNER")
    assert not {n for n in names(rec, "BRANCH") if "汉中分公司" in n}


@pytest.mark.parametrize("text, name", [
    ("长治市分公司联合长治市供销合作社联合社开展助农活动。", "长治市供销合作社联合社"),
    ("邮储银行承德市分行与承德市公安局双桥派出所共建警银亭。", "承德市公安局双桥派出所"),
])
def test_a_body_inside_another_keeps_its_parents_name(text, name):
    assert name in found(text, "PARTNER")


@pytest.mark.parametrize("text, name", [
    ("丽江邮政与丽江海关建立快速通关机制。", "丽江海关"),
    ("滁州市分公司联合滁州市博物馆推出文创邮品。", "滁州市博物馆"),
    ("该分行为安宁县农村产权交易所提供结算服务。", "安宁县农村产权交易所"),
    ("该支行向吉祥家庭农场发放贷款50万元。", "吉祥家庭农场"),
    ("该分公司委托长风捷达航空货运公司承运国际邮件。", "长风捷达航空货运公司"),
    ("新疆邮政与德国北海物流公司签订合作协议。", "德国北海物流公司"),
    ("义乌市分公司与跨境电商平台ShopNova合作推出专线产品。", "ShopNova"),
    ("贵阳市分公司与西南交通大学物流学院共建实训基地。", "西南交通大学物流学院"),
])
def test_outside_bodies_by_their_suffix(text, name):
    assert name in found(text, "PARTNER")


def test_a_title_after_a_bureau_is_no_part_of_its_name():
    rec = extract("“我们推送的名单很管用。”泾阳县农业农村局副局长韩立新说。")
    assert "泾阳县农业农村局" in names(rec, "PARTNER")
    assert not {n for n in names(rec) if n.endswith("副局")}


def test_a_provinces_body_named_by_its_level_joins_the_full_name():
    rec = extract("青海省集邮协会主办首发式。接下来，省集邮协会将在各地举办巡展。")
    e = entity_of(rec, "省集邮协会")
    assert e is not None and e["name"] == "青海省集邮协会"


def test_each_districts_centre_is_no_partner():
    assert found("该分公司在各区退役军人服务中心设立邮政服务点。", "PARTNER") == set()


def test_a_short_form_of_a_known_company_merges_with_its_full_name():
    rec = extract("该中心联合申通、德邦等快递企业开展共配。“共配以后成本降了。”申通快递在当地的负责人说。")
    e = entity_of(rec, "申通")
    assert e is not None and "申通快递" in e["aliases"]


def test_a_known_short_name_inside_a_word_is_not_that_company():
    assert "中通" not in found("两条国际航空邮路开通后，空中通道更加畅通。")


def test_a_cooperatives_later_short_name_is_the_same_body():
    rec = extract("其中，宁陵县金穗果业专业合作社一次性发出3万箱酥梨。金穗果业专业合作社理事长说。")
    e = entity_of(rec, "金穗果业专业合作社")
    assert e is not None and e["name"] == "宁陵县金穗果业专业合作社"


def test_a_place_short_form_does_not_eat_the_next_places_name():
    # 定南 is a county's short form; here 定 ends a verb and 南宁市 opens the school's name.
    assert "南宁市民族路小学" in found("首批确定南宁市民族路小学等5所学校为试点。", "PARTNER")


# ------------------------------------------------------------ PART_OF as the text marks it

def test_every_unit_of_a_list_under_its_parent():
    rec = extract("衢州市分公司所辖龙游县分公司、江山市分公司、常山县分公司今年新增余额均超2亿元。")
    for child in ("龙游县分公司", "江山市分公司", "常山县分公司"):
        assert has_relation(rec, "PART_OF", child, "衢州市分公司"), child


def test_the_anaphors_unit_and_its_sub_branch():
    rec = extract("邮储银行南阳市分行与某县政府签约。该分行所辖西峡县支行行长王立说，将加大支持力度。")
    assert has_relation(rec, "PART_OF", "西峡县支行", "邮储银行南阳市分行")


def test_second_tier_branches_of_the_provinces_branch():
    rec = extract("邮储银行浙江省分行举办新员工培训。学员分赴宁波市分行、温州市分行等二级分行跟岗实践。")
    assert has_relation(rec, "PART_OF", "宁波市分行", "邮储银行浙江省分行")
    assert has_relation(rec, "PART_OF", "温州市分行", "邮储银行浙江省分行")


def test_a_team_a_unit_sets_up_is_part_of_it():
    rec = extract("为此，上饶市分公司组建了由青年员工组成的“红马甲”志愿服务小组，为老年客户提供上门服务。")
    team = next((n for n in names(rec, "BRANCH") if n.endswith("服务小组")), None)
    assert team is not None
    assert has_relation(rec, "PART_OF", team, "上饶市分公司")


def test_a_ranking_is_no_hierarchy():
    rec = extract("今年以来，该所新增余额1.2亿元，余额规模列弋阳县分公司第1位。")
    assert not [r for r in rec["relations"] if r["type"] == "PART_OF"]


@pytest.mark.parametrize("text, name, other", [
    ("2022年，新疆邮政与哈萨克斯坦邮政股份公司（Kazpost，以下简称“哈国邮政”）签署双边邮件交换协议。",
     "哈萨克斯坦邮政股份公司", "Kazpost"),
    ("该分公司委托长风捷达航空货运公司（Changfeng Air Cargo）承运国际邮件。", "长风捷达航空货运公司", "Changfeng Air Cargo"),
])
def test_a_bracketed_latin_name_is_another_name_of_the_body(text, name, other):
    e = entity_of(extract(text), other)
    assert e is not None and e["name"] == name and e["label"] == "PARTNER"


@pytest.mark.parametrize("body", ["贵港市政务服务和大数据管理局", "贵港市住房和城乡建设局", "贵港市文化和旅游局"])
def test_an_official_name_joined_by_he_is_one_body(body):
    rec = extract(f"贵港市邮政分公司与{body}签订合作协议，共建便民服务站。")
    assert body in names(rec, "PARTNER")
    assert has_relation(rec, "PARTNERS_WITH", "贵港市邮政分公司", body)


def test_a_team_named_whole_in_quotes_is_the_units():
    rec = extract("邮储银行海南省五指山市支行积极服务槟榔产业。五指山市支行组建“椰林金融服务队”，深入村寨上门服务。")
    assert "椰林金融服务队" in names(rec, "BRANCH")
    assert has_relation(rec, "PART_OF", "椰林金融服务队", "五指山市支行")


@pytest.mark.parametrize("text", ["通化市邮政分公司要求各县分公司加强网点建设。", "通化市邮政分公司要求加强网点建设。"])
def test_what_a_head_office_asks_of_every_unit_names_none(text):
    assert names(extract(text), "BRANCH") == {"通化市邮政分公司"}


def test_a_verb_of_sending_staff_ends_a_units_name():
    rec = extract("四平市邮政分公司对帮扶型网点派驻市分公司业务骨干驻点辅导。")
    assert names(rec, "BRANCH") == {"四平市邮政分公司"}


@pytest.mark.parametrize("text, partners", [
    ("襄阳市邮政分公司与襄阳市公安局交通警察支队、襄阳市公安局出入境管理支队签订合作协议。",
     {"襄阳市公安局交通警察支队", "襄阳市公安局出入境管理支队"}),
    ("东兴市邮政分公司与越南邮政芒街省分公司签订合作协议。", {"越南邮政芒街省分公司"}),
    ("该专线与韩国邮政和中国东方航空股份有限公司合作运营。", {"韩国邮政", "中国东方航空股份有限公司"}),
])
def test_outside_bodies_written_inside_or_beside_others(text, partners):
    rec = extract(text)
    assert names(rec, "PARTNER") == partners
    assert not {n for n in names(rec, "BRANCH") if n.startswith("邮政")}


@pytest.mark.parametrize("body", ["崇义县竹都林业专业合作社", "山东菏都牡丹科技有限公司"])
def test_du_inside_a_word_of_a_name_does_not_cut_it(body):
    rec = extract(f"赣州市邮政分公司与{body}签订合作协议。")
    assert body in names(rec, "PARTNER")


def test_du_before_a_verb_still_ends_a_name():
    rec = extract("崇义县都成立了林业专业合作社。")
    assert not [n for n in names(rec, "PARTNER") if "都" in n]


@pytest.mark.parametrize("body", ["晋城市不动产登记中心", "晋城市住房公积金管理中心"])
def test_public_registries_and_funds_are_bodies(body):
    rec = extract(f"晋城市邮政分公司与{body}签订合作协议。")
    assert has_relation(rec, "PARTNERS_WITH", "晋城市邮政分公司", body)


def test_an_outside_bodys_team_is_no_unit_of_the_network():
    rec = extract("集邮知识竞赛中，十堰市第三中学代表队获得一等奖，十堰市分公司代表队获得二等奖。")
    assert "十堰市第三中学代表队" not in names(rec, "BRANCH")
    assert "十堰市分公司代表队" in names(rec, "BRANCH")
