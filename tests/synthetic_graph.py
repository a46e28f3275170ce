"""Extraction records for graphs of any size, for the graph view's tests and benchmark.

Every name is invented (places that do not exist, made-up programmes and
companies), and the shape follows what kg finds in real pages: a city branch
with county branches PART_OF it, programmes it RUNS, products it OFFERS,
partners it PARTNERS_WITH or FINANCES, people who WORK_AT it, figures it
REPORTED, and a few names mentioned with no fact around them (isolated nodes).
The same city appears in several documents, so nodes merge across pages as
they do in a real corpus. Seeded: the same arguments give the same records.
"""
from __future__ import annotations

import random

SYLLABLES = "青岚白川云溪松石银湖金沙玉泉丹霞翠屏雁鸣枫林桂岭梅江柳塘芦湾鹤峰麓山碧水星桥望海"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "明华强丽军敏静磊洋艳勇娟涛超霞平刚桂英芳玲杰浩宇晨欣怡"
PROGRAM_HEADS = ("惠民日", "助农行动", "金秋营销季", "会员周", "普惠工程", "振兴计划")
PRODUCT_HEADS = ("贷", "宝", "通", "卡", "e站", "云柜")
PARTNER_SUFFIXES = ("农业发展有限公司", "商务局", "农民专业合作社", "科技有限公司", "茶业协会")


def _word(rng, n=2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def _entity(eid, label, name, region=(), qualified=None, sentence="", article=0):
    return {"id": eid, "label": label, "name": name, "aliases": [name], "qualified": qualified or name,
            "region": list(region),
            "mentions": [{"text": name, "article": article, "sentence": sentence or f"{name}。",
                          "start": 0, "end": len(name), "rule": "synthetic"}]}


def _ref(e):
    return {"id": e["id"], "name": e["name"], "label": e["label"]}


def synthetic_records(entities: int = 600, *, seed: int = 7, per_doc: int = 24, isolated_share: float = 0.05):
    """Records whose graph has about `entities` entity nodes."""
    rng = random.Random(seed)
    provinces = [f"{_word(rng)}省" for _ in range(max(2, entities // 400))]
    cities = [(rng.choice(provinces), f"{_word(rng)}市") for _ in range(max(3, entities // 60))]
    records, made, n = [], 0, 0
    while made < entities:
        province, city = cities[n % len(cities)]
        doc = f"synthetic-{n:04d}.txt"
        ents, rels, mets = [], [], []

        def add(label, name, region=(), qualified=None):
            e = _entity(len(ents), label, name, region, qualified)
            ents.append(e)
            return e

        def rel(rtype, head, tail, title=None):
            sentence = f"{head['name']}与{tail['name']}相关。"
            rels.append({"type": rtype, "head": _ref(head), "tail": _ref(tail), "title": title, "article": 0,
                         "sentence": sentence, "start": 0, "end": len(sentence), "rule": "synthetic"})

        hub = add("BRANCH", f"{city}分公司", (province, city), f"{province}{city}邮政分公司")
        budget = max(2, min(per_doc, entities - made + 1))
        while len(ents) < budget:
            kind = rng.random()
            if kind < 0.25:
                county = add("BRANCH", f"{_word(rng)}县支行", (province, city), f"{province}{city}{_word(rng, 3)}县支行")
                rel("PART_OF", county, hub)
                owner = county
            else:
                owner = hub
            kind = rng.random()
            if kind < 0.3:
                rel("RUNS", owner, add("PROGRAM", f"{_word(rng)}{rng.choice(PROGRAM_HEADS)}"))
            elif kind < 0.5:
                rel("OFFERS", owner, add("PRODUCT", f"{_word(rng)}{rng.choice(PRODUCT_HEADS)}"))
            elif kind < 0.75:
                partner = add("PARTNER", f"{city}{_word(rng)}{rng.choice(PARTNER_SUFFIXES)}", (province, city))
                rel(rng.choice(("PARTNERS_WITH", "FINANCES")), owner, partner)
            elif kind < 1 - isolated_share:
                person = add("PERSON", rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
                rel("WORKS_AT", person, owner, rng.choice(("行长", "理财经理", "客户经理")))
            else:
                add("PROGRAM", f"{_word(rng, 3)}{rng.choice(PROGRAM_HEADS)}")  # mentioned, no fact: isolated
        for k in range(rng.randint(1, 3)):
            value = rng.randint(1, 9000) * 10 ** rng.randint(4, 6)
            mets.append({"subject": _ref(hub), "name": rng.choice(("新增余额", "贷款余额", "新增客户")),
                         "value": value, "value_text": str(value), "unit": "元", "as_of": f"202{k}",
                         "text": f"{value}元", "rank": None, "article": 0,
                         "sentence": f"{hub['name']}新增余额{value}元。", "start": 0, "end": 1, "rule": "synthetic"})
        made += len(ents) - (1 if n >= len(cities) else 0)  # a city seen before merges into its node
        records.append({"doc": doc, "path": doc, "sha1": None, "chars": 100,
                        "articles": [{"index": 0, "title": f"{city}纪事", "subtitle": None, "bylines": [],
                                      "start": 0, "end": 100}],
                        "entities": ents, "relations": rels, "metrics": mets, "skipped": None})
        n += 1
    return records
