"""BRANCH mentions: postal and bank units, found from the suffix that ends their names.

Three shapes: a unit name grown leftwards from its suffix (湖北省宜昌市邮政分公司,
茅坪镇营业所, 县分公司); a place followed by 邮政 / 邮银, the collective name of a
place's postal network (宜昌邮政) or of its post and bank together (浙江邮银);
and the bare unit words of config/unit_words.jsonl (总行).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.gazetteer import default_gazetteer, foreign_country_names
from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import (
    COUNT, GROUP_COMPANY_REST, Stops, Taken, is_name_char, noun_spans, place_spans, window_start,
)
from kg.nlp.names import parse_unit


POSTAL_WORD = re.compile(r"邮|寄递")
COUNT_AFTER = re.compile(r"\d+(?:余|多)?[个家所处座]")
# 中国邮政报 (the masthead, 本报 cited by name): a newspaper, not the organisation it is
# named after; 报 starting a word (中国邮政报送…) is no newspaper.
EVERY = re.compile(r"[各每多几]$")
OUTSIDE_KINDS = ("中学", "小学", "大学", "学校", "学院", "医院", "公司", "协会", "银行", "局")
SET_UP_BEFORE = re.compile(r"(?:设立|建成|成立|建设|打造|挂牌|启用)了?$")
NEWSPAPER = re.compile(r"报(?![告送名道表价销案警账备批装])")
HONOUR = re.compile(r"(?:[、和及]?“[^“”]{0,30}”)*(?:[、和及])?(?:等)?(?:荣誉称号|称号|荣誉|奖章|奖项)")
# 全省邮储银行 (列全省邮储银行第2位): the province's whole network, like 全省邮政, is no entity.
WHOLE = re.compile(r"全[省市区县州盟国](?=邮|中国邮)")


@Language.factory(
    "kg_branch_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "suffixes": "config/branch_suffixes.jsonl",
        "prefixes": "config/org_prefixes.jsonl",
        "unit_words": "config/unit_words.jsonl",
        "stops": "config/name_stops.txt",
        "name_words": "config/name_words.txt",
        "place_finals": "config/place_finals.txt",
        "generic": "config/generic_words.txt",
        "anaphora": "config/anaphora.jsonl",
        "org_nouns": "config/org_nouns.txt",
    },
)
def make_branch_finder(nlp, name, suffixes, prefixes, unit_words, stops, name_words, place_finals, generic,
                       anaphora, org_nouns):
    return BranchFinder(suffixes, prefixes, unit_words, stops, name_words, place_finals, generic, anaphora,
                        org_nouns)


class BranchFinder:
    def __init__(self, suffixes, prefixes, unit_words, stops, name_words, place_finals, generic, anaphora,
                 org_nouns="config/org_nouns.txt"):
        self.suffixes = {row["suffix"]: row for row in jsonl(suffixes, ("suffix",))}
        self.prefixes = {row["text"]: row["org"] for row in jsonl(prefixes, ("text", "org"))}
        self.prefixes = dict(sorted(self.prefixes.items(), key=lambda kv: -len(kv[0])))
        self.unit_words = {row["text"]: row for row in jsonl(unit_words, ("text",))}
        self.stops = Stops(word_list(stops), word_list(name_words))
        # 该行, 该分公司 …: what points back to a unit (a department may follow it).
        self.unit_anaphors = tuple(longest_first([row["text"] for row in jsonl(anaphora, ("text", "label"))
                                                  if row["label"] == "BRANCH"]))
        self.place_finals = set(word_list(place_finals))
        self.org_nouns = tuple(word_list(org_nouns))
        self.countries = foreign_country_names()
        self.generic = longest_first(word_list(generic))
        self.gaz = default_gazetteer()
        self.suffix_re = re.compile("|".join(map(re.escape, longest_first(self.suffixes))))
        self.collective_re = re.compile("邮政|邮银")
        self.prefix_re = re.compile("|".join(map(re.escape, self.prefixes)))  # longest first
        self.unit_word_re = re.compile("|".join(map(re.escape, longest_first(self.unit_words))))

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        last_end = 0
        for m in self.suffix_re.finditer(text):
            s, e = m.span()
            if text[e:e + 1] == "长":  # 支行长, 分行长: a title, not a unit
                continue
            if self.suffixes[m.group()].get("skip"):
                continue  # 党支部: a party branch, no unit of the network
            parent = found[-1] if found and found[-1].label == "BRANCH" and not found[-1].dropped else None
            mention = None
            if parent is not None and self.suffixes[m.group()].get("joins_parent"):
                mention = self._department(text, parent, s, e, m.group())
                if mention is None:
                    mention = self._listed_department(text, parent, s, e, m.group())
            if mention is None:
                mention = self._grow(text, s, e, m.group(), floor=last_end)
            if mention is None and self.suffixes[m.group()].get("needs_org"):
                mention = self._anaphor_department(text, s, e, m.group())
            if mention is None and parent is not None and parent.end == s \
                    and not self.suffixes[m.group()].get("needs_local") and not parent.text.endswith(m.group()):
                # (营业所|营业所主任: the unit's own kind again opens a title, not a unit inside it)
                # A unit inside the unit just named: 湖北省分公司营业部 is one name.
                prev = found.pop()
                mention = self._extend(prev, text, e, m.group())
            if mention and self._each_of_a_level(text, mention):
                mention = None  # 各县分公司: every county's company, none in particular
            if mention and mention.text.startswith("邮政") and text.endswith(self.countries, 0, mention.start):
                mention = None  # 老挝邮政琅南塔省分公司: a foreign post's branch (partner_finder's)
            if mention:
                found.append(mention)
                last_end = mention.end
        units = Taken((x.start, x.end) for x in found if x.label == "BRANCH")
        for m in self.collective_re.finditer(text):
            mention = self._collective(text, m.start(), m.end(), units)
            if mention:
                found.append(mention)
        for m in self.unit_word_re.finditer(text):
            s, e = m.span()
            if text[e:e + 1] == "长" or units.covers(s) or NEWSPAPER.match(text, e) or WHOLE.match(text, max(0, s - 2)) \
                    or self._in_honour(text, s, e):
                continue
            row = self.unit_words[m.group()]
            if row.get("network") and self._opens_company(text, e):
                continue  # 中国邮政速递物流股份有限公司: the network's name opens a company's
            info = {"org": row.get("org")}
            if row.get("network"):
                info["network"] = row.get("org")
            found.append(Mention(s, e, "BRANCH", m.group(), "branch_finder:unit_word", info=info))
        return doc

    @staticmethod
    def _each_of_a_level(text, mention) -> bool:
        unit = mention.info.get("unit")
        return bool(unit is not None and unit.level and not unit.regions and not unit.local
                    and EVERY.search(text, max(0, mention.start - 1), mention.start))

    def _opens_company(self, text, e) -> bool:
        rest = GROUP_COMPANY_REST.match(text, e)
        return bool(rest) and not self.stops.inside(rest.group("name"))

    @staticmethod
    def _in_honour(text, s, e) -> bool:
        """“邮储银行优秀客户经理”等荣誉称号: a quoted honour names no unit."""
        opened, closed = text.rfind("“", max(0, s - 30), s), text.find("”", e, e + 30)
        if opened < 0 or closed < 0 or "”" in text[opened:s]:
            return False
        return bool(HONOUR.match(text, closed + 1))

    def _grow(self, text, s, e, suffix, floor):
        row = self.suffixes[suffix]
        w = window_start(text, s, floor=floor)
        # A name never spans a stop word: start after the last one.
        w += self.stops.last_end(text[w:s], place_spans(text[w:s], self.gaz) + self._prefix_spans(text[w:s])
                                 + noun_spans(text[w:s], self.org_nouns))
        # Right after another unit's name, the words before the suffix name a
        # place inside it (沙县区邮政分公司凤岗支局), whatever they look like.
        if row.get("quoted_team") and text[w - 1:w] == "”":
            team = self._quoted_team(text, w, s, e, suffix)
            if team is not None:
                return team
        if row.get("quoted_team") and text[w - 1:w] == "“" and text.startswith("”", e) and s - w >= 2 \
                and not self.stops.inside(text[w:s]):
            # “茶山金融服务队”: a team named whole in quotes (a unit's own, PART_OF it when it set it up).
            unit = parse_unit(text[w:e], suffix, self.gaz, self.prefixes, None)
            return Mention(w, e, "BRANCH", text[w:e], f"branch_finder:quoted_team:{suffix}",
                           info={"unit": unit, "org": None, "quoted": True})  # (over the quote read as a programme)
        if row.get("only_quoted"):
            return None  # 主题邮局: named by a quote, or a kind of post office
        counted = None
        for counted in COUNT.finditer(text, w, s):
            pass
        if counted is not None:
            if counted.end() == s:
                return None  # 一个县分公司, 两家支行: units counted, none named
            w = counted.end()
        after_unit = floor > 0 and w == floor
        first = None
        for i in range(w, s):
            cand = text[i:e]
            unit = parse_unit(cand, suffix, self.gaz, self.prefixes, row.get("org"))
            if unit.level and not unit.regions and i > w:
                continue  # a level name cut out of a longer word (各地…分公司) is no name
            if after_unit and i == w and len(unit.local) >= 2 and not self.stops.inside(unit.local):
                first = (i, unit)
                break
            if row.get("needs_postal") and i == w and SET_UP_BEFORE.search(text, max(0, w - 4), w) \
                    and POSTAL_WORD.search(text[i:s]) \
                    and not self.stops.inside(text[i:s], noun_spans(text[i:s], self.org_nouns)):
                first = (i, unit)  # 某分公司在某地设立|跨境电商寄递服务中心: the unit's own facility
                break
            if not self._valid(unit, row):
                continue
            if unit.prefix or unit.regions:
                # A unit's name opens with its network or its places: words before
                # them are the sentence's (增量列|邮储银行绍兴市分行, 林晓雯|湖州县支行).
                first = (i, unit)
                break
            if first is None:
                first = (i, unit)
        if first is None:
            return None
        i, unit = first
        if row.get("joins_parent") and not unit.prefix and not unit.post_word and unit.local.endswith(OUTSIDE_KINDS) \
                and not unit.local.endswith(("分公司", "邮政局")):
            return None  # 某市第五中学代表队: an outside body's team, no unit of the network
        if COUNT_AFTER.match(text, e):
            return None  # 建成县级寄递配送中心12个: a kind of unit, counted
        if self._inside_company(text, i) or self._holds_company(text[i:s]):
            return None  # 河南某某担保有限公司周口分公司: another company's branch (partner_finder)
        other = self._other_bank(text, i)
        if other is not None:
            # 中国农业银行洛阳分行: another bank's branch is an outside organisation.
            return Mention(other, e, "PARTNER", text[other:e], f"branch_finder:other_bank:{suffix}",
                           info={"unit": parse_unit(text[other:e], suffix, self.gaz, {}, None)})
        kind = "level" if unit.level and not unit.local and not unit.regions else "name"
        return Mention(i, e, "BRANCH", text[i:e], f"branch_finder:suffix:{suffix}", kind=kind,
                       info={"unit": unit, "org": unit.org})

    def _department(self, text, parent, s, e, suffix):
        """人力资源部, 国际业务部, 代表队 right after a unit's name: that unit's department or team.

        Its name holds the unit's (山西省分行人力资源部); the mention covers only
        the words after the unit, so the unit keeps its own mention and
        part_of_finder reads the two written back to back.
        """
        local = text[parent.end:s]
        if not (1 <= len(local) <= 8 or (not local and suffix not in ("部",))):
            return None
        if self.stops.inside(local, noun_spans(local, self.org_nouns)) or re.search(r"[^\u3400-\u9fff]", local):
            return None  # (but 政务服务部: 服务 the department's noun)
        name = parent.text + text[parent.end:e]
        unit = parse_unit(name, suffix, self.gaz, self.prefixes, self.suffixes[suffix].get("org") or parent.info.get("org"))
        return Mention(parent.end, e, "BRANCH", name, f"branch_finder:department:{suffix}",
                       info={"unit": unit, "org": unit.org, "parent_written": True})

    def _anaphor_department(self, text, s, e, suffix):
        """该行三农金融事业部: a department of the unit an anaphor points back to, named by
        its own words (the anaphor is no part of a name; mention_resolver resolves it)."""
        for start in range(max(0, s - 8), s - 1):
            local = text[start:s]
            if any(text.endswith(a, 0, start) for a in self.unit_anaphors) \
                    and all(map(is_name_char, local)) and not self.stops.inside(local):
                name = text[start:e]
                unit = parse_unit(name, suffix, self.gaz, self.prefixes, None)
                return Mention(start, e, "BRANCH", name, f"branch_finder:anaphor_department:{suffix}",
                               info={"unit": unit, "org": unit.org})
        return None

    def _listed_department(self, text, prev, s, e, suffix):
        """某分公司人力资源部、寄递事业部: a department listed after another is the same unit's."""
        if not prev.rule.startswith("branch_finder:department:") or text[prev.end:prev.end + 1] != "、":
            return None
        local = text[prev.end + 1:s]
        if len(local) > 8 or self.stops.inside(local) or re.search(r"[^\u3400-\u9fff]", local):
            return None
        owner = prev.text[:len(prev.text) - (prev.end - prev.start)]  # the unit the first department is of
        if not owner:
            return None
        written = text[prev.end + 1:e]
        unit = parse_unit(owner + written, suffix, self.gaz, self.prefixes,
                          self.suffixes[suffix].get("org") or prev.info.get("org"))
        # Named as written (the reader sees 寄递事业部); whose it is stays in full_name for PART_OF.
        return Mention(prev.end + 1, e, "BRANCH", written, f"branch_finder:department:{suffix}",
                       info={"unit": unit, "org": unit.org, "parent_written": True, "full_name": owner + written})

    def _quoted_team(self, text, w, s, e, suffix):
        """“红马甲”志愿服务小组: a team named by a quote and the word for the team."""
        q = text.rfind("“", max(0, w - 14), w)
        content = text[q + 1:w - 1] if q >= 0 else ""
        between = text[w:s]
        if not (2 <= len(content) <= 12) or self.stops.inside(between) or not all(map(is_name_char, content)):
            return None
        name = content + text[w:e]
        unit = parse_unit(name, suffix, self.gaz, self.prefixes, None)
        return Mention(q, e, "BRANCH", name, f"branch_finder:quoted_team:{suffix}", info={"unit": unit, "org": None})

    def _holds_company(self, body: str) -> bool:
        """河南某某担保有限责任公司周口|分公司: a company's name inside, not the post's own."""
        k = body.rfind("公司")
        if k < 0:
            return False
        return not any(body.startswith(p) and len(p) >= k + 2 for p in self.prefixes)

    def _inside_company(self, text, i):
        """Whether a company's name (…有限公司, …集团) ends right at i, the company not being the post's."""
        if not text.endswith(("公司", "集团"), 0, i) or text.endswith("分公司", 0, i):
            return False  # …分公司 before a name is a unit of the post: 某县分公司石桥镇邮政所
        return not any(text.endswith(p, 0, i) for p in self.prefixes)

    def _other_bank(self, text, i):
        """Start of a bank's name ending right at i (…银行), when the bank is not the Postal Savings Bank."""
        if not text.endswith("银行", 0, i):
            return None
        start = window_start(text, i - 2, max_len=12)
        start += self.stops.last_end(text[start:i - 2])
        bank = text[start:i]
        if any(bank.endswith(p) for p in self.prefixes) or len(bank) < 4:
            return None
        return start

    def _extend(self, prev, text, e, suffix):
        row = self.suffixes[suffix]
        unit = parse_unit(text[prev.start:e], suffix, self.gaz, self.prefixes, row.get("org") or prev.info.get("org"))
        return Mention(prev.start, e, "BRANCH", text[prev.start:e], f"branch_finder:inner:{suffix}",
                       info={"unit": unit, "org": unit.org})

    def _valid(self, unit, row) -> bool:
        if unit.text.startswith("国家"):
            return False  # 国家邮政局: the regulator, not a unit of the network
        if self.stops.inside(unit.local, place_spans(unit.local, self.gaz)):
            return False
        if COUNT.search(unit.text):
            return False  # 所辖42个网点, 38个区县分公司: a count of units, not one unit
        if row.get("needs_local") and (not self._distinctive(unit.local) or self.suffix_re.search(unit.local)):
            return False  # 邮储银行网点, 某县分公司网点: outlets in general
        if unit.prefix == "" and not unit.regions and self.stops.inside(unit.text[:1]):
            return False
        if row.get("needs_postal"):
            # …邮件集散中心 alone describes a hub; a facility is named by its place.
            return bool(unit.regions or unit.prefix) and \
                bool(POSTAL_WORD.search(unit.text[:-len(unit.suffix)] if unit.suffix else unit.text))
        if row.get("needs_prefix"):
            return bool(unit.prefix)
        if row.get("needs_org"):
            return bool(unit.prefix or unit.post_word)
        if unit.level is not None:
            return not unit.local or unit.post_word
        if not (unit.regions or unit.prefix) and not self._distinctive(unit.local):
            return False  # 乡镇网点, 邮政营业网点, 县级分公司: a kind of unit, not one unit
        if unit.regions or unit.prefix or unit.post_word:
            return True
        if "邮" in unit.suffix:
            return len(unit.local) >= 2  # 阿拉山口国际邮件互换局: the suffix itself says whose unit
        if unit.local[-1:] in "省县州" and not self.gaz.lookup(unit.local):
            return False  # 主产县支行: no county of that name, a description
        return bool(unit.local and unit.local[-1] in self.place_finals)

    def _prefix_spans(self, window: str):
        """Network prefixes in a window (中国邮政集团有限公司 holds the stop word 有)."""
        return [m.span() for m in self.prefix_re.finditer(window)]

    def _distinctive(self, local: str) -> bool:
        rest = local
        for word in self.generic:
            rest = rest.replace(word, "")
        return bool(rest)

    def _collective(self, text, s, e, units):
        """宜昌邮政 / 浙江邮银: an admin name right before, no unit suffix right after."""
        if units.covers(s) or self.suffix_re.match(text, e):
            return None
        for k in range(min(self.gaz.max_len, s), 1, -1):
            form = text[s - k:s]
            if self.gaz.lookup(form) and (s - k == 0 or not is_name_char(text[s - k - 1])
                                          or self.stops.inside(text[s - k - 1])):
                word = text[e - 2:e]
                unit = parse_unit(form, "", self.gaz, {}, "post" if word == "邮政" else None)
                kind = "collective" if word == "邮政" else "name"
                return Mention(s - k, e, "BRANCH", text[s - k:e], f"branch_finder:collective:{word}",
                               kind=kind, info={"unit": unit, "org": unit.org, "collective": word})
        return None
