"""People's names wherever a reporter writes them, and what is not a name.

Every name here is invented, in provinces and trades the dev pages do not cover.
"""
from __future__ import annotations

import numpy as np
import pytest

from extract_helpers import column, extract, has_relation, names

from kg.errors import ConfigError
from kg.lexicon import word_list
from kg.nlp.components.person_finder import MODEL_PATH, PersonFinder, load_model
from kg.nlp.names_data import parse, spans_of
from kg.nlp.names_model import SENT, char_codes, decode
from kg.paths import config_dir


def people(text: str) -> set[str]:
    return names(extract(text), "PERSON")


# ------------------------------------------------------------ where names stand

def test_names_in_a_list():
    assert people("培训班上，营业员周晓东、吴丽萍和郑国华分享了各自的经验。") == {"周晓东", "吴丽萍", "郑国华"}


@pytest.mark.parametrize("text, person", [
    ("葛振宇总经理在会上作了动员讲话。", "葛振宇"),
    ("座谈会由谭慧敏副行长主持。", "谭慧敏"),
    ("宋立群先生当场办理了开户手续。", "宋立群"),
])
def test_name_before_its_title(text, person):
    assert people(text) == {person}


@pytest.mark.parametrize("text, person", [
    ("营运管理部的柏雅婷介绍了新系统的用法。", "柏雅婷"),
    ("来自兰州市分公司的邵振东获得了一等奖。", "邵振东"),
])
def test_name_after_de(text, person):
    assert person in people(text)


def test_name_with_no_title_beside_it():
    assert people("说起这些年的变化，邹海涛依然心潮澎湃。") == {"邹海涛"}


def test_foreign_name_with_a_dot():
    assert people("哈萨克斯坦客商阿斯卡尔·别克托夫对通关速度很满意。") == {"阿斯卡尔·别克托夫"}


def test_words_joined_by_a_dot_are_no_name():
    assert people("电商·乡村\n青海邮政推进电商下乡。") == set()


@pytest.mark.parametrize("text, person", [
    ("该营业所理财经理欧阳晓辉正在为客户办理业务。", "欧阳晓辉"),
    ("养殖户司马文静算了一笔账。", "司马文静"),
])
def test_compound_surnames(text, person):
    assert people(text) == {person}


def test_customers_full_name_in_a_quote():
    text = "“我叫魏玉兰，在这儿存钱十几年了，放心。”储户魏玉兰说。“多亏了这笔贷款。”种植户卢振江笑着说。"
    assert people(text) == {"魏玉兰", "卢振江"}


# ------------------------------------------------------------ what is not a name

@pytest.mark.parametrize("text", [
    "王大爷每天都来网点看看报纸。",
    "李阿姨把存折递给了柜员。",
    "刘师傅骑着三轮车去投递。",
    "老陈和小李一早就出发了。",
    "沈经理带队走访了十家商户。",
    "“张女士，您的业务办好了。”",
    "客户赵先生说，服务很好。",
    "阿强是村里的能人。",
])
def test_honorifics_and_nicknames_are_not_people(text):
    assert people(text) == set()


def test_a_word_before_a_verb_is_no_name():
    assert people("青海省海东市一家合作社负责人高兴地说，今年销路不愁。") == set()


def test_places_in_a_list_are_no_people():
    assert people("邮政在寿光、临朐等蔬菜主产县设立了收购点。") == set()


# ------------------------------------------------------------ bylines and credits

def test_byline_names_without_a_surname():
    text = column(("□阿古拉 图雅",), "海西州分行开展金融知识宣传。")
    assert people(text) == {"阿古拉", "图雅"}


def test_photo_credit_at_a_line_end():
    text = column("投递员正在分拣包裹。  曹文博 摄", "本报讯 近日，青海邮政开展了业务培训。")
    assert "曹文博" in people(text)


def test_reporter_in_brackets():
    assert "马文涛" in people("本报讯 （甘肃记者 马文涛） 近日，甘肃邮政召开会议。")


def test_byline_name_broken_across_lines():
    text = "甘肃邮政推进寄递进村，服务群众1万人次。\n\n□许小\n\n敏\n\n本报讯 近日，青海邮政开展了培训。\n"
    assert "许小敏" in people(text)


