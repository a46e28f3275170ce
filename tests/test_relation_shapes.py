"""Relations as reports state them: who runs, offers and works with what.

Invented units, partners and campaigns in provinces the corpus pages do not use.
"""
from __future__ import annotations

import pytest

from extract_helpers import extract, has_relation, names, relations


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


# WORKS_AT: how a report ties a person to a unit ---------------------------------------------

def test_a_bare_title_goes_to_the_unit_of_that_kind_the_article_named():
    rec = extract("贵阳市南明区花果园邮政支局推行“一人一岗”服务。“现在客户都愿意来网点坐坐。”支局长蒋德明说。")
    assert has_relation(rec, "WORKS_AT", "蒋德明", "贵阳市南明区花果园邮政支局")


def test_a_bare_noun_before_a_title_finds_the_named_cooperative():
    rec = extract("兴义市支行为兴义市黔丰茶叶专业合作社发放贷款50万元。“有了贷款，我们建了新厂房。”合作社负责人杨光荣说。")
    assert has_relation(rec, "WORKS_AT", "杨光荣", "兴义市黔丰茶叶专业合作社")


def test_a_bare_title_with_no_unit_of_its_kind_names_no_unit():
    rec = extract("安顺市分行推出“茶园贷”。“贷款到得很快。”合作社负责人吴光亮说。")
    assert not [r for r in rec["relations"] if r["type"] == "WORKS_AT"]


def test_coming_from_a_unit_is_working_there():
    rec = extract("结业考核中，来自遵义市分行的周思琪以总分97分位列第一，来自六盘水市邮政分公司的学员龙海涛位列第二。")
    assert has_relation(rec, "WORKS_AT", "周思琪", "遵义市分行")
    assert has_relation(rec, "WORKS_AT", "龙海涛", "六盘水市邮政分公司")


def test_a_title_after_a_declared_short_name():
    rec = extract("“包裹进村了。”贵州省铜仁市江口县邮政分公司（以下简称“江口县分公司”）总经理田志强说。")
    assert has_relation(rec, "WORKS_AT", "田志强", "江口县分公司")


def test_a_title_after_a_place_clause():
    rec = extract("在凯里市邮政分公司，理财经理潘丽娟已从业10年，维护着800多户客户。")
    assert has_relation(rec, "WORKS_AT", "潘丽娟", "凯里市邮政分公司")


def test_a_post_said_after_the_name():
    rec = extract("扎西多吉是玉树州邮政分公司曲麻莱县支局的乡邮员，从事这项工作已经十二年。"
                  "卓玛现任邮储银行西宁市分行的客户经理。")
    assert has_relation(rec, "WORKS_AT", "扎西多吉", "曲麻莱县支局")
    assert has_relation(rec, "WORKS_AT", "卓玛", "邮储银行西宁市分行")
    works = {r["head"]["name"]: r["title"] for r in rec["relations"] if r["type"] == "WORKS_AT"}
    assert works == {"扎西多吉": "乡邮员", "卓玛": "客户经理"}


def test_a_unit_said_after_the_name_without_a_post_is_no_job():
    rec = extract("仁青是果洛州邮政分公司的老客户，每月都来寄包裹。")
    assert not [r for r in rec["relations"] if r["type"] == "WORKS_AT"]


def test_an_association_post_and_a_contestant():
    rec = extract("贵州省集邮协会副会长、国家级邮展评审员梁正华在点评时说，选题更贴近生活。"
                  "“回去要把练兵融入每天的工作。”首次参赛的都匀市分公司选手韦小雨说。")
    assert has_relation(rec, "WORKS_AT", "梁正华", "贵州省集邮协会")
    assert has_relation(rec, "WORKS_AT", "韦小雨", "都匀市分公司")


def test_a_foreign_company_glossed_in_latin_is_a_partner_and_no_figures_subject():
    rec = extract("据了解，该专线由云南省邮政分公司与湄江航空货运公司（Mekong Air Cargo）合作运营，初期每周执飞3班。")
    assert has_relation(rec, "PARTNERS_WITH", "云南省邮政分公司", "湄江航空货运公司")
    assert not [m for m in rec["metrics"] if m["subject"]["name"] == "湄江航空货运公司"]


