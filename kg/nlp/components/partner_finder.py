"""PARTNER mentions: outside organisations, found from the suffix that ends their names.

Companies (…有限公司), government bodies (浙江省人社局, 省人社局), associations,
schools, cooperatives, and other countries' postal operators (俄罗斯邮政). The name is grown leftwards from the suffix like a
unit's; a name must be long enough and more than description (专业公司 and
互联网医院 describe; 湖北楚天农业发展有限公司 names).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.gazetteer import default_gazetteer, foreign_country_names
from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import (
    COUNT, COUNT_BEFORE, GROUP_COMPANY_REST, Stops, Taken, is_name_char, noun_spans, place_spans, window_start,
)
from kg.nlp.names import parse_unit


# What makes a name a postal unit's rather than an outside body's: the
# networks' own names, or 邮政 followed by a unit word (某邮电学院邮政管理系 is a school).
POSTAL = re.compile(r"邮储|中国邮政|邮局|邮政(?:分公司|公司|局|支局|所|集团|网点|营业)|^[\u4e00-\u9fff]{2,9}[省市县区州]邮政")
EVERY = re.compile(r"[各每全多几]$")
ORG_ENDS = ("邮政", "公司", "集团", "银行", "海关", "协会", "合作社")  # what ends a whole organisation's name
NETWORKS = ("中国邮政", "邮储银行", "邮政")  # names a group company's legal name may open with
COUNT_AFTER = re.compile(r"\d+(?:余|多)?[个家所]")  # 签约芒果种植合作社37家: a kind, counted
LEVEL_WORDS = {"自治区": 1, "自治州": 2, "自治县": 3, "省": 1, "市": 2, "县": 3, "区": 3}
# Words that open with a level character but are no level (市场监管局, 区域, 县域).
NOT_LEVEL = {"市场", "区域", "县域", "省级", "市级", "县级", "区级", "市民", "县城", "省会", "市区", "区县", "市县"}


@Language.factory(
    "kg_partner_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "suffixes": "config/partner_suffixes.jsonl",
        "stops": "config/name_stops.txt",
        "name_words": "config/name_words.txt",
        "generic": "config/generic_words.txt",
        "org_nouns": "config/org_nouns.txt",
        "leading_verbs": "config/leading_verbs.txt",
    },
)
def make_partner_finder(nlp, name, suffixes, stops, name_words, generic, org_nouns, leading_verbs):
    return PartnerFinder(suffixes, stops, name_words, generic, org_nouns, leading_verbs)


LATIN_GLOSS = re.compile(r"[（(]\s*[A-Za-z][A-Za-z .&'-]{2,}[）)]")


class PartnerFinder:
    def __init__(self, suffixes, stops, name_words, generic, org_nouns="config/org_nouns.txt",
                 leading_verbs="config/leading_verbs.txt"):
        self.suffixes = {row["suffix"]: row for row in jsonl(suffixes, ("suffix",))}
        self.stops = Stops(word_list(stops), word_list(name_words))
        self.org_nouns = tuple(word_list(org_nouns))
        self.leading_verbs = tuple(longest_first(word_list(leading_verbs)))
        self.generic = longest_first(word_list(generic))
        self.gaz = default_gazetteer()
        self.suffix_re = re.compile("|".join(map(re.escape, longest_first(self.suffixes))))
        # A country's postal operator (俄罗斯邮政) is an outside organisation.
        self.countries = foreign = foreign_country_names()
        # (and its branch in a region of its own: 老挝邮政琅南塔省分公司)
        self.foreign_post_re = re.compile("(?:" + "|".join(map(re.escape, foreign)) + ")国?邮政(?:集团公司|集团|公司)?"
                                          r"(?:[\u4e00-\u9fff]{2,6}?(?:分公司|分局))?")
        # A company or platform named in Latin letters right after what it is
        # (跨境电商平台ShopNova, 物流企业DHL).
        self.latin_re = re.compile(r"(?<=平台|公司|企业|集团|机构|品牌)[A-Z][A-Za-z0-9&.\-]{2,30}(?![A-Za-z])")

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        taken = Taken((m.start, m.end) for m in found)
        matches = list(self.suffix_re.finditer(text))
        for k, m in enumerate(matches):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue  # part of a unit's name (邮政局, 分公司)
            if _opens_title(text, e) or self.suffixes[m.group()].get("skip"):
                continue  # 局长, 社长: a title; 中小学: schools in general
            nxt = matches[k + 1] if k + 1 < len(matches) and not _opens_title(text, matches[k + 1].end()) else None
            if nxt and nxt.start() == e:  # (a suffix a title opens — 某县医保局|局长 — ends the name)
                continue  # 某某集团|有限公司: a suffix run straight into another is inside the name
            if nxt and self._holds(text, e, nxt):
                continue  # 某公安局|金鱼岭派出所, 某供销合作社|联合社: the name goes on
            mention = self._grow(text, s, e, m.group(), taken.last_end(s))
            if mention and "某" in mention.text:
                taken.add(mention.start, mention.end)  # 某新材料科技有限公司: a company left unnamed
                continue
            if mention:
                found.append(mention)
                taken.add(mention.start, mention.end)
        for m in self.foreign_post_re.finditer(text):
            if not taken.overlaps(m.start(), m.end()):
                found.append(Mention(m.start(), m.end(), "PARTNER", m.group(), "partner_finder:foreign_post"))
        for m in self.latin_re.finditer(text):
            if not taken.overlaps(m.start(), m.end()):
                found.append(Mention(m.start(), m.end(), "PARTNER", m.group(), "partner_finder:latin_name"))
        return doc

    def _holds(self, text, e, nxt) -> bool:
        """Whether the organisation ending at e is the start of a longer name ending at the next suffix."""
        row = self.suffixes[nxt.group()]
        parents = row.get("sub_unit")
        if not parents or (isinstance(parents, list) and not text.endswith(tuple(parents), 0, e)):
            return False
        between = text[e:nxt.start()]
        return len(between) <= 8 and all(is_name_char(c) for c in between) and not self.stops.inside(between)

    def _grow(self, text, s, e, suffix, floor=0):
        row = self.suffixes[suffix]
        w = window_start(text, s, floor=floor, max_len=30)
        counted = None
        for counted in COUNT.finditer(text, w, s):
            pass
        if counted is not None:
            if not self.stops.inside(text[counted.end():s]):
                return None  # 一家芒果合作社, 12家脐橙种植合作社: counted, not named
            w = counted.end()
        places = place_spans(text[w:s], self.gaz)
        # Official names may hold a 和 (福建省人力资源和社会保障厅): from a place name
        # on, only a conjunction may stand inside the name.
        for a, b in places:
            if text[w + b - 1] not in "省市县区州旗盟":
                continue  # a short form may be half of another word (结合山东 → 合山)
            inner = text[w + a:s]
            if self.stops.inside(inner, self._official(inner)):
                continue
            mention = self._candidate(text, w + a, e, suffix, row)
            if mention:
                return mention
        # Otherwise a name never spans a stop word: it starts after the last one,
        # or at a place named after that (a name does not start mid-word: the
        # rest of 农民专业合作社 is no name either).
        cut = self.stops.last_end(text[w:s], places + self._du_in_words(text[w:s]))
        starts = [w + cut] + [w + a for a, _ in places if a > cut]
        for i in starts:
            mention = self._candidate(text, i, e, suffix, row)
            if mention:
                return mention
        return None

    def _candidate(self, text, i, e, suffix, row):
        verb = next((v for v in self.leading_verbs if text.startswith(v, i)), None)
        if verb and i + len(verb) < e - len(suffix):
            i += len(verb)  # 代理|中邮人寿保险股份有限公司: the verb's object
        cand = text[i:e]
        if COUNT_BEFORE.search(text, max(0, i - 8), i) or COUNT.search(cand) or COUNT_AFTER.match(text, e):
            return None  # 12家脐橙种植合作社: a count of organisations, none named
        inside = row.get("inside")
        if inside and inside not in cand[:-len(suffix)]:
            return None  # …分公司 is another company's only after that company's name
        unit = parse_unit(cand, suffix, self.gaz, {}, None)
        body = unit.local
        if self.stops.inside(body, self._official(body) if unit.regions else place_spans(body, self.gaz)
                             + self._nouns(body) + self._du_in_words(body)) \
                or (not unit.regions and self.stops.inside(cand[:1])):
            return None
        if POSTAL.search(cand) and not self._group_company(cand):
            return None  # a postal unit, not an outside organisation
        level = self._level(unit)
        if level and EVERY.search(text, max(0, i - 1), i):
            return None  # 各区某某中心: each district's, none in particular
        if level and not row.get("needs_place"):
            if not unit.local:
                return Mention(i, e, "PARTNER", cand, f"partner_finder:level:{suffix}", kind="level",
                               info={"unit": unit})
        if level and unit.local and self._distinctive(unit.local):
            # 省摄影家协会, 市商务局: the province's (city's) body, named by its level.
            return Mention(i, e, "PARTNER", cand, f"partner_finder:level:{suffix}", kind="level",
                           info={"unit": unit})
        if len(cand) < row.get("min_len", 4):
            return None
        # A name glossed with its own Latin name (某某航空货运公司（Lion Air Cargo）) is a
        # foreign body's proper name, as a place would make it.
        placed = unit.regions or any(cand.startswith(c) for c in self.countries) or LATIN_GLOSS.match(text, e)
        if row.get("needs_place") and not placed:
            # Without a place, a name must say more than what kind of body it is.
            if len(self._rest(body)) < row.get("or_distinct", 99):
                return None
        if not placed and not self._distinctive(body):
            return None  # with a place, 农业农村局 is one body; without, 专业公司 is a description
        return Mention(i, e, "PARTNER", cand, f"partner_finder:suffix:{suffix}", info={"unit": unit})

    def _group_company(self, cand: str) -> bool:
        """中国邮政速递物流股份有限公司（某省分公司）: a group company, named by its network."""
        network = next((n for n in NETWORKS if cand.startswith(n)), None)
        rest = GROUP_COMPANY_REST.match(cand, len(network)) if network else None
        return bool(rest) and not self.stops.inside(rest.group("name")) and not POSTAL.search(cand, rest.end())

    def _official(self, body: str) -> list:
        """What may stand in a placed body's official name that would stop another: place
        names, its nouns, the 和 joining its parts (人力资源和社会保障局,
        政务服务和大数据管理局) and a 都 inside a word (桔都)."""
        # (but a 和 after a whole organisation joins two of them: 美国邮政和中国南方航空…公司)
        joins = [(k, k + 1) for k, c in enumerate(body) if c == "和" and not body.endswith(ORG_ENDS, 0, k)]
        return place_spans(body, self.gaz) + self._nouns(body) + joins + self._du_in_words(body)

    def _du_in_words(self, body: str) -> list:
        """都 inside a word of a name (南丰县桔都果业专业合作社, 山西汾都香酒业), not the adverb
        before a verb (都成立了): spans to keep from stopping the name."""
        return [(k, k + 1) for k, c in enumerate(body) if c == "都" and 0 < k < len(body) - 1
                and is_name_char(body[k - 1]) and not self.stops.inside(body[k + 1:k + 3])]

    def _nouns(self, body: str) -> list:
        return noun_spans(body, self.org_nouns)

    @staticmethod
    def _level(unit):
        """省摄影家协会 → 1: a level word opening a name that has no place of its own."""
        if unit.level:
            return unit.level
        if unit.regions or len(unit.local) < 3:
            return None
        for head, level in LEVEL_WORDS.items():  # longest first
            if unit.local.startswith(head) and unit.local[:2] not in NOT_LEVEL:
                unit.level, unit.local = level, unit.local[len(head):]
                return unit.level
        return None

    def _rest(self, body: str) -> str:
        rest = body
        for word in self.generic:
            rest = rest.replace(word, "")
        return rest

    def _distinctive(self, body: str) -> bool:
        """Something is left once descriptive words are taken out."""
        return len(self._rest(body)) >= 1 if body else True


def _opens_title(text: str, end: int) -> bool:
    """Whether the suffix ending at `end` opens a title (局|长, 社|长) rather than ends a name."""
    return text[end:end + 1] == "长"
