"""The learned state of the cause miner, and its plain-file form (JSON + .npy, never pickle).

A model folder holds:
- model.json: format version, parameters, taxonomy (version and the seeds used as features),
  the causes (id, label, mined label, category, keywords, size, examples) and a training summary;
- vocab.json: the word and character-bigram vocabularies, in column order;
- word_idf.npy, char_idf.npy: their IDF weights; centroids.npy: one unit row per cause.
Loading uses `np.load(allow_pickle=False)`: a model file can never run code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .results import OTHER_CAUSE_ID
from .segment import search_terms
from .vocab import load_json

FORMAT_VERSION = 1
OTHER_LABEL = "其他/新原因"


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    seeds: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[Category, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Taxonomy:
        cats = tuple(
            Category(c["id"], c["name"], c.get("description", ""), tuple(c.get("seeds", []))) for c in d["categories"]
        )
        return cls(str(d.get("version", "")), cats)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "categories": [asdict(c) | {"seeds": list(c.seeds)} for c in self.categories]}


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """corpora/taxonomy.json, or a user's own file."""
    if path is None:
        return Taxonomy.from_dict(load_json("taxonomy.json"))
    with open(path, encoding="utf-8") as fh:
        return Taxonomy.from_dict(json.load(fh))


def char_bigrams(words: Sequence[str]) -> list[str]:
    """Character bigrams of the joined focus words: bridge segmentation differences (安排调度 / 安排 调度)."""
    s = "".join(words)
    return [s[i : i + 2] for i in range(len(s) - 1)] if len(s) > 1 else list(s)


def _block(rows: Sequence[Sequence[str]], index: dict[str, int], idf: np.ndarray) -> sp.csr_matrix:
    """Binary term presence × IDF, rows L2-normalised (empty rows stay zero)."""
    indptr = [0]
    cols: list[int] = []
    for terms in rows:
        ids = sorted({index[t] for t in terms if t in index})
        cols.extend(ids)
        indptr.append(len(cols))
    data = np.ones(len(cols), dtype=np.float64)
    m = sp.csr_matrix((data, np.array(cols, dtype=np.int64), np.array(indptr)), shape=(len(rows), len(index)))
    return _unit_rows(m @ sp.diags(idf))


def _unit_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """L2-normalised rows (zero rows stay zero); empty matrices pass through."""
    return normalize(m, copy=False) if m.shape[0] and m.shape[1] else sp.csr_matrix(m)


def smooth_idf(rows: Sequence[Sequence[str]], vocab: Sequence[str]) -> np.ndarray:
    index = {t: i for i, t in enumerate(vocab)}
    df = np.zeros(len(vocab))
    for terms in rows:
        for t in {index[t] for t in terms if t in index}:
            df[t] += 1
    return np.log((1 + len(rows)) / (1 + df)) + 1.0


@dataclass
class Featurizer:
    """Turns focus words into vectors: words, character bigrams and taxonomy seed hits, weighted blocks."""

    words: list[str]
    chars: list[str]
    word_idf: np.ndarray
    char_idf: np.ndarray
    seeds: list[list[str]]  # per taxonomy category, in taxonomy order
    word_weight: float = 1.0
    char_weight: float = 0.6
    taxonomy_weight: float = 0.5

    @classmethod
    def fit(cls, focus: Sequence[Sequence[str]], taxonomy: Taxonomy, **weights: float) -> Featurizer:
        terms = [search_terms(f) for f in focus]
        words = sorted({w for t in terms for w in t})
        chars = sorted({c for f in focus for c in char_bigrams(f)})
        return cls(
            words=words,
            chars=chars,
            word_idf=smooth_idf(terms, words),
            char_idf=smooth_idf([char_bigrams(f) for f in focus], chars),
            seeds=[list(c.seeds) for c in taxonomy.categories],
            **weights,
        )

    def seed_hits(self, focus: Sequence[str]) -> list[int]:
        """Taxonomy categories whose seeds occur in the joined focus words."""
        s = "".join(focus)
        return [i for i, seeds in enumerate(self._seed_patterns) if seeds.search(s)]

    @cached_property
    def _seed_patterns(self) -> list[re.Pattern[str]]:
        """Per category, one pattern matching any of its seeds: one scan instead of one per seed."""
        return [re.compile("|".join(re.escape(x) for x in seeds) if seeds else r"(?!)") for seeds in self.seeds]

    def transform(self, focus: Sequence[Sequence[str]]) -> sp.csr_matrix:
        blocks = [
            self.word_weight * _block([search_terms(f) for f in focus], {w: i for i, w in enumerate(self.words)}, self.word_idf),
            self.char_weight * _block([char_bigrams(f) for f in focus], {c: i for i, c in enumerate(self.chars)}, self.char_idf),
        ]
        if self.seeds and self.taxonomy_weight > 0:
            names = [str(i) for i in range(len(self.seeds))]
            hits = [[names[i] for i in self.seed_hits(f)] for f in focus]
            blocks.append(self.taxonomy_weight * _block(hits, {n: i for i, n in enumerate(names)}, np.ones(len(names))))
        return _unit_rows(sp.hstack(blocks, format="csr"))