def test_a_client_of_a_unit_works_with_it():
    rec = extract("大理州洱源县乳业科技有限公司是洱源县邮政分公司的仓配合作客户，每月寄递乳制品2万件。")
    assert has_relation(rec, "PARTNERS_WITH", "洱源县邮政分公司", "大理州洱源县乳业科技有限公司")


def test_a_department_listed_after_another_is_the_same_units():
    rec = extract("昆明市邮政分公司举办2024年寄递技能竞赛。本次竞赛由昆明市分公司人力资源部、寄递事业部具体承办，"
                  "赛题来源于一线。")
    assert has_relation(rec, "PART_OF", "寄递事业部", "昆明市分公司")
    assert has_relation(rec, "RUNS", "寄递事业部", "2024年寄递技能竞赛")
    assert has_relation(rec, "RUNS", "昆明市分公司人力资源部", "2024年寄递技能竞赛")


def test_a_name_listed_after_a_titled_one_shares_the_post():
    got = extract("——记山西省晋城市阳城县邮政分公司润城支局投递员韩建军、苗秀芬\n韩建军和妻子在润城支局工作了十年。")
    assert has_relation(got, "WORKS_AT", "韩建军", "润城支局")
    assert has_relation(got, "WORKS_AT", "苗秀芬", "润城支局")


def test_a_facility_and_the_unit_that_runs_it():
    got = extract("瑞丽口岸邮件处理中心同步投入使用，设计日处理能力8万件。德宏州邮政分公司负责该中心的日常运营。")
    assert has_relation(got, "PART_OF", "瑞丽口岸邮件处理中心", "德宏州邮政分公司")
    got = extract("勐腊县城乡寄递物流共配中心近日投运。该中心由西双版纳州分公司牵头，联合多家快递企业共同建设。")
    assert has_relation(got, "PART_OF", "勐腊县城乡寄递物流共配中心", "西双版纳州分公司")


def test_a_ranking_among_the_provinces_banks_names_no_parent():
    rec = extract("近年来，邮储银行丹东市分行推出“草莓贷”。截至9月末，该行涉农贷款余额36亿元，增量列全省邮储银行第2位。"
                  "该行所辖东港市支行发放“草莓贷”1.2亿元。")
    assert has_relation(rec, "PART_OF", "东港市支行", "邮储银行丹东市分行")
    assert not [e for e in rec["entities"] if e["name"] == "邮储银行"]


def test_a_units_named_lecture_team_is_its_own_branch_with_its_figures():
    rec = extract("11月20日，青海省邮政分公司“高原邮路”宣讲团走进西宁市城东区，为200余名干部群众讲述邮路故事。"
                  "该宣讲团由5名一线乡邮员组成，今年已开展宣讲36场。")
    assert has_relation(rec, "PART_OF", "高原邮路宣讲团", "青海省邮政分公司")
    got = {(m["subject"]["name"], m["name"], m["value"]) for m in rec["metrics"]}
    assert {("高原邮路宣讲团", "干部群众", 200), ("高原邮路宣讲团", "一线乡邮员", 5),
            ("高原邮路宣讲团", "开展宣讲", 36)} <= got


def test_what_a_department_head_reports_has_its_own_subject():
    rec = extract("四平市分行公司金融部总经理赵立新介绍，该行还依托“邮e链”平台，"
                  "为吉林四平钢铁有限公司上游120余家供应商提供应收账款融资6.7亿元。")
    assert has_relation(rec, "FINANCES", "四平市分行", "吉林四平钢铁有限公司")
    assert not has_relation(rec, "FINANCES", "四平市分行公司金融部", "吉林四平钢铁有限公司")


def test_an_assistant_general_manager_works_at_the_company():
    rec = extract("中邮人寿保险股份有限公司云南分公司总经理助理周凯表示，公司将深化代理保险合作。")
    assert has_relation(rec, "WORKS_AT", "周凯", "中邮人寿保险股份有限公司云南分公司")


