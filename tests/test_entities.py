"""Entities, one shape per short text.

Most names here are invented, about other provinces and businesses. Not all:
罗启铃 and 省医保局 also stand on the dev page, and a few others (江西省赣州市邮政分公司,
赣州邮政, 邮乐购, 医保智能POS, 邮储银行浙江省分行) are in the corpus's gold files.
"""
from __future__ import annotations

import pytest

from extract_helpers import all_aliases, assert_listed_once, entity_of, extract, has_relation, names


def ents(text, label=None):
    rec = extract(text)
    assert_listed_once(rec)
    return rec, names(rec, label)


# ------------------------------------------------------------ BRANCH

def test_full_and_short_post_branch_names_merge_longest_first():
    rec, _ = ents("湖南省株洲市邮政分公司持续深化转型。2022年，株洲市分公司新增余额12.5亿元。")
    e = entity_of(rec, "株洲市分公司")
    assert e is not None and e["label"] == "BRANCH"
    assert e["name"] == "湖南省株洲市邮政分公司"
    assert e["aliases"] == ["湖南省株洲市邮政分公司", "株洲市分公司"]
    assert e["region"] == ["湖南省", "株洲市"]
    assert len(rec["entities"]) == 1


def test_bank_sub_branch_full_and_short_names_merge():
    rec, _ = ents("邮储银行江西省赣州市南康区支行聚焦家具产业。南康区支行深入走访企业。")
    e = entity_of(rec, "南康区支行")
    assert e["name"] == "邮储银行江西省赣州市南康区支行"
    assert set(e["aliases"]) == {"邮储银行江西省赣州市南康区支行", "南康区支行"}
    assert e["region"] == ["江西省", "赣州市", "南康区"]


def test_sibling_county_branches_stay_apart():
    rec, found = ents("宜昌市分公司开展工作。宜都市分公司也开展工作。")
    assert found == {"宜昌市分公司", "宜都市分公司"}
    assert entity_of(rec, "宜都市分公司")["qualified"] == "湖北省宜昌市宜都市邮政分公司"


@pytest.mark.parametrize("text, name", [
    ("客户在枝江市马家店镇营业所办理业务。", "枝江市马家店镇营业所"),
    ("东山路邮政网点开展“反诈宣传”活动。", "东山路邮政网点"),
    ("望江镇营业所开展“金融夜校”活动。", "望江镇营业所"),
])
def test_road_and_town_outlets(text, name):
    _, found = ents(text, "BRANCH")
    assert found == {name}


def test_outlet_name_does_not_swallow_the_preposition_before_it():
    _, found = ents("近日，在芦淞区建设路邮政营业所，客户排起长队。")
    assert found == {"芦淞区建设路邮政营业所"}


@pytest.mark.parametrize("text, level_name, unit", [
    ("邮储银行湖北省宜昌市分行加强管理。市分行开展“金融夜校”活动。", "市分行", "邮储银行湖北省宜昌市分行"),
    ("湖北省宜昌市邮政分公司加强管理。市分公司开展“金融夜校”活动。", "市分公司", "湖北省宜昌市邮政分公司"),
    ("邮储银行广西壮族自治区分行加强管理。省分行开展“金融夜校”活动。", None, None),
])
def test_level_names_resolve_to_the_articles_unit(text, level_name, unit):
    rec, found = ents(text, "BRANCH")
    assert len(found) == 1
    if unit:
        assert found == {unit}
    assert "金融夜校" in names(rec, "PROGRAM")


def test_provincial_level_name_resolves_to_the_provincial_bank_branch():
    rec, found = ents("邮储银行浙江省分行加大投入。省分行推出“浙农贷”产品。", "BRANCH")
    assert found == {"邮储银行浙江省分行"}
    assert has_relation(rec, "OFFERS", "邮储银行浙江省分行", "浙农贷")


def test_provincial_level_name_in_a_city_article_is_not_the_city_branch():
    rec, found = ents("湖北省宜昌市邮政分公司加强管理。省分公司开展“金融夜校”活动。", "BRANCH")
    assert not has_relation(rec, "RUNS", "湖北省宜昌市邮政分公司", "金融夜校")


def test_collective_post_name_merges_with_the_citys_branch():
    rec, found = ents("江西省赣州市邮政分公司加快转型。赣州邮政各网点开展“周五惠民日”活动。", "BRANCH")
    assert found == {"江西省赣州市邮政分公司"}
    assert "赣州邮政" in entity_of(rec, "江西省赣州市邮政分公司")["aliases"]


