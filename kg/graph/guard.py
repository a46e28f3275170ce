"""The read-only guard of `kg query`: what it checks is what the database runs.

A keyword search over the query text is not enough: the database decides
where strings and comments end, and LadybugDB does not end `/* … **/` where
Neo4j (or a regex) does, so a second statement can hide in what looks like a
comment. So the guard lexes the query itself, and refuses whatever it could
lex differently from LadybugDB or Neo4j:

- strings: only the escapes both databases read alike (`\\\\ \\' \\" \\b \\f \\n
  \\r \\t \\uXXXX \\UXXXXXXXX`); `` `names` `` with doubled backticks;
- comments: `/* … */` with no `*` inside (the two databases end a comment with
  `**/` in it at different places) and `// …` to the end of the line (a lone
  carriage return ends it in Neo4j but not in LadybugDB);
- no control characters and no character outside Cypher's alphabet.

On those tokens it allows one statement (a `;` only at the very end) that
starts with a read clause, keyword by keyword: write clauses (CREATE, MERGE,
SET, DELETE …) only with write=True; file, extension, checkpoint,
transaction and database statements (COPY, LOAD, INSTALL, UPDATE, CHECKPOINT,
ATTACH, USE …) never; procedures (CALL) and functions only from the lists
in `config/` (cypher_read_procedures.txt, cypher_read_functions.txt, and
cypher_write_only.txt with write=True). A word such as `copy`, `merge` or
`set` used as a variable, property, label or alias passes: a keyword is a
word in keyword position, not any word that spells one.

The databases stay read-only too (LadybugDB opened read_only, Neo4j in a
READ session); the guard is what stops the statements they let through.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from kg.errors import KgError
from kg.lexicon import word_list
from kg.paths import config_dir


class QueryRefused(KgError):
    """A query kg will not run (as asked); the message says why in one line."""


# The keywords live here rather than in config/: they are Cypher's grammar,
# and the guard's safety rests on them. The function and procedure lists,
# which grow with each database release, are data in config/.
#
# Clauses a read query may start with (after EXPLAIN or PROFILE).
READ_STARTS = frozenset({"MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CALL"})
# Clauses that change the graph: with write=True only.
WRITE_KEYWORDS = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH",
                            "INSERT", "DROP", "ALTER", "RENAME"})
WRITE_STARTS = frozenset({"CREATE", "MERGE", "DROP", "ALTER", "FOREACH", "INSERT"})
# Statements that touch files, extensions (native code), checkpoints,
# transactions or other databases: refused whatever the flags.
NEVER_KEYWORDS = frozenset({"COPY", "LOAD", "INSTALL", "UNINSTALL", "UPDATE", "CHECKPOINT", "ATTACH", "USE",
                            "EXPORT", "IMPORT", "BEGIN", "COMMIT", "ROLLBACK", "EXTENSION"})
# Read keywords that may stand before "(" without calling a function.
KEYWORDS_BEFORE_PAREN = frozenset({
    "MATCH", "OPTIONAL", "WHERE", "AND", "OR", "XOR", "NOT", "RETURN", "WITH", "UNWIND", "IN", "CASE", "WHEN",
    "THEN", "ELSE", "DISTINCT", "BY", "SKIP", "LIMIT", "CONTAINS", "STARTS", "ENDS", "IS", "UNION", "EXISTS",
    "AS", "YIELD", "ALL", "SHORTEST",
})
# After a word used as a name (variable, alias) comes one of these; a clause
# keyword never does (`RETURN copy`, `copy.name`, `(copy:Branch)`, `AS set ORDER BY set`).
NAME_FOLLOWERS = frozenset({".", ":", ",", ")", "]", "}", "[", "{", "=", "<>", "!=", "<", ">", "<=", ">=", "=~",
                            "+", "-", "*", "/", "%", "^", "|"})
NAME_FOLLOWER_WORDS = frozenset({
    "AS", "AND", "OR", "XOR", "IS", "IN", "CONTAINS", "STARTS", "ENDS", "ORDER", "SKIP", "LIMIT", "RETURN",
    "WHERE", "UNION", "ASC", "DESC", "ASCENDING", "DESCENDING", "THEN", "ELSE", "END", "WHEN", "MATCH",
    "OPTIONAL", "UNWIND", "WITH", "CALL", "YIELD",
})
# LOAD WITH HEADERS … FROM reads a file: after LOAD, WITH is the clause's own word.
NOT_A_NAME_AFTER = {"LOAD": frozenset({"WITH"})}

_ESCAPES = frozenset("\\'\"bfnrt")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_NUMBER = re.compile(r"0[xX][0-9A-Fa-f]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[^\W\d]\w*")
_PUNCT = ("<>", "<=", ">=", "=~", "->", "<-", "..", "::", "+=", "!=",
          "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "|", "=", "<", ">", "+", "-", "*", "/", "%", "^", "!")


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "name" (`backticked`), "string", "number", "param", "punct"
    text: str  # the word, the unquoted name, the string's value, or the punctuation
    start: int

    @property
    def upper(self) -> str | None:
        """The word upper-cased as the databases compare keywords (ASCII only: `ſet` is no SET)."""
        return self.text.upper() if self.kind == "word" and self.text.isascii() else None


def _refuse(problem: str) -> QueryRefused:
    return QueryRefused(f"refusing to run the query: {problem}")


def _is_space(ch: str) -> bool:
    return ch.isspace() and (ch in " \t\n\r" or not ch.isascii()) and ch != "\x85"


def tokens(query: str) -> list[Token]:
    """The query's tokens, comments and white space left out; QueryRefused where a database could read it otherwise."""
    out: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if _is_space(ch):
            i += 1
        elif query.startswith("//", i):
            end = i + 2
            while end < n and query[end] not in "\r\n":
                end += 1
            if end < n and query[end] == "\r" and not query.startswith("\r\n", end):
                raise _refuse(f"a // comment ends in a lone carriage return at character {end}")
            _no_controls(query, i, end)
            i = end
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            if end < 0:
                raise _refuse(f"a /* comment at character {i} is never closed")
            if "*" in query[i + 2:end]:
                raise _refuse(f"the /* comment at character {i} has a '*' inside; LadybugDB and Neo4j end such "
                              "a comment at different places, so remove or reword it")
            _no_controls(query, i, end)
            i = end + 2
        elif ch in "'\"":
            value, i = _string(query, i)
            out.append(Token("string", value, i))
        elif ch == "`":
            name, i = _backticked(query, i)
            out.append(Token("name", name, i))
        elif ch == "$":
            m = _WORD.match(query, i + 1) or _NUMBER.match(query, i + 1)
            if m:
                out.append(Token("param", m.group(), i))
                i = m.end()
            elif query.startswith("`", i + 1):
                name, end = _backticked(query, i + 1)
                out.append(Token("param", name, i))
                i = end
            else:
                raise _refuse(f"a '$' at character {i} is not followed by a parameter name")
        elif ch.isdigit() and ch.isascii():
            m = _NUMBER.match(query, i)
            out.append(Token("number", m.group(), i))
            i = m.end()
        elif _WORD.match(query, i):
            m = _WORD.match(query, i)
            out.append(Token("word", m.group(), i))
            i = m.end()
        else:
            for p in _PUNCT:
                if query.startswith(p, i):
                    out.append(Token("punct", p, i))
                    i += len(p)
                    break
            else:
                raise _refuse(f"unexpected character {_show(ch)} at character {i}")
    return out


