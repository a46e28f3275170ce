"""kg.text.segment: one cleaned page into its articles."""
from __future__ import annotations

import pytest

from extract_helpers import column, extract
from kg.text.clean import clean_text
from kg.text.segment import segment

FIRST = (
    "近年来，湖北省宜昌市邮政分公司坚持以客户为本，分层分类深耕客群，推动代理金融从做储蓄向做客户转型。"
    "2022年，宜昌市分公司新增余额12.5亿元，列全省邮政第2位。",
    "宜昌市分公司结合客户需求，积极打造网点消费场景，在全市统一组织“周五惠民日”等活动，带动客户资产稳步增长。",
)
SECOND = (
    "本报讯 近日，邮储银行江西省赣州市分行与江西森达家具有限公司签订战略合作协议，双方将在供应链金融、账户结算等领域开展全面合作。",
    "赣州市分行将依托“邮e链”平台，为上下游小微企业提供线上融资服务，助力家具产业集群发展壮大。",
)


def articles_of(raw):
    c = clean_text(raw)
    return c, segment(c)


def body(c, a):
    return c.text[a.start:a.end]


def test_end_note_closes_and_byline_opens_the_next_article():
    c, arts = articles_of(column(*FIRST, ("（宜昌市分公司提供）",), ("□王强 李明",), *SECOND))
    assert len(arts) == 2
    first, second = arts
    assert body(c, first).startswith("近年来，湖北省宜昌市邮政分公司")
    assert body(c, first).endswith("（宜昌市分公司提供）")
    assert body(c, second).startswith("□王强 李明")
    assert "本报讯近日，邮储银行江西省赣州市分行" in body(c, second)
    assert second.bylines == ["王强", "李明"]
    assert first.bylines == []
    assert [a.index for a in arts] == [0, 1]
    assert first.end <= second.start


def test_headline_and_subtitle_after_the_body_title_the_article_they_close():
    c, arts = articles_of(column(*FIRST, ("（宜昌市分公司提供）",), ("□王强 李明",), *SECOND,
                                 ("家具产业插上金融翅膀",), ("——赣州市分行服务产业集群纪实",)))
    assert len(arts) == 2
    assert arts[1].title == "家具产业插上金融翅膀"
    assert arts[1].subtitle == "赣州市分行服务产业集群纪实"
    assert arts[0].title is None
    assert body(c, arts[1]).endswith("——赣州市分行服务产业集群纪实")


def test_headline_and_subtitle_before_body_text_open_an_article():
    c, arts = articles_of(column(*FIRST, ("家具产业插上金融翅膀",), ("——赣州市分行服务产业集群纪实",),
                                 SECOND[0].replace("本报讯 ", ""), SECOND[1]))
    assert len(arts) == 2
    assert arts[1].title == "家具产业插上金融翅膀"
    assert body(c, arts[1]).startswith("家具产业插上金融翅膀")
    assert "宜昌" not in body(c, arts[1])


def test_headline_and_subtitle_then_benbaoxun_are_one_article():
    c, arts = articles_of(column(*FIRST, ("家具产业插上金融翅膀",), ("——赣州市分行服务产业集群纪实",), *SECOND))
    assert len(arts) == 2
    assert arts[1].title == "家具产业插上金融翅膀"
    assert "本报讯" in body(c, arts[1])


def test_benbaoxun_opens_an_article():
    c, arts = articles_of(column(*FIRST, *SECOND))
    assert len(arts) == 2
    assert body(c, arts[1]).startswith("本报讯")


def test_one_article_page_is_one_article():
    c, arts = articles_of(column(*FIRST))
    assert len(arts) == 1
    assert (arts[0].start, arts[0].end) == (0, len(c.text))


def test_empty_page_has_no_articles():
    assert articles_of("")[1] == []


def test_articles_reach_the_record_with_their_metadata_and_facts_stay_apart():
    raw = column(*FIRST, ("（宜昌市分公司提供）",), ("□王强 李明",), *SECOND,
                 ("家具产业插上金融翅膀",), ("——赣州市分行服务产业集群纪实",))
    rec = extract(raw)
    assert [a["index"] for a in rec["articles"]] == [0, 1]
    assert rec["articles"][1]["title"] == "家具产业插上金融翅膀"
    assert rec["articles"][1]["bylines"] == ["王强", "李明"]
    by_name = {e["name"]: e for e in rec["entities"]}
    assert {m["article"] for m in by_name["湖北省宜昌市邮政分公司"]["mentions"]} == {0}
    assert {m["article"] for m in by_name["邮储银行江西省赣州市分行"]["mentions"]} == {1}
    # Byline names are people of the second article.
    assert {e["name"] for e in rec["entities"] if e["label"] == "PERSON"} >= {"王强", "李明"}


# ------------------------------------------------------------ bylines set inline, headlines under them

