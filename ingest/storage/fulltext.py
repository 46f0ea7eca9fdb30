"""Full-text search: web-search query syntax, Arabic-script normalisation, and snippets.

One parser, two compilers: the same query becomes an FTS5 MATCH expression on SQLite and a
``to_tsquery`` expression on PostgreSQL, over indexes built from the same normalised text
(see the migration that adds them), so ``ingest search`` finds the same articles on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Keep in step with the migration that builds the indexes (it has its own frozen copy).
_FOLD = {
    "ي": "ی",
    "ى": "ی",
    "ك": "ک",
    "ە": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    # Turkish dotted capital I: casefolded it becomes "i" plus a combining dot, a word break.
    "İ": "I",
    "ı": "i",
}
_DROP = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640\u200b\u200c\u200d\u00ad"
# (variant, replacement) pairs, applied with str.replace: on long texts that is many times
# faster than str.translate, which looks every character up in a dict.
_REPLACEMENTS = (*_FOLD.items(), *((mark, "") for mark in _DROP))
# Words as both FTS5's unicode61 and PostgreSQL's parser see them: letters and digits.
_WORD_RE = re.compile(r"[^\W_]+")
_TOKEN_RE = re.compile(r'"([^"]*)"?|(\()|(\))|(\S+?)(?=[\s()"]|$)')
#: Words a query may have. A person's query has a handful; each word costs the index a lookup
#: and every match a ranking step, and a query of thousands of words ran for minutes.
MAX_QUERY_WORDS = 64
#: How deep parentheses and NOT may nest: far beyond what a person writes, and well inside
#: Python's recursion limit and FTS5's own expression depth limit (256).
MAX_QUERY_DEPTH = 32


class QuerySyntaxError(ValueError):
    """The search query cannot be understood; the message says why, for the user."""


def normalise(text: str) -> str:
    """Fold Arabic-script spelling variants and drop marks that do not change a word."""
    for variant, replacement in _REPLACEMENTS:
        if variant in text:
            text = text.replace(variant, replacement)
    return text


def words(text: str) -> list[str]:
    """Return the searchable words of a text, normalised and case-folded."""
    return _WORD_RE.findall(normalise(text).casefold())


@dataclass(frozen=True, slots=True)
class Term:
    """One word, or a phrase of words that must follow each other."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or


def parse(query: str) -> Node:
    """Parse web-search syntax: ``word``, ``"a phrase"``, ``AND`` (implicit), ``OR``,
    ``NOT x`` or ``-x``, and parentheses.

    Raises:
        QuerySyntaxError: the query is empty, unbalanced, only excludes, has more than
            ``MAX_QUERY_WORDS`` words or nests deeper than ``MAX_QUERY_DEPTH``.
    """
    tokens = _tokenise(query)
    count = sum(len(t.words) for t in tokens if isinstance(t, Term))
    if count > MAX_QUERY_WORDS:
        raise QuerySyntaxError(
            f"the query has {count} words; a search takes at most {MAX_QUERY_WORDS}"
        )
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.position != len(tokens):
        raise QuerySyntaxError("unbalanced parentheses in the query")
    if node is None:
        raise QuerySyntaxError("the query has no words to search for")
    _check_positive(node)
    return node


def to_fts5(node: Node) -> str:
    """Compile to an SQLite FTS5 MATCH expression (NOT is binary there: ``a NOT b``)."""
    if isinstance(node, Term):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(n) for n in node.nodes) + ")"
    if isinstance(node, And):
        positive = [to_fts5(n) for n in node.nodes if not isinstance(n, Not)]
        negative = [to_fts5(n.node) for n in node.nodes if isinstance(n, Not)]
        expression = "(" + " AND ".join(positive) + ")"
        return expression + "".join(f" NOT {n}" for n in negative)
    raise QuerySyntaxError("NOT needs a word to search for beside it")


def to_tsquery(node: Node) -> str:
    """Compile to PostgreSQL ``to_tsquery('simple', …)`` syntax."""
    if isinstance(node, Term):
        if len(node.words) == 1:
            return f"('{node.words[0]}')"
        # Title (weight A), text (B), photo caption (C) and tags (D) share one vector, each
        # field's first position right after the previous one's last: a phrase must stay
        # inside one field, as it does in FTS5's columns.
        return "(" + " | ".join(_phrase(node.words, weight) for weight in "ABCD") + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(n) for n in node.nodes) + ")"
    if isinstance(node, And):
        return "(" + " & ".join(to_tsquery(n) for n in node.nodes) + ")"
    return "!" + to_tsquery(node.node)


def _phrase(words: tuple[str, ...], weight: str) -> str:
    return "(" + " <-> ".join(f"'{w}':{weight}" for w in words) + ")"


