"""Chinese word segmentation of reason texts: jieba with the domain user dictionary and stop words.

One `jieba.Tokenizer` per process, created on first use (a worker process builds its own, never
inheriting a half-initialised one). jieba's prefix-dictionary cache goes to a private temp folder,
under a name keyed by the dictionary's content, so several processes and jieba versions never
read each other's stale cache. Segmentations are cached per distinct text: real corpora repeat
the same reason text many times.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jieba

from .vocab import corpora_dir

_PROPER_TAGS = frozenset({"ns", "nr", "nt", "nz"})  # place, person, organisation, other proper names
_WORDISH = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMBERISH = re.compile(r"^[\d.,%％]+$")


@dataclass(frozen=True)
class Lexicon:
    """The segmentation data in corpora/segment/: user words (with tags) and stop words."""

    user_words: tuple[tuple[str, int | None, str | None], ...]
    stopwords: frozenset[str]
    proper_nouns: frozenset[str]
    digest: str  # content hash of the files above, part of every model's provenance


def _read_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [s for s in (line.strip() for line in fh) if s and not s.startswith("#")]


@cache
def load_lexicon() -> Lexicon:
    seg_dir = corpora_dir() / "segment"
    user: list[tuple[str, int | None, str | None]] = []
    digest = hashlib.sha256()
    for name in ("userdict.txt", "stopwords.txt"):
        digest.update((seg_dir / name).read_bytes())
    for line in _read_lines(seg_dir / "userdict.txt"):
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        user.append((parts[0], freq, tag))
    return Lexicon(
        user_words=tuple(user),
        stopwords=frozenset(_read_lines(seg_dir / "stopwords.txt")),
        proper_nouns=frozenset(w for w, _, tag in user if tag in _PROPER_TAGS),
        digest=digest.hexdigest()[:16],
    )


def _cache_dir() -> str:
    path = os.path.join(tempfile.gettempdir(), f"reason_miner_jieba_{os.getuid() if hasattr(os, 'getuid') else 0}")
    os.makedirs(path, exist_ok=True)
    return path


@cache
def _dictionary_digest(path: str) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def _load_cached(tk: jieba.Tokenizer) -> bool:
    """Load the default dictionary's prefix cache (the file `initialize` writes) into `tk`. jieba
    itself unmarshals from the open file, reading every one of its 500k words through the file
    object: 1.2-1.5 s of CPU; unmarshalled from the bytes, 0.3 s. False when there is no usable cache."""
    try:
        with open(os.path.join(tk.tmp_dir, tk.cache_file), "rb") as fh:
            freq, total = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return False
    if not isinstance(freq, dict) or not isinstance(total, int):
        return False
    tk.FREQ, tk.total, tk.initialized = freq, total, True
    return True


_lock = threading.Lock()
_tokenizers: dict[int, jieba.Tokenizer] = {}


def tokenizer() -> jieba.Tokenizer:
    """This process's tokenizer, built on first use (keyed by pid: safe after fork)."""
    pid = os.getpid()
    tk = _tokenizers.get(pid)
    if tk is not None:
        return tk
    with _lock:
        tk = _tokenizers.get(pid)
        if tk is None:
            logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba prints progress on every load
            tk = jieba.Tokenizer()
            tk.tmp_dir = _cache_dir()
            dict_path = os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
            tk.cache_file = f"jieba-{jieba.__version__}-{_dictionary_digest(dict_path)}.cache"
            if not _load_cached(tk):
                tk.initialize()  # builds the prefix dictionary and writes the cache
            for word, freq, tag in load_lexicon().user_words:
                tk.add_word(word, freq, tag)
            _tokenizers.clear()  # a parent's tokenizer is useless in this process
            _tokenizers[pid] = tk
    return tk


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """All tokens of a text, punctuation included (no HMM: new words must come from the dictionary)."""
    return tuple(t for t in tokenizer().cut(text, HMM=False) if t.strip())


def is_content(token: str, stopwords: frozenset[str] | None = None) -> bool:
    """A token that can carry meaning: has a letter or Chinese character, is no number or stop word."""
    stop = load_lexicon().stopwords if stopwords is None else stopwords
    return bool(_WORDISH.search(token)) and not _NUMBERISH.match(token) and token not in stop


@lru_cache(maxsize=200_000)
def content_words(text: str) -> tuple[str, ...]:
    """Tokens of a text without punctuation, numbers and stop words, in text order."""
    stop = load_lexicon().stopwords
    return tuple(t for t in tokens(text) if is_content(t, stop))


def segment_many(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Tokens of each distinct text (each segmented once)."""
    return {t: tokens(t) for t in dict.fromkeys(texts)}



@lru_cache(maxsize=200_000)
def subwords(word: str) -> tuple[str, ...]:
    """Dictionary words inside a longer word (疫情防控 → 疫情, 防控), as jieba's search mode finds them:
    lets 上级资金 meet 资金 and 疫情防控 meet 疫情."""
    if len(word) < 3:
        return ()
    freq = tokenizer().FREQ
    found = []
    for n in range(2, len(word)):
        for i in range(len(word) - n + 1):
            w = word[i : i + n]
            if freq.get(w):
                found.append(w)
    return tuple(dict.fromkeys(found))


def search_terms(words: Iterable[str]) -> list[str]:
    """Words plus their dictionary sub-words."""
    out: list[str] = []
    for w in words:
        out.append(w)
        out.extend(subwords(w))
    return out
