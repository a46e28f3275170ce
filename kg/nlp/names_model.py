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
# Punctuation is never inside a name: decoding holds these characters at O, which cuts
# an article into clauses that are decoded independently (and exactly).
# The slash of a pair (刘一鸣／张小川) too, full-width as written or folded by the cleaner.
BREAKS = np.array(sorted({ord(c) for c in "。，、；：！？（）()“”‘’「」『』《》〈〉【】…—,;:!?\"'／/｜|［］[]"}), dtype=np.int64)


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


# Where a sentence ends inside a line of running text.
FINALS = np.array(sorted(ord(c) for c in "。！？"), dtype=np.int64)


def context(codes: np.ndarray, surname_codes: np.ndarray, word_codes: np.ndarray, surname_table=None,
            finals: bool = False):
    """What the features read around each position: the characters at offsets -2..2 (SENT
    past a sentence edge), the surname flags of -1..+2 and the common-word bits.
    `surname_table`, a boolean per code point, answers faster than `surname_codes`.

    With `finals`, a sentence that ends inside the text (。！？) is an edge as well: the
    training text has one sentence per line, so a name opening a sentence was learnt with
    nothing before it (…工资等。|蒂门斯说 reads as the start of a line, not as 。蒂)."""
    at = {0: codes}
    for k in (1, 2):  # a sentence edge hides what lies beyond it
        edge = at[k - 1] == SENT
        left = _shifted(codes, -k)
        if finals:
            # The final mark belongs to the sentence before it: seen after its last
            # character (…说。), never before the next sentence's first.
            edge |= np.isin(at[k - 1], FINALS)
            left = np.where(np.isin(left, FINALS), SENT, left)
        at[k] = np.where(edge, SENT, _shifted(codes, k))
        at[-k] = np.where(at[-k + 1] == SENT, SENT, left)
    n = len(codes)
    is_surname = surname_table[codes] if surname_table is not None else np.isin(codes, surname_codes)
    flags = np.zeros(n, dtype=np.int64)
    for bit, k in enumerate((-1, 0, 1, 2)):
        flags |= (_shifted_bits(is_surname, k) & (at[k] != SENT)).astype(np.int64) << bit
    # Whether the pair starting at each position is a common word (中欧|班列, 普惠金|融: a name
    # the model would read across a word's edge), for the four pairs around a position.
    pair = (codes << SHIFT_A) | at[1]
    if len(word_codes):
        hit = np.searchsorted(word_codes, pair)
        hit[hit == len(word_codes)] = 0
        is_word = word_codes[hit] == pair
    else:
        is_word = np.zeros(n, dtype=bool)
    bits = flags & 2  # the surname flag of the position itself
    for bit, k in enumerate((-2, -1, 0, 1)):
        bits |= _shifted_bits(is_word, k).astype(np.int64) << (bit + 2)
    return at, flags, bits


def _shifted_bits(a: np.ndarray, k: int) -> np.ndarray:
    """a[i + k] for every i, False past either end."""
    out = np.zeros_like(a)
    n = len(a)
    if k >= 0:
        out[: n - k] = a[k:]
    else:
        out[-k:] = a[: n + k]
    return out


def feature_keys(codes: np.ndarray, surname_codes: np.ndarray, word_codes: np.ndarray,
                 finals: bool = False) -> np.ndarray:
    """(len(TEMPLATES) + 2, n) int64 keys: template << 44 | first char << 22 | second char.

    These are the attributes the model is trained on (one sentence per line: `finals`
    off); NameModel.emissions computes the same scores, with `finals` on, from tables
    built out of them (tests/test_names.py checks).
    """
    at, flags, bits = context(codes, surname_codes, word_codes, finals=finals)
    keys = np.empty((len(TEMPLATES) + 2, len(codes)), dtype=np.int64)
    for t, offs in enumerate(TEMPLATES):
        row = at[offs[0]] << SHIFT_A
        if len(offs) == 2:
            row = row | at[offs[1]]
        keys[t] = row | (t << SHIFT_T)
    keys[FLAGS] = (flags << SHIFT_A) | (FLAGS << SHIFT_T)
    keys[WORDS] = (bits << SHIFT_A) | (WORDS << SHIFT_T)
    return keys


def surname_codes(surnames) -> np.ndarray:
    return np.array(sorted({ord(s) for s in surnames if len(s) == 1}), dtype=np.int64)


def word_codes(words) -> np.ndarray:
    """Two-character words as sorted pair keys (first << 22 | second)."""
    return np.array(sorted({(ord(w[0]) << SHIFT_A) | ord(w[1]) for w in words if len(w) == 2}), dtype=np.int64)