@dataclass
class CauseInfo:
    id: str
    label: str
    mined_label: str
    category: str | None
    keywords: list[str]
    size: int  # clause occurrences in the training data
    examples: list[str]


@dataclass
class CauseModel:
    featurizer: Featurizer
    centroids: np.ndarray  # (causes, features), unit rows
    causes: list[CauseInfo]
    params: dict[str, Any]
    taxonomy: Taxonomy
    summary: dict[str, Any] = field(default_factory=dict)

    def assign(self, focus: Sequence[Sequence[str]], batch: int = 20_000) -> tuple[list[str], np.ndarray]:
        """Nearest cause by cosine similarity, or OTHER_CAUSE_ID under `min_similarity` (vectorised, batched)."""
        ids = np.array([c.id for c in self.causes] + [OTHER_CAUSE_ID], dtype=object)
        floor = float(self.params["min_similarity"])
        out_ids: list[str] = []
        out_scores = np.zeros(len(focus))
        for start in range(0, len(focus), batch):
            x = self.featurizer.transform(focus[start : start + batch])
            if not len(self.causes):
                out_ids.extend([OTHER_CAUSE_ID] * x.shape[0])
                continue
            sims = np.asarray(x @ self.centroids.T)
            best = sims.argmax(axis=1)
            score = sims[np.arange(len(best)), best]
            best[score < floor] = len(self.causes)
            out_ids.extend(ids[best].tolist())
            out_scores[start : start + len(best)] = score
        return out_ids, np.round(out_scores, 6)

    def save(self, path: str | Path) -> Path:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        f = self.featurizer
        meta = {
            "format": "reason-miner-cause-model",
            "format_version": FORMAT_VERSION,
            "params": self.params,
            "weights": {"word": f.word_weight, "char": f.char_weight, "taxonomy": f.taxonomy_weight},
            "taxonomy": self.taxonomy.to_dict(),
            "causes": [asdict(c) for c in self.causes],
            "summary": self.summary,
        }
        _write_json(folder / "model.json", meta)
        _write_json(folder / "vocab.json", {"words": f.words, "chars": f.chars})
        np.save(folder / "word_idf.npy", f.word_idf.astype(np.float64))
        np.save(folder / "char_idf.npy", f.char_idf.astype(np.float64))
        np.save(folder / "centroids.npy", self.centroids.astype(np.float64))
        return folder

    @classmethod
    def load(cls, path: str | Path) -> CauseModel:
        folder = Path(path)
        try:
            with open(folder / "model.json", encoding="utf-8") as fh:
                meta = json.load(fh)
            with open(folder / "vocab.json", encoding="utf-8") as fh:
                vocab = json.load(fh)
            arrays = {n: np.load(folder / f"{n}.npy", allow_pickle=False) for n in ("word_idf", "char_idf", "centroids")}
        except (OSError, ValueError) as exc:
            raise ModelError(f"无法读取原因模型 {folder}：{exc}") from exc
        if meta.get("format") != "reason-miner-cause-model" or meta.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"{folder} 不是本版本的原因模型（format_version={meta.get('format_version')}）")
        taxonomy = Taxonomy.from_dict(meta["taxonomy"])
        w = meta["weights"]
        featurizer = Featurizer(
            words=vocab["words"],
            chars=vocab["chars"],
            word_idf=arrays["word_idf"],
            char_idf=arrays["char_idf"],
            seeds=[list(c.seeds) for c in taxonomy.categories],
            word_weight=w["word"],
            char_weight=w["char"],
            taxonomy_weight=w["taxonomy"],
        )
        causes = [CauseInfo(**c) for c in meta["causes"]]
        centroids = arrays["centroids"].reshape(len(causes), -1) if causes else arrays["centroids"]
        return cls(featurizer, centroids, causes, meta["params"], taxonomy, meta.get("summary", {}))


class ModelError(Exception):
    """A model folder that cannot be used (message in Chinese)."""


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