def positive_terms(node: Node) -> list[Term]:
    """Return the terms a hit may contain (for highlighting); excluded terms are left out."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for n in node.nodes for t in positive_terms(n)]


def snippet(
    text: str, terms: list[Term], *, width: int = 24, mark: tuple[str, str] = ("[", "]")
) -> str:
    """Return the ``width``-word stretch of ``text`` with the most query words, marked.

    The earliest such stretch wins, its query words centred; with no query word in the
    text (a title-only match), the text's opening.
    """
    raw = text.split()
    if not raw:
        return ""
    hits = _hit_words(raw, terms)
    best, best_count, end = 0, 0, 0
    # The densest window starts at a hit: two pointers over the hits, not over every word.
    for first, position in enumerate(hits):
        while end < len(hits) and hits[end] < position + width:
            end += 1
        if end - first > best_count:
            # Centre these hits in the window, so that they read with context on both sides.
            slack = width - (hits[end - 1] - position + 1)
            best, best_count = max(position - (slack + 1) // 2, 0), end - first
    best = min(best, max(len(raw) - width, 0))
    marked = set(hits)
    window = [
        f"{mark[0]}{word}{mark[1]}" if index in marked else word
        for index, word in enumerate(raw[best : best + width], best)
    ]
    prefix = "… " if best else ""
    suffix = " …" if best + width < len(raw) else ""
    return prefix + " ".join(window) + suffix


def _hit_words(raw: list[str], terms: list[Term]) -> list[int]:
    """Return the indexes, ascending, of the words in ``raw`` that hold a query word.

    The words are joined by newlines and folded in one pass; ``str.find`` then finds each
    query word in C, and a word's index is the count of newlines before it. Folding never
    makes or removes a newline, so the indexes line up with ``raw`` even when a word folds
    to nothing. A Python test per word was most of a search's time.
    """
    folded = normalise("\n".join(raw)).casefold()
    starts = []
    for word in {w for t in terms for w in t.words}:
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            # A whole word as _WORD_RE splits them: no letter or digit on either side.
            if not (start and folded[start - 1].isalnum()) and not (
                end < len(folded) and folded[end].isalnum()
            ):
                starts.append(start)
            start = folded.find(word, end)
    indexes: list[int] = []
    index, offset = 0, 0
    for start in sorted(starts):
        index += folded.count("\n", offset, start)
        offset = start
        if not indexes or indexes[-1] != index:
            indexes.append(index)
    return indexes


def _tokenise(query: str) -> list[str | Term]:
    tokens: list[str | Term] = []
    for match in _TOKEN_RE.finditer(query):
        phrase, opening, closing, bare = match.groups()
        if opening or closing:
            tokens.append(opening or closing)
        elif phrase is not None:
            if found := words(phrase):
                tokens.append(Term(tuple(found)))
        elif bare in ("AND", "OR", "NOT"):
            tokens.append(bare)
        elif bare.startswith("-") and len(bare) > 1:
            tokens.append("NOT")
            if found := words(bare[1:]):
                tokens.append(Term(tuple(found)))
        elif found := words(bare):
            # "al-Sudani" or "Iraq's" are one word to the user, several to the index.
            tokens.append(Term(tuple(found)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[str | Term]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def _peek(self) -> str | Term | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def expression(self) -> Node | None:
        nodes = [n for n in [self._and()] if n is not None]
        while self._peek() == "OR":
            self.position += 1
            if (node := self._and()) is not None:
                nodes.append(node)
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def _and(self) -> Node | None:
        nodes: list[Node] = []
        while (token := self._peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.position += 1
                continue
            if (node := self._unary()) is not None:
                nodes.append(node)
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def _unary(self) -> Node | None:
        token = self._peek()
        self.position += 1
        if token in ("NOT", "("):
            self.depth += 1
            if self.depth > MAX_QUERY_DEPTH:
                raise QuerySyntaxError(
                    f"the query nests parentheses or NOT more than {MAX_QUERY_DEPTH} deep"
                )
        if token == "NOT":
            inner = self._unary()
            self.depth -= 1
            return Not(inner) if inner is not None else None
        if token == "(":
            inner = self.expression()
            if self._peek() != ")":
                raise QuerySyntaxError("unbalanced parentheses in the query")
            self.position += 1
            self.depth -= 1
            return inner
        if isinstance(token, Term):
            return token
        return None


def _check_positive(node: Node) -> None:
    """Reject queries that only exclude: neither backend can rank "everything but X"."""
    if isinstance(node, Not):
        raise QuerySyntaxError("a query needs at least one word that is not excluded")
    if isinstance(node, Or):
        for child in node.nodes:
            _check_positive(child)
    if isinstance(node, And):
        if all(isinstance(n, Not) for n in node.nodes):
            raise QuerySyntaxError("a query needs at least one word that is not excluded")
        for child in node.nodes:
            if not isinstance(child, Not):
                _check_positive(child)