def test_collective_post_name_merges_when_the_city_name_is_ambiguous():
    rec, found = ents("湖南省株洲市邮政分公司加快转型。株洲邮政各网点开展“周五惠民日”活动。", "BRANCH")
    assert found == {"湖南省株洲市邮政分公司"}


def test_collective_post_and_bank_alias_is_its_own_entity():
    rec, found = ents("湖北省邮政分公司和邮储银行湖北省分行协同发力。湖北邮银联合开展“三湘惠农”活动。", "BRANCH")
    assert found == {"湖北省邮政分公司", "邮储银行湖北省分行", "湖北邮银"}
    assert entity_of(rec, "湖北邮银")["aliases"] == ["湖北邮银"]


def test_bank_department():
    _, found = ents("邮储银行三农金融事业部指导各分行开展工作。", "BRANCH")
    assert found == {"邮储银行三农金融事业部"}


def test_bank_department_ending_in_bu():
    _, found = ents("邮储银行个人金融部指导各分行开展工作。", "BRANCH")
    assert found == {"邮储银行个人金融部"}


def test_group_prefixed_provincial_branch_is_one_branch():
    rec, _ = ents("中国邮政集团有限公司湖北省分公司召开会议。")
    assert names(rec) == {"中国邮政集团有限公司湖北省分公司"}
    assert names(rec, "PARTNER") == set()


def test_business_department_of_a_provincial_branch():
    _, found = ents("湖北省分公司营业部开展“稻虾共作”等活动。", "BRANCH")
    assert found == {"湖北省分公司营业部"}


# ------------------------------------------------------------ PARTNER

def test_company_partner_without_the_preposition():
    _, found = ents("宜昌市分行与湖北楚天农业发展有限公司合作。", "PARTNER")
    assert found == {"湖北楚天农业发展有限公司"}


def test_government_body_after_a_verb():
    rec, found = ents("宜昌市分行配合宜昌市医疗保障局推广医保电子凭证。")
    assert names(rec, "PARTNER") == {"宜昌市医疗保障局"}
    assert names(rec, "BRANCH") == {"宜昌市分行"}


def test_short_provincial_body_merges_with_its_full_name():
    rec, _ = ents("浙江邮银积极与浙江省医保局合作。浙江邮银配合省医保局开发了物流监管平台。")
    assert names(rec, "PARTNER") == {"浙江省医保局"}
    e = entity_of(rec, "浙江省医保局")
    assert [m["text"] for m in e["mentions"]] == ["浙江省医保局", "省医保局"]


@pytest.mark.parametrize("text, short", [
    ("浙江邮银积极与浙江省医保局合作。浙江邮银配合省医保局开发了物流监管平台。", "省医保局"),
    ("邮储银行湖北省宜昌市分行加强管理。市分行开展“金融夜校”活动。", "市分行"),
])
def test_level_names_are_aliases(text, short):
    rec, _ = ents(text)
    assert entity_of(rec, short) is not None


def test_short_provincial_body_opening_a_sentence():
    rec, _ = ents("浙江省医保局大力推进医保电子凭证应用。省医保局与浙江省分行合作开展“医保进万家”活动。")
    e = entity_of(rec, "省医保局")
    assert e is not None and e["label"] == "PARTNER"
    assert e["name"] == "浙江省医保局"
    assert len(names(rec, "PARTNER")) == 1


def test_short_body_merges_with_its_spelled_out_name():
    rec, _ = ents("湖北省医疗保障局大力推进。省医保局与宜昌市分行合作开展“医保进万家”活动。")
    assert names(rec, "PARTNER") == {"湖北省医疗保障局"}


def test_declared_short_name_is_an_alias():
    rec, _ = ents("湖北省医疗保障局（以下简称“湖北医保局”）与湖北省分行签订战略合作协议。湖北医保局高度评价。")
    e = entity_of(rec, "湖北医保局")
    assert e["name"] == "湖北省医疗保障局"
    assert e["aliases"] == ["湖北省医疗保障局", "湖北医保局"]
    assert_listed_once(rec)


def test_declared_short_name_of_a_company():
    rec, _ = ents("宜昌市分行与湖北省农业信贷融资担保有限公司（以下简称“湖北农担”）签约。湖北农担提供担保。")
    e = entity_of(rec, "湖北农担")
    assert e is not None and e["label"] == "PARTNER"
    assert e["name"] == "湖北省农业信贷融资担保有限公司"


