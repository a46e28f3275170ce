"""PERSON mentions: real names wherever a reporter writes them.

Three sources, most certain first:

- Bylines and credits. A byline (□肖芳 田黎, □本报记者 方晓东 通讯员 贺小云,
  □甘肃省分行党委书记、行长 林国华), a photo or text credit at a line's end
  (… 冰糖橙。  赵一鸣 摄, □钱多多 文/图) and a reporter in brackets
  (（甘肃记者 马小云）) hold nothing but names, titles and credit words
  (config/credit_words.txt), so every name-shaped part is a name, with a
  surname or without one (Mongolian, Tibetan and Uyghur names often have none).
- The name model (kg/nlp/names_model.py): a character CRF trained on the
  MSRA corpus finds names in running text: in lists (周一、吴二), before
  their title (…先生, …总经理), after 的, as a speaker (“…”赵明远说), foreign
  names with · (阿卜杜·卡迪尔).
- Unit + title + name (沿江大道邮政营业所理财经理钟雨桐): the title and where it
  ends are kept in `info` so that works_at_finder links the person to the unit
  named before the title. The model decides whether a name follows and where it ends.

What is not a name is rejected whichever source proposed it: honorifics and
kinship words after a surname (李大姐, 张女士, 王总), a surname with a job
title (沈经理), and nicknames (老陈, 小李, 阿强).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from itertools import accumulate

from spacy.language import Language
from spacy.util import minibatch

from kg.errors import ConfigError
from kg.lexicon import longest_first, word_list
from kg.nlp.gazetteer import country_names, default_gazetteer
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import Taken
from kg.nlp.names_model import NameModel
from kg.text.byline import ROLE_BYLINE, byline_parts

CJK = "\u3400-\u9fff"
# Words a place follows, not a person: a route's end (二连浩特至|乌兰巴托, 送达|奥什).
ROUTE_TO = re.compile(r"(?:至|送达|发往|运往|寄往|抵达|直达|飞往|开往|销往)$")
DOT = "·"
# also right after a sentence (…14.6%。□某某); never a ■ item's sentences (■近日，某分行…。□某某)
BYLINE = re.compile(r"(?:^|(?<=[。！？”）)]))[□■▢◻](?P<body>[^\n，。；！？]+)$", re.M)
LINE = re.compile(r"^(?P<body>(?:本报|特约|实习|见习)?(?:记者|通讯员)[ \t\u3000][^\n]*)$", re.M)
NAME_SHAPE = re.compile(rf"[{CJK}]{{2,4}}|[{CJK}]{{1,8}}(?:·[{CJK}]{{1,8}}){{0,3}}")  # 5+: foreign names
PREPOSITION_SURNAMES = "向于"
NICKNAME = "老小阿"  # 老陈, 小李, 阿强: what colleagues call someone, not their name
# A name alone in brackets right after an item's last sentence, at the line's end.
CLAUSE_EDGE = re.compile(r"[\s，。！？；：、“”‘’「」（）()《》]")
ITEM_CREDIT = re.compile(rf"(?:(?<=[。！？”])|^)[（(]\s*(?P<name>[{CJK}](?:[ \u3000]?[{CJK}]){{1,3}})\s*[）)][ \t]*$",
                         re.M)  # (…or alone on the line under the item's last one)
MODEL_PATH = Path(__file__).resolve().parent.parent.parent / "data" / "names_crf.npz"


@Language.factory(
    "kg_person_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "titles": "config/titles.txt",
        "surnames": "config/surnames.txt",
        "honorifics": "config/honorifics.txt",
        "followers": "config/name_followers.txt",
        "credits": "config/credit_words.txt",
        "stops": "config/person_stops.txt",
        "place_after": "config/place_after.txt",
        "things": "config/list_things.txt",
        "roles": "config/person_roles.txt",
        "thing_words": "config/thing_words.txt",
        "model": "",
    },
)
def make_person_finder(nlp, name, titles, surnames, honorifics, followers, credits, stops, place_after, things,
                       roles, thing_words, model):
    return PersonFinder(titles, surnames, honorifics, followers, credits, stops, place_after, model, things, roles,
                        thing_words)


@lru_cache(maxsize=4)
def load_model(path: str, surnames: tuple[str, ...]) -> NameModel:
    try:
        return NameModel.load(path, surnames)
    except FileNotFoundError:
        raise ConfigError(path, None, "name model not found (rebuild it: python -m kg.nlp.names_train)") from None
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(path, None, f"not a name model ({str(exc).splitlines()[0]})") from None


class PersonFinder:
    def __init__(self, titles, surnames, honorifics, followers, credits="config/credit_words.txt",
                 stops="config/person_stops.txt", place_after="config/place_after.txt", model="",
                 things="config/list_things.txt", roles="config/person_roles.txt",
                 thing_words="config/thing_words.txt"):
        self.titles = tuple(longest_first(word_list(titles)))  # (a tuple: str.endswith takes it)
        self.title_set = set(self.titles)
        self.surnames = set(word_list(surnames))
        self.honorifics = longest_first(word_list(honorifics))
        self.followers = longest_first(word_list(followers))
        self.credits = longest_first(word_list(credits))
        self.stops = set(word_list(stops))
        self.place_after = longest_first(word_list(place_after))
        self.things = word_list(things)
        self.roles = tuple(word_list(roles))
        self.thing_words = set(word_list(thing_words))
        self.places = default_gazetteer()
        self.countries = tuple(c for c in country_names() if len(c) >= 2)
        self.model = load_model(str(model or MODEL_PATH), tuple(sorted(self.surnames)))
        self.words = self.model.word_set()
        compound = [s for s in self.surnames if len(s) > 1]
        single = "".join(s for s in self.surnames if len(s) == 1)
        surname = "|".join(map(re.escape, compound)) + (f"|[{single}]" if single else "")
        title = "|".join(map(re.escape, self.titles))
        credit = "|".join(map(re.escape, self.credits))
        # (负责人（总经理）叶志强: a title may close a bracketed title before the name)
        self.after_title = re.compile(rf"(?P<title>{title})[）)]?(?P<name>(?:{surname})[{CJK}]{{1,2}})")
        # …物流总监托马斯·穆勒: a foreign name after a title, marked by its ·.
        self.after_title_foreign = re.compile(
            rf"(?P<title>{title})[）)]?(?P<name>[{CJK}]{{1,8}}(?:{DOT}[{CJK}]{{1,8}}){{1,3}})")
        # … 冰糖橙。  赵一鸣 摄 | □钱多多 文/图: a name, a space, a credit word, the line's end.
        self.credit_line = re.compile(
            rf"(?:^|[\s。！？；：□■）)])\s*(?P<name>[{CJK}·]{{2,12}})\s*(?:{credit})\s*$", re.M)
        # （甘肃记者 马小云）: a reporter named in brackets after a title.
        self.bracketed = re.compile(rf"[（(][^（）()\n]{{0,12}}?(?:{title})\s*(?P<name>[{CJK}·]{{2,12}})\s*[）)]")

    def __call__(self, doc):
        return self._find(doc, self.model.spans(layout(doc).text))

    def pipe(self, docs, batch_size: int = 32):
        """Docs in batches: the model reads a batch's articles as one text (lines apart,
        which it treats as sentence edges), far faster than one at a time."""
        for batch in minibatch(docs, size=batch_size):
            texts = [layout(doc).text for doc in batch]
            starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
            found = self.model.spans("\n".join(texts))
            for k, doc in enumerate(batch):
                lo = starts[k]
                hi = lo + len(texts[k])
                yield self._find(doc, [(s - lo, e - lo, lab) for s, e, lab in found if lo <= s and e <= hi])

    def _find(self, doc, model_spans):
        text = layout(doc).text
        found = mentions(doc)
        taken = Taken()
        first = len(found)  # this component's mentions start here

        def add(start, end, rule, info=None, name=None):
            if end - start < 2 or taken.overlaps(start, end):
                return
            taken.add(start, end)
            found.append(Mention(start, end, "PERSON", name or text[start:end], rule, info=info or {}))

        for m in BYLINE.finditer(text):
            for start, end, info, name in self._byline(m):
                add(start, end, "person_finder:byline", info, name)
        for m in LINE.finditer(text):
            if ROLE_BYLINE.match(m.group("body")):  # 本报记者 杜明远 通讯员 韦 晓, on its own line
                for start, end, info, name in self._byline(m):
                    add(start, end, "person_finder:byline", info, name)
        for pattern in (self.credit_line, self.bracketed):
            for m in pattern.finditer(text):
                if self._credit_name(m.group("name")):
                    add(m.start("name"), m.end("name"), "person_finder:credit")
        for m in ITEM_CREDIT.finditer(text):
            # …提供不低于50亿元的担保贷款。（林 涛）: a short item's author, in brackets at its end.
            name = re.sub(r"\s", "", m.group("name"))
            if self._credit_name(name) and (name[:1] in self.surnames or name[:2] in self.surnames
                                             or all(ch in self.model.transliteration for ch in name)):
                # (a surname first, or a name of transliteration such as （达 娃）: （待续）,
                # （未完） close items too)
                add(m.start("name"), m.end("name"), "person_finder:credit", name=name)

        spans = [(self._surname_before(text, s, e), self._extend(text, s, e)) for s, e, _ in model_spans]
        by_start = {s: e for s, e in spans}
        for m in self.after_title.finditer(text):
            start = m.start("name")
            end = by_start.get(start)
            # Where the model reads no name right after the title, the words there are none
            # (代表|和来宾, 来到|颇…): a title alone does not make what follows a name.
            if end is not None:
                end = self._trim(text, start, end)[1]
            if end is not None and self._real(text[start:end]):
                add(start, end, "person_finder:title_name",
                    {"title_end": m.end("title"), "title_word": m.group("title")})
        for m in self.after_title_foreign.finditer(text):
            start, end = m.span("name")
            # where the name ends, the model tells (穆勒|表示): its reading starting right after the title
            end = max((e for s, e in spans if s == start and e <= end), default=None)
            if end is not None and DOT in text[start:end] and self._real(text[start:end]) \
                    and self._model_name(text, start, end):
                add(start, end, "person_finder:title_name",
                    {"title_end": m.end("title"), "title_word": m.group("title")})
        model_found = []
        for s, e in spans:
            s, e = self._trim(text, s, e)
            if e - s >= 2 and self._real(text[s:e]) and self._model_name(text, s, e):
                model_found.append((s, e))
        model_found = [(s, e) for s, e in model_found if not in_list_of_things(text, s, e, self.things)]
        # One person, one name in an article: where the model cut a name short once
        # (孙浩|然骑着) the longer form it found elsewhere in the article stands.
        known = {found[i].text for i in range(first, len(found))} | {text[s:e] for s, e in model_found}
        longer = sorted((k for k in known if len(k) >= 3), key=len, reverse=True)
        for s, e in model_found:
            e = next((s + len(k) for k in longer if len(k) > e - s and text.startswith(k, s)), e)
            add(s, e, "person_finder:model")
        return doc

    def _surname_before(self, text: str, start: int, end: int) -> int:
        """果农向|德明告诉记者: the model, trained on text where 向 and 于 mostly govern a noun,
        reads the given name alone; after a word for who someone is (果农, or a title:
        营业员向丽萍), they are the surname."""
        if end - start == 2 and start >= 1 and text[start - 1] in PREPOSITION_SURNAMES \
                and (text.endswith(self.roles, 0, start - 1) or text.endswith(self.titles, 0, start - 1)):
            return start - 1
        return self._foreign_start(text, start, end)

    def _foreign_start(self, text: str, start: int, end: int) -> int:
        """木合|塔尔·买买提是…: the model may start a foreign name late, on a character it has
        not seen in one. Where the name opens its clause, it runs back to the clause's start
        over at most four characters, the first of them one of transliteration and two in
        three of the name's first part; elsewhere, a first part of two characters
        (热依汗|古丽·…) runs back over characters of transliteration only. Never over a
        title, a stop word or the end of a common word (客户|…, 市长|…, 乡邮员|…)."""
        dot = text.find(DOT, start, end)
        if dot < 0 or dot - start > 2 or start == 0 or CLAUSE_EDGE.match(text, start - 1):
            return start  # (a first part of three or more characters is whole: 迈克尔·…)
        translit = self.model.transliteration
        edge = start - 1
        while edge >= 0 and not CLAUSE_EDGE.match(text, edge):
            edge -= 1
        first = edge + 1
        if start - first <= 4 and text[first] in translit and self._may_join(text, first, start) \
                and 3 * sum(ch in translit for ch in text[first:dot]) >= 2 * (dot - first):
            return first
        s = start
        while s > first and start - s < 4 and text[s - 1] in translit and self._may_join(text, s - 1, start) \
                and not (s >= 2 and text[s - 2:s] in self.words and text[s - 2] not in translit):
            s -= 1
        return s

    def _may_join(self, text: str, s: int, start: int) -> bool:
        """Whether text[s:start] may be the start of a foreign name: no stop word, nothing
        but Chinese, and no title ending there (负责人|保罗·…)."""
        added = text[s:start]
        return not any(ch in self.stops or not re.match(rf"[{CJK}]", ch) for ch in added) \
            and not any(text.endswith(t, 0, k) for k in range(s + 1, start + 1) for t in self.titles)

    def _extend(self, text: str, start: int, end: int) -> int:
        """A two-character name whose next character is followed by a speech verb takes it:
        the model reads 邵建|明说 (明说 is a word), the reporter wrote 邵建明|说."""
        if end - start != 2 or text[start] not in self.surnames or end >= len(text):
            return end
        nxt = text[end]
        if not re.match(rf"[{CJK}]", nxt) or nxt in self.stops or self._follows(text[end:end + 4]) \
                or nxt in NICKNAME:
            return end
        after = text[end + 1:end + 5]
        # Only a clear speech verb tells (邵建明|说); a single character such as 道 may start
        # a word of its own (记者薛原|报道).
        return end + 1 if after.startswith("说") or any(len(w) > 1 and after.startswith(w)
                                                        for w in self.followers) else end

    def _model_name(self, text: str, start: int, end: int) -> bool:
        """Whether a name the model read in running text passes what the model cannot know."""
        name = text[start:end]
        if self._titled_surname(text, start, end) or (name[-1] in self.stops and DOT not in name):
            return False  # 张女|士; 高兴地|说 (a · marks a foreign name, which may end so: …·土尔地)
        if any(name.startswith(c) for c in self.credits if len(c) > 1):
            return False  # □钱多多 摄影报道
        if name in self.thing_words:
            return False  # 马铃薯, 向日葵: a noun opening with a surname
        if len(name) == 4 and name[:2] in self.words and name[2:] in self.words and name[:2] not in self.surnames:
            return False  # two words (普惠|金融), not a surname and a given name
        if any(text.startswith(w, end) for w in self.place_after):
            return False  # 吐尔尕特|口岸
        if ROUTE_TO.search(text, max(start - 2, 0), start):
            return False  # a route's end (二连浩特至|乌兰巴托), not a person
        if DOT not in name and text.endswith(self.countries, 0, start):
            return False  # a city after its country (发往缅甸|曼德勒), not a person
        if DOT in name:
            # A foreign name is written in the characters of transliteration (阿卜杜·卡迪尔),
            # not in words (寄递·三农); the training text has not seen every such character
            # (…·墨菲), so two in three of them will do where the · marks the name.
            chars = [ch for ch in name if ch != DOT]
            return 3 * sum(ch in self.model.transliteration for ch in chars) >= 2 * len(chars)
        if len(name) > 4:
            return all(ch in self.model.transliteration for ch in name)  # 纳扎尔巴耶夫
        # A place (安吉, 万荣县, 霍尔果斯口岸) is no person, in a list of places or before 县.
        return not self.places.lookup(name)

    # What a name is not --------------------------------------------------------------

    def _real(self, name: str) -> bool:
        """Not an honorific (李大姐, 张女士), a surname with a title (沈经理) or a nickname (老陈)."""
        if not NAME_SHAPE.fullmatch(name) or name.startswith(DOT) or name.endswith(DOT):
            return False
        if len(name) == 2 and name[0] in NICKNAME:
            return False
        for cut in (1, 2):
            if name[:cut] in self.surnames:
                rest = name[cut:]
                # A one-character kinship word is the whole rest (李姐, 王叔), never just its start:
                # 罗伯特 and 艾伯特 are names.
                if any(rest == h or len(h) > 1 and rest.startswith(h) for h in self.honorifics) \
                        or rest in self.title_set:
                    return False
        return True

    def _titled_surname(self, text: str, start: int, end: int) -> bool:
        """A lone surname before an honorific or title the model read as a given name: 张女|士."""
        name = text[start:end]
        return any(name[:cut] in self.surnames and any(text.startswith(h, start + cut) for h in self.honorifics
                                                       if len(h) > 1 or end - start == cut + 1)
                   for cut in (1, 2))

    def _trim(self, text: str, start: int, end: int) -> tuple[int, int]:
        """An honorific or title the model took into the name is cut off: 王建国先生 → 王建国."""
        name = text[start:end]
        for word in self.honorifics:
            if len(name) - len(word) >= 2 and name.endswith(word):
                return start, end - len(word)
        if len(name) == 4 and name[0] in self.surnames and name[:2] not in self.surnames \
                and name[-1] in self.followers:
            return start, end - 1  # 柏文涛|常到村里: a surname and two characters, then an adverb
        if len(name) == 3 and any(len(w) > 1 and text.startswith(w, end - 1) for w in self.credits):
            return start, end - 1  # 编辑：钱晓|校对：孙梅, a credit line whose gaps the PDF lost
        return start, end

    def _follows(self, text: str) -> bool:
        return any(text.startswith(w) for w in self.followers)

    # Bylines and credits ------------------------------------------------------------------

    def _credit_name(self, part: str) -> bool:
        """A name-shaped part of a byline or credit: not a title, a credit word or a unit."""
        if part in self.title_set or part in self.credits or not NAME_SHAPE.fullmatch(part):
            return False
        if DOT not in part and len(part) > 4:
            return False  # a unit's name (湖北省分公司), not a person's
        if any(part.endswith(t) for t in self.titles):
            return False
        return self._real(part)

    def _byline(self, m):
        body = m.group("body")
        base = m.start("body")
        parts = [(off, p) for off, p in byline_parts(body, self.titles, self.surnames) if p not in self.credits]
        for offset, part in parts:
            names = [(offset, part)] if self._credit_name(part) else []
            if not names and len(parts) == 1:
                # □甘肃省分行党委书记、行长林国华 (no space): a title, then the name.
                t = self.after_title.search(part)
                if t and t.end("name") == len(part):
                    names = [(offset + t.start("name"), t.group("name"))]
            for off, name in names:
                # No title_end here: the labelling standard gives a byline's author no
                # WORKS_AT, even when the byline names their post (□X分公司总经理 某某).
                info = {}
                # A name rejoined over a space (刘 洋) ends after as many characters, spaces aside.
                end, seen = off, 0
                while seen < len(name) and end < len(body):
                    seen += not body[end].isspace()
                    end += 1
                yield base + off, base + end, info, name


# Where a list's items end (、 joins them).
ITEM_EDGE = "，。；：！？（）()《》\n"
OPEN_QUOTES, CLOSE_QUOTES = "“‘「", "”’」"
# The noun after 等: a few characters of Chinese up to a figure (等10多个国家元首 counts
# people) or a joining word (等党和国家领导人), and not 人 (等人的作品).
THING_AFTER = re.compile(r"(?!人)(?:(?![和及与的])[\u4e00-\u9fff]){2,6}")


def in_list_of_things(text: str, start: int, end: int, things) -> bool:
    """A name-shaped word in a 、-list of things: one closed by 等 and a noun of goods or
    places (土豆、燕麦等农产品), or three or more short slogans in quotes (“挂好、包赢、帮完成”).
    People come in lists too (张某、李某等人的作品; 等10多位嘉宾), so a list alone says nothing."""
    if not ((start > 0 and text[start - 1] == "、") or (end < len(text) and text[end] == "、")):
        return False
    k = end
    while k < len(text) and k - end < 40 and text[k] not in ITEM_EDGE:
        if text[k] == "等":
            after = THING_AFTER.match(text, k + 1)
            return bool(after) and any(t in after.group() for t in things)
        if text[k] in CLOSE_QUOTES:
            break
        k += 1
    if k >= len(text) or text[k] not in CLOSE_QUOTES:
        return False
    j = start
    while j > 0 and start - j < 40 and text[j - 1] not in ITEM_EDGE + CLOSE_QUOTES + OPEN_QUOTES:
        j -= 1
    if j == 0 or text[j - 1] not in OPEN_QUOTES:
        return False
    items = text[j:k].split("、")
    return len(items) >= 3 and all(1 <= len(item) <= 4 for item in items)
