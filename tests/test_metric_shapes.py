"""Figures as reports write them: runs, ranges, respective lists, changes, headlines.

Invented units and figures in provinces the corpus pages do not use.
"""
from __future__ import annotations

from extract_helpers import extract


def mets(text):
    return {(m["subject"]["name"], m["name"], m["value"], m["unit"]) for m in extract(text)["metrics"]}


def by_value(text):
    return {m["value"]: m for m in extract(text)["metrics"]}


def test_a_run_of_figures_shares_its_name_and_subject():
    got = by_value("截至9月末，邮储银行宁波市分行累计发放“甬农贷”1620笔、金额5.12亿元，其中今年新发放735笔、2.06亿元。")
    assert got[206000000]["name"] == got[512000000]["name"] or "发放" in got[206000000]["name"]
    assert got[206000000]["subject"]["name"] == got[512000000]["subject"]["name"]


def test_a_range_gives_two_figures_with_one_name():
    got = by_value("邮储银行泉州市分行推出“茶农贷”，单户额度2万元至200万元。")
    assert got[20000]["name"] == got[2000000]["name"] == "单户额度"


def test_respective_figures_belong_to_the_units_in_order():
    found = mets("从县域看，绍兴市分公司所辖诸暨市分公司、嵊州市分公司、新昌县分公司今年新增储蓄余额分别达"
                 "5.1亿元、3.3亿元、2.2亿元。")
    subjects = {v: s for s, _, v, _ in found}
    assert subjects[510000000] == "诸暨市分公司"
    assert subjects[330000000] == "嵊州市分公司"
    assert subjects[220000000] == "新昌县分公司"


def test_a_change_reports_its_end_value():
    found = mets("宜宾市分公司优化邮路后，车辆满载率由原来的42%提高到81%。")
    assert {(v, u) for _, _, v, u in found} == {(81, "%")}
    assert next(n for _, n, _, _ in found) == "车辆满载率"


def test_the_name_after_de():
    found = mets("根据协议，邮储银行宁夏分行将向全区农业领域提供不低于300亿元的意向性信贷支持。")
    assert ("邮储银行宁夏分行", "意向性信贷支持", 30000000000, "元") in found


def test_a_headline_restating_a_figure_is_not_reported():
    text = ("宁夏分行五年提供300亿元信贷支持\n"
            "本报讯 近日，邮储银行宁夏分行与宁夏农业农村厅签约，将提供不低于300亿元的意向性信贷支持。")
    assert [m["name"] for m in extract(text)["metrics"]] == ["意向性信贷支持"]


def test_a_persons_own_figure_is_no_units():
    found = mets("结业考核中，来自台州市分行的理财经理林一帆以总分97.5分位列第一。")
    assert found == set()


def test_each_part_of_a_sentence_has_its_own_subject():
    found = mets("截至10月末，闽西邮银累计代发粮款6.2亿元；邮储银行龙岩市分行向收购企业投放贷款2.1亿元。")
    assert ("邮储银行龙岩市分行", "向收购企业投放贷款", 210000000, "元") in found or \
        {s for s, _, v, _ in found if v == 210000000} == {"邮储银行龙岩市分行"}


def test_a_ranking_is_no_place():
    found = mets("截至6月末，赣州市分公司储蓄余额达320亿元，新增余额列全省邮政第2位；期交保费1.2亿元，同比增长30.5%。")
    assert {v for s, _, v, _ in found if s.endswith("赣州市分公司")} >= {32000000000, 120000000, 30.5}


def test_growth_in_times_keeps_its_unit():
    found = mets("1—10月，太原市分公司跨境电商出口包裹量达86万件，同比增长1.8倍。")
    assert any(u == "倍" and v == 1.8 for _, _, v, u in found)


def test_the_inner_of_two_units_back_to_back_is_the_subject():
    found = mets("为应对旺季，临沧市邮政分公司城区揽投部新增3台自动分拣设备。")
    assert {s for s, _, _, _ in found} == {"临沧市邮政分公司城区揽投部"} or \
        {s for s, _, _, _ in found} == {"城区揽投部"}


def test_a_clause_without_a_subject_takes_the_nearest_one_before_it():
    found = mets("今年前三季度，青海邮政寄递农产品860万件，其中湟中区邮政分公司寄递牦牛肉96万件，同比增长12.4%。")
    assert ("湟中区邮政分公司", "同比增长", 12.4, "%") in found