def test_one_of_the_organisations_a_unit_just_signed_with():
    rec = extract("活动现场，吉安市邮政分公司与15家井冈蜜柚种植合作社、电商企业签订寄递服务协议，"
                  "其中遂川县金橘园农业专业合作社一次性签约寄递量达30万件。")
    assert has_relation(rec, "PARTNERS_WITH", "吉安市邮政分公司", "遂川县金橘园农业专业合作社")
    rec = extract("吉安市邮政分公司今年寄递蜜柚80万件，其中遂川县金橘园农业专业合作社寄递12万件。")
    assert not [r for r in rec["relations"] if r["type"] == "PARTNERS_WITH"]


def test_credit_for_it_goes_to_the_company_just_signed_with():
    rec = extract("近日，邮储银行湖南省分行与湖南省港航投资集团有限公司签署战略合作协议，"
                  "未来五年将为其提供不超过120亿元的综合授信。")
    assert has_relation(rec, "FINANCES", "邮储银行湖南省分行", "湖南省港航投资集团有限公司")


def test_a_post_in_brackets_after_a_head_of_department():
    rec = extract("湖南省分行公司金融部负责人（总经理）易志强介绍，该行今年将加大投放力度。")
    works = [(r["head"]["name"], r["tail"]["name"], r["title"]) for r in rec["relations"] if r["type"] == "WORKS_AT"]
    assert works == [("易志强", "湖南省分行公司金融部", "总经理")]


def test_a_department_named_after_its_units_anaphor_is_that_units():
    rec = extract("近日，邮储银行甘肃省分行与甘肃省农业农村厅签署合作协议。"
                  "该行普惠金融事业部总经理赵明远表示，将扩大“陇原e贷”投放。")
    assert "普惠金融事业部" in names(rec, "BRANCH")
    assert has_relation(rec, "WORKS_AT", "赵明远", "普惠金融事业部")
    assert has_relation(rec, "PART_OF", "普惠金融事业部", "邮储银行甘肃省分行")
    # no anaphor before it: a department of nobody named is no unit
    assert "普惠金融事业部" not in names(extract("会上，普惠金融事业部总经理赵明远作了发言。"), "BRANCH")


def test_a_quoted_formula_of_parts_is_a_way_of_working():
    rec = extract("今年以来，甘肃省张掖市邮政分公司打造“寄递+特色农产品”服务模式，带动农户增收。")
    assert "寄递+特色农产品" in names(rec, "PROGRAM")
    assert has_relation(rec, "RUNS", "甘肃省张掖市邮政分公司", "寄递+特色农产品")


def test_a_government_service_body_is_named_whole():
    rec = extract("近日，忻州市邮政分公司与忻州市行政审批服务管理局联合推出“政务服务邮政办”项目。")
    assert "忻州市行政审批服务管理局" in names(rec, "PARTNER")
    assert has_relation(rec, "PARTNERS_WITH", "忻州市邮政分公司", "忻州市行政审批服务管理局")
    # 服务 as a verb still ends a name: what is served is no part of the body
    assert not [n for n in names(extract("该分公司服务县域合作社，与忻州市农业农村局签订协议。"), "PARTNER")
                if "服务" in n]


def test_a_themed_post_office_is_a_unit_when_a_quote_names_it():
    rec = extract("日照市分公司联合日照市文化和旅游局推出“邮享海滨”主题邮局，打造集邮文化新地标。")
    assert "邮享海滨主题邮局" in names(rec, "BRANCH")
    assert not [n for n in names(extract("日照市分公司在海滨景区设立邮政文创主题邮局3处。"), "BRANCH")
                if n.endswith("主题邮局")]  # a kind of post office, counted


@pytest.mark.parametrize("text, title", [
    ("王秀兰，兴隆县分公司六道河邮政支局投递员。从业10年来，她累计投递邮件20万件。", "投递员"),  # a profile's opening
    ("2019年，王秀兰开始担任兴隆县分公司六道河邮政支局支局长。", "支局长"),
    ("王秀兰是兴隆县分公司六道河邮政支局投递员。", "投递员"),
])
def test_a_post_named_after_the_person_without_de(text, title):
    rec = extract(text)
    got = {(x["head"]["name"], x["tail"]["name"], x["title"]) for x in rec["relations"] if x["type"] == "WORKS_AT"}
    assert got == {("王秀兰", "六道河邮政支局", title)}
    assert not [n for n in names(rec, "BRANCH") if "王秀兰" in n or "担任" in n]


