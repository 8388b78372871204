"""Cell text normalisation and value parsing: the quirks of real extractions, in one place.

- full-width ASCII (digits, letters, brackets, operators) becomes half-width; Chinese sentence
  punctuation (，：；！？) is kept because reason texts are quoted back to users;
- whitespace that extraction put next to Chinese characters ("部分达成指 标并具有一定 效果") is
  removed; targets and actuals lose all whitespace ("35000.00(元 /片区)");
- HTML tags and entities (goals exported with <p>) are stripped;
- numbers lose thousands separators.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from .model import Actual, Status, Target
from .vocab import Vocab

_KEEP_FULLWIDTH = set("，：；！？")
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_FW_TABLE[0x3000] = 0x20  # ideographic space
_OPS_TABLE = str.maketrans({"≧": "≥", "≦": "≤", "≥": "≥", "≤": "≤"})
# str.translate looks every character up: search first for a character it would change (far cheaper)
_FW_ANY = re.compile("[" + "".join(map(chr, sorted(_FW_TABLE))) + "]")
_OPS_ANY = re.compile("[" + "".join(chr(k) for k, v in _OPS_TABLE.items() if chr(k) != v) + "]")
# every character `clean` acts on: a text with none of them is clean already (most cells are)
needs_clean = re.compile(r"[\s<&" + _FW_ANY.pattern[1:-1] + "]").search
# the same, save tabs and line ends: run over a whole file, it finds the lines (cells) `clean` acts on.
# One character class (what `\s` matches is what str.isspace says; none lies above U+3000): an
# alternation such as `[^\S\t\n\r]|[…]` scans several times slower
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\t\n\r")
needs_clean_in_text = re.compile("[" + re.escape(_SPACES) + "<&" + _FW_ANY.pattern[1:-1] + "]").search

_DIGITS = frozenset("0123456789")
_CJK = r"[\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?={_CJK})|(?<={_CJK})\s+")
_TAG = re.compile(r"<[^<>]{0,200}>")
_WS = re.compile(r"\s+")


# Cells repeat a great deal (良好, 达成指标, 2.00, units, labels): the pure text functions below are
# memoised per process, which makes interpretation several times faster on real batches.
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def clean(text: str | None) -> str:
    """Normalise one cell's text for display and storage."""
    if not text:
        return ""
    if not needs_clean(text):  # most cells: one search instead of the four below
        return text
    s = text.translate(_FW_TABLE) if _FW_ANY.search(text) else text
    if "<" in s:
        s = _TAG.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    if not _WS.search(s):  # most cells: nothing below would change them
        return s
    s = _SPACE_NEAR_CJK.sub("", s)
    return _WS.sub(" ", s).strip()


@lru_cache(maxsize=_CACHE)
def key(text: str | None) -> str:
    """Comparison key for labels: NFKC, no whitespace, no trailing colon ("年度 总体 目标" → "年度总体目标")."""
    if not text:
        return ""
    s = text if text.isascii() else unicodedata.normalize("NFKC", text)  # NFKC keeps ASCII as is
    s = "".join(s.split())  # str.split() splits where `\s` matches, several times faster than re.sub
    return s.rstrip(":：")


@lru_cache(maxsize=_CACHE)
def compact(text: str | None) -> str:
    """Remove every space (for numeric cells, where spaces are always extraction artefacts)."""
    return clean(text).replace(" ", "")  # the only whitespace `clean` leaves is single spaces


# CJK Unified Ideographs: none has a decomposition or takes part in a composition, so NFKC keeps
# each one, and `key` of a text holds at least as many characters as the text has ideographs
_IDEOGRAPH = "\u4e00-\u9fff"


@lru_cache(maxsize=64)
def _more_ideographs_than(n: int) -> re.Pattern[str]:
    return re.compile(f"(?:[^{_IDEOGRAPH}]*[{_IDEOGRAPH}]){{{n + 1}}}")


@lru_cache(maxsize=64)
def _longest(words: frozenset[str]) -> int:
    return max(map(len, words), default=0)


def key_in(text: str, words: frozenset[str]) -> bool:
    """`key(text) in words`; a text with more ideographs than the longest word has characters is
    told apart without its key (NFKC of a sentence with full-width commas is the dear part of key)."""
    if _more_ideographs_than(_longest(words)).match(text):
        return False
    return key(text) in words


_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_NUM = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$|^[+-]?\.\d+$")


@lru_cache(maxsize=_CACHE)
def number(text: str | None) -> float | None:
    """Parse a plain number cell ("6,881.38", "100.00", "95%"); None for "-", "" or text."""
    if text and _DECIMAL.fullmatch(text):  # most cells: a number as it is (not worth compact's cache)
        return float(text)
    s = compact(text).rstrip("%").replace("万元", "")
    if not s or not _NUM.match(s):
        return None
    return float(s.replace(",", ""))


_OP_NORMAL = ((">=", "≥"), ("<=", "≤"), ("=>", "≥"), ("=<", "≤"), ("≥=", "≥"), ("≤=", "≤"))
_VALUE = re.compile(r"^(?P<op>[≥≤=><])?(?P<num>[+-]?\d[\d,]*(?:\.\d+)?)(?P<unit>.*)$")


def _ops(s: str) -> str:
    if _OPS_ANY.search(s):
        s = s.translate(_OPS_TABLE)
    if "=" not in s:  # every spelling in _OP_NORMAL has one
        return s
    for a, b in _OP_NORMAL:
        s = s.replace(a, b)
    return s


def _unit(s: str) -> str | None:
    u = s.strip().strip("()（）[]【】")
    u = u.replace("(", "").replace(")", "")
    return u or None


