"""Quoted and titled names: what the phrase around a quote says it names.

Invented campaigns and products, written the way the paper writes them.
"""
from __future__ import annotations

import pytest

from extract_helpers import entity_of, extract, names


def labelled(text):
    return {(e["label"], e["name"]) for e in extract(text)["entities"] if e["label"] in ("PRODUCT", "PROGRAM", "PARTNER")}


@pytest.mark.parametrize("text, expected", [
    # The last head of the phrase after the quote rules, not the first.
    ("该支行与担保公司签订“邮融担”批量担保业务合作协议。", ("PROGRAM", "邮融担")),
    ("展销会上，“高原好物·邮你同享”农特产品展销会吸引了大批市民。", ("PROGRAM", "高原好物·邮你同享")),
    ("该分公司推出“果鲜到家”寄递套餐，首重价格仅8元。", ("PRODUCT", "果鲜到家")),
    ("该分公司开展“茶韵邮约”客户沙龙，邀请理财经理讲解。", ("PROGRAM", "茶韵邮约")),
    ("该行开通“售粮快付”通道，农户售粮后2小时到账。", ("PRODUCT", "售粮快付")),
    ("该分公司与“秦味优选”电商平台签订农产品上行协议。", ("PARTNER", "秦味优选")),
    # A head right before the quote.
    ("该分公司在自有电商平台“邮鲜汇”开设特产馆。", ("PRODUCT", "邮鲜汇")),
    ("该分行推出专属产品“椒农贷”，单户额度5万元。", ("PRODUCT", "椒农贷")),
    # The verb the quote is the object of.
    ("近年来，该分公司持续推进“邮票文化进社区”，累计开展讲座32场。", ("PROGRAM", "邮票文化进社区")),
    # A list ending in 等 + its kind.
    ("通过“老带新”、案例复盘、情景演练等方式提升队伍能力。", ("PROGRAM", "老带新")),
    # Its own ending.
    ("该分公司推出“柑橘保”寄递保价服务，坏果包赔。", ("PRODUCT", "柑橘保")),
    ("该行将建立新员工“导师制”，跟踪培养两年。", ("PROGRAM", "导师制")),
    ("该分公司举办“方寸闽韵——福建题材邮票展”，展出邮品300余件。", ("PROGRAM", "方寸闽韵——福建题材邮票展")),
])
def test_the_phrase_around_a_quote_tells_what_it_names(text, expected):
    assert expected in labelled(text)


def test_a_quote_and_another_conjunct():
    found = labelled("学员们通过“邮乐小铺”和短视频直播间销售农产品。")
    assert ("PRODUCT", "邮乐小铺") in found


def test_a_quote_and_the_kind_of_others_like_it():
    assert ("PROGRAM", "开门旺") in labelled("该分公司在“开门旺”及各项重点专项营销活动中表现突出。")


def test_quotes_in_a_row_share_a_telling():
    found = labelled("该分公司以“快递进乡”工程为抓手，推动“快递进乡”向“快递进屋”延伸。")
    assert {("PROGRAM", "快递进乡"), ("PROGRAM", "快递进屋")} <= found


def test_a_name_is_one_entity_however_each_quote_is_told():
    rec = extract("在供销社布设“邮惠通”助农服务点32个。今年以来，“邮惠通”服务点累计办理业务4.6万笔。")
    assert [e["label"] for e in rec["entities"] if e["name"] == "邮惠通"] == ["PROGRAM"]


@pytest.mark.parametrize("text", [
    "开通“西宁—拉萨”“西宁—格尔木”两条航空邮路。",  # routes
    "该分公司为企业开辟了“绿色通道”。",
    "服务站打造成企业“家门口”的金融服务站。",
    "村级服务点正在“长出”电商服务功能。",
    "该分公司围绕“抓客户、调结构、控风险”的工作思路开展工作。",
    "某国邮政（以下简称“某国邮政”）签署双边邮件交换协议。",
])
def test_quotes_that_name_nothing(text):
    assert not {x for x in labelled(text) if x[0] in ("PRODUCT", "PROGRAM")}


def test_a_figure_in_quotes_takes_the_phrase_as_its_name():
    assert ("PROGRAM", "5×8小时预约通关机制") in labelled("该分公司与海关建立“5×8小时”预约通关机制。")


