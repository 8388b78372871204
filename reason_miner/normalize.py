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
    s = text.translate(_FW_TABLE)
    if "<" in s:
        s = _TAG.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    s = _SPACE_NEAR_CJK.sub("", s)
    return _WS.sub(" ", s).strip()


@lru_cache(maxsize=_CACHE)
def key(text: str | None) -> str:
    """Comparison key for labels: NFKC, no whitespace, no trailing colon ("年度 总体 目标" → "年度总体目标")."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = _WS.sub("", s)
    return s.rstrip(":：")


@lru_cache(maxsize=_CACHE)
def compact(text: str | None) -> str:
    """Remove every space (for numeric cells, where spaces are always extraction artefacts)."""
    return _WS.sub("", clean(text))


_NUM = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$|^[+-]?\.\d+$")


@lru_cache(maxsize=_CACHE)
def number(text: str | None) -> float | None:
    """Parse a plain number cell ("6,881.38", "100.00", "95%"); None for "-", "" or text."""
    s = compact(text).rstrip("%").replace("万元", "")
    if not s or not _NUM.match(s):
        return None
    return float(s.replace(",", ""))


_OP_NORMAL = ((">=", "≥"), ("<=", "≤"), ("=>", "≥"), ("=<", "≤"), ("≥=", "≥"), ("≤=", "≤"))
_VALUE = re.compile(r"^(?P<op>[≥≤=><])?(?P<num>[+-]?\d[\d,]*(?:\.\d+)?)(?P<unit>.*)$")


def _ops(s: str) -> str:
    s = s.translate(_OPS_TABLE)
    for a, b in _OP_NORMAL:
        s = s.replace(a, b)
    return s


def _unit(s: str) -> str | None:
    u = s.strip().strip("()（）[]【】")
    u = u.replace("(", "").replace(")", "")
    return u or None


@lru_cache(maxsize=_CACHE)
def value_parts(raw: str | None) -> tuple[str | None, float, str | None] | None:
    """(operator, number, unit) of a value cell such as `≤50000.00 (元/片区)`; None when it is not one."""
    m = _VALUE.match(_ops(compact(raw)))
    if not m:
        return None
    return m.group("op"), float(m.group("num").replace(",", "")), _unit(m.group("unit"))


def parse_target(raw: str, *, unit: str | None = None, op: str | None = None) -> Target:
    """`≤50000.00 (元/片区)` → op ≤, value 50000, unit 元/片区; `良好` → text 良好."""
    parts = value_parts(raw)
    if parts:
        found_op, value, found_unit = parts
        if found_op is None and op:
            op_col = _ops(compact(op))
            found_op = op_col if op_col in ("≥", "≤", "=", ">", "<") else None
        return Target(raw=clean(raw), op=found_op, value=value, unit=found_unit or unit)
    return Target(raw=clean(raw), text=clean(raw) or None)


def parse_status(text: str, vocab: Vocab) -> Status | None:
    return _status(key(text), vocab.status_table)


@lru_cache(maxsize=_CACHE)
def _status(k: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> Status | None:
    if not k:
        return None
    for status, phrases in table:  # most specific first: "达成" is inside the others
        for phrase in phrases:
            if k.startswith(phrase):
                return status  # type: ignore[return-value]
    return None


def parse_actual(raw: str, vocab: Vocab, *, unit: str | None = None) -> Actual:
    """`52272.73(元/年/居民区)` → value and unit; `部分达成指标并具有一定效果` → status 部分达成."""
    status = parse_status(raw, vocab)
    if status:
        return Actual(raw=clean(raw), status=status)
    parts = value_parts(raw)
    if parts:
        return Actual(raw=clean(raw), value=parts[1], unit=parts[2] or unit)
    return Actual(raw=clean(raw))


def looks_like_target(text: str, vocab: Vocab) -> bool:
    """A cell that can only be an indicator's target: operator + number, or a qualitative word."""
    parts = value_parts(text)
    if parts is not None and parts[0] is not None:
        return True
    return key(text) in vocab.qualitative_targets