def test_the_object_of_a_verb_names_the_figure():
    found = mets("“今年合作社从邮储银行榆中县支行获得了50万元订单贷款。”合作社理事长说。")
    assert any(n == "订单贷款" and v == 500000 for _, n, v, _ in found)


def test_a_quoted_name_used_later_without_quotes_is_the_subject():
    found = mets("新疆邮政在阿拉木图推出“天山邮仓”海外仓配产品。天山邮仓仓储面积达5000平方米。")
    assert ("天山邮仓", "仓储面积", 5000, "平方米") in found


def test_the_whole_networks_figure_is_the_units_of_that_level():
    got = by_value("本报讯 近日，甘肃省邮政分公司举办《敦煌》邮票首发活动。首发当日，全省邮政销售邮票及相关产品金额达156万元。")
    assert got[1560000]["subject"]["name"] == "甘肃省邮政分公司"
    assert not got[1560000]["name"].startswith("全省")


def test_a_speakers_department_does_not_own_the_whole_citys_figure():
    got = by_value("今年，天水市邮政分公司开展苹果寄递季活动。天水市分公司寄递事业部负责人马立新介绍，"
                   "预计今年苹果季全市邮政寄递量将突破800万件。")
    assert got[8000000]["subject"]["name"] in ("天水市邮政分公司", "天水市分公司")


def test_teams_listed_with_their_units_get_their_own_scores():
    got = by_value("经过激烈角逐，城关区分公司代表队以95.5分获得团体一等奖，七里河区分公司代表队、"
                   "安宁区分公司代表队分别以93分、90.5分获得团体二等奖、三等奖。")
    assert got[95.5]["subject"]["name"].startswith("城关区分公司")
    assert got[93]["subject"]["name"].startswith("七里河区分公司")
    assert got[90.5]["subject"]["name"].startswith("安宁区分公司")
    assert "团体" in got[93]["name"]


def test_a_figure_named_by_a_products_kind_is_the_products():
    got = by_value("中国邮政集团有限公司发行《祁连》特种邮票1套3枚，邮票面值3.6元。")
    assert got[3.6]["subject"]["name"] != "中国邮政集团有限公司"


def test_the_count_before_a_merger_and_a_threshold_are_not_reported():
    found = mets("遵义市分公司将原有的214条乡村邮路整合为163条，资产在50万元以上的客户增加了120户。")
    values = {v for _, _, v, _ in found}
    assert 214 not in values and 500000 not in values
    assert 163 in values


def test_those_taking_part_are_counted_for_the_event():
    got = extract("黔东南州邮政分公司联合凯里学院举办“邮政惠农·乡村电商”人才培训班，来自全州16个县市的95名邮政员工参加培训。")
    found = {(m["subject"]["name"], m["value"]) for m in got["metrics"]}
    assert ("邮政惠农·乡村电商", 95) in found and ("邮政惠农·乡村电商", 16) in found


def test_a_department_speaking_for_its_unit_gives_the_units_figure():
    found = mets("云南省邮政分公司启动“滇邮匠心”培养计划。云南省分公司人力资源部负责人表示，"
                 "计划用3年时间培养800名中高级技能人才。")
    assert {(s, v) for s, _, v, _ in found} == {("云南省邮政分公司", 800)}


def test_a_figure_listed_after_another_is_named_by_what_follows_it():
    got = by_value("截至6月末，临洮县支行累计向32家合作社、156户养殖大户发放贷款8600万元。")
    assert got[156]["name"] == "养殖大户"
    assert got[32]["name"] == "合作社"


def test_a_unit_named_by_its_kind_reports_its_own_figures():
    got = mets("本报讯近日，贵州省黔东南州邮政分公司首个县级共配中心——丹寨县城乡寄递物流共配中心在丹寨县投入运营。"
               "该中心由黔东南州分公司牵头，联合多家快递企业共同建设。\n"
               "运营两个多月来，共配中心日均处理快件6000件，末端派送成本降低约25%。")
    subjects = {v: s for s, _, v, _ in got}
    assert subjects[6000] == "丹寨县城乡寄递物流共配中心"