def test_government_department_with_a_conjunction_inside():
    _, found = ents("宜昌市分行与湖北省人力资源和社会保障厅合作。", "PARTNER")
    assert found == {"湖北省人力资源和社会保障厅"}


# ------------------------------------------------------------ PRODUCT

@pytest.mark.parametrize("text, product", [
    ("宜昌市分公司上线“邮乐购”平台。", "邮乐购"),
    ("宜昌市分公司上线邮惠通平台。", "邮惠通平台"),
    ("宜昌市分行推出了茶叶种植贷产品。", "茶叶种植贷"),
    ("邮储银行广东省分行推出“邮e贷”产品。", "邮e贷"),
    ("宜昌市分行配合宜昌市医疗保障局推广医保电子凭证。", "医保电子凭证"),
])
def test_products(text, product):
    _, found = ents(text, "PRODUCT")
    assert found == {product}


def test_list_of_systems():
    _, found = ents("宜昌市分行运用天眼系统、鹰眼系统等智能风控工具。", "PRODUCT")
    assert found == {"天眼系统", "鹰眼系统"}


def test_list_of_systems_after_a_launch_verb():
    _, found = ents("宜昌市分公司推出智慧邮局系统、云柜管理系统等，服务客户5000余户。", "PRODUCT")
    assert found == {"智慧邮局系统", "云柜管理系统"}


def test_two_quoted_products_before_deng_chanpin():
    _, found = ents("宜昌市分行研发“柑橘贷”“茶农贷”等产品。", "PRODUCT")
    assert found == {"柑橘贷", "茶农贷"}


@pytest.mark.parametrize("text", ["宜昌市分公司推广医保智能POS，累计布放300多台。",
                                  "宜昌市分公司在各网点布放医保智能POS。"])
def test_pos_terminal_name_stops_at_the_verb(text):
    rec, found = ents(text)
    assert names(rec, "PRODUCT") == {"医保智能POS"}
    assert "宜昌市分公司" in names(rec, "BRANCH")


def test_platform_after_tuiguang():
    _, found = ents("宜昌市分公司积极推广邮惠通平台。", "PRODUCT")
    assert found == {"邮惠通平台"}


# ------------------------------------------------------------ PROGRAM

@pytest.mark.parametrize("text, programs", [
    ("株洲邮政各网点积极开展“春风行动”“金秋惠民”等活动。", {"春风行动", "金秋惠民"}),
    ("宜昌市分公司建立“网格化营销”机制。", {"网格化营销"}),
    ("宜昌市分行构建“银担互通”模式。", {"银担互通"}),
    ("宜昌市分行制定“一户一策”方案。", {"一户一策"}),
    ("宜昌市分公司推出“暖心驿站服务”。", {"暖心驿站服务"}),
    ("宜昌市分行实施行长负责制。", {"行长负责制"}),
    ("宜昌市分行实施网格员包片负责制。", {"网格员包片负责制"}),
    ("宜昌市分行积极参与柑橘产业园建设项目（二期）。", {"柑橘产业园建设项目（二期）"}),
])
def test_programs(text, programs):
    _, found = ents(text, "PROGRAM")
    assert found == programs


@pytest.mark.parametrize("text", [
    "宜昌市分公司将客户服务纳入“十四五”规划。",
    "宜昌市分行为企业开通“绿色通道”。",
    "宜昌市分行深耕“三医”领域。",
    "“今年的收成不错！”宜昌市分公司客户说。",
    "“王阿姨，周五记得来网点哟！”",
])
def test_quotes_that_are_not_names(text):
    rec, _ = ents(text)
    assert names(rec, "PROGRAM") == set() and names(rec, "PRODUCT") == set()


# ------------------------------------------------------------ PERSON

