"""Metrics: a reported figure, the entity it is about, what it measures, and when.

For every figure with a unit (57.76亿元, 47.01万人次, 7.7%, 10个):
- value: exact Decimal in base units (亿 = 1e8, 万 = 1e4; percent as a number);
- unit kind from config/units.jsonl decides where its name is: before the
  figure for money and measures (新增余额57.76亿元), after it for counts
  (10个产业的研究报告); time units (年, 天) and ordinals (第1位) are no metrics;
- subject: a unit or organisation named before it in the sentence, else a
  programme or product there (该项目总投资), else the actor of its paragraph
  or article (kg.nlp.actors) — but none when the sentence is about a place
  (山东全省…) or a person speaks of themselves (我流转了100多亩林地);
- as_of: the date written nearest before it in its sentence, else in its
  paragraph, else after it there;
- a ranking right after it (列全省邮政第1位) is kept as its `rank`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from itertools import accumulate

from spacy.language import Language

from kg.nlp.actors import LOAN_GOT, UNDER, actors, clause_end, clause_start
from kg.nlp.dates import find_dates
from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Metric, layout, live, live_before, live_in, metrics, relations, resolved
from kg.nlp.numbers import NumberError, parse_number

CN = "零〇一二两三四五六七八九十百千"
NUM = rf"(?:\d+(?:[,，]\d{{3}})*(?:\.\d+)?|[{CN}]+(?:点[{CN}]+)?)"
QUOTED = re.compile(r"“[^“”。，！？；]{1,30}”|‘[^‘’。，！？；]{1,30}’")  # names in quotes, not speech
CLAUSE_END = re.compile(r"[，。；！？：\n,;!?:]")
# 依托“某某”平台累计销售…: a product the unit works through is no subject of the figure.
INSTRUMENT = re.compile(r"(?:依托|通过|利用|借助|依靠|运用)[“‘《]?$")
# Teams and posts a unit sets up many of (组建志愿服务队45支): counted for the unit.
TEAMS = ("服务队", "服务小组", "宣讲团", "突击队", "代表队")
ROUNDED = re.compile(r"(?:突破|超过|超)$")
RESTATED = re.compile(r"[，,](?:达到|达|为|至)")
UNNAMED_UNITS = re.compile(r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})+[一二三四五六七八九十两\d]+[个家]"
                           r"(?:二级分行|分行|支行|分公司|县分公司|营业所|网点|揽投部)")
LEADING_PERIOD = re.compile(r"^(?:今年|去年|前年|本年|当年|全年|年内)(?:以来)?"
                            r"(?:前三季度|上半年|下半年|[一二三四]季度|前[一二三四五六七八九十\d]+个?月)?(?=[\u4e00-\u9fff]{2})")
TIME_TAIL = re.compile(r"(?:以内|以来|之内|内|来|后|里|间)?")
PLACES_COUNTED = re.compile(r"^(?:\d+个[\u4e00-\u9fff]{0,2}?(?:地市|市州|市县|县区|区县|乡镇|地区|市|县|区|州)的?)?(?:同步|同时|均|都|共|也)?")
# What follows a count ends at the next item, or where its predicate starts (4枚邮票|分别以…, 12个网点|均开办…).
AFTER_END = re.compile(r"[，。；！？：\n,;!?:、]|分别|(?<![日月年周人户平])均")  # (日均 is a word)
ENTITY_LABELS = ("BRANCH", "PARTNER")
OBJECT_MARK = re.compile(r"(?:与|同|和|跟|为|向|给|对|及|、|联合|配合|携手|在|委托|邀请|对接|由|来自)[\u4e00-\u9fff]{0,4}$")
ITEM_LABELS = ("PROGRAM", "PRODUCT")
# A figure that goes on a run: after 、, 和, a range's 至, or 分别 figures.
# A name before a figure that ends in a verb of getting, giving or carrying: the
# figure is that verb's object, named by the words after it.
VERB_END = re.compile(r"(?:获得|得到|拿到|贷到|发放|投放|提供|办理|申请|争取|载|装载|运送|运载|寄出|发出|处理|销售|售出)了?$")
AFTER_TAIL = re.compile(r"(?:的|参加|参与|参训|参赛|参展|报名|同台竞技|参加培训|参加活动)+$")
HEADLINE_PUNCT = re.compile(r"[。，；！？,;!?]")
CONTINUES = re.compile(r"[、和及与至到~～—–]|，(?:同比)?分别(?:增长|下降|达|为)?")
RESPECTIVELY = re.compile(r"分别")
PLACE_LIST = re.compile(r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})+等$")
NETWORK_WORD = re.compile(r"邮储|邮政|银行|支行|分行|支局|营业所|网点")  # what a customer calls the unit
WHOLE_UNIT = re.compile(r"全(?:行|公司|局)(?![长])")  # a clause that speaks for the whole unit
# A village opening a clause (今年，北顺村销售额…), not its villagers (村民) nor a village-level unit (村级).
VILLAGE = re.compile(r"(?:^|[，；：])(?:今年|去年|目前|如今)?[\u4e00-\u9fff]{1,3}?(?<!行政)村(?![民委级镇组])")
ITEM_REACHED = ("已达", "达到", "已有", "达", "共有", "总数达", "数量达")
QUOTED_START = re.compile(r"^“[^“”]{1,20}”")
COMPARED = re.compile(r"(?:低于|高于|超过|不足|不到|少于|多于|大于|小于|不低于|不高于)$")
# 我们 acting (我们通过邮政发出去…), not given to (为我们发放了1000万元贷款: the lender's figure).
WE_ACT = re.compile(r"(?<![为向给帮让对替跟和与])我们")
# …均超过6亿元: a figure each of the units listed before it reached.
EACH = re.compile(r"均(?:已|在)?(?:超过|超|达到|达|为|突破|高于|不低于|不少于|实现|增长|新增)?$")
# The count that closes a list of units (甲、乙等3家二级分行), and the kind it counts.
LISTED_COUNT = re.compile(rf"等{NUM}[个家所]" + r"(?P<kind>(?:邮政|营业|金融)?(?:网点|营业所|邮政所|支局|二级分行"
                          r"|分行|支行|县分公司|分公司|服务站|揽投部|投递部|单位))?")
WHOLE_NETWORK = re.compile(r"全(?P<level>省|市|区|县|州|盟)(?:邮政|邮储银行|邮银)")
LEVELS = {"省": 1, "市": 2, "州": 2, "盟": 2, "区": 3, "县": 3}
BY_MEANS = {"以", "凭", "凭借"}  # 以287.5分获得…: a figure that names the means, not the measure
LEADING_JUNK = re.compile(r"^(?:[、，和及与至到并的]|其中|分别|同比分别|今年已|已|还|同时"
                          # 全省16个|地市同步设立首发点48个: the places counted before, and an adverb
                          r"|(?:地市|市州|市县|县区|区县|乡镇|地区)(?:的|同步|同时|均|都|共|也)+)+")
# 由原来的45%提高到78%: a change reports its end value.
CHANGE_FROM = re.compile(r"(?:由|从)(?:原来的|原先的|去年的|之前的)?")
CHANGE_FROM_BEFORE = re.compile(r"(?:由|从)(?:原来的|原先的|去年的|之前的)?$")
CHANGE_TO = re.compile(r"(?:提高|提升|增加|增长|上升|扩大|下降|降低|减少|缩短|降|升|增)(?:到|至)")
CHANGE_TO_BEFORE = re.compile(r"(?:提高|提升|增加|增长|上升|扩大|下降|降低|减少|缩短|降|升|增)(?:到|至)了?$")
# 将原有的326条邮路整合为248条: the value before a change, not reported as it stands.
ORIGINAL = re.compile(r"(?:原有|原来|原先)的?$")
DISTANCES = ("公里", "千米", "米", "里")
TRIP = re.compile(r"(?:单程|往返|来回|全程|一趟)(?:约|近|超过|达到?|有)?$")
BEST_ONE = re.compile(r"(?:最高|最多|最大|最远|最长)的(?:一[个户人家位名])?(?:超过|超|达到?|有|为|近)?$")
# 资产在20万元以上的客户: a threshold describing whom is counted, not a figure reported.
THRESHOLD = re.compile(r"(?:以上|以下|以内)的")
# 某分公司人力资源部负责人表示，计划培养1000名…: a department speaks for its unit; the
# figures it gives are the unit's (or its programme's), not the department's own.
SPEAKING_DEPARTMENT = re.compile(r"部(?:相关|主要)?(?:负责人|副?总经理|副?经理|副?主任|副?部长)")
# 已向1260户种植户发放贷款: a preposition before the figure governs what follows it.
PREP_END = re.compile(r"(?:向|为|对|给|将|把|帮助|帮扶|带动)"
                      # (and a place between: 一次性为全村|312户农户授信, 向园区内|320户菜农)
                      r"(?:全?[\u4e00-\u9fff]{0,6}?(?:村|镇|乡|县|区|市|州|园区内|区内|辖内))?$")
WHOLE_COUNT = re.compile(r"(?<!来自)全(?P<level>省|市|区|县|州|盟)$")
UNIT_COUNTED = re.compile(r"(?:邮政|营业|金融)?(?:网点|营业所|邮政所|支局|二级分行|分行|支行|分公司|服务站|揽投部|投递部)")
# …寄递的国际邮件将|超过500吨: an adverb between the name and its figure is neither's.
TRAILING_JUNK = re.compile(r"(?<=..)(?:将|已|还|也|均|仍)$")
RATE_IS = re.compile(r"(?:率|占比|比例|比重)(?:为|是|保持|均为|始终为)?$")
# Verbs that end the noun a figure counts (210户种粮大户发放贷款).
# (a modal before the verb goes with it: 386个网点|可办理…)
NOUN_ENDS = re.compile(r"(?:可以|可|能够)?(?:发放|投放|授信|放款|审批|纳入|提供|实行|实施|推行|寄递|寄出|发运|销售|讲述|组成|深入|走进|建立|开发|办理|获得|享受|开展|实现|完成|签订|签约|设立|开通|建成|成立|组建|配备|推出|上线|布放|将|已|(?<![日月年周人户平])均|陆续|[日月年周]均)")
# 来自全省18个市县的120名学员参加培训: who took part, counted in a sentence that names no one.
PARTICIPATE = re.compile(r"参加|参与|参训|参赛|同台竞技|报名")
AFTER_DE = re.compile(r"(?:以上|以下|左右)?的(?P<name>[\u4e00-\u9fffA-Za-z]{2,12}?)(?=[，。；、！？\n]|$)")


@Language.factory(
    "kg_metric_finder",
    assigns=["doc._.kg_metrics"],
    requires=["doc._.kg_mentions"],
    default_config={
        "units": "config/units.jsonl",
        "trim": "config/metric_trim.txt",
        "approx": "config/approx_words.txt",
        "place_subjects": "config/place_subjects.txt",
        "personal": "config/personal_words.txt",
        "place_nouns": "config/place_nouns.txt",
        "rank_words": "config/rank_words.txt",
        "speech": "config/speech_verbs.txt",
        "place_actions": "config/place_actions.txt",
        "honorifics": "config/honorifics.txt",
        "product_terms": "config/product_terms.txt",
        "trim_keep": "config/metric_trim_keep.txt",
    },
)
def make_metric_finder(nlp, name, units, trim, approx, place_subjects, personal, place_nouns, rank_words,
                       speech, place_actions, honorifics, product_terms, trim_keep):
    return MetricFinder(units, trim, approx, place_subjects, personal, place_nouns, rank_words, speech,
                        place_actions, honorifics, product_terms, trim_keep)


class _Dates(list):
    """The page's dates in text order, with their starts for bisecting."""

    def __init__(self, items):
        super().__init__(sorted(items))
        self.starts = [d[0] for d in self]


