"""Mining works once per distinct text and cause unit: the results must be those of the plain
per-reason computation (boilerplate places, clause causes, cause sizes), the clustering cut must be
scikit-learn's, and the shared objects must really be shared."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics.pairwise import cosine_distances
from sklearn.preprocessing import normalize

from reason_miner import LoadResult
from reason_miner.cause_model import Featurizer, Taxonomy
from reason_miner.clauses import analyse_text
from reason_miner.mine import BOILERPLATE_PLACES, CauseMiner, ReasonRef, mine_causes, mine_reasons, reasons_from_texts
from reason_miner.normalize import key
from reason_miner.results import OTHER_CAUSE_ID, Clause
from reason_miner.vocab import corpora_dir

# a province's year in small: each text several times, in a shuffled order, plus a copy of one text
# that differs only in the width of its punctuation (the same text to a reader: boilerplate)
BASE = [
    "受疫情影响，线下培训未能开展，下一步将加强线上培训",
    "因疫情防控需要，体检工作暂停，需做好应急预案",
    "上级资金下达较晚，补助未能按期发放，将加快资金拨付",
    "由于省级补助资金11月才下达，执行率偏低",
    "小型文化活动因场地人员等原因，开展次数未达标，需加强活动前期准备安排工作",
    "活动项目需更加丰富",
    "因场地人员安排调度原因，活动未能及时开展；下一步将合理安排场地人员",
    "设备采购招标流程较长，项目进度滞后，将提前谋划采购",
]
WIDE = "受疫情影响,线下培训未能开展,下一步将加强线上培训"  # ASCII commas: the same key as BASE[0]


def corpus() -> list[str]:
    rng = np.random.default_rng(7)
    texts = [t for i, t in enumerate(BASE) for _ in range(1 + i % 4 * 3)] + [WIDE] * 2
    return [texts[i] for i in rng.permutation(len(texts))]


def refs_of(texts: list[str]) -> list[ReasonRef]:
    return reasons_from_texts(texts, "x.jsonl")


def test_boilerplate_lists_the_first_other_places_in_reason_order() -> None:
    texts = corpus()
    refs = refs_of(texts)
    result = mine_reasons(refs)
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        groups.setdefault(key(t), []).append(i)
    for i, (r, text) in enumerate(zip(result.reasons, texts, strict=True)):
        same = groups[key(text)]
        assert r.boilerplate_count == len(same) - 1
        assert r.boilerplate == [refs[j].source for j in same if j != i][:BOILERPLATE_PLACES]
    wide = texts.index(WIDE)
    assert result.reasons[wide].boilerplate_count == texts.count(WIDE) + texts.count(BASE[0]) - 1


def test_clauses_carry_the_causes_of_their_units_and_sizes_count_occurrences() -> None:
    texts = corpus()
    units = [u.text for t in texts for u in analyse_text(t).units]
    miner = CauseMiner(random_state=0).fit(units)
    result = mine_reasons(refs_of(texts), miner)
    expected = dict(zip(units, miner.predict(units), strict=True))
    for r in result.reasons:
        for u in analyse_text(r.text).units:
            assert {r.clauses[i].cause_id for i in u.clauses} == {expected[u.text]}
        assert all(c.cause_id is None for i, c in enumerate(r.clauses)
                   if not any(i in u.clauses for u in analyse_text(r.text).units))
    sizes = Counter(expected[u] for u in units)
    assert {c.id: c.size for c in result.causes} == dict(sizes)
    assert sum(c.size for c in result.causes) == len(units)


def test_reasons_share_clause_lists_and_equal_clauses() -> None:
    texts = corpus()
    result = mine_reasons(refs_of(texts))
    first: dict[str, list[Clause]] = {}
    for r in result.reasons:
        assert first.setdefault(r.text, r.clauses) is r.clauses  # the same text: the same list
    by_value: dict[tuple[object, ...], int] = {}
    for r in result.reasons:
        for c in r.clauses:
            assert by_value.setdefault((c.text, c.role, c.cause_id, c.score), id(c)) == id(c)
    distinct_texts = {r.text: r.clauses for r in result.reasons}.values()
    assert len(by_value) < sum(len(c) for c in distinct_texts)  # shared across texts, too


def test_fit_on_counts_is_fit_on_every_occurrence() -> None:
    texts = [json.loads(line)["text"] for line in (corpora_dir() / "labelled" / "reasons.jsonl").read_text("utf-8").splitlines()]
    repeated = [t for i, t in enumerate(texts) for _ in range(1 + i % 3)]
    listed = CauseMiner(random_state=0, max_fit=60)
    ids = listed.fit_predict(repeated)
    counted = CauseMiner(random_state=0, max_fit=60)
    assigned = counted.fit_counts(Counter(repeated))
    assert [assigned.get(t, (OTHER_CAUSE_ID, 0.0))[0] for t in repeated] == ids
    assert listed.model_ is not None and counted.model_ is not None
    assert listed.model_.summary == counted.model_.summary
    assert [c.label for c in listed.causes_] == [c.label for c in counted.causes_]


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.9, 0.99])
def test_clusters_are_cut_as_scikit_learn_cuts_them(threshold: float) -> None:
    rng = np.random.default_rng(3)
    dense = (rng.random((160, 40)) < 0.08) * rng.random((160, 40))
    dense[10:20] = dense[0]  # exact duplicates: zero distances and tied merges
    dense[:, 0] += dense.sum(axis=1) == 0  # no empty rows
    x = sp.csr_matrix(normalize(dense))
    ours = CauseMiner(distance_threshold=threshold)._cluster(x)
    dist = np.clip(cosine_distances(x), 0.0, 2.0)
    theirs = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="precomputed", linkage="average"
    ).fit_predict(dist)
    pairs = {(int(a), int(b)) for a, b in zip(ours, theirs, strict=True)}
    assert len(pairs) == len(set(ours.tolist())) == len(set(theirs.tolist()))  # the same partition


def test_seed_hits_are_substring_matches() -> None:
    taxonomy = Taxonomy.from_dict({"version": "t", "categories": [
        {"id": "a", "name": "资金", "seeds": ["资金", "资金下达", "拨付"]},
        {"id": "b", "name": "空", "seeds": []},
        {"id": "c", "name": "特殊", "seeds": ["a+b", "(疫情)", "疫"]},
    ]})
    feat = Featurizer.fit([("资金",)], taxonomy)
    cases = [("上级", "资金下达"), ("拨付",), ("a+b",), ("ab",), ("(疫情)",), ("疫情",), (), ("资", "金")]
    for focus in cases:
        s = "".join(focus)
        assert feat.seed_hits(focus) == [i for i, c in enumerate(taxonomy.categories) if any(x in s for x in c.seeds)]


def test_units_are_shared_between_texts_and_analyses_let_go_after_a_batch(sample: LoadResult) -> None:
    a = analyse_text("因场地人员等原因，开展次数未达标")
    b = analyse_text("因场地人员等原因，开展次数未达标，需加强活动前期准备安排工作")
    assert a.units[0] is b.units[0]
    mine_causes(sample.forms)
    assert analyse_text.cache_info().currsize == 0