@pytest.mark.parametrize("text, person, unit, title", [
    ("马家店镇营业所负责人王晶说，客户越来越多。", "王晶", "马家店镇营业所", "负责人"),
    ("天元区营业部理财经理罗启铃常到村里走访。", "罗启铃", "天元区营业部", "理财经理"),
    ("宜昌市分公司转型督导张丽华对网点逐一检查。", "张丽华", "宜昌市分公司", "转型督导"),
    ("邮储银行宜昌市分行党委书记、行长陈志明表示，要做好金融服务。", "陈志明", "邮储银行宜昌市分行", "党委书记、行长"),
    ("满洲里海关副关长包永刚表示，将持续优化通关服务。", "包永刚", "满洲里海关", "副关长"),
    ("徒弟韦志强是大化镇邮政支局的年轻投递员。", "韦志强", "大化镇邮政支局", "投递员"),
    ("蒙秀英是板升乡邮政支局的一名营业员。", "蒙秀英", "板升乡邮政支局", "营业员"),
    ("南宁市邮政分公司客户服务部经理黎文昌介绍，该部今年受理咨询3万次。", "黎文昌", "南宁市邮政分公司客户服务部", "经理"),
])
def test_person_after_unit_and_title(text, person, unit, title):
    rec, found = ents(text, "PERSON")
    assert found == {person}
    rel = [r for r in rec["relations"] if r["type"] == "WORKS_AT"]
    assert [(r["head"]["name"], r["tail"]["name"], r["title"]) for r in rel] == [(person, unit, title)]


def test_three_character_name_ending_in_a_follower_character():
    _, found = ents("邮储银行宜昌市分行党委书记、行长陈志刚表示，要做好金融服务。", "PERSON")
    assert found == {"陈志刚"}


def test_two_character_name_before_jieshao():
    _, found = ents("宜昌市分公司转型督导张敏介绍，今年效果明显。", "PERSON")
    assert found == {"张敏"}


def test_compound_surname():
    _, found = ents("马家店镇营业所理财经理欧阳明华正在为客户办理业务。", "PERSON")
    assert found == {"欧阳明华"}


def test_byline_names_are_people():
    rec, found = ents("□刘洋 陈晓\n宜昌市分公司开展“邮政进村”活动。", "PERSON")
    assert found == {"刘洋", "陈晓"}


@pytest.mark.parametrize("text", [
    "“张女士，您的业务办好了。”马家店镇营业所柜员说。",
    "李大姐常来网点参加活动，王大爷也来了。",
    "宜昌市分公司客户赵先生说，服务很好。",
])
def test_honorifics_are_not_people(text):
    _, found = ents(text, "PERSON")
    assert found == set()


def test_each_entity_listed_once_across_a_longer_text():
    text = ("湖南省株洲市邮政分公司持续深化转型。株洲市分公司开展“春风行动”等活动。"
            "株洲市分公司还开展“春风行动”。该分公司与湖南红星农产品有限公司合作，湖南红星农产品有限公司供货。")
    rec, _ = ents(text)
    assert names(rec) == {"湖南省株洲市邮政分公司", "春风行动", "湖南红星农产品有限公司"}
    assert all_aliases(rec, "BRANCH") == {"湖南省株洲市邮政分公司", "株洲市分公司"}


def test_a_group_named_with_its_place_is_a_partner_and_its_short_form_is_the_same():
    got = extract("延边州邮政分公司与延边林业集团有限公司签订合作协议。根据协议，林业集团旗下8个林场的山货将通过邮政渠道销往全国。")
    assert names(got, "PARTNER") == {"延边林业集团有限公司"}
    assert {(m["subject"]["name"], m["value"]) for m in got["metrics"]} == {("延边林业集团有限公司", 8)}


def test_a_group_with_its_place_but_no_legal_form_is_a_partner():
    assert "黔南州茶业集团" in names(extract("都匀市邮政分公司与黔南州茶业集团开展寄递合作。"), "PARTNER")


def test_a_bureau_inside_a_department_keeps_the_departments_name():
    assert "河北省公安厅交通管理局" in names(extract("河北省邮政分公司与河北省公安厅交通管理局签署合作协议。"), "PARTNER")


@pytest.mark.parametrize("province", ["河北省", "海南省", "吉林省"])
def test_a_province_is_never_a_district_of_the_same_stem(province):
    from kg.nlp.gazetteer import default_gazetteer

    assert [d.level for d in default_gazetteer().lookup(province)] == [1]


@pytest.mark.parametrize("official, short", [
    ("西双版纳傣族自治州", "西双版纳"), ("黔东南苗族侗族自治州", "黔东南"), ("博尔塔拉蒙古自治州", "博尔塔拉"),
    ("内蒙古自治区", "内蒙古"), ("互助土族自治县", "互助"),
])
def test_an_autonomous_divisions_name_without_its_peoples(official, short):
    from kg.nlp.gazetteer import short_form

    assert short_form(official) == short


def test_a_unit_of_a_prefecture_named_by_its_short_form():
    assert "西双版纳州分公司" in names(extract("西双版纳州分公司开展寄递进村活动。"), "BRANCH")