def test_a_rate_of_zero_written_in_words_is_zero_percent():
    found = mets("邮储银行吴忠市分行“滩羊贷”累计放款1.2亿元，不良率为零。")
    assert ("邮储银行吴忠市分行", "不良率", 0, "%") in found


def test_whom_a_loan_went_to_names_the_count_and_not_the_amount():
    got = by_value("截至目前，邮储银行定边县分行已向860户荞麦种植户发放贷款2.3亿元。")
    assert got[860]["name"] == "荞麦种植户"
    assert got[230000000]["name"] == "发放贷款"


def test_the_whole_networks_outlets_are_counted_for_the_unit_of_that_level():
    found = mets("本报讯近日，河北省邮政分公司与河北省公安厅交通管理局签署合作协议。根据协议，全省2100个邮政网点将开通10项交管业务。")
    assert ("河北省邮政分公司", "邮政网点", 2100, "个") in found


def test_stamp_sheets_are_counted():
    found = mets("承德市邮政分公司发行《避暑山庄》个性化邮票1套4枚，首发当日销售邮票1800版。")
    assert any(v == 1800 and u == "版" for _, _, v, u in found)


def test_a_profiled_persons_own_round_is_no_units_figure():
    found = mets("阳城县邮政分公司润城支局投递员韩建军每天早出晚归。他负责的邮路全长96公里，途经11个行政村。")
    assert not any(v in (96, 11) for _, _, v, _ in found)


def test_a_department_head_speaking_gives_the_units_forecast():
    found = mets("贵州省邮政分公司开通贵阳至曼谷国际邮路。贵州省邮政分公司国际业务部总经理韩立新表示，"
                 "预计明年通过该线路寄递的国际邮件将超过300吨。")
    assert ("贵州省邮政分公司", 300) in {(s, v) for s, _, v, _ in found}
    assert not any(n.endswith("将") for _, n, _, _ in found)


def test_figures_of_a_profiles_he_or_she_are_the_persons_own():
    got = by_value("扎西多吉是玉树州邮政分公司曲麻莱县支局的乡邮员。十二年来，他骑马往返于高原牧区，"
                   "累计行程超过15万公里，投递邮件8万余件。")
    assert 150000 not in got and 80000 not in got
    # a speaker reports the unit's figures; 他们 are not one person
    got = by_value("她介绍，曲麻莱县支局今年新增储蓄存款3200万元。"
                   "玉树州邮政分公司组建了投递服务队，他们今年投递包裹12万件。")
    assert got[32000000]["subject"]["name"] == "曲麻莱县支局"
    assert 120000 in got


def test_a_stamp_issue_counts_the_stamps_of_the_set_once():
    got = extract("中国邮政发行《祁连》特种邮票1套4枚，邮票面值共计5.40元。"
                  "《祁连》特种邮票由青海籍画家设计，4枚邮票分别以“雪峰”“草原”“湖泊”“牧场”为题。"
                  "当天，西宁市邮政分公司发行《湟水》个性化邮票2万枚。")["metrics"]
    counted = [(m["subject"]["name"], m["name"], m["value"], m["unit"]) for m in got if m["unit"] in ("枚", "套")]
    assert counted == [("祁连特种邮票", "特种邮票", 4, "枚"), ("湟水个性化邮票", "个性化邮票", 20000, "枚")]


def test_the_whole_province_counts_for_the_unit_that_built_there_not_for_the_place():
    got = by_value("近年来，邮储银行青海省分行推进“三农”金融服务。目前，全省已建成金融服务站860余个，"
                   "覆盖行政村超过3100个；全县网点吸收存款2.6亿元。全省医保参保人员达580万人。")
    assert got[860]["subject"]["name"] == "邮储银行青海省分行"
    assert got[3100]["subject"]["name"] == "邮储银行青海省分行"
    assert 5800000 not in got  # the province's own statistic


def test_sessions_counted_as_the_text_writes_them():
    assert {("海东市邮政分公司", "开设集邮课程", 32, "门次"), ("海东市邮政分公司", "举办讲座", 9, "场次")} <= \
        mets("活动期间，海东市邮政分公司开设集邮课程32门次，举办讲座9场次。")


