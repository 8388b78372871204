"""Mine the recurring causes in 偏差原因分析及改进措施 texts.

extract_reasons(forms) → every indicator row with a reason text;
CauseMiner(random_state=0).fit(cause_texts) → clusters of cause units, named from their own words;
mine_causes(forms, model=None) → CauseResult: each reason split into clauses, its cause clauses
tied to a cause (mined here, or assigned to a saved model's causes / 其他/新原因).

Clustering: agglomerative, average linkage on cosine distances, cut at a distance threshold, so the
number of causes follows the data. It runs on distinct cause units (texts repeat a lot); past
`max_fit` distinct units it fits on the most frequent ones plus a seeded sample of the rest and
assigns the others to the nearest cause, vectorised.

Work per reason is only its record (ReasonAnalysis): clause analysis, boilerplate keys and clause
lists are worked out once per distinct text, cause assignment once per distinct cause unit, and
equal clauses, unit analyses and boilerplate lists are shared, read-only objects.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.metrics.pairwise import cosine_distances
from sklearn.preprocessing import normalize

from .cause_model import OTHER_LABEL, Category, CauseInfo, CauseModel, Featurizer, Taxonomy, load_taxonomy
from .clauses import TextAnalysis, analyse_text, focus_words, forget_texts, load_markers
from .model import Form, Source
from .normalize import key
from .results import OTHER_CAUSE_ID, Cause, CauseResult, Clause, ReasonAnalysis
from .segment import load_lexicon

BOILERPLATE_PLACES = 5  # places listed per repeated text (the count is always complete)
# normalize.key without its cache: reason texts are long and seldom met again, and a province's
# year would fill the cache (kept for the short labels the interpreter compares) with them
_uncached_key = key.__wrapped__
# the full-width punctuation of reason texts with its NFKC form: replaced first, it leaves most texts
# NFKC already, which unicodedata tells at a glance (NFKC works per character on these: same key)
_WIDE_PUNCTUATION = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，；：（）！？")
_UNPLACED = (OTHER_CAUSE_ID, 0.0)  # a cause text without a word to cluster on


class ReasonRef(NamedTuple):
    """One reason text and where it sits."""

    form_index: int
    indicator_index: int
    text: str
    project: str | None
    unit: str | None
    indicator: str
    lost: float | None
    source: Source


def extract_reasons(forms: Sequence[Form]) -> list[ReasonRef]:
    """Every indicator with a reason text, full-score rows included (the report decides)."""
    out = []
    for fi, form in enumerate(forms):
        for ii, ind in enumerate(form.indicators):
            if ind.reason and ind.reason.strip():
                out.append(ReasonRef(fi, ii, ind.reason.strip(), form.project, form.unit, ind.name, ind.lost, ind.source))
    return out


def reasons_from_texts(texts: Sequence[str], file: str) -> list[ReasonRef]:
    """Reason texts given as a plain list (e.g. a JSONL corpus): one pseudo-form per line."""
    return [ReasonRef(-1, i, t, None, None, "", None, Source(file, line=i + 1)) for i, t in enumerate(texts)]


# ---------------------------------------------------------------- the miner


@dataclass(frozen=True)
class MinerParams:
    distance_threshold: float = 0.9
    min_similarity: float = 0.3
    max_fit: int = 3000
    word_weight: float = 1.0
    char_weight: float = 0.6
    taxonomy_weight: float = 0.5
    label_from_taxonomy: bool = True


class CauseMiner:
    """Cluster cause texts into causes and name them (scikit-learn style, deterministic for a seed).

    `fit(texts)` takes cause texts (cause clauses, or whole reason texts); `predict(texts)` gives cause
    ids, OTHER_CAUSE_ID where no cause is similar enough; `labels_` are the training assignments.
    """

    def __init__(
        self,
        random_state: int = 0,
        *,
        distance_threshold: float = 0.9,
        min_similarity: float = 0.3,
        max_fit: int = 3000,
        word_weight: float = 1.0,
        char_weight: float = 0.6,
        taxonomy_weight: float = 0.5,
        label_from_taxonomy: bool = True,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.random_state = random_state
        self.params = MinerParams(
            distance_threshold, min_similarity, max_fit, word_weight, char_weight, taxonomy_weight, label_from_taxonomy
        )
        self.taxonomy = taxonomy
        self.model_: CauseModel | None = None
        self.labels_: list[str] = []
        self.scores_: np.ndarray = np.zeros(0)

    @classmethod
    def from_model(cls, model: CauseModel) -> CauseMiner:
        p = model.params
        miner = cls(int(p.get("random_state", 0)), taxonomy=model.taxonomy)
        miner.params = MinerParams(**{k: v for k, v in p.items() if k in MinerParams.__dataclass_fields__})
        miner.model_ = model
        return miner

    # -- fitting

    def fit(self, texts: Sequence[str]) -> CauseMiner:
        self.fit_predict(texts)
        return self

    def fit_predict(self, texts: Sequence[str]) -> list[str]:
        assigned = self.fit_counts(Counter(texts))
        self.labels_ = [assigned.get(t, _UNPLACED)[0] for t in texts]
        self.scores_ = np.array([assigned.get(t, _UNPLACED)[1] for t in texts])
        return self.labels_

    def fit_counts(self, counts: Counter[str]) -> dict[str, tuple[str, float]]:
        """Fit on distinct cause texts with their occurrence counts; each text's (cause id, score).
        Texts without a word to cluster on are left out (they belong to no cause)."""
        p = self.params
        taxonomy = self.taxonomy or load_taxonomy()
        distinct = sorted(t for t in counts if focus_words(t))
        fit_set = self._fit_subset(distinct, counts)
        focus = [focus_words(t) for t in fit_set]
        feat = Featurizer.fit(focus, taxonomy, word_weight=p.word_weight, char_weight=p.char_weight, taxonomy_weight=p.taxonomy_weight)
        x = feat.transform(focus)
        raw = self._cluster(x)
        clusters = self._order_clusters(raw, fit_set, counts)
        causes, centroids = self._describe(clusters, fit_set, focus, x, counts, feat, taxonomy)
        params = {"random_state": self.random_state, **p.__dict__}
        model = CauseModel(feat, centroids, causes, params, taxonomy)
        assigned: dict[str, tuple[str, float]] = {}
        sims = np.asarray(x @ centroids.T) if len(causes) else np.zeros((len(fit_set), 0))
        for k, members in enumerate(clusters):
            for i in members:
                assigned[fit_set[i]] = (causes[k].id, float(round(sims[i, k], 6)))
        rest = [t for t in distinct if t not in assigned]
        if rest:
            ids, scores = model.assign([focus_words(t) for t in rest])
            assigned.update({t: (c, float(s)) for t, c, s in zip(rest, ids, scores, strict=True)})
        model.summary = {
            "texts": sum(counts.values()),
            "distinct_texts": len(counts),
            "distinct_cause_units": len(distinct),
            "fitted_units": len(fit_set),
            "causes": len(causes),
            "categorised_causes": sum(1 for c in causes if c.category),
            "taxonomy_version": taxonomy.version,
            "lexicon": load_lexicon().digest,
        }
        self.model_ = model
        return assigned

    def _fit_subset(self, distinct: list[str], counts: Counter[str]) -> list[str]:
        """All distinct units, or the most frequent half of `max_fit` plus a seeded sample of the rest."""
        cap = self.params.max_fit
        if len(distinct) <= cap:
            return distinct
        by_freq = sorted(distinct, key=lambda t: (-counts[t], t))
        head, tail = by_freq[: cap // 2], by_freq[cap // 2 :]
        rng = np.random.default_rng(self.random_state)
        pick = rng.choice(len(tail), size=cap - len(head), replace=False)
        return sorted(head + [tail[i] for i in sorted(pick)])

    def _cluster(self, x: sp.csr_matrix) -> np.ndarray:
        """Average linkage on cosine distances, cut as scikit-learn's AgglomerativeClustering cuts at
        a distance threshold: the merges at or above it, the last ones of the tree, are undone. Built
        from the condensed distances (upper triangle): at 3,000 units the square matrix is 72 MB, and
        scikit-learn's own route indexes its triangle with two more arrays of that size."""
        n = x.shape[0]
        if n < 2:
            return np.zeros(n, dtype=int)
        dist = cosine_distances(x)
        np.clip(dist, 0.0, 2.0, out=dist)
        condensed = squareform(dist, checks=False)
        del dist
        tree = linkage(condensed, method="average")
        del condensed
        kept = n - 1 - int(np.count_nonzero(tree[:, 2] >= self.params.distance_threshold))
        # the clusters: the connected parts of the tree's first `kept` merges (node n + i is merge i)
        children = tree[:kept, :2].astype(np.int64).ravel()
        parents = np.repeat(np.arange(n, n + kept, dtype=np.int64), 2)
        size = 2 * n - 1
        merges = sp.coo_matrix((np.ones(len(children)), (children, parents)), shape=(size, size))
        return np.asarray(connected_components(merges, directed=False)[1][:n])

    @staticmethod
    def _order_clusters(raw: np.ndarray, units: list[str], counts: Counter[str]) -> list[list[int]]:
        """Clusters as member lists, biggest first (by occurrences), ties by first member text."""
        groups: dict[int, list[int]] = defaultdict(list)
        for i, c in enumerate(raw):
            groups[int(c)].append(i)
        return sorted(groups.values(), key=lambda m: (-sum(counts[units[i]] for i in m), units[m[0]]))

    def _describe(
        self,
        clusters: list[list[int]],
        units: list[str],
        focus: list[tuple[str, ...]],
        x: sp.csr_matrix,
        counts: Counter[str],
        feat: Featurizer,
        taxonomy: Taxonomy,
    ) -> tuple[list[CauseInfo], np.ndarray]:
        width = max(2, len(str(len(clusters))))
        idf = dict(zip(feat.words, feat.word_idf.tolist(), strict=True))
        causes: list[CauseInfo] = []
        rows = []
        for k, members in enumerate(clusters):
            centroid = normalize(np.asarray(x[members].mean(axis=0)))[0]
            rows.append(centroid)
            sims = np.asarray(x[members] @ centroid).ravel()
            # members from the most central (ties: more frequent, then text order)
            order = sorted(range(len(members)), key=lambda j: (-round(float(sims[j]), 9), -counts[units[members[j]]], units[members[j]]))
            central = [members[j] for j in order]
            member_focus = [focus[i] for i in central]
            mined = mined_label(member_focus, _implied(units[central[0]]), idf)
            category = match_category(member_focus, [counts[units[i]] for i in central], feat, taxonomy)
            causes.append(
                CauseInfo(
                    id=f"c{k + 1:0{width}d}",
                    label=mined,
                    mined_label=mined,
                    category=category.name if category else None,
                    keywords=keywords(member_focus, idf),
                    size=sum(counts[units[i]] for i in members),
                    examples=[units[i] for i in central[:3]],
                )
            )
        if self.params.label_from_taxonomy:
            named: set[str] = set()
            for c in causes:  # biggest first: the biggest cause of a category takes its name
                if c.category and c.category not in named:
                    c.label = c.category
                    named.add(c.category)
        centroids = np.vstack(rows) if rows else np.zeros((0, x.shape[1]))
        return causes, centroids

    # -- assigning

    def predict(self, texts: Sequence[str]) -> list[str]:
        return self.predict_scores(texts)[0]

    def predict_scores(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Cause ids and cosine similarities; each distinct text is vectorised once."""
        assigned = self.predict_distinct(dict.fromkeys(texts))
        return [assigned[t][0] for t in texts], np.array([assigned[t][1] for t in texts])

    def predict_distinct(self, texts: Iterable[str]) -> dict[str, tuple[str, float]]:
        """(cause id, cosine similarity) of each of these distinct texts."""
        if self.model_ is None:
            raise RuntimeError("CauseMiner is not fitted")
        distinct = list(texts)
        ids, scores = self.model_.assign([focus_words(t) for t in distinct])
        return {t: (c, float(s)) for t, c, s in zip(distinct, ids, scores, strict=True)}

    @property
    def causes_(self) -> list[CauseInfo]:
        if self.model_ is None:
            raise RuntimeError("CauseMiner is not fitted")
        return self.model_.causes


# ---------------------------------------------------------------- naming


def keywords(member_focus: Sequence[Sequence[str]], idf: dict[str, float], n: int = 6) -> list[str]:
    """Words most typical of a cluster: member frequency × IDF, ties by the word."""
    df = Counter(w for f in member_focus for w in set(f))
    return [w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1] * idf.get(kv[0], 1.0), kv[0]))[:n]]


def _implied(text: str) -> bool:
    """A cause text that states no cause of its own (implied by a measure, or the whole-text fallback)."""
    units = analyse_text(text).units
    return not units or units[0].implied


def mined_label(
    member_focus: Sequence[Sequence[str]], implied: bool, idf: dict[str, float], max_len: int = 10, min_len: int = 4
) -> str:
    """A short phrase from the most central member's words that the cluster shares, in their order.

    Proper names (幸福里) are left out; a cause only implied by a measure ("活动项目需更加丰富") is
    turned into the problem it implies ("活动项目不够丰富").
    """
    lex = load_lexicon()
    df = Counter(w for f in member_focus for w in set(f))
    central = [w for w in dict.fromkeys(member_focus[0]) if w not in lex.proper_nouns]
    need = 1 if len(member_focus) == 1 else max(2, math.ceil(len(member_focus) / 3))
    words = [w for w in central if df[w] >= need]
    # too few shared words to name it ("不统一"): add the central member's most telling words back
    for w in sorted(central, key=lambda w: (-df[w] * idf.get(w, 1.0), central.index(w))):
        if len("".join(words)) >= min_len:
            break
        if w not in words and len("".join(words)) + len(w) <= max_len:
            words = [x for x in central if x in words or x == w]
    if not words:
        words = list(member_focus[0])
    # drop the least telling words until the phrase fits
    while len("".join(words)) > max_len and len(words) > 1:
        weakest = min(range(len(words)), key=lambda i: (df[words[i]] * idf.get(words[i], 1.0), -i))
        words.pop(weakest)
    label = "".join(words)[:max_len]
    if implied:
        label = _implied_problem(words, label, max_len)
    return label


def _implied_problem(words: list[str], label: str, max_len: int) -> str:
    """"活动项目丰富" → "活动项目不够丰富"; "社区功能" → "社区功能有待完善" (when it fits)."""
    quality = load_markers().quality_words
    if words and words[-1] in quality:
        phrase = "".join(words[:-1]) + "不够" + words[-1]
        return phrase if len(phrase) <= max_len else label
    for suffix in ("有待完善", "待完善"):
        if len(label) + len(suffix) <= max_len:
            return label + suffix
    return label


def match_category(
    member_focus: Sequence[Sequence[str]], weights: Sequence[int], feat: Featurizer, taxonomy: Taxonomy
) -> Category | None:
    """The taxonomy category whose seeds occur in most of the cluster (at least half of it, and in
    its most central member); `member_focus` starts with the most central member."""
    total = sum(weights)
    hits: Counter[int] = Counter()
    for f, w in zip(member_focus, weights, strict=True):
        for i in feat.seed_hits(f):
            hits[i] += w
    if not hits:
        return None
    best, n = min(hits.items(), key=lambda kv: (-kv[1], kv[0]))
    central_hit = best in feat.seed_hits(member_focus[0])  # the cluster's own centre must say it too
    return taxonomy.categories[best] if n * 2 >= total and central_hit else None


# ---------------------------------------------------------------- the pipeline


def _group_by_text(refs: Sequence[ReasonRef]) -> dict[str, list[int]]:
    """Each distinct text with its reasons (positions in `refs`), in order of first appearance."""
    by_text: defaultdict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(refs):
        by_text[r.text].append(i)
    return dict(by_text)


def _text_key(text: str) -> str:
    """`normalize.key(text)`, several times faster on reason texts (see _WIDE_PUNCTUATION)."""
    for wide, narrow in _WIDE_PUNCTUATION:
        if wide in text:
            text = text.replace(wide, narrow)
    return _uncached_key(text)


def _boilerplate(refs: Sequence[ReasonRef], by_text: dict[str, list[int]]) -> tuple[list[list[Source]], list[int]]:
    """For each reason: the other places its text appears (capped at BOILERPLATE_PLACES) and their
    count. Texts are compared by their `key`, worked out once per distinct text. The lists are
    read-only and shared: every reason past the first few places of a text lists the same ones,
    and a reason whose text appears nowhere else has the one empty list."""
    by_key: dict[str, list[int]] = {}
    for text, idx in by_text.items():
        k = _text_key(text)
        at = by_key.get(k)
        # texts that differ only in width or spaces count as one: their places back in reason order
        by_key[k] = idx if at is None else sorted(at + idx)
    none: list[Source] = []
    places = [none] * len(refs)
    counts = [0] * len(refs)
    for idx in by_key.values():
        if len(idx) < 2:
            continue
        head = idx[:BOILERPLATE_PLACES]
        for i in head:
            places[i] = [refs[j].source for j in idx[: BOILERPLATE_PLACES + 1] if j != i]
        if len(idx) > len(head):
            first = [refs[j].source for j in head]  # what every later place lists
            for i in idx[len(head) :]:
                places[i] = first
        n = len(idx) - 1
        for i in idx:
            counts[i] = n
    return places, counts


def _build_reasons(
    refs: Sequence[ReasonRef],
    by_text: dict[str, list[int]],
    analyses: dict[str, TextAnalysis],
    clause_lists: dict[str, list[Clause]],
) -> list[ReasonAnalysis]:
    """One ReasonAnalysis per reason, in `refs` order; reasons with the same text share its clause list."""
    places, counts = _boilerplate(refs, by_text)
    out: list[ReasonAnalysis | None] = [None] * len(refs)
    for text, idx in by_text.items():
        vague, clauses = analyses[text].vague, clause_lists[text]
        for i in idx:
            form_index, indicator_index, _, project, unit, indicator, lost, source = refs[i]
            out[i] = ReasonAnalysis(
                project, unit, indicator, lost, text, vague, places[i], clauses,
                source, form_index, indicator_index, counts[i],
            )
    return out  # type: ignore[return-value]  # every position filled: by_text covers every reason


ModelLike = CauseModel | CauseMiner | str | Path | None


@dataclass
class MinedTexts:
    """What mining works out once per distinct reason text, from the texts and their counts alone
    (so a helper process can do it: `helper`): each text's analysis, the cause units with their
    occurrences, each unit's (cause id, score), and the model the causes come from."""

    analyses: dict[str, TextAnalysis]
    unit_counts: Counter[str]
    assigned: dict[str, tuple[str, float]]
    model: CauseModel


def text_counts(refs: Sequence[ReasonRef]) -> dict[str, int]:
    """Each distinct reason text with its number of reasons, in order of first appearance."""
    return dict(Counter(r.text for r in refs))


def mine_texts(counts: dict[str, int], model: ModelLike = None, random_state: int = 0, **params: object) -> MinedTexts:
    """Analyse each distinct text and tie its cause units to causes: mined here, or from a saved
    model (a CauseModel, a fitted CauseMiner, or a model folder); a unit weighs as many times as it
    occurs."""
    if isinstance(model, str | Path):
        model = CauseModel.load(model)
    analyses = {t: analyse_text(t) for t in counts}
    unit_counts: Counter[str] = Counter()
    for t, n in counts.items():
        for u in analyses[t].units:
            unit_counts[u.text] += n
    if model is None:
        miner = CauseMiner(random_state, **params)  # type: ignore[arg-type]
        assigned = miner.fit_counts(unit_counts)
    else:
        miner = model if isinstance(model, CauseMiner) else CauseMiner.from_model(model)
        assigned = miner.predict_distinct(unit_counts)
    assert miner.model_ is not None
    return MinedTexts(analyses, unit_counts, assigned, miner.model_)


def mine_reasons(refs: Sequence[ReasonRef], model: ModelLike = None, random_state: int = 0,
                 mined: MinedTexts | None = None, **params: object) -> CauseResult:
    """Analyse the reasons and tie their cause units to causes (`mine_texts`, unless `mined` is its
    result for these reasons' `text_counts`, made elsewhere).

    Everything but the per-reason records is worked out once per distinct text (a province's year
    repeats each about four times) and once per distinct cause unit."""
    by_text = _group_by_text(refs)
    if mined is None:
        mined = mine_texts(text_counts(refs), model, random_state, **params)
    reasons = _build_reasons(refs, by_text, mined.analyses, _clause_lists(mined.analyses, mined.assigned))
    return CauseResult(reasons, _causes(mined.model, mined.unit_counts, mined.assigned))


def _clause_lists(analyses: dict[str, TextAnalysis], assigned: dict[str, tuple[str, float]]) -> dict[str, list[Clause]]:
    """Each text's clauses with their causes (`assigned`: by cause unit text). Equal clauses are one
    read-only object: a text's clauses recur in many other texts (a province's year: ~280k
    clauses of 71k texts made of ~5k distinct clause texts). Keys are object ids: the analyses and `assigned` keep those objects
    alive meanwhile."""
    plain: dict[int, Clause] = {}  # id(ClauseInfo) → its clause without a cause
    tied: dict[tuple[int, int], Clause] = {}  # (id(ClauseInfo), id(its cause and score)) → its clause
    out: dict[str, list[Clause]] = {}
    for t, a in analyses.items():
        infos = a.clauses
        clauses = [plain.get(id(c)) or plain.setdefault(id(c), Clause(c.text, c.role)) for c in infos]
        for u in a.units:
            cause = assigned.get(u.text, _UNPLACED)
            for ci in u.clauses:
                k = (id(infos[ci]), id(cause))
                clause = tied.get(k)
                if clause is None:
                    clause = tied[k] = Clause(infos[ci].text, infos[ci].role, *cause)
                clauses[ci] = clause
        out[t] = clauses
    return out


def _causes(model: CauseModel, unit_counts: Counter[str], assigned: dict[str, tuple[str, float]]) -> list[Cause]:
    """The causes met in this run, biggest first (by unit occurrences), with the best-fitting
    distinct units as examples."""
    members: dict[str, list[tuple[float, str]]] = defaultdict(list)
    sizes: Counter[str] = Counter()
    for text, n in unit_counts.items():
        cid, score = assigned.get(text, _UNPLACED)
        members[cid].append((-score, text))
        sizes[cid] += n
    out = []
    info = {c.id: c for c in model.causes}
    for cid, mem in members.items():
        examples = [t for _, t in sorted(mem)[:3]]
        if cid == OTHER_CAUSE_ID:
            out.append(Cause(OTHER_CAUSE_ID, OTHER_LABEL, None, [], sizes[cid], examples))
        else:
            c = info[cid]
            out.append(Cause(c.id, c.label, c.category, list(c.keywords), sizes[cid], examples))
    return sorted(out, key=lambda c: (c.id == OTHER_CAUSE_ID, -c.size, c.id))


def mine_causes(forms: Sequence[Form], model: ModelLike = None, random_state: int = 0,
                refs: Sequence[ReasonRef] | None = None, mined: MinedTexts | None = None,
                **params: object) -> CauseResult:
    """Mine the causes of these forms' reasons (`refs`, when already extracted) or assign them to a
    saved model's causes; the per-text analyses are let go afterwards (`clauses.forget_texts`):
    nothing after mining uses them."""
    result = mine_reasons(extract_reasons(forms) if refs is None else refs, model, random_state, mined, **params)
    forget_texts()
    return result