def _show(ch: str) -> str:
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


def _no_controls(query: str, start: int, end: int) -> None:
    for j in range(start, end):
        if not query[j].isprintable() and not _is_space(query[j]):
            raise _refuse(f"control character {_show(query[j])} at character {j}")


def _string(query: str, start: int) -> tuple[str, int]:
    quote, i, n, value = query[start], start + 1, len(query), []
    while i < n:
        ch = query[i]
        if ch == quote:
            return "".join(value), i + 1
        if ch == "\\":
            nxt = query[i + 1:i + 2]
            if nxt in _ESCAPES and nxt:
                value.append({"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(nxt)
            digits = query[i + 2:i + 2 + width] if width else ""
            if width and len(digits) == width and _HEX.fullmatch(digits):
                value.append(chr(int(digits, 16)) if int(digits, 16) < 0x110000 else "\ufffd")
                i += 2 + width
                continue
            raise _refuse(f"unsupported escape {query[i:i + 2]!r} in the string at character {start}")
        if not ch.isprintable() and not _is_space(ch):
            raise _refuse(f"control character {_show(ch)} in the string at character {start}")
        value.append(ch)
        i += 1
    raise _refuse(f"the string at character {start} is never closed")


def _backticked(query: str, start: int) -> tuple[str, int]:
    i, n, name = start, len(query), []
    while i < n and query[i] == "`":  # `a``b` is one name, a`b
        end = query.find("`", i + 1)
        if end < 0:
            raise _refuse(f"the `name` at character {start} is never closed")
        name.append(query[i + 1:end])
        i = end + 1
        if i < n and query[i] == "`":
            name.append("`")
    text = "".join(name)
    if any(not c.isprintable() and not _is_space(c) for c in text):
        raise _refuse(f"control character in the `name` at character {start}")
    return text, i


# ---------------------------------------------------------------- allow-lists

def _patterns(filename: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in word_list(str(config_dir() / filename)))


def allowed(name: str, filename: str) -> bool:
    """Whether a function or procedure name (dotted, any case) is on a list in config/ (`ns.*` covers a namespace)."""
    name = name.lower()
    return any(fnmatchcase(name, p) for p in _patterns(filename))


READ_FUNCTIONS = "cypher_read_functions.txt"
READ_PROCEDURES = "cypher_read_procedures.txt"
WRITE_ONLY = "cypher_write_only.txt"


# ---------------------------------------------------------------- the check

def _never(word: str) -> QueryRefused:
    return QueryRefused(f"refusing to run a query with {word}: kg query never runs file, extension, checkpoint, "
                        "transaction or database statements, with or without --write")


def _read_only(word: str) -> QueryRefused:
    return QueryRefused(f"refusing to run a query with {word}: the store is read-only unless --write is given")


def check_query(query: str, *, write: bool = False) -> None:
    """Raise QueryRefused unless `query` is one statement kg may run (a read, or with write=True a write)."""
    toks = tokens(query)
    if toks and toks[-1].kind == "punct" and toks[-1].text == ";":
        toks = toks[:-1]
    for t in toks:
        if t.kind == "punct" and t.text == ";":
            raise _refuse(f"more than one statement (a ';' at character {t.start}); run them one at a time")
    if not toks:
        raise _refuse("it is empty")
    first = 0
    while first < len(toks) and toks[first].upper in ("EXPLAIN", "PROFILE"):
        first += 1
    if first == len(toks):
        raise _refuse("nothing after EXPLAIN/PROFILE")
    start = toks[first].upper
    if start in NEVER_KEYWORDS or (start == "DETACH" and _upper(toks, first + 1) != "DELETE"):
        raise _never(start)
    if start in WRITE_KEYWORDS and not write:
        raise _read_only(start)
    if start not in READ_STARTS and not (write and start in WRITE_STARTS):
        shown = toks[first].text if toks[first].kind in ("word", "name") else repr(toks[first].text)
        raise _refuse(f"a query starts with a clause such as MATCH, WITH, UNWIND, RETURN or CALL, not {shown}")
    consumed: set[int] = set()
    for i, t in enumerate(toks):
        if i in consumed:
            continue
        word = t.upper
        if word and (i == first or _keyword_position(toks, i)):
            if word in NEVER_KEYWORDS or (word == "DETACH" and _upper(toks, i + 1) != "DELETE"):
                raise _never(word)
            if word in WRITE_KEYWORDS and not write:
                raise _read_only(word)
            if word == "CALL":
                consumed |= _check_call(toks, i, write)
                continue
        if t.kind in ("word", "name") and not _after_dot(toks, i):
            _check_function(toks, i, write, consumed)


def _upper(toks, i) -> str | None:
    return toks[i].upper if i < len(toks) else None


def _punct(toks, i) -> str | None:
    return toks[i].text if 0 <= i < len(toks) and toks[i].kind == "punct" else None


def _after_dot(toks, i) -> bool:
    return _punct(toks, i - 1) == "."


def _keyword_position(toks, i) -> bool:
    """False when the word at i is a name: a property, label, variable or alias."""
    if _punct(toks, i - 1) in (".", ":"):
        return False
    if i + 1 == len(toks):
        return False  # the last word of a statement that did not start with it: `RETURN copy`
    nxt = toks[i + 1]
    word = toks[i].upper
    if nxt.kind == "punct":
        return nxt.text not in NAME_FOLLOWERS
    if nxt.upper in NAME_FOLLOWER_WORDS and nxt.upper not in NOT_A_NAME_AFTER.get(word, ()):
        return False
    return True


def _dotted(toks, i) -> tuple[str, int]:
    """The dotted name starting at i (`apoc.create.node`) and the index after it."""
    parts = [toks[i].text]
    j = i + 1
    while _punct(toks, j) == "." and j + 1 < len(toks) and toks[j + 1].kind in ("word", "name"):
        parts.append(toks[j + 1].text)
        j += 2
    return ".".join(parts), j


def _check_call(toks, i, write) -> set[int]:
    """CALL { subquery }, CALL (vars) { subquery }, or CALL a listed procedure."""
    j = i + 1
    if _punct(toks, j) == "(":  # Neo4j's scoped subquery: CALL (a, b) { … }
        depth = 0
        while j < len(toks):
            depth += {"(": 1, ")": -1}.get(_punct(toks, j), 0)
            j += 1
            if depth == 0:
                break
        if _punct(toks, j) != "{":
            raise _refuse("CALL ( … ) must be followed by a { subquery }")
        return set()
    if _punct(toks, j) == "{":
        return set()
    if j >= len(toks) or toks[j].kind not in ("word", "name"):
        raise _refuse("CALL must name a procedure or open a { subquery }")
    name, end = _dotted(toks, j)
    if not (allowed(name, READ_PROCEDURES) or (write and allowed(name, WRITE_ONLY))):
        raise QueryRefused(f"refusing to run a query that calls {name}: not a procedure kg knows to be "
                           f"read-only (config/{READ_PROCEDURES})")
    return set(range(j, end))


def _check_function(toks, i, write, consumed) -> None:
    name, end = _dotted(toks, i)
    if _punct(toks, end) != "(":
        return
    if end == i + 1 and toks[i].upper in KEYWORDS_BEFORE_PAREN:
        return
    if toks[i].upper in WRITE_KEYWORDS | NEVER_KEYWORDS and end == i + 1:
        return  # a clause keyword before "(": refused (or allowed) as a keyword above
    if not (allowed(name, READ_FUNCTIONS) or (write and allowed(name, WRITE_ONLY))):
        raise QueryRefused(f"refusing to run a query that calls {name}(): not a function kg knows to be "
                           f"read-only (config/{READ_FUNCTIONS})")
    consumed.update(range(i, end))