PRUNE = 0.25  # share of the exact pruning bound used (see NameModel.__post_init__)


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
        # That bound is exact but loose (the largest transitions never meet at one
        # position): a quarter of it leaves far more positions pinned to O, and
        # changed no name read from 3,000 MSRA *train* sentences nor from 400,000
        # characters of newspaper pages when measured.
        self._margin = (PRUNE * (into + out_of)).astype(np.float32)
        self._o = o
        self._padded = np.vstack([self.weights, np.zeros((1, len(self.labels)), np.float32)])
        self._tables()
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

    def _tables(self):
        """Weights regrouped per template for fast lookups: single characters and flags
        index small dense tables by a compact character id; pairs are searched among
        their own template's keys only."""
        L, mask = len(self.labels), (1 << SHIFT_A) - 1
        t_of = self.keys >> SHIFT_T
        a_of, b_of = (self.keys >> SHIFT_A) & mask, self.keys & mask
        pairs = np.array([len(o) == 2 for o in TEMPLATES] + [False, False])
        chars = np.unique(np.concatenate([a_of[t_of < FLAGS], b_of[pairs[t_of]], [SENT]]))
        V = len(chars)
        self._cid = np.full(SENT + 1, V, dtype=np.int32)  # code point → character id; V: unknown
        self._cid[chars] = np.arange(V, dtype=np.int32)
        self._breaks = np.zeros(SENT + 1, dtype=bool)  # per code point: held at O
        self._breaks[BREAKS] = True
        self._breaks[SENT] = True
        self._surname_table = np.zeros(SENT + 1, dtype=bool)
        self._surname_table[self.surnames] = True
        self._v = V + 1
        self._single, self._pair = {}, {}
        for t, offs in enumerate(TEMPLATES):
            sel = t_of == t
            if len(offs) == 1:
                table = np.zeros((V + 1, L), np.float32)
                table[self._cid[a_of[sel]]] = self.weights[sel]
                self._single[t] = table
            else:
                keys = self._cid[a_of[sel]].astype(np.int64) * self._v + self._cid[b_of[sel]]
                order = np.argsort(keys)
                self._pair[t] = (keys[order], np.vstack([self.weights[sel][order], np.zeros((1, L), np.float32)]))
        self._flag_table = np.zeros((16, L), np.float32)
        sel = t_of == FLAGS
        self._flag_table[a_of[sel]] = self.weights[sel]
        self._word_table = np.zeros((64, L), np.float32)
        sel = t_of == WORDS
        self._word_table[a_of[sel]] = self.weights[sel]

    # Scoring --------------------------------------------------------------------------

    def emissions(self, codes: np.ndarray) -> np.ndarray:
        """(n, labels) scores of every position, from the per-template tables."""
        at, flags, bits = context(codes, self.surnames, self.words, self._surname_table, finals=True)
        # Character ids: one lookup, then shifted like the characters (an edge stays an edge).
        cid = {0: self._cid[codes]}
        sent = self._cid[SENT]
        for k in (1, 2, -1, -2):
            cid[k] = np.where(at[k] == SENT, sent, _shifted(cid[0], k))
        em = self._flag_table[flags] + self._word_table[bits]
        for t, offs in enumerate(TEMPLATES):
            if len(offs) == 1:
                em += self._single[t][cid[offs[0]]]
                continue
            keys, weights = self._pair[t]
            want = cid[offs[0]].astype(np.int64) * self._v + cid[offs[1]]
            idx = np.searchsorted(keys, want)
            idx[idx == len(keys)] = 0
            em += weights[np.where(keys[idx] == want, idx, len(keys))]  # unknown pairs: the zero row
        self._force_o(codes, em)
        return em

    def reference_emissions(self, codes: np.ndarray) -> np.ndarray:
        """The same scores straight from the trained feature keys (slower; for tests)."""
        keys = feature_keys(codes, self.surnames, self.words, finals=True)
        flat = keys.ravel()
        idx = np.searchsorted(self.keys, flat)
        idx[idx == len(self.keys)] = 0
        idx = np.where(self.keys[idx] == flat, idx, len(self.keys))  # unknown keys: the zero row
        em = self._padded[idx].reshape(keys.shape[0], len(codes), len(self.labels)).sum(axis=0)
        self._force_o(codes, em)
        return em

    def _force_o(self, codes, em):
        # White space, sentence edges and punctuation are never inside a name.
        em[self._breaks[codes], self._o] += 1e4
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
        self._viterbi(em, edges[::2], edges[1::2], best)
        return best

    def _viterbi(self, em: np.ndarray, starts: np.ndarray, ends: np.ndarray, best: np.ndarray) -> None:
        """Best paths of independent stretches, each between two O positions, decoded
        together and written into `best`.

        The stretches are sorted longest first, so at step i the ones still going
        are a prefix of the batch and the others are left alone.
        """
        L, o, T = len(self.labels), self._o, self.transitions
        order = np.argsort(starts - ends, kind="stable")
        starts, lengths = starts[order], (ends - starts)[order]
        width, batch = int(lengths[0]), len(order)
        going = np.searchsorted(-lengths, -np.arange(width + 1), side="left").tolist()  # longer than i
        into_o = T[:, o][None, :]
        score = T[o][None, :] + em[starts]  # from the O before the stretch
        back = np.zeros((width, batch, L), dtype=np.intp)
        last = np.zeros(batch, dtype=np.intp)
        cand = np.empty((batch, L, L), dtype=np.float32)
        for i in range(1, width + 1):
            n, was = going[i], going[i - 1]
            if n < was:  # these ended at step i - 1: into the O after them
                last[n:was] = (score[n:was] + into_o).argmax(axis=1)
            if n == 0:
                break
            c = cand[:n]
            np.add(score[:n, :, None], T[None, :, :], out=c)  # (going, from, to)
            back[i, :n] = c.argmax(axis=1)
            score = c.max(axis=1) + em[starts[:n] + i]
        # Back through the pointers, all stretches at once: at step i those longer than i.
        rows = np.arange(batch)
        tag = np.zeros(batch, dtype=np.intp)
        ends_at = lengths - 1
        for i in range(width - 1, -1, -1):
            n = going[i]
            finishing = ends_at[:n] == i
            tag[:n] = np.where(finishing, last[:n], tag[:n])
            best[starts[:n] + i] = tag[:n]
            if i:
                tag[:n] = back[i, rows[:n], tag[:n]]

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