def test_counted_borrowers_before_the_verb_that_serves_them():
    got = mets("近年来，邮储银行抚顺市分行累计为320户新型农业经营主体提供担保贷款2.5亿元。"
               "该行今年已为64家家庭农场和合作社授信1.8亿元。")
    assert ("邮储银行抚顺市分行", "新型农业经营主体", 320, "户") in got
    assert ("邮储银行抚顺市分行", "家庭农场和合作社", 64, "家") in got
    assert ("邮储银行抚顺市分行", "授信", 180000000, "元") in got


def test_the_exchange_office_named_again_as_this_office():
    got = extract("西双版纳州邮政分公司在磨憨国际邮件互换局推行“提前申报”模式。今年以来，该互换局累计处理进出口邮件42万件。")
    (m,) = [m for m in got["metrics"] if m["value"] == 420000]
    assert m["subject"]["name"] == "磨憨国际邮件互换局" and m["name"] == "累计处理进出口邮件"


def test_a_product_launched_in_a_clause_before_is_not_the_subject_of_the_figures_after():
    got = by_value("今年以来，邮储银行吉林省分行创新推出“参链贷”“林下e贷”等产品，截至10月末，"
                   "普惠型小微企业贷款余额达312.6亿元，较年初净增41.2亿元。")
    assert got[31260000000]["subject"]["name"] == "邮储银行吉林省分行"
    assert got[4120000000]["subject"]["name"] == "邮储银行吉林省分行"


def test_figures_of_someone_named_by_an_honorific_or_of_her_rounds_are_theirs():
    got = mets("兴义市支行推出“极速贷”。王大爷种了20亩食用菌，今年收入翻了一番。"
               "这是她入行的第7年，也是她跑遍兴义市9个乡镇、98个行政村的第7年。兴义市支行今年新增贷款2亿元。")
    assert {(s, v) for s, _, v, _ in got} == {("兴义市支行", 200000000)}


def test_a_stamp_issue_written_as_this_set_and_the_provinces_first_day_points():
    rec = extract("本报讯 11月26日，《黄海》特种邮票首发式在烟台举行。该套邮票1套2枚，由中国邮政发行，邮票面值共计2.40元。"
                  "首发式由山东省邮政分公司主办。当天，全省16个地市同步设立首发点48个，并推出首日封等集邮文创产品10款。")
    got = {(m["subject"]["name"], m["name"], m["value"], m["unit"]) for m in rec["metrics"]}
    assert ("黄海特种邮票", "邮票", 2, "枚") in got
    assert ("黄海特种邮票", "邮票面值", 2.4, "元") in got
    assert ("山东省邮政分公司", "设立首发点", 48, "个") in got
    assert ("山东省邮政分公司", "推出首日封等集邮文创产品", 10, "款") in got


def test_a_live_stream_hours_and_a_bar_the_counted_projects_clear_are_no_figures():
    got = mets("11月18日，在彭水县邮政分公司直播间，当天3个小时的直播，卖出红薯粉1.6万斤。"
               "彭水县邮政分公司联合24家农业专业合作社开发农产品网货38款，力争培育年销售额超千万元的农产品项目12个，"
               "并提供不低于5亿元的意向性信贷支持。")
    values = {v for _, _, v, _ in got}
    assert 3 not in values and 10000000 not in values
    assert {("彭水县邮政分公司", "农业专业合作社", 24, "家"), ("彭水县邮政分公司", "开发农产品网货", 38, "款"),
            ("彭水县邮政分公司", "农产品项目", 12, "个")} <= got
    assert 500000000 in values


def test_the_period_before_a_name_is_its_date_not_its_name():
    (m,) = [m for m in extract("泗阳县邮政分公司李口营业所今年前三季度新增储蓄余额1.12亿元。")["metrics"]]
    assert m["name"] == "新增储蓄余额" and m["as_of_text"] == "今年前三季度"


def test_a_platform_worked_through_is_not_the_subject_of_the_sales():
    got = by_value("在湖南，湖南省邮政分公司与湖南省商务厅联合实施“湘品出湘”行动，依托“邮乐购”平台累计销售湘货3.1亿元。")
    assert got[310000000]["subject"]["name"] in ("湖南省邮政分公司", "湘品出湘")