class MetricFinder:
    def __init__(self, units, trim, approx, place_subjects, personal, place_nouns, rank_words,
                 speech="config/speech_verbs.txt", place_actions="config/place_actions.txt",
                 honorifics="config/honorifics.txt", product_terms="config/product_terms.txt",
                 trim_keep="config/metric_trim_keep.txt"):
        rows = jsonl(units, ("unit", "kind"))
        speaking = "|".join(map(re.escape, longest_first(word_list(speech))))
        # 16年来，他骑马往返…，累计行程超过20万公里: he, at a clause's start, is who the
        # figures are about (a person's own); 他们 are many, and 他说 is a speaker.
        self.speaks = re.compile(rf"(?:{speaking})")
        self.he_or_she = re.compile(rf"(?:^|(?<=[，；：“”])|(?<=[，；：“”]也是)|(?<=[，；：“”]是))[他她](?!们)(?!{speaking})")
        # 王大爷种了20亩食用菌: someone named by an honorific opens the clause; the figures are theirs.
        kin = "|".join(map(re.escape, longest_first(w for w in word_list(honorifics) if len(w) > 1)))
        self.someone = re.compile(rf"^[\u4e00-\u9fff]{{1,4}}(?:{kin})")  # (村民王大爷: a role may come first)
        self.units = {r["unit"]: r for r in rows}
        self.trim = longest_first(word_list(trim))
        self.trim_keep = tuple(word_list(trim_keep))
        self.place_subjects = tuple(word_list(place_subjects))
        self.place_actions = tuple(word_list(place_actions))
        self.product_terms = tuple(longest_first(word_list(product_terms)))
        self.personal = tuple(word_list(personal))
        self.place_nouns = tuple(longest_first(word_list(place_nouns)))
        approx_words = "|".join(map(re.escape, longest_first(word_list(approx))))
        unit_alt = "|".join(map(re.escape, longest_first(self.units)))
        self.figure = re.compile(
            rf"(?P<pct>百分之)?(?P<sign>[-−])?(?P<num>{NUM})(?:(?P<sep>—|–|~|～|至|到)(?P<num2>{NUM}))?"
            # 200余万元 and 200万余元 alike: the printed number (ANNOTATION: 余 takes it)
            rf"(?:余|多)?(?P<mag>万亿|亿|万|千)?(?:{approx_words})?(?P<unit>{unit_alt})?")
        ranks = "|".join(map(re.escape, longest_first(word_list(rank_words))))
        self.rank = re.compile(rf"(?:{ranks})[^，。；\d]{{0,12}}第\s*\d+\s*[位名]")

    def __call__(self, doc):
        text = layout(doc).text
        lay = layout(doc)
        found = live(doc)
        spans = sorted([(m.start, m.end) for _, m in found] + [q.span() for q in QUOTED.finditer(text)])
        self._span_starts = [a for a, _ in spans]
        self._span_max_end = list(accumulate((b for _, b in spans), max))
        # 该分公司 with nothing to point to, where the figures after it have no known owner.
        self._lost = sorted(m.start for m in doc._.kg_mentions
                            if m.kind == "anaphor" and m.refers is None and m.label in ENTITY_LABELS)
        dates = _Dates(find_dates(text))
        out = metrics(doc)
        seen = set()
        for f in self.figure.finditer(text):
            metric = self._metric(doc, lay, found, spans, dates, f, out)
            if metric is None:
                continue
            subjects, kind = self._each_listed(doc, lay, metric)
            if kind and metric.name.startswith(kind) and len(metric.name) > len(kind):
                metric.name = metric.name[len(kind):]  # (二级分行)涉农贷款增量: the kind counted is no part of it
            for subject in subjects or [metric.subject]:
                each = replace(metric, subject=subject)
                key = (each.subject, each.name, each.value, each.unit)
                if key not in seen:
                    seen.add(key)
                    out.append(each)
        self._ranks(text, lay, out)
        return doc

    # -- one figure -------------------------------------------------------
    def _metric(self, doc, lay, found, spans, dates, f, out):
        text = lay.text
        s, e = f.span()
        k = bisect.bisect_right(self._span_starts, s)
        if not f.group("num") or (k and self._span_max_end[k - 1] > s):
            return None  # inside a name or a quote
        if text[s - 1:s] in "第" or (s and re.match(r"[\dA-Za-z.]", text[s - 1])):
            return None
        unit_text = f.group("unit")
        row = self.units.get(unit_text) if unit_text else None
        kind = row["kind"] if row else None
        if f.group("pct"):
            kind, unit = "percent", "%"
        elif row:
            unit = row.get("as", unit_text)
        else:
            unit = None
        if kind in ("time", "skip"):
            return None
        chinese = not re.match(r"\d", f.group("num"))
        if chinese and not f.group("mag") and kind not in ("money", "percent") \
                and not (f.group("num") == "零" and RATE_IS.search(text, max(0, s - 8), s)):
            return None  # 一项工作, 两个网点: words, not reported figures (but 不良率为零 is 0%)
        try:
            value = parse_number(f.group("num") + (f.group("mag") or ""))
            value_max = parse_number(f.group("num2") + (f.group("mag") or "")) if f.group("num2") else None
        except NumberError:
            return None
        if f.group("sign"):
            value = -value
        sent_start, sent_end = lay.sentence(s)
        sentence = text[sent_start:sent_end]
        p_start, p_end = lay.paragraph(s)
        if p_end - p_start <= 40 and not HEADLINE_PUNCT.search(text, p_start, p_end):
            return None  # a headline's restatement of a figure the article reports
        site = self._place_of_work(doc, text, sent_start, s)
        if site is None and (any(w in sentence.replace("我们", "") for w in self.personal)
                             or self._his_own(doc, text, sent_start, s)):
            return None
        if self._outside_voice(doc, lay, text, s, WE_ACT.search(text, sent_start, s) is not None):
            return None
        c_start = clause_start(text, s)
        if re.match(r"\d", text[e:e + 1]) and f.group("unit"):
            return None  # 1套4枚: the set; the figure after it counts what is in it
        unnamed = UNNAMED_UNITS.search(text, sent_start, s)
        if unnamed and not any(m.label in ENTITY_LABELS for _, m in live_in(doc, unnamed.end(), s)):
            return None  # 宝鸡、咸阳两家二级分行…均超过10亿元: units the text does not name
        if kind == "count" and text.endswith("等", 0, s) and self._restates_list(doc, text, sent_start, s, value):
            return None
        own = self._item_counted(doc, lay, text, s)
        subject = own[0] if own else site if site is not None else self._subject(doc, lay, found, text, s, e,
                                                                                   sent_start)
        if subject is None:
            return None
        if self._speaks_for_whole(doc, text, sent_start, s):
            subject = self._whole_of(doc, subject)
        before = own[1] if own else self._name_before(doc, found, text, c_start, s, subject)
        if kind is None:
            # A bare figure is a percentage only after a rate (不良率为0).
            if not re.search(r"(率|占比|比例|比重)$", before):
                return None
            kind, unit = "percent", "%"
        if CHANGE_FROM_BEFORE.search(text, max(0, s - 6), s) and CHANGE_TO.match(text, e):
            return None  # 由原来的45%提高到78%: the value before the change is not reported
        if ORIGINAL.search(text, max(0, s - 4), s):
            return None
        if (TRIP.search(text, max(c_start, s - 6), s) and unit in DISTANCES) \
                or BEST_ONE.search(text, max(c_start, s - 6), s):
            return None  # 单程68公里: one trip's length; 年销售额最高的超过80万元: the best one's, not the unit's
        if THRESHOLD.match(text, e) and text.endswith("在", c_start, s):
            return None
        if text.startswith("的", e) and re.search(r"(?:超|超过|逾|不低于)$", text[max(c_start, s - 3):s]) \
                and re.search(r"\d", text[e:clause_end(text, e)]):
            return None  # 培育年销售额超千万元的项目20个: a bar the items counted after it clear
        if text.startswith("的", e) and COMPARED.search(text, max(c_start, s - 3), s) \
                and UNIT_COUNTED.match(text, e + 1):
            return None  # 对占比低于50%的支行进行督导: a bar that picks units out, not a figure
        change = CHANGE_TO_BEFORE.search(text, max(c_start, s - 12), s)
        if change:
            # …率由原来的45%提高到78%: named by what stands before 由.
            origin = CHANGE_FROM.search(text, c_start, change.start())
            if origin:
                before = self._name_before(doc, found, text, c_start, origin.start(), subject)
        # 43家合作社、210户种粮大户: what stands before a listed figure names the item before it.
        listed = before.endswith("、")
        before = before.strip("、")
        if before.endswith("的") and kind in ("count", "measure"):
            before = ""  # 12个园区的430户大棚种植户: the figure modifies what follows it
        before = before.removesuffix("的")
        prev = out[-1] if out else None
        if prev is not None and c_start <= prev.start and prev.end <= s and text.startswith(prev.name, prev.end) \
                and before.startswith(prev.name) and len(before) > len(prev.name):
            before = before[len(prev.name):]  # 向1260户种植户|发放贷款4.2亿元: the noun counted before is not this one's
        if kind == "count":
            name = self._name_after(text, e)
            places = self._counts_places(name)
            if places and (not NOUN_ENDS.match(name, places) or self._counted_after(text, e)):
                # 13个地（市）; 在甲、乙等7个县设立收寄点126个 (but 在全县278个村建成服务点:
                # a point in each place, the places count them)
                return None
            name = name or before
        else:
            after_de = self._named_after_de(text, e)
            after = self._name_after(text, e)
            if before and (VERB_END.search(before) or listed or PREP_END.search(before)
                           or PREP_END.search(text[max(c_start, s - 2):s])) and after \
                    and not VERB_END.search(after):
                # 从某支行获得了80万元订单贷款, 一架载12吨国际邮件: the verb's object names it.
                before = ""
            name = after_de or before or (after if kind in ("measure", "money") and after and
                                          not re.match(r"[的，。、]", after) else "")
        name = TRAILING_JUNK.sub("", LEADING_JUNK.sub("", WHOLE_NETWORK.sub("", name)).replace("分别", ""))
        if prev is not None and prev.end <= s and lay.sentence(prev.start)[0] == sent_start \
                and CONTINUES.fullmatch(text[prev.end:s]):
            # 2863笔、金额7.45亿元; 3万元至300万元; 同比分别增长31.2%和28.7%: a figure
            # in a run goes on with the run's subject, and its name when it has none.
            subject = prev.subject if not RESPECTIVELY.search(text, c_start, s) else subject
            if not name or name in ("、", "和", "及", "至", "到"):
                name = prev.name
        if prev is not None and prev.end <= s and lay.sentence(prev.start)[0] == sent_start \
                and name in self.trim:
            name = prev.name  # 净增1.05亿元，突破9亿元: the same measure, named before
            if ROUNDED.search(text, max(0, prev.start - 3), prev.start) and RESTATED.fullmatch(text[prev.end:s]) \
                    and prev.unit == ("元" if unit == "元" else unit):
                out.remove(prev)  # 余额突破300亿元，达312.5亿元: the round mark passed, then the figure itself
        if any(text.endswith(w, c_start, s) for w in BY_MEANS) and kind not in ("count", "percent"):
            # 某代表队以287.5分获得团体一等奖: nothing names the figure before it; what it won does
            # (but a ranking after it, 以8120万元列全行第1位, names no measure).
            name = "" if self.rank.match(text, e) else text[e:clause_end(text, e)].strip()[:16]
        if not name and kind == "count" and doc._.kg_mentions[subject].label in ITEM_LABELS \
                and text.endswith(ITEM_REACHED, c_start, s):
            name = doc._.kg_mentions[subject].text  # “某某驿站”已达46个: the programme's own count
        if not name:
            return None
        respective = self._respective(doc, found, text, c_start, sent_start, s)
        if respective == -1:
            return None  # 南宁、柳州、百色三个二级分行…分别为…: units the text does not name
        if respective is not None:
            subject = respective
        else:
            subject = self._item_named(doc, lay.article(s)[0], sent_start, s, name, subject)
            if name.startswith(self.product_terms):
                subject = self._product_of_terms(doc, sent_start, s, subject)
        return Metric(subject, name, value, "元" if unit == "元" else unit, self._as_of(lay, dates, s),
                      text[s:e], s, e, f"metric_finder:{kind}", value_max=value_max)

    @staticmethod
    def _network_unit(doc, lay, s, level_char):
        """全省邮政 / 全市邮政: the article's unit for a whole province (city), named before s."""
        a_start, _ = lay.article(s)
        want = LEVELS[level_char]
        ms = doc._.kg_mentions
        for i, m in reversed(live_before(doc, s)):
            if m.start < a_start:
                break
            unit = m.info.get("unit")
            if m.label != "BRANCH" or m.kind != "name" or unit is None or unit.local or m.info.get("parent_written"):
                continue
            levels = [d.level for d in unit.divisions if d is not None]
            if levels and levels[-1] == want:
                return resolved(doc, i)
        return None

    @staticmethod
    def _item_named(doc, article_start, sent_start, s, name, subject):
        """发行《某某》特种邮票1套4枚，邮票面值5.4元: a figure whose name opens with the kind
        of a product or programme named just before in its sentence is that item's."""
        ms = doc._.kg_mentions
        for i, m in reversed(live_in(doc, article_start, s)):
            item = resolved(doc, i)
            if item == subject or (m.start < sent_start and ms[item].label != "BRANCH"):
                continue
            if ms[item].label in ITEM_LABELS:
                kinds = (ms[item].text[-2:],)
            elif ms[item].label == "BRANCH":
                # 某县寄递物流分拣中心…，分拣中心日均处理邮件8000件: a unit named by its kind.
                kinds = (m.text[-4:], m.text[-3:])
            else:
                continue
            if len(ms[item].text) > 3 and any(name.startswith(k) and len(name) > len(k) for k in kinds):
                return item
        return subject

    def _named_after_de(self, text, e):
        """不低于500亿元的意向性信贷支持, 300平方米的农产品冷库: the name follows 的."""
        m = AFTER_DE.match(text, e)
        if not m or self.figure.match(text, m.end()) and (self.figure.match(text, m.end()).group("unit")):
            return ""
        return m.group("name")

    @staticmethod
    def _listed(text, units):
        """The units of `units` (mention index, mention) written last as a list (甲、乙和丙)."""
        listed = units[-1:]
        head = units[-1][1].start if units else 0  # where the list's first item begins
        for i, m in reversed(units[:-1]):
            gap = text[m.end:head]
            if gap == "":
                head = m.start  # 某区分公司|代表队: a unit and its team written back to back are one item
            elif gap in ("、", "和", "及", "与"):
                listed.insert(0, (i, m))
                head = m.start
            else:
                break
        return listed

    def _restates_list(self, doc, text, sent_start, s, value) -> bool:
        """甲分行、乙分行等2家二级分行: the units listed just before 等, counted again — no
        figure (but 甲公司等4家企业 counts more than it names)."""
        units = [(i, m) for i, m in live_in(doc, sent_start, s - 1) if m.label in ENTITY_LABELS]
        if units and units[-1][1].end == s - 1:
            return value == len(self._listed(text, units))
        places = PLACE_LIST.search(text, sent_start, s)  # 襄州区、樊城区、枣阳市等3家支行: places for units
        return bool(places) and value == places.group().count("、") + 1

    def _each_listed(self, doc, lay, metric):
        """甲分行、乙分行等3家二级分行涉农贷款增量均超过6亿元: a figure each listed unit reached
        is each one's: (the listed units, resolved, and the kind the list's count names) or (None, None)."""
        text = lay.text
        s = metric.start
        if not EACH.search(text, clause_start(text, s), s):
            return None, None
        sent_start, _ = lay.sentence(s)
        units = [(i, m) for i, m in live_in(doc, sent_start, s)
                 if doc._.kg_mentions[resolved(doc, i)].label in ENTITY_LABELS]
        listed = self._listed(text, units)
        count = LISTED_COUNT.match(text, listed[-1][1].end) if listed else None
        if len(listed) < 2 or resolved(doc, listed[0][0]) != metric.subject or count is None:
            return None, None
        return [resolved(doc, i) for i, _ in listed], count.group("kind")

    def _respective(self, doc, found, text, c_start, sent_start, s):
        """某县分公司、某县分公司…新增余额分别达4.2亿元、3.6亿元: the k-th figure is the k-th unit's."""
        resp = RESPECTIVELY.search(text, c_start, s)
        if not resp:
            return None
        units = [(i, m) for i, m in live_in(doc, sent_start, resp.start())
                 if doc._.kg_mentions[resolved(doc, i)].label in ENTITY_LABELS]
        listed = self._listed(text, units)
        if len(listed) < 2:
            # 南宁、柳州、百色三个二级分行…分别: a list of units by their places alone; no figure
            # of it is the one unit named nearby.
            return -1 if UNNAMED_UNITS.search(text, sent_start, resp.start()) else None
        k = sum(1 for f in self.figure.finditer(text, resp.end(), s) if f.group("unit") or f.group("mag"))
        return resolved(doc, listed[k][0]) if k < len(listed) else None

    def _name_before(self, doc, found, text, c_start, s, subject):
        start = c_start
        for i, m in live_in(doc, c_start, s):
            if m.end <= start:
                continue
            # The name starts after the figure's subject, or after a unit or
            # programme that opens the clause.
            opens = m.label in ENTITY_LABELS + ("PROGRAM",) and (
                m.start - c_start <= 2 or text[c_start:m.start].strip("“”‘’") in ("", "在", "该"))
            governed = m.label in ENTITY_LABELS and OBJECT_MARK.search(text[start:m.start])
            if opens or resolved(doc, i) == subject or m.kind == "anaphor" or governed:
                start = m.end  # (为该项目授信, 为…公司发放贷款: the name is 授信, 发放贷款)
        # …after the previous figure in the clause, if any.
        for prev in self.figure.finditer(text, c_start, s):
            if prev.group("unit") or prev.group("mag"):
                # (…past the places it counted: 在甲、乙等7个县|设立收寄点126个, or the span of
                # time it gave: 计划三年内|投放贷款30亿元)
                tail = self._counts_places(text[prev.end():s])
                row = self.units.get(prev.group("unit") or "")
                if row and row["kind"] == "time":
                    tail = TIME_TAIL.match(text, prev.end(), s).end() - prev.end()
                start = max(start, prev.end() + tail)
        name = text[start:s].strip("“”‘’（）() ")
        name = re.sub(r"^(?:截至|截止)[^，]*?[年月日末底]", "", name)
        name = LEADING_PERIOD.sub("", name)  # 今年前三季度|新增储蓄余额: the period is its as_of
        changed = True
        while changed and name:
            changed = False
            for w in self.trim:
                if name.endswith(w) and len(name) > len(w) and not name.endswith(self.trim_keep):
                    name, changed = name[: -len(w)].rstrip("“”‘’"), True
                    break
        return re.sub(r"[“”‘’]", "", name)

    def _counted_after(self, text, e) -> bool:
        """Whether a figure with its unit follows in the clause (what was done there has its own count)."""
        return any(f.group("unit") or f.group("mag") for f in self.figure.finditer(text, e, clause_end(text, e)))

    def _counts_places(self, name: str) -> int:
        """13个地（市）, 8个乡镇、…, 7个县设立…: the counted noun is a kind of place, as a
        whole word (what follows it is no word of its own, or the clause's verb); its length."""
        for p in self.place_nouns:  # longest first
            if name.startswith(p):
                after = name[len(p):len(p) + 1]
                whole = not after or after == "的" or not re.match(r"[\u3400-\u9fff]", after) \
                    or NOUN_ENDS.match(name, len(p))
                return len(p) if whole else 0
        return 0

    def _name_after(self, text, e):
        rest = text[e:e + 24]
        stop = AFTER_END.search(rest)
        rest = rest[: stop.start()] if stop else rest
        de = rest.find("的")
        if 0 < de and self.figure.search(rest, de):
            rest = rest[:de]  # 23所中小学的156框邮集: the count's noun ends at 的
        nxt = self.figure.search(rest)
        while nxt and not (nxt.group("unit") or nxt.group("mag")):
            nxt = self.figure.search(rest, nxt.end())
        if nxt:
            rest = rest[: nxt.start()]
        rest = re.sub(r"[“”‘’]", "", rest)
        verb = NOUN_ENDS.search(rest, 2)
        if verb:
            rest = rest[: verb.start()]  # 210户种粮大户|发放贷款: the noun, not the clause's verb
        # 13家二级分行的…, 268名新员工参加: the counted noun, without what follows it.
        return AFTER_TAIL.sub("", rest) or rest

    @staticmethod
    def _product_of_terms(doc, sent_start, s, subject):
        """推出“某某”意外险，保费每人每年50元: the product named last before in the sentence."""
        ms = doc._.kg_mentions
        items = [resolved(doc, i) for i, m in live_in(doc, sent_start, s) if ms[resolved(doc, i)].label == "PRODUCT"]
        return items[-1] if items else subject

    @staticmethod
    def _item_counted(doc, lay, text, s):
        """发行《某某》特种邮票4枚: a product or programme named right before its own count is
        the figure's subject, and the kind after its quoted name (特种邮票) the figure's name.
        组建“某某”志愿服务队45支: teams a unit set up, counted, are that unit's figure."""
        for i, m in live_in(doc, max(0, s - 40), s):
            unit = m.info.get("unit")
            if m.end == s and m.label == "BRANCH" and unit is not None and unit.suffix in TEAMS:
                acting = [a for a in actors(doc, lay, m.start) if a != resolved(doc, i)]
                return (acting[0], unit.suffix) if acting else None
            if m.label in ITEM_LABELS and (m.end == s or re.fullmatch(r"\d+[套组]", text[m.end:s])):
                close = max(text.rfind(q, m.start, m.end) for q in "》”’」")
                kind = text[close + 1:m.end] if close >= 0 else ""
                if m.kind == "anaphor":  # 该套邮票1套3枚
                    kind = re.sub(r"^[该这此][套项个款批]?", "", m.text)
                return (resolved(doc, i), kind) if len(kind) >= 2 else None
        return None

    def _about_place(self, lead: str) -> bool:
        """A place word (全省, 全市…) before the figure that is not the unit's own work there
        (全省已建成…, 全县网点…)."""
        if VILLAGE.search(lead):
            return True  # 北顺村销售额186万元: the village's figure
        for p in self.place_subjects:
            at = lead.find(p)
            while at >= 0:
                # (全省16个地市同步设立…: past the places counted and an adverb)
                rest = PLACES_COUNTED.sub("", lead[at + len(p):], count=1)
                rest = QUOTED_START.sub("", rest)  # 全市“某某驿站”已达46个: the places of a programme
                if not rest.startswith(self.place_actions):
                    return True
                at = lead.find(p, at + 1)
        return False

    @staticmethod
    def _place_of_work(doc, text, sent_start, s):
        """他所在的某县分公司建成…8个: the unit someone works at, named after 所在的, is the
        subject of the figures after it (no other unit or partner named in between)."""
        at = text.rfind("所在", sent_start, s)
        if at < 0:
            return None
        ms = doc._.kg_mentions
        after = at + 3 if text.startswith("所在的", at) else at + 2
        named = live_in(doc, after, s)
        if not named or named[0][1].start != after or named[0][1].label != "BRANCH":
            return None
        if any(ms[resolved(doc, i)].label in ENTITY_LABELS for i, _ in named[1:]):
            return None
        return resolved(doc, named[0][0])

    def _outside_voice(self, doc, lay, text, s, we: bool) -> bool:
        """“去年我们通过邮政发出去30多万箱…”某合作社理事长某某说: a figure quoted from someone
        who works at no unit of the network is their own organisation's (我们 is theirs), not
        the post's; so is one quoted from someone of an outside body (“一年能省下120万元运费”
        某公司经理某某说) where the quote names no unit of the network before it. Staff
        speaking for their unit keep it."""
        p_start, p_end = lay.paragraph(s)
        opened, closed = text.rfind("“", p_start, s), text.find("”", s, p_end)
        if opened < 0 or closed < 0 or "”" in text[opened:s]:
            return False
        ms = doc._.kg_mentions
        speaker = None
        end = text.find("。", closed, p_end)
        for i, m in live_in(doc, closed + 1, end if end > 0 else p_end):
            if ms[resolved(doc, i)].label == "PERSON" and self.speaks.match(text, m.end):
                speaker = i
                break
        if speaker is None:
            for i, m in live_in(doc, p_start, opened):
                if ms[resolved(doc, i)].label == "PERSON" and self.speaks.match(text, m.end) \
                        and text[m.end:opened].endswith(("：", ":")):
                    speaker = i
        if speaker is None or self._workplace(doc, resolved(doc, speaker)) is not None:
            return False
        if we:
            return True
        outside = any(r.type == "WORKS_AT" and resolved(doc, r.head) == resolved(doc, speaker)
                      and ms[resolved(doc, r.tail)].label == "PARTNER" for r in relations(doc))
        return outside and not NETWORK_WORD.search(text, opened, s) \
            and not any(ms[resolved(doc, i)].label == "BRANCH" for i, _ in live_in(doc, opened, s))

    def _his_own(self, doc, text, sent_start, s) -> bool:
        """A figure after a clause-initial 他/她 (or someone named by an honorific: 王大爷) with
        no unit, partner or product named between."""
        c_start = clause_start(text, s)
        who = self.someone.match(text[c_start:s])
        if who and not live_in(doc, c_start, s):
            return True
        he = None
        for he in self.he_or_she.finditer(text[sent_start:s]):
            pass
        if he is None:
            return False
        return not any(m.label in ENTITY_LABELS + ITEM_LABELS for _, m in live_in(doc, sent_start + he.end(), s))

    def _subject(self, doc, lay, found, text, s, e, sent_start):
        """Whom a figure is about: the subject of its clause, else of its sentence, else the actor."""
        k = bisect.bisect_left(self._lost, sent_start)
        if k < len(self._lost) and self._lost[k] < s:
            return None  # 该分公司 with nothing to point to: the figure's owner is unknown
        c_start = clause_start(text, s)
        nearest = [m for _, m in live_in(doc, c_start, s)]
        if nearest and nearest[-1].label == "PERSON":
            return None  # 来自某分行的某某以总分98.5分…: the person's own figure
        part_start = max(sent_start, text.rfind("；", sent_start, s) + 1)
        whole = WHOLE_COUNT.search(text, max(c_start, s - 4), s)
        if whole and UNIT_COUNTED.match(text, e):
            # 全省1800个邮政网点, 全省13家二级分行: the network's own units, counted for the
            # unit of that level (not a place; participants 来自全市N个区县分公司 are the event's).
            unit = self._network_unit(doc, lay, s, whole.group("level"))
            if unit is not None:
                return unit
        event = self._event(doc, lay, text, c_start, s)
        if event is not None:
            return event
        # The subject of the figure's clause, else of the nearest clause before it
        # in the same part of the sentence (…中宁县分公司寄递枸杞386万件，同比增长19.4%).
        whole = WHOLE_NETWORK.search(text, c_start, s)
        if whole and not live_in(doc, whole.end(), s):
            # 某事业部负责人介绍，全市邮政寄递量将突破…: the city's network, not the speaker's department.
            unit = self._network_unit(doc, lay, s, whole.group("level"))
            if unit is not None:
                return unit
        end, start = s, c_start
        while True:
            # In a clause before the figure's own, a product or programme is its subject only
            # when it opens it (推出“某贷”等产品，截至10月末，贷款余额…: the product is an object).
            subject = self._first_subject(doc, found, text, start, end, items_open=start < c_start)
            if subject is not None:
                return subject if subject >= 0 else None
            if start <= part_start:
                break
            end, start = start, max(part_start, clause_start(text, max(part_start, start - 1)))
        lead = self.rank.sub("", text[part_start:s])  # 列全省邮政第2位 ranks a unit, it is no place
        # 全省邮政…达2.36亿件: the province's network is the unit reporting, not a place.
        whole = WHOLE_NETWORK.search(lead)
        if whole:
            unit = self._network_unit(doc, lay, s, whole.group("level"))
            if unit is not None:
                return unit
        lead = WHOLE_NETWORK.sub("", lead)
        if self._about_place(lead):
            return None  # a figure about a place
        p_start, p_end = lay.paragraph(s)
        # No one named in the sentence: the unit acting in the paragraph, as a
        # reader takes it (an outside body named as an object earlier is not it).
        got = actors(doc, lay, s)
        if got:
            return got[0]
        got = actors(doc, lay, s, labels=ENTITY_LABELS)
        if got:
            return got[0]
        items = [(i, m) for i, m in live_in(doc, p_start, s)
                 if doc._.kg_mentions[resolved(doc, i)].label in ITEM_LABELS]
        return resolved(doc, items[-1][0]) if items else None

    @staticmethod
    def _event(doc, lay, text, c_start, s):
        """Those taking part are counted for the event they took part in: the programme the
        paragraph named last (…举办…培训班，来自全省…的120名学员参加培训), where the figure's
        clause names no unit of its own."""
        if not PARTICIPATE.search(text, s, clause_end(text, s)):
            return None
        ms = doc._.kg_mentions
        if any(ms[resolved(doc, i)].label in ENTITY_LABELS for i, _ in live_in(doc, c_start, s)):
            return None
        events = [i for i, _ in live_in(doc, lay.paragraph(s)[0], c_start)
                  if ms[resolved(doc, i)].label == "PROGRAM"]
        return resolved(doc, events[-1]) if events else None

    def _first_subject(self, doc, found, text, start, s, items_open=False):
        """The first mention in text[start:s] not governed by 与/为/向/由…: its entity,
        -1 when it is a person (their own figure), None when there is none. `items_open`:
        a product or programme only where it opens the clause."""
        ms = doc._.kg_mentions
        cands = [(i, m) for i, m in live_in(doc, start, s)
                 if ms[resolved(doc, i)].label in ENTITY_LABELS + ("PERSON",)
                 or ms[resolved(doc, i)].label in ITEM_LABELS
                 and (not items_open or not text[start:m.start].strip("“”‘’《》「」 "))
                 and not INSTRUMENT.search(text, max(start, m.start - 4), m.start)
                 # 累计发放“某贷”58.7亿元: the product given out is the verb's object
                 and not VERB_END.search(text[start:m.start].rstrip("“‘《「 "))]
        glosses = {m.start for _, m in cands if m.start and text[m.start - 1] in "（("}
        # A name glossed in brackets (某公司（Lion Air）) stands where its name stands: an object after 与 too.
        free = [(k, (i, m)) for k, (i, m) in enumerate(cands)
                if m.start not in glosses and not OBJECT_MARK.search(text[clause_start(text, m.start):m.start])
                and not SPEAKING_DEPARTMENT.match(text, m.end - 1)]
        if not free:
            return None
        k, (i, m) = free[0]
        # 某区邮政分公司东城揽投部新增…: of two units back to back, the inner one
        # (but not a department speaking for the unit before it).
        while k + 1 < len(cands) and (cands[k + 1][1].start == cands[k][1].end
                                      or UNDER.fullmatch(text[cands[k][1].end:cands[k + 1][1].start])) \
                and ms[resolved(doc, cands[k + 1][0])].label == "BRANCH" \
                and not SPEAKING_DEPARTMENT.match(text, cands[k + 1][1].end - 1):
            k += 1
        i = cands[k][0]
        if ms[resolved(doc, i)].label == "PERSON":
            # 营业所主任某某介绍，营业所每天办理…: what someone reports for the unit they work
            # at is that unit's figure (a villager's report is their own).
            if self.speaks.match(text, cands[k][1].end):
                unit = self._workplace(doc, resolved(doc, i))
                if unit is not None:
                    return unit
            lender = self._lender(doc, text, cands[k][1].end, s)
            return lender if lender is not None else -1
        if ms[resolved(doc, i)].label == "PARTNER":
            lender = self._lender(doc, text, cands[k][1].end, s)  # 某公司从某支行获得了200万元贷款
            if lender is not None:
                return lender
        return resolved(doc, i)

    @staticmethod
    def _lender(doc, text, start, s):
        """种植户某某通过“某某贷”获得了20万元贷款: a loan to a named person is a figure of the
        lender (ANNOTATION) — the unit that offers the loan product named on the way, or the
        unit it came from (从某支行获得…)."""
        got = LOAN_GOT.search(text, max(start, clause_start(text, s)), s)  # (in the figure's own clause)
        if got is None or "贷" not in text[start:s + 12]:
            return None
        ms = doc._.kg_mentions
        for i, m in live_in(doc, start, s):
            item = resolved(doc, i)
            if ms[item].label == "BRANCH" and (text.endswith(("从", "向"), 0, m.start) or got.end() == m.start):
                return item  # 从某支行获得…, 获得该支行贷款…
            if ms[item].label == "PRODUCT":
                for r in relations(doc):
                    if r.type == "OFFERS" and resolved(doc, r.tail) == item:
                        return resolved(doc, r.head)
        return None

    @staticmethod
    def _speaks_for_whole(doc, text, sent_start, s) -> bool:
        """A clause of the sentence opened with 全行 (全公司) and no unit named since."""
        whole = None
        for whole in WHOLE_UNIT.finditer(text, sent_start, s):
            pass
        return whole is not None and (whole.start() == sent_start or text[whole.start() - 1] in "，；：") \
            and not any(m.label in ENTITY_LABELS for _, m in live_in(doc, whole.end(), s))

    @staticmethod
    def _whole_of(doc, subject):
        """全行有持证理财经理186名 after a department acted: the whole unit it is PART_OF."""
        for r in relations(doc):
            if r.type == "PART_OF" and resolved(doc, r.head) == subject \
                    and doc._.kg_mentions[subject].info.get("parent_written"):
                return resolved(doc, r.tail)
        return subject

    @staticmethod
    def _workplace(doc, person):
        """The unit of the network a person WORKS_AT in this document, if one."""
        ms = doc._.kg_mentions
        for r in relations(doc):
            if r.type == "WORKS_AT" and resolved(doc, r.head) == person and ms[resolved(doc, r.tail)].label == "BRANCH":
                return resolved(doc, r.tail)
        return None

    @staticmethod
    def _as_of(lay, dates, s):
        """The date nearest before the figure in its sentence, else in its paragraph, else after it there."""
        sent_start, _ = lay.sentence(s)
        p_start, p_end = lay.paragraph(s)
        starts = dates.starts
        k = bisect.bisect_right(starts, s)  # dates starting at or before s
        for j in range(k - 1, -1, -1):
            d = dates[j]
            if d[0] < p_start:
                break
            if d[1] <= s:
                return d[2]  # the nearest before it (in its sentence if there is one there)
        for d in dates[k:]:
            if d[1] > p_end:
                break
            return d[2]
        return None

    def _ranks(self, text, lay, out):
        starts = [m.start for m in out]  # figures in text order
        for r in self.rank.finditer(text):
            sent_start, _ = lay.sentence(r.start())
            k = bisect.bisect_left(starts, r.start())
            while k > 0 and out[k - 1].end > r.start():
                k -= 1
            if k > 0 and out[k - 1].start >= sent_start:
                out[k - 1].rank = r.group()
