"""Split a 偏差原因分析及改进措施 text into clauses, give each a role, and find its cause units.

"小型文化活动因场地人员等原因，开展次数未达标，需加强活动前期准备安排工作"
  → cause "小型文化活动因场地人员等原因" (focus: 场地 人员), effect "开展次数未达标",
    measure "需加强活动前期准备安排工作".

A *cause unit* is what the miner clusters: an explicit cause clause (with the clauses that merely
continue it), or a measure whose subject names the problem ("活动项目需更加丰富": the cause is
implied by what must improve). A text with no explicit cause clause is `vague` (审计:
偏差原因分析不充分) even when a measure implies its cause; with neither, the whole text is the unit.
Markers live in corpora/segment/markers.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .results import Role
from .segment import content_words, is_content, load_lexicon, tokens
from .vocab import load_json

_ENUM = re.compile(r"(?:^|(?<=[^\d.]))(?:\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[)）]|[一二三四五六七八九十][、.．])")
_ENUM_END = re.compile(r"[、.．)）]")  # every list number ends in one of these: most texts need no _ENUM scan
_WORDISH = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CONNECTIVES = frozenset({"并", "且", "并且", "从而", "以便", "以", "而且"})


@dataclass(frozen=True)
class Markers:
    separators: str
    hard_separators: str
    split_at: re.Pattern[str]  # any one separator, captured
    cause_prefix: frozenset[str]
    cause_tokens: frozenset[str]
    # "contains any of these substrings", each list as one alternation (one scan, not one per word)
    priority_problems: re.Pattern[str]
    problem_substrings: re.Pattern[str]
    consequence_substrings: re.Pattern[str]
    effect_start: frozenset[str]
    effect_substrings: re.Pattern[str]
    measure_start: frozenset[str]
    measure_tokens: frozenset[str]
    pronouns: frozenset[str]
    new_cause: frozenset[str]
    quality_words: frozenset[str]
    modifiers: frozenset[str]


def _any_of(words: list[str]) -> re.Pattern[str]:
    """A pattern matching any of `words` (never matching when there are none)."""
    return re.compile("|".join(re.escape(w) for w in words) or r"(?!)")


@cache
def load_markers() -> Markers:
    d = load_json("segment/markers.json")
    return Markers(
        separators=d["separators"],
        hard_separators=d["hard_separators"],
        split_at=re.compile("([" + re.escape(d["separators"]) + "])"),
        cause_prefix=frozenset(d["cause_prefix_tokens"]),
        cause_tokens=frozenset(d["cause_tokens"]),
        priority_problems=_any_of(d["priority_problem_substrings"]),
        problem_substrings=_any_of(d["problem_substrings"]),
        consequence_substrings=_any_of(d["consequence_substrings"]),
        effect_start=frozenset(d["effect_start_tokens"]),
        effect_substrings=_any_of(d["effect_substrings"]),
        measure_start=frozenset(d["measure_start_tokens"]),
        measure_tokens=frozenset(d["measure_tokens"]),
        pronouns=frozenset(d["pronoun_tokens"]),
        new_cause=frozenset(d["new_cause_tokens"]),
        quality_words=frozenset(d["quality_words"]),
        modifiers=frozenset(d["modifier_tokens"]),
    )


@dataclass(frozen=True)
class ClauseInfo:
    text: str
    role: Role
    focus: tuple[str, ...]  # content words naming the cause (empty for effects and pure measures)
    implied: bool = False  # a measure whose subject names the problem
    refers_back: bool = False  # continues the previous clause (pronoun subject, or no new cause marker)


@dataclass(frozen=True)
class CauseUnit:
    text: str  # the clause texts of the unit, joined with "，"
    clauses: tuple[int, ...]  # indices of the clauses it covers
    focus: tuple[str, ...]
    implied: bool  # no explicit cause clause: implied by a measure, or the whole-text fallback


@dataclass(frozen=True)
class TextAnalysis:
    clauses: tuple[ClauseInfo, ...]
    units: tuple[CauseUnit, ...]
    vague: bool


def _split(text: str) -> list[tuple[str, bool]]:
    """Clauses with a flag: True when a hard break (。；, list numbering) comes before it."""
    m = load_markers()
    s = _ENUM.sub("\n", text) if _ENUM_END.search(text) else text
    parts = m.split_at.split(s)  # clause, separator, clause, …, clause
    out: list[tuple[str, bool]] = []
    hard = True
    wordish = _WORDISH.search
    for j in range(0, len(parts), 2):
        if j and not hard:
            hard = parts[j - 1] in m.hard_separators
        if wordish(parts[j]):  # what strip() takes off is never wordish
            out.append((parts[j].strip(" 　:：、"), hard))
            hard = False
    return out


def split_clauses(text: str) -> list[str]:
    """Clauses at sentence punctuation and list numbering ("1、", "（2）"); "、" inside a clause stays."""
    return [c for c, _ in _split(text)]


def _first_word(toks: tuple[str, ...]) -> str:
    return next((t for t in toks if t.strip() and t not in "，,、"), "")


def _measure_split(toks: tuple[str, ...], m: Markers) -> int | None:
    """Index of the first measure marker token after a non-empty subject, else None."""
    for i, t in enumerate(toks):
        if t in m.measure_tokens:
            return i if any(is_content(x) for x in toks[:i]) else None
    return None


def _content(toks: tuple[str, ...]) -> tuple[str, ...]:
    """Content words; negations and degree words stay with the word they modify (未+到位 → 未到位)."""
    stop = load_lexicon().stopwords
    modifiers = load_markers().modifiers
    out: list[str] = []
    prefix = ""
    for t in toks:
        if t in modifiers:
            prefix += t
            continue
        word = prefix + t if prefix and _WORDISH.search(t) else t
        prefix = ""
        if word != t or is_content(t, stop):
            out.append(word)
    if prefix and out:  # a trailing negation belongs to the word before it ("力度不够")
        out[-1] += prefix
    return tuple(out)


def _cause_focus(toks: tuple[str, ...], m: Markers) -> tuple[str, ...]:
    """After 因/由于/受 when something follows ("小型文化活动因场地人员等原因" → 场地 人员), else the clause."""
    for i, t in enumerate(toks):
        if t in m.cause_prefix:
            after = _content(toks[i + 1 :])
            if after:
                return after
            break
    return _content(toks)


def _measure_focus(toks: tuple[str, ...], at: int) -> tuple[str, ...]:
    """Subject plus the qualities asked for ("活动项目需更加丰富" → 活动 项目 丰富)."""
    return _content(toks[:at]) + _content(toks[at + 1 :])


@lru_cache(maxsize=100_000)  # reason texts share clauses far more than whole texts
def classify(
    clause: str, previous: Role | None, measure_seen: bool, hard_break: bool = False, cause_in_sentence: bool = False
) -> ClauseInfo:
    """Role and focus of one clause, given the role of the clause before it (None for the first),
    the break between them, and whether the sentence so far (since the last 。；) already stated a
    cause."""
    m = load_markers()
    toks = tokens(clause)
    first = _first_word(toks)
    if hard_break:
        previous = None
    strong = any(t in m.cause_prefix or t in m.cause_tokens for t in toks)
    if first in _CONNECTIVES and previous is not None and not strong:
        focus = _content(toks) if previous == "cause" else ()
        return ClauseInfo(clause, previous, focus, refers_back=True)
    if first in m.measure_start:
        return ClauseInfo(clause, "measure", ())
    if first in m.effect_start:
        return ClauseInfo(clause, "effect", ())
    if strong:
        new = hard_break or first in m.cause_prefix or first in m.new_cause
        return ClauseInfo(clause, "cause", _cause_focus(toks, m), refers_back=not new)
    after_cause = cause_in_sentence and not hard_break
    if m.priority_problems.search(clause):  # "申请人数少于预期": demand, not a shortfall
        return ClauseInfo(clause, "cause", _content(toks), refers_back=not hard_break and first not in m.new_cause)
    if m.effect_substrings.search(clause):
        return ClauseInfo(clause, "effect", ())
    if m.problem_substrings.search(clause):
        return ClauseInfo(clause, "cause", _content(toks), refers_back=not hard_break and first not in m.new_cause)
    if m.consequence_substrings.search(clause):
        # "受台风影响，工程停工": what happened after a stated cause is its effect
        if after_cause:
            return ClauseInfo(clause, "effect", ())
        return ClauseInfo(clause, "cause", _content(toks), refers_back=not hard_break and first not in m.new_cause)
    at = _measure_split(toks, m)
    if at is not None:
        pronoun = not hard_break and first in m.pronouns
        return ClauseInfo(clause, "measure", _measure_focus(toks, at), implied=True, refers_back=pronoun)
    if measure_seen:
        return ClauseInfo(clause, "measure", ())
    if after_cause:
        return ClauseInfo(clause, "effect", ())
    return ClauseInfo(clause, "cause", _content(toks), refers_back=not hard_break and first not in m.new_cause)


def _units(infos: tuple[ClauseInfo, ...]) -> list[CauseUnit]:
    units: list[tuple[list[int], bool]] = []  # clause indices, implied
    last_unit_clause = -2
    for i, c in enumerate(infos):
        if not c.focus or not (c.role == "cause" or c.implied or c.refers_back):
            continue
        explicit = c.role == "cause"
        joins = units and last_unit_clause == i - 1 and c.refers_back and (explicit or c.implied)
        if joins and explicit and units[-1][1]:
            joins = False  # an explicit cause never continues a measure
        if joins:
            units[-1][0].append(i)
        elif c.role == "cause" or c.implied:
            units.append(([i], not explicit))
        else:
            continue
        last_unit_clause = i
    return [_unit(tuple([infos[i] for i in idx]), tuple(idx), implied) for idx, implied in units]


@lru_cache(maxsize=100_000)
def _unit(members: tuple[ClauseInfo, ...], idx: tuple[int, ...], implied: bool) -> CauseUnit:
    """One object per distinct unit: the texts of a province's year hold ~250k units, ~5k distinct."""
    return CauseUnit("，".join(c.text for c in members), idx, tuple(w for c in members for w in c.focus), implied)