def test_respective_figures_of_units_named_by_their_places_alone_go_to_nobody():
    got = mets("截至10月末，邮储银行云南省分行累计发放“云惠贷”金额56.3亿元。其中，昆明、曲靖、玉溪三个二级分行"
               "发放金额分别为14.2亿元、11.8亿元和9.6亿元，位居全省前三。玉溪市分行下辖的澄江市支行针对蓝莓种植户推出"
               "“蓝莓贷”，户均贷款12.6万元。该支行还将2100户种植户纳入“白名单”。")
    values = {v: s for s, _, v, _ in got}
    assert not {1420000000, 1180000000, 960000000} & set(values)
    assert values[126000] == "澄江市支行"
    assert ("澄江市支行", "种植户", 2100, "户") in got


def test_the_terms_of_a_product_launched_before_are_the_products():
    got = by_value("与此同时，宁夏邮政还与某某保险合作，宁夏回族自治区邮政分公司推出“邮保安宁”意外险，"
                   "保费每人每年60元，最高保障额度12万元。截至10月末，该分公司已累计承保8.6万人。")
    assert got[60]["subject"]["name"] == "邮保安宁" and got[120000]["subject"]["name"] == "邮保安宁"
    assert got[86000]["subject"]["name"] == "宁夏回族自治区邮政分公司"


def test_teams_a_unit_set_up_counted_are_its_figure():
    got = mets("近日，吉林省邮政分公司在全省设立党员示范岗210个，组建“红色邮递员”志愿服务队38支。")
    assert ("吉林省邮政分公司", "服务队", 38, "支") in got
    assert ("吉林省邮政分公司", "在全省设立党员示范岗", 210, "个") in got


def test_a_round_mark_passed_then_the_figure_itself_is_one_figure():
    got = mets("记者近日从邮储银行甘肃省分行获悉，截至11月末，该行个人消费贷款余额突破200亿元，达212.5亿元，较年初增长18.6%。")
    assert ("邮储银行甘肃省分行", "个人消费贷款余额", 21250000000, "元") in got
    assert 20000000000 not in {v for _, _, v, _ in got}


def test_each_of_units_named_by_their_places_alone_goes_to_nobody():
    got = mets("兰州市分行今年已累计投放“邮薪贷”45.6亿元。天水、白银两家二级分行“邮薪贷”投放量也均超过10亿元。")
    assert {v for _, _, v, _ in got} == {4560000000}


def test_the_places_a_unit_worked_in_are_counted_by_no_figure():
    rec = extract("今年以来，甘肃省张掖市邮政分公司在甘州、临泽等5个县设立助农取款点48个，累计办理业务3.2万笔。")
    got = {(m["name"], m["value"], m["unit"]) for m in rec["metrics"]}
    assert ("设立助农取款点", 48, "个") in got
    assert not [m for m in rec["metrics"] if m["value"] == 5]


def test_the_unit_someone_works_at_owns_the_figures_after_it():
    got = mets("今年，乡邮员田志军所在的石阡县邮政分公司在花桥镇建成村级寄递物流服务站9个。")
    assert [(s, v, u) for s, _, v, u in got] == [("石阡县邮政分公司", 9, "个")]
    assert [(s, v, u) for s, _, v, u in mets("今年，他所在的石阡县邮政分公司新增揽投员12名。")] == \
        [("石阡县邮政分公司", 12, "名")]
    assert not mets("他所在的村今年种植茶叶300亩。")  # his village: no unit of the graph


def test_what_staff_report_is_their_units_and_what_a_villager_reports_is_their_own():
    got = mets("朔州市朔城区邮政分公司新华街营业所是首批政务服务试点网点。"
               "营业所主任贺玉兰介绍，营业所每天平均办理车驾管业务40余笔。")
    assert [(s, v, u) for s, _, v, u in got] == [("新华街营业所", 40, "笔")]
    got = mets("今年以来，平鲁区邮政分公司为农户发放贷款300万元。村民张福生说，今年种了20亩沙棘，收入5万元。")
    assert [(s, v, u) for s, _, v, u in got] == [("平鲁区邮政分公司", 3000000, "元")]



def test_places_counted_with_nothing_else_counted_count_what_was_built_in_each():
    got = mets("秀山县邮政分公司在全县186个村建成村级寄递物流综合服务点。")
    assert {(s, v, u) for s, _, v, u in got} == {("秀山县邮政分公司", 186, "个")}


