"""PARTNER mentions: outside organisations, found from the suffix that ends their names.

Companies (…有限公司), government bodies (浙江省人社局, 省人社局), associations,
schools, cooperatives, and other countries' postal operators (俄罗斯邮政). The name is grown leftwards from the suffix like a
unit's; a name must be long enough and more than description (专业公司 and
互联网医院 describe; 湖北楚天农业发展有限公司 names).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.gazetteer import country_names, default_gazetteer
from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import Stops, place_spans, window_start
from kg.nlp.names import parse_unit


@Language.factory(
    "kg_partner_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "suffixes": "config/partner_suffixes.jsonl",
        "stops": "config/name_stops.txt",
        "generic": "config/generic_words.txt",
    },
)
def make_partner_finder(nlp, name, suffixes, stops, generic):
    return PartnerFinder(suffixes, stops, generic)


class PartnerFinder:
    def __init__(self, suffixes, stops, generic):
        self.suffixes = {row["suffix"]: row for row in jsonl(suffixes, ("suffix",))}
        self.stops = Stops(word_list(stops))
        self.generic = longest_first(word_list(generic))
        self.gaz = default_gazetteer()
        self.suffix_re = re.compile("|".join(map(re.escape, longest_first(self.suffixes))))
        # A country's postal operator (俄罗斯邮政) is an outside organisation.
        self.foreign_post_re = re.compile("(?:" + "|".join(map(re.escape, country_names())) + ")邮政(?:公司)?")

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        taken = [(m.start, m.end) for m in found]
        for m in self.suffix_re.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue  # part of a unit's name (邮政局, 分公司)
            mention = self._grow(text, s, e, m.group())
            if mention:
                found.append(mention)
                taken.append((mention.start, mention.end))
        for m in self.foreign_post_re.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                found.append(Mention(m.start(), m.end(), "PARTNER", m.group(), "partner_finder:foreign_post"))
        return doc

    def _grow(self, text, s, e, suffix):
        row = self.suffixes[suffix]
        w = window_start(text, s, max_len=30)
        places = place_spans(text[w:s], self.gaz)
        # Official names may hold a 和 (福建省人力资源和社会保障厅): from a place name
        # on, only a conjunction may stand inside the name.
        for a, b in places:
            if text[w + b - 1] not in "省市县区州旗盟":
                continue  # a short form may be half of another word (结合山东 → 合山)
            inner = text[w + a:s]
            if self.stops.inside(inner.replace("和", ""), place_spans(inner, self.gaz)):
                continue
            mention = self._candidate(text, w + a, e, suffix, row)
            if mention:
                return mention
        # Otherwise a name never spans a stop word: start after the last one.
        w += self.stops.last_end(text[w:s], places)
        for i in range(w, s):
            mention = self._candidate(text, i, e, suffix, row)
            if mention:
                return mention
        return None

    def _candidate(self, text, i, e, suffix, row):
        cand = text[i:e]
        unit = parse_unit(cand, suffix, self.gaz, {}, None)
        body = unit.local.replace("和", "") if unit.regions else unit.local
        if self.stops.inside(body, place_spans(body, self.gaz)) or (not unit.regions and self.stops.inside(cand[:1])):
            return None
        if "邮政" in cand or "邮储" in cand:
            return None  # a postal unit, not an outside organisation
        if unit.level and not unit.local and not row.get("needs_place"):
            return Mention(i, e, "PARTNER", cand, f"partner_finder:level:{suffix}", kind="level",
                           info={"unit": unit})
        if len(cand) < row.get("min_len", 4):
            return None
        if row.get("needs_place") and not unit.regions:
            return None
        if not unit.regions and not self._distinctive(body):
            return None  # with a place, 农业农村局 is one body; without, 专业公司 is a description
        return Mention(i, e, "PARTNER", cand, f"partner_finder:suffix:{suffix}", info={"unit": unit})

    def _distinctive(self, body: str) -> bool:
        """Something is left once descriptive words are taken out."""
        rest = body
        for word in self.generic:
            rest = rest.replace(word, "")
        return len(rest) >= 1 if body else True