def test_byline_at_the_end_of_a_column_line_is_its_own_paragraph():
    # The signature shares the printed line with the article's last sentence.
    raw = ("截至9月末，邮储银行甘肃省天水市分行涉农贷款\n\n余额突破80亿元。 □赵明远 钱立新\n\n"
           "天水邮政：陇上果香飘万家\n\n近日，甘肃省天水市邮政分公司在秦州区举办苹果\n\n寄递推介会，现场签约客户26家。\n")
    c = clean_text(raw)
    paras = [c.text[p.start:p.end] for p in c.paragraphs]
    assert "□赵明远 钱立新" in paras
    assert "天水邮政：陇上果香飘万家" in paras
    assert not any("钱立新天水" in p for p in paras)


def test_headlines_under_a_signature_open_the_next_article():
    raw = ("邮储银行贵州省遵义市分行今年累计发放茶产业贷款\n\n3.2亿元，支持茶企46家。 □孙晓雯\n\n"
           "遵义市分行“茶香贷”助茶农增收\n\n送贷进茶园\n\n"
           "近日，贵州省遵义市邮政分公司联合湄潭县茶叶协会开\n\n展茶叶寄递专场推介活动。\n")
    c, arts = articles_of(raw)
    assert len(arts) == 2
    assert body(c, arts[0]).endswith("□孙晓雯")
    assert "送贷进茶园" in body(c, arts[1])
    assert "贵州省遵义市邮政分公司" in body(c, arts[1])


def test_headline_lines_over_benbaoxun_do_not_run_into_the_body():
    raw = ("宁波邮政与港区管委会签约\n\n共建跨境寄递服务中心\n\n"
           "本报讯 （浙江记者 林静） 近日，浙江省宁波市邮政\n\n分公司与宁波保税区管委会签署战略合作协议。\n")
    c = clean_text(raw)
    paras = [c.text[p.start:p.end] for p in c.paragraphs]
    assert paras[:2] == ["宁波邮政与港区管委会签约", "共建跨境寄递服务中心"]
    assert paras[2].startswith("本报讯（浙江记者林静）近日")


def test_a_page_that_lost_its_line_breaks_is_read_in_bounded_pieces():
    # One line of 60,000 characters: no paragraph tells where articles end, so the
    # text is cut at sentence ends into pieces no longer than MAX_ARTICLE; the
    # work per piece is bounded and the page costs time linear in its length.
    from kg.text.segment import MAX_ARTICLE
    sentence = "截至9月末，邮储银行甘肃省天水市分行涉农贷款余额82.5亿元，较年初增长12.4%。"
    c, arts = articles_of(sentence * (60000 // len(sentence)))
    assert len(arts) > 1
    assert all(a.end - a.start <= MAX_ARTICLE for a in arts)
    assert arts[0].start == 0 and arts[-1].end == len(c.text)
    assert all(x.end == y.start for x, y in zip(arts, arts[1:]))
    assert all(c.text[a.end - 1] == "。" for a in arts)
    assert [a.index for a in arts] == list(range(len(arts)))


def test_a_columns_short_items_are_articles_of_their_own():
    from kg.text.clean import clean_text
    from kg.text.segment import segment

    page = ("动 态\n"
            "■近日，邮储银行漳州市分行与漳州市农业担保有限公司签订合作协议，计划三年内提供担保贷款20亿元。（许 岚）\n"
            "■日前，宁德市邮政分公司开展“寄递进村”专项行动，新增农村邮路3条，村级快件投递时长缩短一天。（林 涛）\n"
            "■本月，莆田市邮政分公司在全市网点推出“邮政惠民”服务季活动，吸引客户参与一万余人次。（陈 敏）\n")
    cleaned = clean_text(page)
    kinds = {cleaned.text[p.start:p.end][:1]: p.kind for p in cleaned.paragraphs}
    assert kinds["■"] == "text"
    assert len(segment(cleaned)) >= 3


def test_a_short_items_credit_closes_it_so_the_profile_under_it_is_its_own_article():
    c, arts = articles_of(
        "■ 日前，邮储银行青海省分行与青海高原牧业有限公司签署合作协议，双方将在\n"
        "供应链金融等领域开展合作，未来三年为其提供意向性授信20亿元。（赵 岚）\n"
        "邮政人物\n"
        "雪线上的投递路\n"
        "扎西多吉是青海省玉树州邮政分公司曲麻莱县支局的乡邮员，从事这项工作已经十二年。\n")
    assert len(arts) == 2
    assert body(c, arts[0]).endswith("（赵岚）")
    assert "扎西多吉" in body(c, arts[1]) and "青海高原牧业" not in body(c, arts[1])
    # a bracket inside a sentence is no credit
    c, arts = articles_of("近年来，海东市分公司（互助县）新增网点3个，服务客户（农户）一万余人。\n"
                          "该分公司还开展了“送金融进村”活动，惠及农户两千余户。\n")
    assert len(arts) == 1