def test_a_span_of_time_before_a_figure_is_no_part_of_its_name():
    got = mets("邮储银行青海省分行与青海省农牧厅签订合作协议，计划三年内投放贷款30亿元。")
    assert {(n, v) for _, n, v, _ in got} == {("投放贷款", 3000000000)}


def test_a_product_given_out_is_the_verbs_object_not_the_figures_owner():
    got = mets("邮储银行江苏省分行与江苏省农业农村厅建立“银政担”合作机制，累计发放“苏农贷”58.7亿元。")
    assert {(s, v) for s, _, v, _ in got} == {("邮储银行江苏省分行", 5870000000)}


def test_a_counted_noun_ends_before_a_modal_verb():
    got = by_value("目前，河北省邮政分公司已有412个网点可办理出入境证件寄递等19项业务。")
    assert got[412]["name"] == "网点" and got[412]["subject"]["name"] == "河北省邮政分公司"


def test_a_figure_each_listed_unit_reached_is_each_ones_and_their_count_is_no_figure():
    found = mets("邮储银行湖南省分行持续加大普惠信贷投放。该行所辖衡阳市分行、岳阳市分行、常德市分行等3家二级分行普惠贷款增量均超过5亿元。")
    assert found == {(unit, "普惠贷款增量", 500000000, "元") for unit in ("衡阳市分行", "岳阳市分行", "常德市分行")}


def test_a_count_of_more_than_the_names_listed_is_a_figure():
    found = mets("常德市邮政分公司与常德顺捷物流有限公司等5家快递企业签订合作协议。")
    assert ("常德市邮政分公司", "快递企业", 5, "家") in found


def test_an_approximate_mark_before_the_magnitude_takes_the_printed_number():
    found = mets("2023年，镇安县邮政分公司带动农户增收300余万元，发运邮件2万多件。")
    assert ("镇安县邮政分公司", "带动农户增收", 3000000, "元") in found
    assert any(value == 20000 and unit == "件" for _s, _n, value, unit in found)


def test_a_customers_quoted_figure_is_not_the_posts_but_a_loan_to_them_is_the_lenders():
    text = ("旬阳县邮政分公司与旬阳县拐枣产业协会签订寄递合作协议。"
            "“去年我们通过邮政寄出拐枣礼盒6万多箱，损耗很低。”旬阳县拐枣产业协会会长吴德顺说。")
    assert not [m for m in mets(text) if m[2] == 60000]
    text = ("邮储银行旬阳县支行为旬阳县拐枣产业协会发放信用贷款。"
            "“支行仅用3天，就为我们发放了500万元信用贷款。”旬阳县拐枣产业协会会长吴德顺说。")
    assert any(m[2] == 5000000 and m[0] == "邮储银行旬阳县支行" for m in mets(text))


def test_a_bar_that_picks_units_out_is_no_figure():
    found = mets("邮储银行柳州市分行对不良率高于2%的支行开展专项督导，全年压降不良贷款1.2亿元。")
    assert {m[2] for m in found} == {120000000}


def test_a_daily_average_starts_the_predicate_after_a_count():
    found = mets("河池市邮政分公司在金城江区建成4个共配中心日均处理快件2.1万单。")
    assert found == {("河池市邮政分公司", "共配中心", 4, "个"), ("河池市邮政分公司", "日均处理快件", 21000, "单")}


def test_units_listed_by_their_places_and_counted_give_no_count():
    found = mets("邮储银行十堰市分行持续推进代理保险。茅箭区、张湾区、丹江口市等3家支行新单保费均超过3000万元，"
                 "其中茅箭区支行以4160万元列全行第1位。")
    assert not [m for m in found if m[3] == "家"]
    assert not [m for m in found if "第1位" in m[1]]


def test_a_clause_for_the_whole_bank_after_its_department_acted_is_the_banks():
    found = mets("邮储银行荆门市分行个人金融部每月通报各支行保险业务。截至9月末，全行有持证理财经理96名，"
                 "人均新单保费210万元。")
    assert {m[0] for m in found} == {"邮储银行荆门市分行"}