# the common value cell: `≥20239.67(元/次)`, `85.00(%)`, `12`. Nothing in it that clean, _ops or _unit
# would change (no space, tag, entity, full-width or bracket character, no "=" but the operator), so
# its parts are the groups of this one match
# public: the interpreter's memos match it too (each distinct cell once)
PLAIN_VALUE = re.compile(r"([≥≤=><])?([0-9]+(?:\.[0-9]+)?)(?:\(([^\s<&()（）\[\]【】=≧≦\uff01-\uff5e]+)\))?")


@lru_cache(maxsize=_CACHE)
def value_parts(raw: str | None) -> tuple[str | None, float, str | None] | None:
    """(operator, number, unit) of a value cell such as `≤50000.00 (元/片区)`; None when it is not one."""
    plain = PLAIN_VALUE.fullmatch(raw) if raw else None
    if plain:
        op, num, unit = plain.groups()
        return op, float(num), unit
    m = _VALUE.match(_ops(clean(raw).replace(" ", "")))  # compact(raw), without caching it too
    if not m:
        return None
    op, num, unit = m.groups()
    return op, float(num.replace(",", "")), _unit(unit)


TargetParts = tuple[str, str | None, float | None, str | None, str | None]  # Target's fields in order
ActualParts = tuple[str, float | None, str | None, Status | None]  # Actual's fields in order


def _plain_parts(raw: str) -> tuple[str, tuple[str | None, float, str | None]] | None:
    """(clean(raw), value_parts(raw)) of the common value cell, found without either cache: a
    memo per distinct cell (the interpreter's) calls the parsers once per text, so for the many
    texts seen once (random amounts) the caches only cost."""
    plain = PLAIN_VALUE.fullmatch(raw) if raw else None
    if plain is None:
        return None
    op, num, unit = plain.groups()
    # only a "<" operator is something clean acts on (it may open a tag closed inside the unit)
    return clean(raw) if op == "<" else raw, (op, float(num), unit)


def target_parts(raw: str, unit: str | None = None, op: str | None = None) -> TargetParts:
    """`≤50000.00 (元/片区)` → (raw, ≤, 50000, 元/片区, None); `良好` → (良好, None, None, None, 良好)."""
    plain = _plain_parts(raw)
    parts: tuple[str | None, float, str | None] | None
    text, parts = plain if plain is not None else (clean(raw), value_parts(raw))
    if parts:
        found_op, value, found_unit = parts
        if found_op is None and op:
            op_col = _ops(compact(op))
            found_op = op_col if op_col in ("≥", "≤", "=", ">", "<") else None
        return text, found_op, value, found_unit or unit, None
    return text, None, None, None, text or None


def parse_target(raw: str, *, unit: str | None = None, op: str | None = None) -> Target:
    """`≤50000.00 (元/片区)` → op ≤, value 50000, unit 元/片区; `良好` → text 良好."""
    return Target(*target_parts(raw, unit, op))


StatusTable = tuple[tuple[str, tuple[str, ...]], ...]
# per status table (by identity: an lru_cache hashed the whole nested table on every call)
_INITIALS: dict[int, tuple[StatusTable, frozenset[str] | None]] = {}


def _status_initials(table: StatusTable) -> frozenset[str] | None:
    """The first characters of the status phrases (None if a phrase is empty: it matches anything)."""
    known = _INITIALS.get(id(table))
    if known is not None and known[0] is table:  # the entry holds the table, so its id is its own
        return known[1]
    initials = [p[:1] for _, phrases in table for p in phrases]
    found = None if "" in initials else frozenset(initials)
    if len(_INITIALS) >= 8:
        _INITIALS.clear()
    _INITIALS[id(table)] = (table, found)
    return found


def statusless_digits(vocab: Vocab) -> frozenset[str]:
    """The digits no status phrase starts with: a text starting with one is never a status."""
    initials = _status_initials(vocab.status_table)
    return frozenset() if initials is None else _DIGITS - initials


def parse_status(text: str, vocab: Vocab) -> Status | None:
    # a number ("52272.73(元)") is never a status: its key starts with the same ASCII digit, which
    # no phrase does; this skips the key's NFKC and the match for most actual values
    initials = _status_initials(vocab.status_table)
    if initials is not None and text[:1] in _DIGITS and text[:1] not in initials:
        return None
    k = key(text)
    m = vocab.status_pattern.match(k) if k else None
    return vocab.status_table[m.lastindex - 1][0] if m and m.lastindex else None  # type: ignore[return-value]


def actual_parts(raw: str, vocab: Vocab, unit: str | None = None) -> ActualParts:
    """`52272.73(元/年/居民区)` → value and unit; `部分达成指标并具有一定效果` → status 部分达成."""
    status = parse_status(raw, vocab)
    if status:
        return clean(raw), None, None, status
    plain = _plain_parts(raw)
    if plain is not None:
        text, (_, value, found_unit) = plain
        return text, value, found_unit or unit, None
    parts = value_parts(raw)
    if parts:
        return clean(raw), parts[1], parts[2] or unit, None
    return clean(raw), None, None, None


def parse_actual(raw: str, vocab: Vocab, *, unit: str | None = None) -> Actual:
    """`52272.73(元/年/居民区)` → value and unit; `部分达成指标并具有一定效果` → status 部分达成."""
    return Actual(*actual_parts(raw, vocab, unit))


def looks_like_target(text: str, vocab: Vocab) -> bool:
    """A cell that can only be an indicator's target: operator + number, or a qualitative word."""
    parts = value_parts(text)
    if parts is not None and parts[0] is not None:
        return True
    return key(text) in vocab.qualitative_targets
