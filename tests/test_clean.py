"""kg.text.clean: undoing PDF artefacts while keeping a map back to the raw text."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from extract_helpers import column
from kg.text.clean import clean_text


def text_of(raw: str) -> str:
    return clean_text(raw).text


def paragraph_texts(raw: str) -> list[str]:
    c = clean_text(raw)
    return [c.text[p.start:p.end] for p in c.paragraphs]


# ------------------------------------------------------------ spaces inside runs

def test_spaces_inside_chinese_runs_are_dropped():
    assert text_of("宜昌市分公司代理金融余额列 全 省 邮政第 2 位。") == "宜昌市分公司代理金融余额列全省邮政第2位。"


def test_space_between_a_year_and_its_character_is_dropped():
    assert text_of("2023 年 ，赣 州 市 分 行 新 增 贷 款 。") == "2023年，赣州市分行新增贷款。"


def test_latin_letter_inside_a_chinese_name_loses_its_spaces():
    assert text_of("株洲市分公司上线邮 e 链平台。") == "株洲市分公司上线邮e链平台。"


def test_latin_word_after_chinese_loses_its_space():
    assert text_of("宜昌市分行布放医保智能 POS 终端。") == "宜昌市分行布放医保智能POS终端。"


def test_latin_words_keep_the_space_between_them():
    assert text_of("活动主题为 Hello World 。") == "活动主题为Hello World。"


def test_digits_and_latin_keep_their_separating_space():
    assert text_of("型号 POS 2000 已上线") == "型号POS 2000已上线"


# ------------------------------------------------------------ lines and paragraphs

def test_line_broken_mid_phrase_is_joined():
    raw = column("湖南省株洲市邮政分公司坚持以客户为本，推动代理金融从做储蓄向做客户转型。")
    assert text_of(raw) == "湖南省株洲市邮政分公司坚持以客户为本，推动代理金融从做储蓄向做客户转型。"


def test_line_break_between_two_latin_words_becomes_a_space():
    raw = "宜昌市分行推出智慧金融服务 Smart\nBank 平台，服务客户。"
    assert "Smart Bank" in text_of(raw)


def test_short_line_ends_its_paragraph():
    raw = column(
        "湖南省株洲市邮政分公司坚持以客户为本，推动代理金融从做储蓄向做客户转型，成效明显。",
        ("多场景精耕客群",),
        "株洲市分公司结合客户需求，积极打造网点消费场景，开展各类特色活动，带动客户资产增长。",
    )
    paras = paragraph_texts(raw)
    assert paras == [
        "湖南省株洲市邮政分公司坚持以客户为本，推动代理金融从做储蓄向做客户转型，成效明显。",
        "多场景精耕客群",
        "株洲市分公司结合客户需求，积极打造网点消费场景，开展各类特色活动，带动客户资产增长。",
    ]
    assert "\n多场景精耕客群\n" in text_of(raw)


def test_blank_lines_between_paragraphs_break_them_when_lines_are_not_double_spaced():
    raw = column("赣州市分行深耕家具产业，服务小微企业。", "赣州市分行推出家具贷产品，", width=40,
                 blank_after_each=False).replace("\n", "\n\n", 1)
    assert len(paragraph_texts(raw)) == 2


def test_full_width_digits_and_letters_fold_but_chinese_punctuation_stays():
    out = text_of("２０２２年，宜昌市分行推出ＰＯＳ机，增长１５．３％。“好！”（完）")
    assert out == "2022年，宜昌市分行推出POS机，增长15.3%。“好！”（完）"


def test_ideographic_space_is_dropped():
    assert text_of("宜昌市\u3000分公司") == "宜昌市分公司"


def test_byline_keeps_the_space_between_names():
    raw = column("赣州市分行深耕家具产业，服务小微企业，成效明显，获得好评。", ("□王强 李明",),
                 "赣州市分公司结合客户需求，积极打造网点消费场景，开展特色活动。")
    c = clean_text(raw)
    assert "□王强 李明" in c.text
    assert [p.kind for p in c.paragraphs].count("byline") == 1


def test_empty_and_blank_input():
    assert text_of("") == ""
    assert text_of("\n\n   \n\u3000\n") == ""


# ------------------------------------------------------------ the offset map

def check_offsets(raw: str) -> None:
    c = clean_text(raw)
    assert len(c.offsets) == len(c.text)
    prev = -1
    for i, ch in enumerate(c.text):
        o = c.offsets[i]
        assert 0 <= o < len(raw), (i, o)
        assert o > prev, f"offsets not increasing at {i}"
        prev = o
        orig = raw[o]
        if ch in " \n":
            assert orig.isspace() or orig == ch, (i, ch, orig)
        else:
            assert ch == orig or ch == unicodedata.normalize("NFKC", orig), (i, ch, orig)


def test_every_cleaned_char_maps_to_its_original():
    raw = column("近年来，湖 南 省株洲市邮政分公司坚持以客户为本，２０２２ 年 新增余额 57.76 亿元。",
                 ("多场景精耕客群",), ("□王强 李明",), "上线邮 e 链平台和 Hello World 项目。")
    check_offsets(raw)


def test_original_span_maps_a_name_back_to_the_raw_text():
    raw = "2022 年 ，株 洲 市 分 公 司 新 增 余 额\n\n57.76 亿元，列全省第 1 位。"
    c = clean_text(raw)
    start = c.text.index("株洲市分公司")
    s, e = c.original_span(start, start + len("株洲市分公司"))
    assert raw[s:e] == "株 洲 市 分 公 司"
    start = c.text.index("57.76亿元")
    s, e = c.original_span(start, start + len("57.76亿元"))
    assert raw[s:e] == "57.76 亿元"


def test_original_span_across_a_line_break_covers_both_lines():
    raw = column("近年来，湖南省株洲市邮政分公司坚持以客户为本，推动代理金融从做储蓄向做客户转型。")
    assert raw.startswith("近年来，湖南省株洲市邮政分公司坚\n\n持")
    c = clean_text(raw)
    start = c.text.index("坚持")
    s, e = c.original_span(start, start + 2)
    assert raw[s:e] == "坚\n\n持"


def test_original_span_of_an_empty_span():
    c = clean_text("宜昌市分公司")
    assert c.original_span(2, 2) == (2, 2)
    assert c.original_span(len(c.text), len(c.text)) == (6, 6)


# ------------------------------------------------------------ properties

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_clean_text_never_crashes_and_offsets_map_back(raw):
    check_offsets(raw)


_PAGEISH = st.lists(
    st.one_of(
        st.text(alphabet="宜昌市分公司新增余额亿元，。“”（）０１２ＡＢab 12.%\u3000□", min_size=0, max_size=30),
        st.sampled_from(["", "□王强 李明", "——副标题", "Hello World"]),
    ),
    max_size=20,
).map(lambda lines: "\n".join(lines))


@settings(max_examples=300, deadline=None)
@given(_PAGEISH)
def test_clean_text_on_page_like_input_keeps_its_offsets(raw):
    check_offsets(raw)
    c = clean_text(raw)
    for p in c.paragraphs:
        assert 0 <= p.start <= p.end <= len(c.text)


def test_a_short_item_broken_before_its_first_full_stop_is_no_byline():
    """■ opens both a byline (■本报记者 某某) and a column's short item; an item whose first
    printed line ends before its first 。 is still sentence text, joined with the next line."""
    raw = ("【简讯】\n"
           "    ■ 10月9日，德阳市邮政分公司与德阳市供销合作社举行合作签约仪式，双方将在农\n"
           "资配送等领域开展合作。\n"
           "    ■ 绵阳市邮政分公司积极推进“快递进厂”工程，今年新建企业寄递服务点\n"
           "118个，日均处理包裹1.4万件。\n"
           "    ■ 本报记者 某某某\n")
    assert paragraph_texts(raw) == [
        "【简讯】",
        "■10月9日，德阳市邮政分公司与德阳市供销合作社举行合作签约仪式，双方将在农资配送等领域开展合作。",
        "■绵阳市邮政分公司积极推进“快递进厂”工程，今年新建企业寄递服务点118个，日均处理包裹1.4万件。",
        "■ 本报记者 某某某"]


def test_a_short_item_whose_first_line_has_no_punctuation_yet_is_no_byline():
    raw = ("【各地动态】\n"
           "■ 湖南省岳阳市邮政分公司与岳阳市\n"
           "公安局交通警察支队合作，在全市\n"
           "41个邮政网点开通交管业务代办服务。\n"
           "■ 本报记者 某某某\n")
    assert paragraph_texts(raw) == [
        "【各地动态】",
        "■湖南省岳阳市邮政分公司与岳阳市公安局交通警察支队合作，在全市41个邮政网点开通交管业务代办服务。",
        "■ 本报记者 某某某"]


def test_a_line_of_running_text_cut_short_mid_sentence_goes_on():
    """A number that did not fit went down whole, leaving its line short: the sentence goes on."""
    raw = ("　　今年1—10月，株洲市邮政分公司出口跨\n"
           "境电商包裹累计达到2150万件，同比增长\n"
           "36.8%；国际业务收入3.92亿元，同比增\n"
           "长28.4%，其中“株洲—曼谷”专线业务量\n"
           "占比达到41.5%，客户数\n"
           "1260家。\n"
           "专线直达 时效缩短一半\n")
    assert paragraph_texts(raw) == [
        "今年1—10月，株洲市邮政分公司出口跨境电商包裹累计达到2150万件，同比增长36.8%；国际业务收入3.92亿元，"
        "同比增长28.4%，其中“株洲—曼谷”专线业务量占比达到41.5%，客户数1260家。",
        "专线直达时效缩短一半"]


def test_a_byline_without_a_mark_keeps_its_names_apart():
    raw = ("青稞“邮”出高原\n"
           "本报记者 扎西顿珠 通讯员 卓 玛\n"
           "　　近日，西藏自治区日喀则市邮政分公司开通青稞寄递专线，当月寄递青稞制品1.2万件。\n")
    c = clean_text(raw)
    assert [(c.text[p.start:p.end], p.kind) for p in c.paragraphs][1] == ("本报记者 扎西顿珠 通讯员 卓 玛", "byline")