def test_byline_person_has_no_works_at():
    rec = extract(column(("□本报记者 魏东 通讯员 孔雪",), "兰州市分公司开展“邮政进村”活动。"))
    assert names(rec, "PERSON") == {"魏东", "孔雪"}
    assert not [r for r in rec["relations"] if r["type"] == "WORKS_AT"]


def test_title_name_still_feeds_works_at():
    rec = extract("甘肃省兰州市邮政分公司城关营业部客户经理杜明远介绍，今年新增客户300户。")
    assert "杜明远" in names(rec, "PERSON")
    assert has_relation(rec, "WORKS_AT", "杜明远", "城关营业部")


# ------------------------------------------------------------ the model itself

@pytest.fixture(scope="module")
def model():
    return load_model(str(MODEL_PATH), tuple(sorted(word_list(str(config_dir() / "surnames.txt")))))


def full_viterbi(model, text):
    """Plain Viterbi over every position: what the fast decoder must reproduce."""
    em = model.emissions(char_codes(text)).astype(np.float64)  # float64: punctuation's large O bonus adds up
    t = model.transitions.astype(np.float64)
    score = em[0].copy()
    back = []
    for i in range(1, len(em)):
        cand = score[:, None] + t
        back.append(cand.argmax(axis=0))
        score = cand.max(axis=0) + em[i]
    path = [int(score.argmax())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    return np.array(path[::-1])


@pytest.mark.parametrize("text", [
    "说起这些年的变化，邹海涛依然心潮澎湃。营业员周晓东、吴丽萍和郑国华分享了经验。",
    "哈萨克斯坦客商阿斯卡尔·别克托夫对通关速度很满意，新华社记者当场采访了他。",
    "甘肃省兰州市邮政分公司与兰州大学签订合作协议，国务院有关部门负责人出席。",
])
def test_fast_decoding_equals_full_viterbi(model, text):
    assert model.tags(text).tolist() == full_viterbi(model, text).tolist()


def test_table_lookups_give_the_trained_scores(model):
    codes = char_codes("阿斯卡尔·别克托夫说，欧阳晓辉、王二在兰州市分公司工作。韩立秋说！\nX3 ok")
    assert np.allclose(model.emissions(codes), model.reference_emissions(codes), atol=1e-3)


def test_a_sentence_ending_inside_the_line_is_read_as_a_line_break(model):
    # Trained one sentence per line: a name opening the next sentence reads as it would
    # at the start of a line, and the last word before the mark still sees the mark.
    one_line = "他们把工资发到了每个人手上。蒂尔曼说，这里很安静。"
    two_lines = "他们把工资发到了每个人手上。\n蒂尔曼说，这里很安静。"
    cut = one_line.index("蒂")
    assert np.allclose(model.emissions(char_codes(one_line))[cut:],
                       model.emissions(char_codes(two_lines))[cut + 1:], atol=1e-4)
    assert np.allclose(model.emissions(char_codes(one_line))[:cut],
                       model.emissions(char_codes(two_lines))[:cut], atol=1e-4)


def test_model_reads_white_space_as_a_sentence_edge(model):
    codes = char_codes("王 明\n李")
    assert codes.tolist()[1] == SENT and codes.tolist()[3] == SENT
    assert model.tags("") .tolist() == []


def test_model_also_proposes_organisations(model):
    found = {("新华社记者报道，国务院召开常务会议。"[s:e], lab)
             for s, e, lab in model.spans("新华社记者报道，国务院召开常务会议。", ("ORG",))}
    assert ("新华社", "ORG") in found and ("国务院", "ORG") in found


def test_decode_drops_broken_sequences():
    tags = ("O", "B-PER", "M-PER", "E-PER", "S-PER")
    assert decode([1, 2, 3, 0, 4, 0, 2, 3], tags) == [(0, 3, "PER"), (4, 5, "PER")]


def test_missing_model_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="names_crf.npz: name model not found"):
        load_model(str(tmp_path / "names_crf.npz"), ("王",))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="bad.npz: not a name model"):
        load_model(str(bad), ("王",))


def test_person_finder_takes_its_model_from_config(tmp_path):
    cfg = config_dir()
    with pytest.raises(ConfigError, match="name model not found"):
        PersonFinder(str(cfg / "titles.txt"), str(cfg / "surnames.txt"), str(cfg / "honorifics.txt"),
                     str(cfg / "name_followers.txt"), credits=str(cfg / "credit_words.txt"),
                     stops=str(cfg / "person_stops.txt"), place_after=str(cfg / "place_after.txt"),
                     model=str(tmp_path / "none.npz"))