def test_a_title_before_the_next_name_is_not_the_first_names():
    rec = extract("会上，李建国，兴隆县分公司总经理王明作了发言。")
    got = {(x["head"]["name"], x["title"]) for x in rec["relations"] if x["type"] == "WORKS_AT"}
    assert got == {("王明", "总经理")}


def test_the_company_a_unit_acts_as_agent_for_is_named_without_the_verb():
    rec = extract("今年前三季度，江西省邮政分公司代理中邮人寿保险股份有限公司保险业务实现保费收入36.2亿元。")
    assert "中邮人寿保险股份有限公司" in names(rec, "PARTNER")
    rec = extract("伊宁市邮政分公司与伊犁恒通国际货运代理有限公司签订合作协议。")
    assert "伊犁恒通国际货运代理有限公司" in names(rec, "PARTNER")  # inside a name, 代理 stands


def test_a_foreign_name_after_its_title_works_there():
    rec = extract("法国邮政集团亚太区物流总监让·皮埃尔·杜邦表示，双方将在海外仓领域深化合作。")
    got = {(x["head"]["name"], x["tail"]["name"], x["title"]) for x in rec["relations"] if x["type"] == "WORKS_AT"}
    assert got == {("让·皮埃尔·杜邦", "法国邮政集团", "亚太区物流总监")}


def test_a_citys_international_hub_is_a_unit_of_its_own():
    rec = extract("据了解，西安国际邮件互换中心今年已累计处理出口邮件520万件。")
    assert "西安国际邮件互换中心" in names(rec, "BRANCH")
    assert {m["subject"]["name"] for m in rec["metrics"]} == {"西安国际邮件互换中心"}


def test_a_person_holding_two_listed_posts_works_at_both_units():
    rec = extract("甘肃省邮政分公司副总经理、兰州市邮政分公司总经理马振东表示，将持续做好寄递服务。")
    assert has_relation(rec, "WORKS_AT", "马振东", "兰州市邮政分公司")
    assert has_relation(rec, "WORKS_AT", "马振东", "甘肃省邮政分公司")
    titles = {r["tail"]["name"]: r.get("title") for r in rec["relations"] if r["type"] == "WORKS_AT"}
    assert titles == {"兰州市邮政分公司": "总经理", "甘肃省邮政分公司": "副总经理"}


def test_a_group_company_named_by_the_network_is_one_partner():
    """中国邮政 opening a group company's legal name is part of it (a PARTNER, as 中邮人寿
    is), not the network acting beside a company cut short."""
    rec = extract("近日，中国邮政航空物流股份有限公司湖南省分公司与长沙星城冷链有限公司签订合作协议。")
    assert "中国邮政航空物流股份有限公司湖南省分公司" in names(rec, "PARTNER")
    assert "中国邮政" not in names(rec, "BRANCH")
    rec = extract("中国邮政与长沙星城冷链有限公司签订合作协议。")
    assert "中国邮政" in names(rec, "BRANCH") and "长沙星城冷链有限公司" in names(rec, "PARTNER")


@pytest.mark.parametrize("text", [
    "在秦州区分公司东关邮政营业所，营业所主任杜晓红、理财经理牛一帆和柜员白雪松组成服务小组。",
    "东关邮政营业所营业所主任杜晓红、理财经理牛一帆和柜员白雪松组成服务小组。",
])
def test_titles_and_names_listed_after_a_unit_are_posts_there(text):
    rec = extract(text)
    assert {(r["head"]["name"], r["tail"]["name"], r.get("title")) for r in rec["relations"] if r["type"] == "WORKS_AT"} \
        >= {("牛一帆", "东关邮政营业所", "理财经理"), ("白雪松", "东关邮政营业所", "柜员")}
    assert "东关邮政营业所营业所" not in names(rec, "BRANCH")