@lru_cache(maxsize=100_000)
def analyse_text(text: str) -> TextAnalysis:
    """Clauses, roles and cause units of one reason text (cached per distinct text)."""
    infos: list[ClauseInfo] = []
    previous: Role | None = None
    measure_seen = cause_in_sentence = cause_seen = False
    for clause, hard in _split(text):  # (the first clause always comes after a hard break)
        if hard:
            previous, cause_in_sentence = None, False
        info = classify(clause, previous, measure_seen, hard, cause_in_sentence)
        previous = info.role
        if previous == "cause":
            cause_in_sentence = cause_seen = True
        elif previous == "measure":
            measure_seen = True
        infos.append(info)
    frozen = tuple(infos)
    units = _units(frozen)
    vague = not cause_seen
    if not units:
        focus = content_words(text)
        if focus:
            units = [CauseUnit(text, tuple(range(len(frozen))), focus, True)]
    return TextAnalysis(frozen, tuple(units), vague)


def forget_texts() -> None:
    """Drop the cached analyses of whole texts (results keep what they hold of them). A batch's texts
    are seldom met again, and a province's year leaves ~70k of them cached; the caches of clauses
    and words, small and shared by every batch, stay."""
    analyse_text.cache_clear()


def focus_words(text: str) -> tuple[str, ...]:
    """The words a cause text is clustered on: the focus of its cause units, in order."""
    return tuple(w for u in analyse_text(text).units for w in u.focus)
