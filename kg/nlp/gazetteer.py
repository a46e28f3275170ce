"""China's administrative divisions, from the `cpca` package's adcode table.

Names of provinces, cities and counties are data a package keeps up to date,
not something to type by hand. From each official name we also derive the
short forms newspapers use: 湖北省 → 湖北, 恩施土家族苗族自治州 → 恩施 / 恩施州,
and a stem with another level suffix (a county renamed a district; both forms
name it). The adcode gives each division its parents, so 宜昌市 is known to be
in 湖北省.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import ConfigError

LEVEL_SUFFIXES = "省市县区州旗盟"
_AUTONOMOUS = re.compile(r"^(.{2,})自治(州|县|旗|区)$")
_OFFICIAL_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|回族自治区|壮族自治区|自治区|自治州|自治县|自治旗|地区|林区|特区|省|市|县|区|州|旗|盟)$")


@dataclass(frozen=True)
class Division:
    name: str  # official name: 宜昌市
    level: int  # 1 province, 2 prefecture/city, 3 county/district
    chain: tuple[str, ...]  # official names outermost first, ending with name

    @property
    def stem(self) -> str:
        return short_form(self.name)


def short_form(name: str) -> str:
    """湖北省 → 湖北, 恩施土家族苗族自治州 → 恩施, 西双版纳傣族自治州 → 西双版纳, 宜昌市 → 宜昌
    (never shorter than 2)."""
    m = _AUTONOMOUS.match(name)
    if m:
        stem = m.group(1)
        groups = _ethnic_groups()
        while True:  # the groups named last to first (…苗族侗族: 侗族, then 苗族)
            cut = next((g for g in groups if stem.endswith(g) and len(stem) - len(g) >= 2), None)
            if cut is None:
                break
            stem = stem[: -len(cut)]
    else:
        stem = _OFFICIAL_SUFFIX.sub("", name)
    return stem if len(stem) >= 2 else name


@lru_cache(maxsize=1)
def _ethnic_groups() -> tuple[str, ...]:
    """Each group with and without 族, longest first (config/ethnic_groups.txt)."""
    from kg.lexicon import word_list
    from kg.paths import config_dir

    names = word_list(str(config_dir() / "ethnic_groups.txt"))
    return tuple(sorted({f for n in names for f in (n + "族", n)}, key=len, reverse=True))


def _adcode_file() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("cpca", None, "the package cpca (admin-division data) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def _grouping(name: str) -> bool:
    """市辖区, 县, 省直辖县级行政区划: how the code list groups a municipality's districts or a
    province's directly administered cities, no place of its own (北京市海淀区, not 北京市市辖区海淀区)."""
    return name in ("市辖区", "县") or name.endswith("行政区划")


class Gazetteer:
    """Look up admin-division names and their short forms by longest prefix."""

    def __init__(self, rows):
        by_code = {}
        for code, name in rows:
            code = code.ljust(12, "0")
            by_code[code] = name
        self.forms: dict[str, list[Division]] = {}
        for code, name in by_code.items():
            if code[2:6] == "0000":
                level = 1
            elif code[4:6] == "00":
                level = 2
            else:
                level = 3
            chain = []
            if level >= 2 and code[:2] + "0" * 10 in by_code:
                chain.append(by_code[code[:2] + "0" * 10])
            if level == 3 and code[:4] + "0" * 8 in by_code and not _grouping(by_code[code[:4] + "0" * 8]):
                chain.append(by_code[code[:4] + "0" * 8])
            div = Division(name, level, tuple(chain) + (name,))
            stem = div.stem
            forms = {name, stem}
            if stem != name:
                # 恩施州, 夷陵区: the stem with a level suffix still names it.
                # A province is its name or its stem (吉林市 is the city, not 吉林省), and
                # only a province is 省 (河北省 is never Tianjin's 河北区).
                if level > 1:
                    forms.update(stem + s for s in LEVEL_SUFFIXES if s != "省")
            for form in forms:
                self.forms.setdefault(form, []).append(div)
        self.max_len = max(map(len, self.forms))
        # The lengths of the names starting with each character, longest first: a
        # lookup tries only those (names are looked for at every position of a window).
        lengths: dict = {}
        for form in self.forms:
            lengths.setdefault(form[0], set()).add(len(form))
        self._lengths = {ch: sorted(ns, reverse=True) for ch, ns in lengths.items()}

    def match_at(self, text: str, pos: int = 0):
        """Longest division name or short form starting at `pos`: (form, divisions) or None."""
        if pos >= len(text):
            return None
        for n in self._lengths.get(text[pos], ()):
            if n >= 2 and pos + n <= len(text):
                divs = self.forms.get(text[pos:pos + n])
                if divs:
                    return text[pos:pos + n], divs
        return None

    def lookup(self, form: str) -> list[Division]:
        return self.forms.get(form, [])


def foreign_country_names() -> tuple[str, ...]:
    """Every country but China: 某国邮政 is an outside post, 中国邮政 the network itself."""
    return tuple(c for c in country_names() if c != "中国")


@lru_cache(maxsize=1)
def country_names() -> tuple[str, ...]:
    """Chinese names of the world's countries (pycountry's ISO 3166 data and its zh_CN translation)."""
    import gettext

    import pycountry

    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError as exc:
        raise ConfigError("pycountry", None, f"no Chinese country names ({exc})") from None
    names = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                local = zh.gettext(value)
                if local != value and len(local) >= 2:
                    names.add(local)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    path = _adcode_file()
    try:
        with open(path, encoding="utf-8") as fh:
            rows = [(row["adcode"], row["name"]) for row in csv.DictReader(fh)]
    except (OSError, KeyError) as exc:
        raise ConfigError(path, None, f"cannot read the admin-division table ({exc})") from None
    return Gazetteer(rows)