def test_a_post_at_a_unit_under_another():
    rec = extract("牛志远是邮储银行陇南市分行下辖徽县支行的客户经理。")
    assert has_relation(rec, "WORKS_AT", "牛志远", "徽县支行")


def test_units_listed_after_a_preposition_and_under_word_are_part_of_the_unit():
    rec = extract("丽水市邮政分公司对辖内龙泉市分公司、云和县分公司、庆元县分公司的76个网点实行“一点一策”帮扶。")
    for unit in ("龙泉市分公司", "云和县分公司", "庆元县分公司"):
        assert has_relation(rec, "PART_OF", unit, "丽水市邮政分公司")
    assert [m["name"] for m in rec["metrics"] if m["value"] == 76] == ["网点"]


def test_a_tool_named_by_a_quote_before_its_kind_is_offered_to_nobody():
    rec = extract("黔东南州邮政分公司推广“邮黔掌柜”客户经营系统，上线“苗岭分拣”调度系统。")
    assert not relations(rec, "OFFERS")


def test_a_titled_colleague_in_the_same_sentence_holds_a_post_at_the_same_unit():
    rec = extract("辽宁省邮政分公司总经理阎立新作工作报告，党委副书记、副总经理鲍春梅主持会议。")
    assert has_relation(rec, "WORKS_AT", "鲍春梅", "辽宁省邮政分公司")
    rec = extract("辽宁省邮政分公司总经理阎立新作工作报告，省商务厅副厅长鲍春梅出席会议。")
    assert not has_relation(rec, "WORKS_AT", "鲍春梅", "辽宁省邮政分公司")


def test_a_title_after_the_bare_kind_of_a_body_named_before_works_there():
    rec = extract("邮储银行南城县支行为南城县麻姑米业有限公司发放贷款300万元。公司董事长黄振华说：“这笔贷款来得及时。”")
    assert [(r["tail"]["name"], r.get("title")) for r in rec["relations"] if r["type"] == "WORKS_AT"] == \
        [("南城县麻姑米业有限公司", "董事长")]


def test_a_body_that_got_a_loan_from_a_unit_is_financed_by_it():
    rec = extract("“现在凭着订单就能贷到款。”崇仁县青禾种植专业合作社理事长饶春兰说，今年合作社从邮储银行崇仁县支行"
                  "获得了60万元订单贷款。崇仁县麻鸡养殖有限公司从邮储银行崇仁县支行获得了150万元贷款。")
    assert has_relation(rec, "FINANCES", "邮储银行崇仁县支行", "崇仁县青禾种植专业合作社")
    assert has_relation(rec, "FINANCES", "邮储银行崇仁县支行", "崇仁县麻鸡养殖有限公司")
    assert {m["subject"]["name"] for m in rec["metrics"]} == {"邮储银行崇仁县支行"}


def test_a_past_post_and_a_deputy_title_after_the_name():
    rec = extract("牛建国原任定西市邮政分公司渠道平台部副经理。马红霞曾任陇西县邮政分公司经理。")
    assert has_relation(rec, "WORKS_AT", "牛建国", "定西市邮政分公司渠道平台部")
    assert has_relation(rec, "WORKS_AT", "马红霞", "陇西县邮政分公司")


@pytest.mark.parametrize("text, body, title", [
    ("活动中，宁远县商务局局长贺志平表示将全力支持。", "宁远县商务局", "局长"),
    ("湖南省医保局局长石东明出席签约仪式。", "湖南省医保局", "局长"),
    ("江西省商务厅厅长罗文华到会指导。", "江西省商务厅", "厅长"),
])
def test_a_body_whose_head_is_named_right_after_it_is_still_a_body(text, body, title):
    """某县商务局|局长: the title's 局 is no longer name, so the body ends before it."""
    rec = extract(text)
    assert body in names(rec, "PARTNER")
    assert [(r["tail"]["name"], r.get("title")) for r in rec["relations"] if r["type"] == "WORKS_AT"] == [(body, title)]