# ------------------------------------------------------------ the MSRA reader

def test_msra_lines_and_spans():
    text = "张 B-PER\r\n三 E-PER\r\n在 O\r\n北 B-LOC\r\n京 E-LOC\r\n\r\n李 S-PER\r\n"
    sents = parse(text)
    assert [s.text for s in sents] == ["张三在北京", "李"]
    assert sents[0].spans("PER") == [(0, 2)] and sents[0].spans("LOC") == [(3, 5)]
    assert spans_of(["B-ORG", "M-ORG", "O", "E-ORG"], "ORG") == []


def test_batched_docs_find_what_single_docs_find():
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline("default")
    texts = ["说起这些年的变化，邹海涛依然心潮澎湃。", "营业员周晓东、吴丽萍和郑国华分享了经验。",
             "哈萨克斯坦客商阿斯卡尔·别克托夫对通关速度很满意。", "李阿姨把存折递给了柜员。"]
    finder = nlp.get_pipe("person_finder")

    def persons(doc):
        return [(m.start, m.end, m.text) for m in doc._.kg_mentions if m.label == "PERSON"]

    split = nlp.get_pipe("sentence_splitter")
    one = [persons(finder(split(nlp.make_doc(t)))) for t in texts]
    batched = [persons(d) for d in finder.pipe((split(nlp.make_doc(t)) for t in texts), batch_size=3)]
    assert batched == one and one[1] == [(3, 6, "周晓东"), (7, 10, "吴丽萍"), (11, 14, "郑国华")]


def test_produce_in_a_list_closed_by_goods_is_no_person():
    text = "该分公司帮助农户销售土豆、燕麦等农产品超过3000吨，还上线了黄桃、柳橙等生鲜产品。"
    assert not people(text) & {"燕麦", "黄桃", "柳橙"}


def test_a_list_of_people_closed_by_deng_keeps_them():
    assert {"程国栋", "龚丽萍"} <= people("程国栋、龚丽萍等人的作品入选展览。")
    assert {"程国栋", "龚丽萍"} <= people("程国栋、龚丽萍等10余位嘉宾出席了开幕式。")


def test_short_slogans_in_quotes_are_no_people():
    assert "包赢" not in people("挂包人员由“挂而不管”转变为“挂好、包赢、帮完成”。")


def test_a_routes_end_is_a_place():
    assert "乌兰巴托" not in people("邮件经二连浩特至乌兰巴托陆运邮路发运，最快2天送达乌兰巴托。")


def test_a_word_ending_in_shuo_is_not_taken_into_the_name():
    assert people("对于刚入职的韩霜来说，这次培训很及时。") == {"韩霜"}
    assert people("一次偶然的机会，凌波听说县里开办了电商培训班。") == {"凌波"}


def test_a_pair_written_with_a_slash_is_two_people():
    found = people("混双比赛中，宁夏的双打选手是刘明／张蔚、杨帆／张军。")
    assert {"刘明", "张蔚", "杨帆", "张军"} <= found and not any("/" in p or "／" in p for p in found)


def test_a_foreign_name_with_a_dot_and_a_rare_character():
    # 珊 and 珀 are rare in transliterations; the · and the rest of the name tell.
    assert {"苏珊·埃弗雷特"} <= people("客户经理介绍，苏珊·埃弗雷特女士上午办理了国际汇款业务。")


@pytest.mark.parametrize("text, person", [
    # the model starts the name on its third character; the name runs back to the clause's start
    ("木合塔尔·买买提是阿克陶县邮政分公司的乡邮员。", "木合塔尔·买买提"),
    # …or over characters of transliteration, never over the word before it
    ("客户热依汗古丽·艾买提来到网点办理业务。", "热依汗古丽·艾买提"),
    ("项目负责人保罗·安德森介绍了进展。", "保罗·安德森"),
    ("记者向阿卜杜·卡迪尔了解情况。", "阿卜杜·卡迪尔"),
    ("海关关务经理阿卜杜·卡迪尔介绍，通关时间缩短一半。", "阿卜杜·卡迪尔"),
])
def test_a_foreign_name_runs_back_to_its_first_character(text, person):
    assert people(text) == {person}