def test_the_papers_masthead_names_no_organisation():
    rec = extract("中国邮政报    2024年6月18日 星期二    第3版\n金融服务\n"
                  "青海海西：“枸杞贷”助力柴达木种植户\n"
                  "本报讯今年以来，邮储银行海西州分行推出“枸杞贷”，累计发放贷款2.1亿元。")
    assert "中国邮政" not in names(rec, "BRANCH")
    assert not [r for r in rec["relations"] if r["head"]["name"] == "中国邮政"]
    # the organisation itself, acting, still is one
    assert "中国邮政" in names(extract("中国邮政报送了年度报告。中国邮政发行《柴达木》特种邮票。"), "BRANCH")


def test_a_company_left_unnamed_is_no_partner():
    rec = extract("“从申请到放款只用了3天。”松原市某新材料科技有限公司财务总监刘佳说。")
    assert names(rec, "PARTNER") == set()
    assert not [r for r in rec["relations"] if r["type"] == "WORKS_AT"]


def test_a_quoted_honour_names_no_unit():
    rec = extract("近年来，她先后获得“全国金融五一劳动奖章”“邮储银行优秀客户经理”等荣誉称号。兴义市支行今年新增贷款2亿元。")
    assert names(rec, "BRANCH") == {"兴义市支行"}


def test_a_municipalitys_district_is_qualified_without_the_code_lists_grouping():
    rec = extract("北京市海淀区邮政分公司开展“邮政惠民”活动。")
    (b,) = [e for e in rec["entities"] if e["label"] == "BRANCH"]
    assert b["qualified"] == "北京市海淀区邮政分公司" and b["region"] == ["北京市", "海淀区"]


def test_the_state_post_bureau_is_an_outside_body_and_the_group_company_is_china_post():
    rec = extract("本报讯 11月15日，国家邮政局召开新闻发布会。会上获悉，中国邮政集团有限公司在全国建成县级寄递公共配送中心1200余个。"
                  "中国邮政集团有限公司副总经理王立民介绍，集团公司将持续推进“快递进村”工程。")
    assert ("PARTNER", "国家邮政局") in {(e["label"], e["name"]) for e in rec["entities"]}
    (group,) = [e for e in rec["entities"] if e["label"] == "BRANCH"]
    assert group["name"] == "中国邮政集团有限公司" and "集团公司" in group["aliases"]


def test_a_province_and_its_city_of_the_same_name_are_two_units():
    rec = extract("海南省邮政分公司召开年度工作会议。海口市邮政分公司开展“椰风邮礼”活动。"
                  "吉林省邮政分公司召开工作会议。吉林市邮政分公司开展“冰雪邮礼”活动，寄递量同比增长17.2%。")
    assert {"吉林省邮政分公司", "吉林市邮政分公司"} <= names(rec, "BRANCH")
    assert has_relation(rec, "RUNS", "吉林市邮政分公司", "冰雪邮礼")


def test_a_provinces_network_word_before_its_citys_centre_is_one_name_with_the_short_one():
    rec = extract("贵州邮政遵义邮件处理中心日均处理邮件80万件。遵义邮件处理中心还开通了夜间分拣线。")
    assert len([e for e in rec["entities"] if e["label"] == "BRANCH"]) == 1
    assert "遵义邮件处理中心" in all_aliases(rec, "BRANCH")


def test_a_postal_centre_a_unit_set_up_is_its_own_and_owns_the_figures_after_it():
    rec = extract("浙江省台州市邮政分公司已在温岭市物流园设立跨境电商寄递服务中心。今年1月至10月，"
                  "该中心累计处理跨境包裹126万件，业务收入3100万元。")
    assert "跨境电商寄递服务中心" in names(rec, "BRANCH")
    assert has_relation(rec, "PART_OF", "跨境电商寄递服务中心", "浙江省台州市邮政分公司")
    assert {m["subject"]["name"] for m in rec["metrics"]} == {"跨境电商寄递服务中心"}


def test_a_post_office_named_whole_in_quotes_is_a_unit_of_the_unit_that_opened_it():
    rec = extract("肇庆市邮政分公司在七星岩景区开设“七星岩邮局”，游客可在此寄出明信片。")
    assert "七星岩邮局" in names(rec, "BRANCH") and not names(rec, "PROGRAM")
    assert has_relation(rec, "PART_OF", "七星岩邮局", "肇庆市邮政分公司")