def test_a_stamp_in_title_marks_is_named_with_its_kind():
    rec = extract("本报讯 中国邮政发行《岷江》特种邮票1套4枚。《岷江》邮票首发式在成都举行。")
    e = entity_of(rec, "岷江特种邮票")
    assert e is not None and e["label"] == "PRODUCT"
    assert "岷江邮票" in e["aliases"]


def test_a_book_title_that_is_no_stamp_is_no_product():
    assert not {x for x in labelled("双方签订《集邮文化进社区合作协议》。") if x[0] == "PRODUCT"}


@pytest.mark.parametrize("text, name", [
    ("11月25日至27日，2023甘肃省青少年集邮展览在兰州市举办。", "2023甘肃省青少年集邮展览"),
    ("赛后，选手将备战中国邮政集团有限公司第四届揽投技能大赛。", "中国邮政集团有限公司第四届揽投技能大赛"),
])
def test_named_events(text, name):
    assert name in names(extract(text), "PROGRAM")


def test_an_event_named_by_its_kind_alone_is_no_name():
    assert names(extract("该分公司组织员工参加理财技能竞赛。"), "PROGRAM") == set()


def test_the_head_nearest_the_quote_tells_what_it_names():
    got = extract("宁夏邮政“塞上好物”带火农特产品\n本报讯今年以来，宁夏回族自治区邮政分公司打造“塞上好物”寄递项目，带动枸杞等农产品进城。")
    assert ("塞上好物", "PROGRAM") in {(e["name"], e["label"]) for e in got["entities"]}


def test_a_quoted_name_with_its_head_noun_ends_at_the_head():
    rec = extract("海东市邮政分公司发行《河湟》纪念邮票3万枚。")
    (stamp,) = [e for e in rec["entities"] if e["label"] == "PRODUCT"]
    (mention,) = stamp["mentions"]
    assert mention["text"] == "河湟纪念邮票" and mention["end"] - mention["start"] == len("河湟》纪念邮票")


def test_a_way_of_managing_is_a_programme_and_a_principle_names_nothing():
    rec = extract("鹤壁市邮政分公司淇滨揽投部通过“网格化”管理，将辖区划分为36个网格。该分公司坚持“客户至上”原则。")
    assert ("PROGRAM", "网格化") in {(e["label"], e["name"]) for e in rec["entities"]}
    assert "客户至上" not in {e["name"] for e in rec["entities"]}


def test_a_quoted_insurance_name_before_its_kind_is_a_product():
    rec = extract("邮储银行十堰市分行积极发展代理保险业务。客户王女士投保了“邮享安康”年金保险。")
    assert "邮享安康" in names(rec, "PRODUCT")


def test_the_networks_own_platform_is_a_product_an_outside_one_a_partner():
    rec = extract("庆阳市邮政分公司依托“邮政陇东汇”电商平台开展直播带货，并入驻“陇原好物”电商平台。")
    assert "邮政陇东汇" in names(rec, "PRODUCT") and "陇原好物" in names(rec, "PARTNER")


@pytest.mark.parametrize("text, name, label", [
    ("佛山邮政推出“邮通四海”综合服务包。", "邮通四海", "PRODUCT"),
    ("佛山邮政上线“佛邮海外仓”。", "佛邮海外仓", "PRODUCT"),
    ("佛山邮政举办“邮票里的佛山”主题展。", "邮票里的佛山", "PROGRAM"),
])
def test_more_kinds_after_a_quoted_name(text, name, label):
    assert name in names(extract(text), label)


def test_produce_quoted_before_its_kind_is_no_product():
    rec = extract("黔东南州邮政分公司依托“雷山银球茶”“从江香猪”等特色产品开展直播带货。")
    assert not names(rec, "PRODUCT")


def test_a_quoted_name_followed_by_a_verb_keeps_what_the_words_before_it_tell():
    rec = extract("黔东南州邮政分公司在邮政自有电商平台“邮黔汇”开设苗乡特产馆，上线产品300余种。")
    assert "邮黔汇" in names(rec, "PRODUCT")


def test_a_quoted_card_name_is_a_product():
    assert "黄山印象" in names(extract("邮储银行黄山市分行推出“黄山印象”主题借记卡。"), "PRODUCT")


def test_a_slogan_quoted_after_produce_is_no_product():
    """农产品“出村进城”: the produce noun before the quote is no product head (产品 inside it)."""
    rec = extract("江永县分公司积极推动农产品“出村进城”，今年寄递农产品86万件。")
    assert "出村进城" not in names(rec)
    assert not [r for r in rec["relations"] if r["type"] == "OFFERS"]
