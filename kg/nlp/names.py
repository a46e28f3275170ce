"""How postal and bank unit names are built, and when two of them name one unit.

A unit's name reads: [network prefix] [admin divisions] [local place] [邮政]
[suffix], e.g. 邮储银行 | 贵州省 六盘水市 水城区 | | | 支行, or | 秭归县 | 土黄镇 | 邮政 |
营业所. Parsing a name into those parts lets short and long forms of one unit
merge (秭归县分公司 is 湖北省宜昌市邮政分公司) while different units stay apart
(兴山县分公司 is not), and gives every unit a qualified name for the graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kg.nlp.gazetteer import Division, Gazetteer

LEVEL_CHARS = {"省": 1, "市": 2, "州": 2, "县": 3, "区": 3, "旗": 3}


@dataclass
class UnitName:
    text: str
    prefix: str = ""  # 邮储银行 / 中国邮政 …
    org: str | None = None  # post | bank | None
    regions: list = field(default_factory=list)  # admin forms as written: ["四川省", "宜昌市"]
    divisions: list = field(default_factory=list)  # the Division each form resolved to (or None)
    local: str = ""  # 绥定大道南, 亭子镇, 代理金融 …
    post_word: bool = False  # 邮政 written inside the name
    suffix: str = ""
    level: int | None = None  # for level-only names: 县分公司 → 2

    @property
    def chain(self) -> tuple[str, ...]:
        """Official admin chain, outermost first, as far as the name pins it down."""
        best: tuple[str, ...] = ()
        for form, div in zip(self.regions, self.divisions):
            if div is not None and len(div.chain) >= len(best):
                best = div.chain
            elif div is None:
                best = best + (form,)
        return best

    @property
    def stems(self) -> tuple[str, ...]:
        return _stems(tuple(self.regions), tuple(self.divisions))

    def qualified(self, context_chain: tuple[str, ...] = ()) -> str:
        """The fullest name: prefix or network word, full admin chain, local part, suffix."""
        chain = self.chain
        if context_chain and (not chain or _extends(context_chain, chain)):
            chain = context_chain + tuple(c for c in chain if c not in context_chain)
        if self.level and not self.regions:
            chain = tuple(c for c in context_chain if _level_of(c) <= self.level)
        head = "邮储银行" if self.org == "bank" else ""
        post = "邮政" if self.org == "post" and self.suffix not in ("邮政局", "邮政所", "邮政支局") else ""
        if self.suffix.startswith("邮政"):
            post = ""
        return head + "".join(chain) + self.local + post + self.suffix


@lru_cache(maxsize=65536)
def _stems(regions, divisions) -> tuple[str, ...]:
    # Names are compared pairwise: each admin chain's short forms are worked out once.
    return tuple(short(d.name if d else f) for f, d in zip(regions, divisions))


def short(name: str) -> str:
    from kg.nlp.gazetteer import short_form
    return short_form(name)


def _level_of(name: str) -> int:
    return LEVEL_CHARS.get(name[-1:], 3)


def _extends(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """True when `inner` could sit under `outer` (its first element is not a sibling of outer's)."""
    return bool(inner) and inner[0] not in outer and _level_of(inner[0]) > _level_of(outer[-1])


def parse_unit(text: str, suffix: str, gaz: Gazetteer, prefixes: dict[str, str],
               suffix_org: str | None) -> UnitName:
    """Split a unit name (already known to end with `suffix`) into its parts."""
    name = UnitName(text=text, suffix=suffix, org=suffix_org)
    pos = 0
    for p in prefixes:  # longest first
        if text.startswith(p):
            name.prefix, name.org, pos = p, prefixes[p], len(p)
            break
    body_end = len(text) - len(suffix)
    after_post = False
    while pos < body_end:
        if name.regions and name.divisions[-1] is not None and text.startswith("邮政", pos):
            # 贵州邮政|遵义邮件处理中心: the network's word between a province and its city
            below = gaz.match_at(text[:body_end], pos + 2)
            if below and any(name.divisions[-1].name in d.chain[:-1] for d in below[1]):
                name.post_word, name.org = True, name.org or "post"
                pos += 2
                after_post = True
                continue
        hit = gaz.match_at(text[:body_end], pos)
        if not hit:
            break
        form, divs = hit
        if form[-1] not in LEVEL_CHARS:
            # A bare short form (四川, 宜昌) is a place only where another place,
            # 邮政/邮银 or the suffix follows: 四川宜昌市…, 宜昌邮政; not 古田 of 古田三路
            # nor 红旗 of 红旗大道.
            nxt = pos + len(form)
            follow = gaz.match_at(text[:body_end], nxt) if nxt < body_end else None
            # …and a province's or city's before 国际 (重庆国际邮件互换中心: the city's international hub).
            hub = text.startswith("国际", nxt) and any(d.level <= 2 for d in divs)
            if (name.regions and not after_post) or not (nxt == body_end or text.startswith(("邮政", "邮银"), nxt) or hub
                                    or (follow and follow[0][-1] in LEVEL_CHARS)):
                break
        # Several divisions share some names (朝阳区, 朝阳县): keep the one under
        # what the name already placed, else leave it unresolved.
        prev = name.divisions[-1] if name.divisions else None
        div = _pick(divs, prev)
        if prev is not None and div is not None and prev.name not in div.chain[:-1]:
            break  # not under the place before it: part of the local name
        name.regions.append(form)
        name.divisions.append(div)
        pos += len(form)
        after_post = False
    rest = text[pos:body_end]
    if rest.endswith("邮政"):
        name.post_word, rest = True, rest[:-2]
        name.org = name.org or "post"
    elif rest.startswith("邮政"):
        name.post_word, rest = True, rest[2:]
        name.org = name.org or "post"
    if not name.regions and rest in LEVEL_CHARS:
        name.level, rest = LEVEL_CHARS[rest], ""
    elif not name.regions and rest[:1] in LEVEL_CHARS and rest[1:3] == "邮政":
        name.level, rest = LEVEL_CHARS[rest[0]], rest[3:]
        name.post_word = True
    elif not name.regions and rest[:1] in ("省", "市", "县") and name.post_word:
        name.level, rest = LEVEL_CHARS[rest[0]], rest[1:]
    name.local = rest
    return name


def _pick(divs: list[Division], prev: Division | None) -> Division | None:
    if len(divs) == 1:
        return divs[0]
    if prev is not None:
        under = [d for d in divs if prev.name in d.chain[:-1]]
        if len(under) == 1:
            return under[0]
    return None


def same_body(a: UnitName, b: UnitName, short=lambda s: s) -> bool:
    """Same words after the places: local part and suffix, in short forms (医疗保障局 = 医保局)."""
    return short(a.local + a.suffix) == short(b.local + b.suffix)


def same_unit(a: UnitName, b: UnitName, short=lambda s: s) -> bool:
    """Whether two names of one document name the same unit.

    Same suffix and local part (`short` writes words in their official short
    forms), compatible network, and admin chains where one continues the other
    (宜昌市 ⊂ 四川省宜昌市; 兴山市 is not 宜昌市).
    """
    if not same_body(a, b, short):
        return False
    if a.org and b.org and a.org != b.org:
        return False
    sa, sb = a.stems, b.stems
    if not sa or not sb:
        return False
    (short_, ds), (long_, dl) = sorted(((sa, a.divisions), (sb, b.divisions)), key=lambda x: len(x[0]))
    # The shorter chain must be the tail of the longer one: 宜昌 ⊂ 四川 宜昌 …
    if long_[len(long_) - len(short_):] != short_:
        return False
    # … place by place at the same level: 吉林省 and 吉林市 share a short form, not a unit.
    tail = dl[len(dl) - len(ds):]
    return all(x is None or y is None or x.level == y.level for x, y in zip(ds, tail))


def unit_to_plain(unit: UnitName | None) -> dict | None:
    """A parsed name as plain data (for a Doc that pickles and crosses processes)."""
    if unit is None:
        return None
    return {"text": unit.text, "prefix": unit.prefix, "org": unit.org, "regions": list(unit.regions),
            "divisions": [None if d is None else [d.name, d.level, list(d.chain)] for d in unit.divisions],
            "local": unit.local, "post_word": unit.post_word, "suffix": unit.suffix, "level": unit.level}


def unit_from_plain(data: dict | None) -> UnitName | None:
    if data is None:
        return None
    divisions = [None if d is None else Division(d[0], d[1], tuple(d[2])) for d in data["divisions"]]
    return UnitName(data["text"], data["prefix"], data["org"], list(data["regions"]), divisions, data["local"],
                    data["post_word"], data["suffix"], data["level"])