def test_a_year_in_chinese_numerals_is_not_part_of_an_organisations_name():
    got = extract("郑立华一九九九年大学毕业后回到家乡任教。")
    assert "郑立华" in names(got, "PERSON")
    assert not any("二〇〇九" in n for n in names(got, "PARTNER"))


def test_a_sentence_is_not_grown_into_an_organisations_name():
    got = extract("陈茂林常说他上大学时就想回乡创业。")
    assert not any("说" in n or "他" in n for n in names(got, "PARTNER"))


def test_a_short_items_author_in_brackets_at_its_end():
    got = people("■近日，邮储银行漳州市分行与漳州市农业担保有限公司签订合作协议。（许 岚）\n"
                 "■日前，宁德市邮政分公司开展寄递进村活动。（未完）")
    assert got == {"许岚"}


def test_a_surname_that_is_also_a_preposition_after_a_word_for_who_someone_is():
    assert people("果农向德明告诉记者：“邮政上门收件，价格还便宜。”") == {"向德明"}
    assert "向红梅" not in people("他向红梅说明了情况。")  # after 他, 向 governs


def test_an_editors_line_whose_gaps_the_pdf_lost():
    assert people("编辑：钱 晓  校对：孙 梅\n黑龙江鹤岗：邮政助力煤城转型\n本报讯近日，鹤岗市邮政分公司开通新线路。") \
        >= {"钱晓", "孙梅"}
    assert "钱晓校" not in people("编辑：钱 晓  校对：孙 梅\n正文从这里开始。")


def test_a_short_items_credit_on_the_line_under_it_and_a_name_without_surname():
    got = people("【青海】11月20日，青海省邮政分公司宣讲团走进西宁市城东区，今年已开展宣讲36场。\n（次 仁）\n"
                 "【甘肃】近日，甘肃省邮政分公司开通农产品寄递专线。（未完）")
    assert got == {"次仁"}


def test_a_city_after_its_country_is_no_person():
    assert people("一批跨境电商包裹从磨憨国际邮件互换局驶出，发往老挝琅勃拉邦。通讯员李明摄") <= {"李明"}
    assert "琅勃拉邦" not in people("包裹经磨憨口岸发往老挝琅勃拉邦。")


@pytest.mark.parametrize("byline, expected", [
    ("□ 本报记者 郝 晨 通讯员 阎 文 静", {"郝晨", "阎文静"}),   # a three-letter name spaced out
    ("□ 王 强 李 明", {"王强", "李明"}),                        # two two-letter names
    ("□ 本报记者 刘 晓 红 李 强", {"刘晓红", "李强"}),          # cut where a surname starts
])
def test_bylines_whose_letters_the_pdf_spaced(byline, expected):
    assert people(byline + "\n近日，鹤岗市邮政分公司开通农产品寄递专线，日均寄递量超过3000件。") == expected


def test_the_names_of_a_byline_without_a_mark_are_people():
    rec = extract("青稞“邮”出高原\n本报记者 扎西顿珠 通讯员 卓 玛\n"
                  "　　近日，西藏自治区日喀则市邮政分公司开通青稞寄递专线，当月寄递青稞制品1.2万件。\n")
    assert {"扎西顿珠", "卓玛"} <= names(rec, "PERSON")


def test_landmarks_listed_before_their_kind_are_no_people():
    rec = extract("邮票画面选取文昌阁、夫人城等古城地标。")
    assert not names(rec, "PERSON")


def test_a_noun_opening_with_a_surname_is_no_person():
    rec = extract("今年以来，庆阳市邮政分公司累计寄递马铃薯及其制品120万件，向日葵籽8000件。")
    assert not names(rec, "PERSON")
    assert any(m["value"] == 1200000 for m in rec["metrics"])


def test_the_author_signed_after_a_short_items_last_sentence():
    rec = extract("■近日，四平市邮政分公司开展“开门红”营销活动，新增代理金融余额2亿元。□霍思文\n"
                  "■近日，辽源市邮政分公司开展冬季营销活动，新增代理金融余额1亿元。□蔡丽\n")
    assert {"霍思文", "蔡丽"} <= names(rec, "PERSON")


def test_a_prepositions_surname_after_a_title_opens_the_name():
    assert "向春燕" in names(extract("营业员向春燕每天接待客户上百人。"), "PERSON")
