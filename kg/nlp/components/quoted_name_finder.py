"""PROGRAM, PRODUCT (and a few PARTNER) mentions: names the paper puts in quote marks.

Campaigns and products are quoted (“周五惠民日”活动, “邮 e 链”平台), but so are
slogans, plans and jargon (“十四五”规划, “绿色通道”). What a quote names is
told, in order, by:
- its own ending (“暖心驿站服务”, “某某贷”), from config/name_heads.jsonl;
- the head noun of the phrase after it — the last head of that phrase, since a
  Chinese noun phrase ends in its head (“某某”批量担保业务合作协议 is a 协议);
- a head right before it (专属产品“某某贷”, 电商平台“某某”);
- the verb it is the object of (推出/上线 a product, 开展/推行 a programme).
Quotes in a row share what the last one is told (“乡音寄情”“邮趣周末”等活动,
推动“快递进乡”向“快递进屋”延伸), and a name quoted once with a head and once
without is the same name.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions
from kg.nlp.name_growth import Taken

# Innermost quotes with a short, phrase-like content (no sentence punctuation).
QUOTE = re.compile(r"“([^“”‘’\n，。！？；：,!?;]{1,30})”|‘([^“”‘’\n，。！？；：,!?;]{1,30})’|「([^「」\n，。！？；]{1,30})」"
                   r"|《([^《》\n，。！？；]{1,20})》")
# Book-title marks name stamps and publications: a name only before a stamp word
# (《某某》特种邮票), whose words it then takes into its name.
TITLE_HEADS = ("PRODUCT",)
OWN_NETWORK = re.compile(r"邮")  # a name that says it is the post's or the bank's own (邮乐, 邮储…)
ALIAS_MARK = re.compile(r"(?:简称|下称|又称|统称|合称)$")
JOINERS = re.compile(r"[、和及与向]?|(?:以及|或)")
CLAUSE_END = set("，。！？；：,.!?;:\n“‘（(")
# The phrase after a quote ends at punctuation, a figure or a particle (…支农的路子).
PHRASE_END = set("了着地得在于") | set("0123456789")
PHRASE_END_WORDS = set("与和及为向对把将让使从到至、")
PHRASE_BREAKS = ("实现", "参与", "累计", "覆盖", "提供", "走向", "成为", "帮助", "带动", "吸引", "推动", "助力",
                 "获得", "达到", "突破", "签订", "签署", "开展", "开设", "上线", "推出", "发放", "办理", "进行",
                 "实行", "采用", "借助", "已经", "已", "可以", "能够", "还", "也", "就", "均", "都")
# “开门红”及各项重点营销活动: the conjunct after it says what kind of thing the quote is.
OTHERS = re.compile(r"(?:各项|各类|其他|其它|各种|多项|系列)")
CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
USE_LEFT = set("的在与和及了将把对为向从以于是等")  # what may stand right before a name in running text
# Words before a quote that make it the other conjunct's, not this phrase's, head.
CONJUNCTION = ("和", "与", "及", "、", "或")
VERB_LABELS = {
    "PRODUCT": ("推出", "上线", "发行", "研发", "开通", "发布", "投放", "通过", "依托", "利用", "基于", "使用"),
    "PROGRAM": ("开展", "举办", "推行", "实施", "启动", "推进", "建立", "打造", "组织", "开设", "承办",
                "发起", "探索", "深化", "巩固", "落实", "策划", "创建", "制定"),
}


@Language.factory(
    "kg_quoted_name_finder",
    assigns=["doc._.kg_mentions"],
    default_config={"heads": "config/name_heads.jsonl", "slogans": "config/slogans.txt",
                    "stops": "config/name_stops.txt", "max_gap": 10},
)
def make_quoted_name_finder(nlp, name, heads, slogans, stops, max_gap):
    return QuotedNameFinder(heads, slogans, stops, max_gap)


class QuotedNameFinder:
    def __init__(self, heads, slogans, stops, max_gap):
        self.slogans = set(word_list(slogans))
        # The phrase after a quote also ends at a verb that starts the predicate
        # (基于“某某”平台实现与…企业) or a preposition.
        self.verb_re = re.compile("|".join(map(re.escape, longest_first(w for w in PHRASE_BREAKS if len(w) > 1))))
        self.stop_re = re.compile("|".join(map(re.escape, longest_first(set(PHRASE_BREAKS) | PHRASE_END_WORDS))))
        rows = jsonl(heads, ("head", "label"))
        self.end_heads = {r["head"]: r["label"] for r in rows if r.get("end", True)}
        self.after_heads = {r["head"]: r.get("after_label", r["label"]) for r in rows if r.get("after", True)}
        self.before_heads = {r["head"]: r["label"] for r in rows if r.get("before", False)}
        self.after_order = longest_first(self.after_heads)
        self.end_order = longest_first(self.end_heads)
        self.before_order = longest_first(self.before_heads)
        self.head_re = re.compile("|".join(map(re.escape, self.after_order)))
        self.verbs = [(v, label) for label, vs in VERB_LABELS.items() for v in vs]
        self.max_gap = max_gap

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        read = []  # (match, name, label or None, group number)
        for g, group in enumerate(self._groups(text)):
            # gap: how far the head stands from the quote (“某某”项目 tells more than “某某”带火…农产品).
            head_label, head_found, head_end, gap = self._head_after(text, group[-1].end())
            if ALIAS_MARK.search(text, max(0, group[0].start() - 4), group[0].start()):
                continue  # （以下简称“某某”）: a short name, read by alias_finder
            before_label = self._head_before(text, group[0].start()) or self._verb_before(text, group[0].start())
            for m in group:
                content = next(x for x in m.groups() if x is not None)
                if content.replace(" ", "") in self.slogans:
                    continue  # “一带一路”建设: a national slogan, nobody's programme
                if m.group(4) is not None:
                    # 《某某》特种邮票: a stamp, named with its kind.
                    if head_found and head_label in TITLE_HEADS and m is group[-1]:
                        read.append((m, content + text[m.end():head_end], head_label, g, gap))
                    continue
                if "—" in content and not head_found and self._own_label(content) is None:
                    continue  # “某地—某地”航空邮路: a route, no name
                if re.search(r"\d", content) and head_found and head_label and m is group[-1]:
                    # “7×24小时”预约通关机制: a figure is no name; the name is the whole phrase.
                    read.append((m, content + text[m.end():head_end], head_label, g, gap))
                    continue
                own = self._own_label(content)
                if own and "+" in content:
                    own = None  # “寄递+农特产品”服务模式: a formula of parts; its last part says nothing
                if own is False:
                    continue  # the quote's own ending says it is no name (“绿色通道”)
                if own is None and head_found and head_label is None:
                    continue  # “三医”领域: the head after it rules it out
                if own is None and len(content) < 3:
                    continue  # “长出”, “加码”: a word in quotes, not a name
                label = own or (head_label if head_found else None) or before_label
                if label == "PARTNER" and OWN_NETWORK.search(content):
                    label = "PRODUCT"  # “邮政农品汇”电商平台: the network's own platform, offered, not a partner
                read.append((m, content, label, g, 0 if own else gap if head_found and head_label else self.max_gap))
        # A name is told once for the page: by the telling whose head stands
        # closest to it, the first of those; quotes in a row share what one of them is told.
        told = {}
        for _, name, label, _, gap in read:
            if label and (name not in told or gap < told[name][0]):
                told[name] = (gap, label)
        known = {name: label for name, (_, label) in told.items()}
        group_label = {}
        for _, name, label, g, _ in read:
            if name in known:
                group_label.setdefault(g, known[name])
        for m, name, label, g, _ in read:
            label = known.get(name) or group_label.get(g)
            if label is None:
                continue
            s = m.start() + 1
            content = next(x for x in m.groups() if x is not None)
            # “X”服务站: past the closing mark and the head noun after it
            end = s + len(content) if name == content else m.end() + len(name) - len(content)
            info = {"quoted": True}
            if m.group(4) is not None:
                info["title"] = content
            found.append(Mention(s, end, label, name, "quoted_name_finder", info=info))
        self._unquoted_uses(text, found, known)
        return doc

    @staticmethod
    def _unquoted_uses(text, found, known):
        """A name quoted once is the same name written later without quotes (云岭邮仓仓储面积…)."""
        names = [n for n, label in known.items() if len(n) >= 3 and label]
        if not names:
            return
        taken = Taken((m.start, m.end) for m in found)
        for m in re.finditer("|".join(map(re.escape, sorted(names, key=len, reverse=True))), text):
            s, e = m.span()
            if text[s - 1:s] in "“‘「《" or text[e:e + 1] in "”’」》":
                continue  # the quoted mention itself
            if s and CJK_CHAR.match(text[s - 1]) and text[s - 1] not in USE_LEFT:
                continue  # 智能电脑课堂 is not “电脑课堂”: a name starts a word
            if taken.overlaps(s, e):
                continue
            found.append(Mention(s, e, known[m.group()], m.group(), "quoted_name_finder:use"))

    def _groups(self, text):
        """Runs of quotes written one after another, or joined by 、/和/及/与/向."""
        group = []
        for m in QUOTE.finditer(text):
            if group:
                between = text[group[-1].end():m.start()]
                if JOINERS.fullmatch(between):
                    group.append(m)
                    continue
                yield group
            group = [m]
        if group:
            yield group

    def _own_label(self, content: str):
        """The label the quoted text's own ending gives: a label, False (no name), or None (silent)."""
        for head in self.end_order:
            if content.endswith(head) and len(content) > len(head):
                label = self.end_heads[head]
                return label if label else False
        return None

    def _head_after(self, text, pos):
        """(label, found, end, gap): the last head noun of the phrase right after pos, and
        how many characters stand between pos and it.

        The phrase runs to punctuation, a figure, a particle or a stop word,
        within max_gap characters; a phrase opening with 和/与 belongs to another
        conjunct. After a list (“某某”、案例复盘、情景演练等方式) the head follows 等.
        """
        if text.startswith("、", pos):
            etc = text.find("等", pos, pos + 24)
            if etc < 0 or any(c in CLAUSE_END for c in text[pos:etc]):
                return None, False, pos, None
            pos = etc + 1
        elif text.startswith(CONJUNCTION, pos) and not OTHERS.match(text, pos + 1):
            return None, False, pos, None  # “某某小店”和抖音直播间: the head is the other conjunct's
        limit = min(len(text), pos + self.max_gap + 6)
        best, best_end = None, pos
        i = pos
        while i < limit and text[i] not in CLAUSE_END and text[i] not in PHRASE_END:
            if (i > pos and self.stop_re.match(text, i)) or (i == pos and self.verb_re.match(text, i)):
                break  # (a phrase that opens with a verb, “某某”开设…, has no head for the quote)
            head = self.head_re.match(text, i) if i - pos <= self.max_gap else None  # longest first
            if head:
                best, best_end = head.group(), head.end()
                i = head.end() - 1
            i += 1
        if not best:
            return None, False, pos, None
        return self.after_heads[best], True, best_end, best_end - len(best) - pos

    def _head_before(self, text, pos):
        for head in self.before_order:
            if text.endswith(head, 0, pos):
                return self.before_heads[head]
        return None

    def _verb_before(self, text, pos):
        """推出“某某”, 持续推进“某某”: the verb the quote is the object of."""
        lead = text[max(0, pos - 3):pos].rstrip("了")
        for verb, label in self.verbs:
            if lead.endswith(verb):
                return label
        return None