def test_a_figure_quoted_from_an_outside_bodys_manager_is_not_the_posts():
    text = ("江门市邮政分公司为江门市鹏达灯饰有限公司定制出口专线。“专线开通后，一年能省下80万元运费。”"
            "江门市鹏达灯饰有限公司外贸经理梁嘉欣说。")
    assert not [m for m in mets(text) if m[2] == 800000]


def test_sets_of_lockers_are_counted_in_groups():
    assert ("陇南市邮政分公司", "配发智能快递柜", 64, "组") in mets("陇南市邮政分公司今年配发智能快递柜64组。")


def test_one_trips_length_and_the_best_ones_figure_are_no_units_figures():
    found = mets("建始县邮政分公司共有乡邮员42名。他负责的邮路通往5个村，单程56公里，每周往返3班。"
                 "建始县邮政分公司培训农村电商带头人300人次，其中18人开起了网店，年销售额最高的超过60万元。")
    values = {m[2] for m in found}
    assert 56 not in values and 600000 not in values and {42, 300} <= values


def test_a_villages_own_figure_is_no_units():
    found = mets("天水市邮政分公司渠道平台部深入帮扶南河村。今年，南河村电商销售额126万元。"
                 "天水市邮政分公司覆盖行政村超过2100个。")
    assert {m[2] for m in found} == {2100}


def test_the_whole_citys_staff_are_the_units():
    found = mets("陇南市邮政分公司持续加强队伍建设。目前，全市持证理财经理达126名，较年初增加21名。")
    assert ("陇南市邮政分公司", "全市持证理财经理", 126, "名") in found


def test_a_word_ending_in_what_a_name_sheds_is_kept_whole():
    assert ("陇南市邮政分公司", "依托系统完成客户触达", 90000, "人次") in mets("陇南市邮政分公司依托系统完成客户触达9万人次。")


def test_a_count_after_a_preposition_and_a_place_is_named_by_the_noun_after_it():
    found = mets("邮储银行宜黄县支行一次性为全村215户农户授信，并为园区内48户菜农发放贷款。")
    assert {(m[1], m[2]) for m in found} >= {("农户", 215), ("菜农", 48)}


def test_an_hour_and_a_cap_are_no_counts_and_no_names():
    found = mets("邮储银行宜黄县支行推出“蜜桔贷”，年利率不超过4.5%，1个多小时就能放款。")
    assert {(m[1], m[2]) for m in found} == {("年利率", 4.5)}


def test_exhibits_are_counted_in_collections_and_frames_and_departments_are_no_figure():
    found = mets("2024赣州市集邮展览在赣州举办，共展出邮集96部、310框。赣州市邮政分公司联合3部门开展活动。")
    assert {(m[2], m[3]) for m in found} == {(96, "部"), (310, "框")}


def test_a_programme_counted_across_the_city_is_its_own_count():
    found = mets("开封市邮政分公司与开封市公安局合作推进“警邮驿站”建设。目前，全市“警邮驿站”已达38个，"
                 "今年累计办理业务5.1万笔。")
    assert ("警邮驿站", "警邮驿站", 38, "个") in found


def test_a_loan_to_a_named_person_is_the_lenders_figure():
    found = mets("邮储银行宜黄县支行推出“蜜桔快贷”产品。种植户黄德明通过“蜜桔快贷”获得了15万元贷款。")
    assert ("邮储银行宜黄县支行", "贷款", 150000, "元") in found
    found = mets("种植户黄德明从邮储银行宜黄县支行获得了15万元贷款。村民黄大爷种了30亩蜜桔。")
    assert {m[0] for m in found} == {"邮储银行宜黄县支行"} and not [m for m in found if m[3] == "亩"]


def test_a_loan_from_the_unit_an_anaphor_names_is_its_and_what_the_borrower_did_with_it_is_not():
    found = mets("邮储银行宜黄县支行深入走访绿野家庭农场。农场负责人黄秀英今年获得该支行贷款40万元，养殖面积扩大到600亩。")
    assert found == {("邮储银行宜黄县支行", "贷款", 400000, "元")}


def test_a_count_of_clients_ends_before_what_was_sent_for_them():
    found = mets("文山州邮政分公司今年为26家外贸企业寄递跨境包裹5.2万件。")
    assert found == {("文山州邮政分公司", "外贸企业", 26, "家"), ("文山州邮政分公司", "寄递跨境包裹", 52000, "件")}
