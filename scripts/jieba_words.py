"""What the scripts that write word lists from jieba's dictionary share: its entries,
and writing a list into config/ the way kg.lexicon.word_list reads it."""
from __future__ import annotations

import os
from pathlib import Path

import jieba

ROOT = Path(__file__).resolve().parent.parent


def entries():
    """(word, frequency, part-of-speech tag) of every entry of the dictionary in the jieba wheel."""
    dictionary = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split()
        yield word, int(freq), tag


def write_words(name: str, header: str, words: list[str]) -> None:
    """config/<name>: the header's comment lines, then the words twenty to a line."""
    out = ROOT / "config" / name
    body = "\n".join(" ".join(words[i:i + 20]) for i in range(0, len(words), 20))
    out.write_text(header + body + "\n", encoding="utf-8")
    print(f"{len(words)} words → {out.relative_to(ROOT)}")
