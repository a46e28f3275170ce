"""A character CRF that finds people's and organisations' names, run with numpy.

The model is a linear-chain CRF over characters with BMES tags for PER, ORG and
LOC, trained with CRFsuite on the MSRA corpus's train split
(`python -m kg.nlp.names_train`, see kg/nlp/names_data.py). Its features are
the characters around a position (single, pairs, a skip pair) and whether
they are known surnames (config/surnames.txt), so a surname the training text
rarely shows still starts a name.

Running it is vectorised over a whole article: every feature of every
character is one int64 key, looked up at once in the model's sorted keys
(numpy.searchsorted), and the emission scores are summed by array. Decoding
is exact Viterbi, but only where it matters: a character whose O score beats
every other tag by more than any pair of transitions could make up for is O
in the best path whatever its neighbours are, so the text splits there into
short independent stretches (a few percent of a business page), and those
are decoded together, one numpy step per position. This keeps the model a
small cost beside the rest of the pipeline (bench/names.py measures it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SENT = 0x110000  # past the last code point: the edge of a sentence
ZERO, LATIN = ord("0"), ord("a")
# (offsets) of the characters each feature reads, relative to the position.
TEMPLATES = ((-2,), (-1,), (0,), (1,), (2,), (-2, -1), (-1, 0), (0, 1), (1, 2), (-1, 1))
FLAGS = len(TEMPLATES)  # one more template: the surname flags of positions -1, 0, +1, +2
WORDS = FLAGS + 1  # and one more: which of the pairs (-2,-1) (-1,0) (0,1) (1,2) are common words, and flag 0
SHIFT_T, SHIFT_A = 44, 22


def char_codes(text: str) -> np.ndarray:
    """Code points with digits folded to 0, Latin letters to a, white space to SENT."""
    a = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    digit = ((a >= 48) & (a <= 57)) | ((a >= 0xFF10) & (a <= 0xFF19))
    latin = ((a | 32) >= 97) & ((a | 32) <= 122) | ((a >= 0xFF21) & (a <= 0xFF3A)) | ((a >= 0xFF41) & (a <= 0xFF5A))
    space = (a == 32) | (a == 10) | (a == 13) | (a == 9) | (a == 0x3000) | (a == 0xA0)
    a[digit] = ZERO
    a[latin] = LATIN
    a[space] = SENT
    return a


def _shifted(a: np.ndarray, k: int) -> np.ndarray:
    """a[i + k] for every i, SENT past either end."""
    out = np.full_like(a, SENT)
    n = len(a)
    if k > 0 and k < n:
        out[: n - k] = a[k:]
    elif k < 0 and -k < n:
        out[-k:] = a[: n + k]
    elif k == 0:
        out[:] = a
    return out


def feature_keys(codes: np.ndarray, surname_codes: np.ndarray, word_codes: np.ndarray) -> np.ndarray:
    """(len(TEMPLATES) + 2, n) int64 keys: template << 44 | first char << 22 | second char."""
    at = {0: codes}
    for k in (1, 2):  # a sentence edge hides what lies beyond it
        at[k] = np.where(at[k - 1] == SENT, SENT, _shifted(codes, k))
        at[-k] = np.where(at[-k + 1] == SENT, SENT, _shifted(codes, -k))
    keys = np.empty((len(TEMPLATES) + 2, len(codes)), dtype=np.int64)
    for t, offs in enumerate(TEMPLATES):
        row = at[offs[0]] << SHIFT_A
        if len(offs) == 2:
            row = row | at[offs[1]]
        keys[t] = row | (t << SHIFT_T)
    flags = np.zeros(len(codes), dtype=np.int64)
    for bit, k in enumerate((-1, 0, 1, 2)):
        flags |= np.isin(at[k], surname_codes).astype(np.int64) << bit
    keys[FLAGS] = (flags << SHIFT_A) | (FLAGS << SHIFT_T)
    # Whether the pair starting at each position is a common word (中欧|班列, 普惠金|融: a name
    # the model would read across a word's edge), then shifted for the four pairs around it.
    pair = (codes << SHIFT_A) | at[1]
    hit = np.searchsorted(word_codes, pair)
    hit[hit == len(word_codes)] = 0
    is_word = (word_codes[hit] == pair) if len(word_codes) else np.zeros(len(codes), bool)
    is_word = is_word.astype(np.int64)
    bits = flags & 2  # the surname flag of the position itself
    n = len(codes)
    for bit, k in enumerate((-2, -1, 0, 1)):
        shifted = np.zeros(n, dtype=np.int64)  # is_word[i + k], 0 past either end
        if k >= 0:
            shifted[: n - k] = is_word[k:]
        else:
            shifted[-k:] = is_word[: n + k]
        bits |= shifted << (bit + 2)
    keys[WORDS] = (bits << SHIFT_A) | (WORDS << SHIFT_T)
    return keys


def surname_codes(surnames) -> np.ndarray:
    return np.array(sorted({ord(s) for s in surnames if len(s) == 1}), dtype=np.int64)


def word_codes(words) -> np.ndarray:
    """Two-character words as sorted pair keys (first << 22 | second)."""
    return np.array(sorted({(ord(w[0]) << SHIFT_A) | ord(w[1]) for w in words if len(w) == 2}), dtype=np.int64)


@dataclass
class NameModel:
    labels: tuple[str, ...]  # BMES tags, "O" first
    keys: np.ndarray  # sorted int64 feature keys
    weights: np.ndarray  # (len(keys), len(labels)) float32
    transitions: np.ndarray  # (len(labels), len(labels)) float32, from → to
    surnames: np.ndarray  # code points flagged as surnames
    transliteration: frozenset = frozenset()  # characters of foreign names written with · in training
    words: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # common two-character words

    def __post_init__(self):
        o = self.labels.index("O")
        t = self.transitions
        # How much transitions can favour tag y over O at one position, whatever its neighbours:
        # max over a, b of (T[a,y] + T[y,b]) - (T[a,O] + T[O,b]).
        into = (t - t[:, [o]]).max(axis=0)
        out_of = (t - t[[o], :]).max(axis=1)
        self._margin = (into + out_of).astype(np.float32)
        self._o = o
        self._padded = np.vstack([self.weights, np.zeros((1, len(self.labels)), np.float32)])
        self._starts = {lab: [i for i, tag in enumerate(self.labels) if tag in (f"B-{lab}", f"S-{lab}")]
                        for lab in {tag[2:] for tag in self.labels if tag != "O"}}

    # Loading and saving ---------------------------------------------------------------

    @classmethod
    def load(cls, path, surnames) -> "NameModel":
        with np.load(Path(path), allow_pickle=False) as z:
            return cls(tuple(str(x) for x in z["labels"]), z["keys"], z["weights"].astype(np.float32),
                       z["transitions"].astype(np.float32), surname_codes(surnames),
                       frozenset(str(z["transliteration"])) if "transliteration" in z else frozenset(),
                       z["words"] if "words" in z else np.zeros(0, np.int64))

    def save(self, path) -> None:
        np.savez_compressed(Path(path), labels=np.array(self.labels), keys=self.keys,
                            weights=self.weights.astype(np.float16), transitions=self.transitions,
                            transliteration=np.array("".join(sorted(self.transliteration))), words=self.words)

    def word_set(self) -> set[str]:
        """The common two-character words of the word feature, as strings."""
        low = (1 << SHIFT_A) - 1
        return {chr(k >> SHIFT_A) + chr(k & low) for k in self.words.tolist()}

    # Scoring ------------------------------------------------------------------------

    def emissions(self, codes: np.ndarray) -> np.ndarray:
        keys = feature_keys(codes, self.surnames, self.words)
        flat = keys.ravel()
        idx = np.searchsorted(self.keys, flat)
        idx[idx == len(self.keys)] = 0
        idx = np.where(self.keys[idx] == flat, idx, len(self.keys))  # unknown keys: the zero row
        em = self._padded[idx].reshape(keys.shape[0], len(codes), len(self.labels)).sum(axis=0)
        em[codes == SENT, self._o] += 1e4  # white space and sentence edges are never inside a name
        return em

    def tags(self, text: str) -> np.ndarray:
        """The best tag index of every character."""
        codes = char_codes(text)
        n = len(codes)
        best = np.full(n, self._o, dtype=np.intp)
        if n == 0:
            return best
        em = self.emissions(codes)
        gap = em[:, [self._o]] - em
        gap[:, self._o] = np.inf
        open_ = ~(gap > self._margin).all(axis=1)  # positions whose tag may not be O
        if not open_.any():
            return best
        edges = np.flatnonzero(np.diff(np.concatenate(([0], open_.view(np.int8), [0]))))
        stretches = list(zip(edges[::2], edges[1::2]))
        for (s, e), path in zip(stretches, self._viterbi(em, stretches)):
            best[s:e] = path
        return best

    def _viterbi(self, em: np.ndarray, stretches) -> list[np.ndarray]:
        """Best paths of independent stretches, each between two O positions, decoded together."""
        L, o, T = len(self.labels), self._o, self.transitions
        lengths = np.array([e - s for s, e in stretches])
        width = int(lengths.max())
        batch = len(stretches)
        # Emissions of every stretch, padded with rows that are never read.
        rows = np.array([s for s, _ in stretches])[:, None] + np.arange(width)[None, :]
        rows = np.minimum(rows, len(em) - 1)
        e = em[rows]  # (batch, width, L)
        score = T[o][None, :] + e[:, 0]  # from the O before the stretch
        back = np.zeros((width, batch, L), dtype=np.intp)
        for i in range(1, width):
            cand = score[:, :, None] + T[None, :, :]  # (batch, from, to)
            arg = cand.argmax(axis=1)
            new = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0, :] + e[:, i]
            live = (i < lengths)[:, None]
            score = np.where(live, new, score)
            back[i] = np.where(live, arg, np.arange(L)[None, :])
        score = score + T[:, o][None, :]  # into the O after the stretch
        last = score.argmax(axis=1)
        paths = np.empty((width, batch), dtype=np.intp)
        paths[width - 1] = last
        for i in range(width - 1, 0, -1):
            paths[i - 1] = back[i][np.arange(batch), paths[i]]
        # Padding steps carried the tag unchanged, so a stretch's own path ends at row length-1.
        return [paths[: n, b] for b, n in enumerate(lengths)]

    # Names -----------------------------------------------------------------------------

    def spans(self, text: str, labels=("PER",)) -> list[tuple[int, int, str]]:
        """(start, end, label) of each name the model finds."""
        return decode(self.tags(text), self.labels, labels)


def decode(tag_ids, tag_names, wanted=("PER",)) -> list[tuple[int, int, str]]:
    """BMES tag indexes → (start, end, label) for the labels wanted; broken sequences are dropped."""
    out = []
    start, cur = None, None
    for i in np.flatnonzero(np.asarray(tag_ids) != tag_names.index("O")):
        kind, _, lab = tag_names[tag_ids[i]].partition("-")
        if kind == "S":
            if lab in wanted:
                out.append((int(i), int(i) + 1, lab))
            start = None
        elif kind == "B":
            start, cur = int(i), lab
        elif kind == "M":
            if start is None or cur != lab or i == 0 or tag_ids[i - 1] == tag_names.index("O"):
                start = None
        elif kind == "E":
            if start is not None and cur == lab and lab in wanted and all(
                    tag_ids[j] != tag_names.index("O") for j in range(start, int(i))):
                out.append((start, int(i) + 1, lab))
            start = None
    return out
