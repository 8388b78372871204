"""How well does cause mining recover the causes a person intended? (not a unit test)

Corpus: corpora/labelled/reasons.jsonl, reason texts written in the style of real forms, each with
the cause its author intended. For each miner setting, every text is mined (clauses → cause
units → clusters) and its first cause is compared with the intended one:
- ARI (adjusted Rand index) and V-measure (homogeneity / completeness) of the grouping;
- label quality: labels of 2–10 characters, and the character-bigram Dice overlap of each
  cause's label with the intended cause most of its members carry;
- held-out: fit a model on two thirds, assign the last third (accuracy through the majority
  mapping of each cause, and the share sent to 其他/新原因).

Run: python bench/bench_causes.py [--threshold 0.9 ...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, homogeneity_completeness_v_measure

from reason_miner.mine import CauseMiner, mine_reasons, reasons_from_texts
from reason_miner.results import OTHER_CAUSE_ID
from reason_miner.vocab import corpora_dir


def load_corpus() -> list[dict[str, str]]:
    path = corpora_dir() / "labelled" / "reasons.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def dice(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def synth_rows(n_forms: int) -> list[dict[str, str]]:
    """Reasons of the synthetic corpus (another author's cause grammar, corpora/synth/) with one drawn cause."""
    from reason_miner.synth import generate
    from reason_miner.vocab import load_json

    names = {c["id"]: c["label"] for c in load_json("synth/reasons.json")["causes"]}
    return [
        {"text": row.reason, "cause": names.get(row.causes[0], row.causes[0])}
        for form in generate(n_forms)
        for row in form.rows
        if row.reason and len(row.causes) == 1
    ]


def evaluate(rows: list[dict[str, str]], **params: object) -> dict[str, object]:
    texts = [r["text"] for r in rows]
    truth = [r["cause"] for r in rows]
    t0 = time.perf_counter()
    result = mine_reasons(reasons_from_texts(texts, "reasons.jsonl"), **params)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    pred = [(a.cause_ids or ["none"])[0] for a in result.reasons]
    h, c, v = homogeneity_completeness_v_measure(truth, pred)
    members: dict[str, list[str]] = defaultdict(list)
    for p, t in zip(pred, truth, strict=True):
        members[p].append(t)
    labels = {c.id: c for c in result.causes}
    dices, ok_len, rows_out = [], 0, []
    for cid, ts in sorted(members.items(), key=lambda kv: -len(kv[1])):
        if cid not in labels:
            continue
        intended, n = Counter(ts).most_common(1)[0]
        label = labels[cid].label
        ok_len += 2 <= len(label) <= 10
        dices.append(dice(label, intended))
        rows_out.append(f"    {cid:>4} {label:<12} {len(ts):>3}  主要意图={intended}({n})")
    return {
        "texts": len(texts),
        "causes": len(result.causes),
        "ARI": round(adjusted_rand_score(truth, pred), 3),
        "homogeneity": round(h, 3),
        "completeness": round(c, 3),
        "V": round(v, 3),
        "label_len_ok": round(ok_len / max(1, len(dices)), 3),
        "label_dice": round(sum(dices) / max(1, len(dices)), 3),
        "label_overlap": round(sum(d > 0 for d in dices) / max(1, len(dices)), 3),
        "vague": sum(a.vague for a in result.reasons),
        "seconds": round(seconds, 2),
        "_clusters": rows_out,
    }


def held_out(rows: list[dict[str, str]], **params: object) -> dict[str, object]:
    train = [r for i, r in enumerate(rows) if i % 3 != 2]
    test = [r for i, r in enumerate(rows) if i % 3 == 2]
    fit = mine_reasons(reasons_from_texts([r["text"] for r in train], "train"), **params)  # type: ignore[arg-type]
    majority: dict[str, Counter[str]] = defaultdict(Counter)
    for a, r in zip(fit.reasons, train, strict=True):
        majority[(a.cause_ids or ["none"])[0]][r["cause"]] += 1
    miner = CauseMiner(**params).fit(  # type: ignore[arg-type]
        [u for r in train for u in _units(r["text"])]
    )
    got = mine_reasons(reasons_from_texts([r["text"] for r in test], "test"), model=miner)
    hits = other = 0
    for a, r in zip(got.reasons, test, strict=True):
        cid = (a.cause_ids or ["none"])[0]
        other += cid == OTHER_CAUSE_ID
        hits += bool(majority.get(cid)) and majority[cid].most_common(1)[0][0] == r["cause"]
    return {"test_texts": len(test), "accuracy": round(hits / len(test), 3), "other_share": round(other / len(test), 3)}


def _units(text: str) -> list[str]:
    from reason_miner.clauses import analyse_text

    return [u.text for u in analyse_text(text).units]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, nargs="*", default=[0.9])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--synth", type=int, default=300, help="forms of the synthetic corpus to mine too (0: none)")
    args = ap.parse_args()
    rows = load_corpus()
    print(
        f"语料：{len(rows)} 条，意图原因 {len({r['cause'] for r in rows})} 类，来源 {Path('corpora/labelled/reasons.jsonl')}"
    )
    settings = {
        "默认（词+字+分类种子特征，分类命名）": {},
        "纯挖掘（无分类种子特征，挖掘命名）": {"taxonomy_weight": 0.0, "label_from_taxonomy": False},
    }
    for name, extra in settings.items():
        for t in args.threshold:
            params = {"distance_threshold": t, **extra}
            m = evaluate(rows, **params)
            clusters = m.pop("_clusters")
            print(f"\n{name} threshold={t}")
            print("  " + json.dumps(m, ensure_ascii=False))
            print("  held-out " + json.dumps(held_out(rows, **params), ensure_ascii=False))
            if args.verbose:
                print("\n".join(clusters))  # type: ignore[arg-type]
    if args.synth:
        srows = synth_rows(args.synth)
        print(
            f"\n合成语料（reason_miner.synth，{args.synth} 张表）：{len(srows)} 条单一原因文本，"
            f"{len({r['cause'] for r in srows})} 类"
        )
        for name, extra in settings.items():
            m = evaluate(srows, distance_threshold=args.threshold[0], **extra)  # type: ignore[arg-type]
            m.pop("_clusters")
            print(f"  {name}: " + json.dumps(m, ensure_ascii=False))


if __name__ == "__main__":
    main()
