"""Benchmark of the whole pipeline on generated corpora of growing size, against a plain baseline.

    python bench/bench_pipeline.py                       # 1k, 10k and 100k forms, text dumps
    python bench/bench_pipeline.py --sizes 1000,10000 --format flat-csv --jobs 2

Each size runs in a fresh child process, so that peak memory is that size's own. Stages:
read (files → grids) and interpret (grids → forms) run in `--jobs` local processes, exactly as
the analyze command's `load_input(jobs=N, helper=True)`; their CPU seconds are summed over the
workers, and `load` is the wall time of both. The helper's two jobs beside the analysis (mining the
distinct texts, findings.json's head) are listed with their own times. segment = clause analysis and
word segmentation of each distinct reason text, timed after the run in a forked copy with the text
caches emptied (the mining in analyze segments as the command does); `whole` is load + analyze. check, mine, link, advise
(systemic causes, plans, target suggestions) and report (writing the five report files) are timed
inside `reason_miner.analyze.analyze` from its progress messages.
Peak memory: the largest sum, sampled every 0.2 s, of the proportional set sizes (PSS) of the child
and all its descendants (reading workers, the helper and its miner, forked stages; shared pages
counted once).

Baseline, on the same reason texts in the same run: jieba.lcut on every text (no dedup),
scikit-learn TfidfVectorizer, KMeans for k in 2..--baseline-kmax with k chosen by silhouette
(silhouette on a seeded sample of 10,000 texts: an exact silhouette is quadratic in the texts).

Corpora are cached under bench/results/corpus/ (gitignored); results are written to
bench/results/bench-<format>.json as well as printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))  # run from a fresh clone without installing: reason_miner and tests.writers

from reason_miner import synth  # noqa: E402
from reason_miner.sources import default_jobs  # noqa: E402

STAGES = ("read", "interpret", "load", "check", "segment", "mine", "link", "advise", "report", "analyze", "whole")
REPORT_FILES = ("report.xlsx", "report.html", "plan.docx", "report.md", "findings.json")
# the helper's jobs beside the analysis: the distinct texts mined, findings.json's head (through the forms)
HELPER_JOBS = {"mine": "  mine (helper)", "head": "  forms (helper)"}
MINE_WAIT = "  mine (waited)"
ADVISE_PARTS = ("  systemic", "  plans", "  targets")  # advise's parts (AnalysisResult.seconds)
# analyze() announces each stage with a progress message; a message starting with one of these opens it
PROGRESS_STAGES = (
    ("校验", "check"),
    ("挖掘", "mine"),
    ("关联", "link"),
    ("识别", "advise"),
    ("起草", "advise"),
    ("生成", "advise"),
    ("写出", "report"),
)


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:  # the process ended meanwhile
        pass
    return 0


def _tree_pss_kib(root: int, skip: int = -1) -> int:
    import psutil  # installed with dask.distributed

    try:
        pids = [root] + [c.pid for c in psutil.Process(root).children(recursive=True)]
    except psutil.Error:  # the root ended
        return 0
    return sum(_pss_kib(pid) for pid in pids if pid != skip)


def _sample_tree(root: int, peak: Any) -> None:
    """The sampling process's life: the tree's PSS every 0.2 s, its maximum kept in `peak`."""
    me = os.getpid()
    while True:
        peak.value = max(peak.value, _tree_pss_kib(root, skip=me))
        time.sleep(0.2)


class _TreeMemory:
    """The peak of the memory of this process and all its descendants together (reading workers,
    the forked report writer), sampled every 0.2 s from the run's start. Each process counts its
    proportional set size (PSS, /proc/PID/smaps_rollup): pages shared after a fork count once, so
    the sum is what the run really occupies. The sampling runs in a small process of its own,
    started before anything is loaded: a thread here would take the GIL from the run it measures
    (~3 s of 58 at 100k forms). Without /proc, the largest single resident set."""

    def __init__(self) -> None:
        import multiprocessing

        self._proc = Path("/proc/self/smaps_rollup").exists()
        self._seen = 0
        if self._proc:
            ctx = multiprocessing.get_context("fork")
            self._peak = ctx.Value("q", 0, lock=False)  # shared memory, written by the sampler only
            sampler = ctx.Process(target=_sample_tree, args=(os.getpid(), self._peak), daemon=True)
            sampler.start()
            self._sampler = sampler.pid or -1

    def peak_mb(self) -> float:
        if self._proc:  # and a sample now, so that a stage's end is seen
            self._seen = max(self._seen, _tree_pss_kib(os.getpid(), skip=self._sampler))
            return max(self._peak.value, self._seen) / 1024  # the sampler alone writes _peak
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return max(own, children) / 1024  # Linux reports KiB


_MEMORY: _TreeMemory | None = None


def peak_mb() -> float:
    global _MEMORY
    if _MEMORY is None:
        _MEMORY = _TreeMemory()
    return _MEMORY.peak_mb()


# ---- corpora ------------------------------------------------------------------------------------


def corpus(n: int, fmt: str, seed: int, jobs: int) -> Path:
    """The cached corpus of n forms; (re)generated when missing or incomplete."""
    folder = RESULTS / "corpus" / f"{fmt}-{n}-seed{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        start = time.perf_counter()
        synth.write_corpus(folder, n, fmt, config=synth.SynthConfig(seed=seed), jobs=jobs)
        marker.write_text(f"{time.perf_counter() - start:.2f}\n")
        print(f"  生成语料 {n} 张（{fmt}）：{time.perf_counter() - start:.1f} 秒 → {folder}", file=sys.stderr)
    return folder


# ---- one size, in a child process ---------------------------------------------------------------

_read_seconds = 0.0
_patched = False


def _patch_reader() -> None:
    """Wrap the reader used by load_file so that this worker knows its read time."""
    global _patched
    if _patched:
        return
    import importlib

    load_mod = importlib.import_module("reason_miner.load")  # the package exports a function of that name
    real = load_mod.read_file

    def timed(path: Path) -> Any:
        global _read_seconds
        t = time.process_time()
        try:
            return real(path)
        finally:
            _read_seconds += time.process_time() - t

    load_mod.read_file = timed  # type: ignore[attr-defined]
    _patched = True


_cpu: Any = None  # the workers' CPU seconds (reading, all), shared: set before the workers are forked
_load_one_packed: Callable[[str], Any] | None = None  # the real one, while _timed_packed stands in


def _timed_packed(path: str) -> Any:
    """`sources.load_one_packed`, adding its CPU seconds (and those of reading) to `_cpu`."""
    global _read_seconds
    assert _load_one_packed is not None
    _patch_reader()
    _read_seconds = 0.0
    t = time.process_time()
    result = _load_one_packed(path)
    with _cpu.get_lock():
        _cpu[0] += _read_seconds
        _cpu[1] += time.process_time() - t
    return result


def _load_timed(folder: Path, jobs: int) -> tuple[Any, float, float]:
    """`load_input(jobs=N)` as `analyze` calls it, plus the workers' CPU seconds spent reading and in all."""
    import multiprocessing

    from reason_miner import sources

    global _cpu, _load_one_packed
    _cpu = multiprocessing.get_context("fork").Array("d", 2)
    _load_one_packed, sources.load_one_packed = sources.load_one_packed, _timed_packed  # type: ignore[assignment]
    try:
        loaded = sources.load_input([folder], jobs=jobs, helper=True)
    finally:
        sources.load_one_packed = _load_one_packed  # type: ignore[assignment]
    return loaded, _cpu[0], _cpu[1]


class _Stop(Exception):
    """Raised from analyze()'s progress callback to stop the run before the stage named by --until."""


def run_size(folder: Path, jobs: int, kmax: int, baseline: bool, reports: str, until: str | None,
             stages: str = "auto") -> dict[str, Any]:
    import importlib

    from reason_miner.analyze import OUTPUT_FILES, AnalyzeConfig, analyze, forks_pay

    if reports == "json":  # write findings.json only: the other report writers are left out of the run
        analyze_mod = importlib.import_module("reason_miner.analyze")
        analyze_mod.OUTPUT_FILES = {"json": "findings.json"}  # type: ignore[attr-defined]
    from reason_miner import clauses
    from reason_miner import segment as segment_mod
    from reason_miner.clauses import analyse_text
    from reason_miner.forked import Forked, fork_available
    from reason_miner.mine import extract_reasons

    times: dict[str, float] = {}
    mem: dict[str, float] = {}
    peak_mb()  # the sampling starts before the reading workers do
    start = time.perf_counter()
    loaded, read_cpu, load_cpu = _load_timed(folder, jobs)
    times["load"] = time.perf_counter() - start
    times["read"], times["interpret"] = read_cpu, load_cpu - read_cpu
    mem["read"] = mem["interpret"] = mem["load"] = peak_mb()

    marks: list[tuple[str, float]] = []

    def progress(message: str) -> None:
        stage = next((s for prefix, s in PROGRESS_STAGES if message.startswith(prefix)), None)
        if stage and until and STAGES.index(stage) > STAGES.index(until):
            raise _Stop
        if stage:
            marks.append((stage, time.perf_counter()))
            mem[stage] = peak_mb()

    parallel = stages == "forked" or stages == "auto" and forks_pay(jobs)
    t = time.perf_counter()
    failure = None
    stage_seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as out_dir:
        try:
            result = analyze(loaded, out_dir, progress=progress, config=AnalyzeConfig(parallel=parallel))
            for kind, seconds in result.write_seconds.items():  # each report file (some in parallel)
                times[f"  {OUTPUT_FILES[kind]}"] = seconds
            stage_seconds = result.seconds  # each stage's own time, where it ran (some side by side)
        except _Stop:
            failure = f"按 --until {until} 在其后停止"
        except Exception as exc:  # a failing stage is reported with the timings of those before it
            failure = f"{marks[-1][0].strip() if marks else 'analyze'}: {type(exc).__name__}: {exc}"
            print(f"  analyze 失败：{failure}", file=sys.stderr)
        end = time.perf_counter()
    times["analyze"] = end - t
    mem["analyze"] = peak_mb()
    if marks:
        for (stage, at), (_, nxt) in zip(marks, [*marks[1:], ("end", end)], strict=True):
            times[stage] = times.get(stage, 0.0) + (nxt - at)
    for i in range(len(marks)):  # memory at a stage's end is the peak seen when the next one started
        nxt_stage = marks[i + 1][0] if i + 1 < len(marks) else None
        mem[marks[i][0]] = mem.get(nxt_stage, mem["analyze"]) if nxt_stage else mem["analyze"]
    for stage in ("check", "mine", "link"):  # their own times: check and mine overlap
        if stage in stage_seconds:
            times[stage] = stage_seconds[stage]
    if "mine_wait" in stage_seconds:  # mine waiting for the helper's mining (not in `mine`)
        times[MINE_WAIT] = stage_seconds["mine_wait"]
    for part in ADVISE_PARTS:
        if part.strip() in stage_seconds:
            times[part] = stage_seconds[part.strip()]
    times["whole"] = end - start
    mem["whole"] = peak_mb()

    # Not part of the run, so measured after it (before it, its time would let the helper that encodes
    # findings.json's forms section start early): in a fork, with the caches of the texts emptied
    texts = [r.text for r in extract_reasons(loaded.forms)]

    def segment() -> float:
        for cached in (analyse_text, clauses.classify, clauses._unit, segment_mod.tokens, segment_mod.content_words):
            cached.cache_clear()  # what analyze's mining met: cold, as before it
        t = time.perf_counter()
        for text in dict.fromkeys(texts):
            analyse_text(text)
        return time.perf_counter() - t

    times["segment"] = Forked(segment).join() if fork_available() else segment()
    mem["segment"] = peak_mb()
    if loaded.helper is not None:  # its jobs' own times
        for job, label in HELPER_JOBS.items():
            if job in loaded.helper.seconds:
                times[label] = loaded.helper.seconds[job]
    stats = {
        "forms": len(loaded.forms),
        "indicators": sum(len(f.indicators) for f in loaded.forms),
        "reasons": len(texts),
        "distinct_reasons": len(set(texts)),
        "errors": len(loaded.errors),
    }
    out: dict[str, Any] = {"times": times, "memory_mb": mem, "stats": stats, "failure": failure}
    if baseline:
        del loaded
        out["baseline"] = run_baseline(texts, kmax)
    return out


def run_baseline(texts: list[str], kmax: int) -> dict[str, Any]:
    """jieba.lcut on every text, TfidfVectorizer, KMeans with k chosen by silhouette."""
    import jieba
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score

    jieba.setLogLevel(60)
    jieba.initialize()
    times: dict[str, float] = {}
    t = time.perf_counter()
    tokens = [jieba.lcut(text) for text in texts]
    times["segment"] = time.perf_counter() - t
    t = time.perf_counter()
    x = TfidfVectorizer(
        tokenizer=lambda d: d, preprocessor=lambda d: d, token_pattern=None, lowercase=False
    ).fit_transform(tokens)
    times["tfidf"] = time.perf_counter() - t
    t = time.perf_counter()
    best = (-2.0, 0)
    for k in range(2, min(kmax, len(texts) - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit_predict(x)
        score = silhouette_score(x, labels, sample_size=min(10_000, len(texts)), random_state=0)
        best = max(best, (float(score), k))
    times["kmeans"] = time.perf_counter() - t
    times["total"] = sum(times.values())
    return {"times": times, "k": best[1], "silhouette": round(best[0], 4), "memory_mb": peak_mb()}


def child(args: argparse.Namespace) -> None:
    result = run_size(Path(args.child), args.jobs, args.baseline_kmax, not args.no_baseline, args.reports, args.until,
                      args.stages)
    sys.stdout.write(json.dumps(result) + "\n")


# ---- per-format reading rates -------------------------------------------------------------------


def format_rates(n: int, seed: int) -> dict[str, dict[str, float]]:
    """forms/s read+interpreted serially in one process, per format (docx/pdf via tests/writers.py)."""
    from reason_miner import load

    folder = RESULTS / "formats" / f"{n}-seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    config = synth.SynthConfig(seed=seed)
    files: dict[str, list[Path]] = {}
    for fmt in ("text", "flat-csv", "xlsx", "flat-xlsx"):
        files[fmt] = synth.write_corpus(folder / fmt, n, fmt, config=config, forms_per_file=min(n, 10))
    forms = load(files["text"]).forms
    writers = _doc_writers()
    for fmt, write in writers.items():
        sub = folder / fmt
        sub.mkdir(exist_ok=True)
        files[fmt] = [write(forms[i : i + 10], sub / f"synth_{i // 10:05d}.{fmt}") for i in range(0, len(forms), 10)]
    rates = {}
    for fmt, paths in files.items():
        t = time.perf_counter()
        result = load(paths)
        dt = time.perf_counter() - t
        rates[fmt] = {"forms": len(result.forms), "seconds": dt, "forms_per_s": len(result.forms) / dt if dt else 0.0}
    return rates


def _doc_writers() -> dict[str, Callable[..., Path]]:
    try:
        from tests.writers import write_docx, write_pdf
    except ImportError:  # the test helpers are not there: rates for the other formats only
        print("  未找到 tests/writers.py，跳过 docx/pdf 读取速度", file=sys.stderr)
        return {}
    return {"docx": write_docx, "pdf": write_pdf}


# ---- the table ----------------------------------------------------------------------------------


def print_table(rows: dict[int, dict[str, Any]], jobs: int, fmt: str) -> None:
    sizes = sorted(rows)
    print(f"\n流水线各阶段用时（秒）与峰值内存（MB）；格式 {fmt}，--jobs {jobs}，{os.cpu_count()} 核")
    print("read/interpret 为各进程 CPU 秒之和；load 为二者的实际用时。check 与下年度目标建议的判定、mine（含分词）、")
    print("findings.json 与其他报告在 --jobs 大于 2 且内存允许时分两个进程同时运行（各自的用时）；辅助进程在读取后与分析同时")
    print("挖掘各不同原因文本（mine (helper)；mine 为本进程汇总各条原因的用时，mine (waited) 为等待辅助进程的用时）")
    print("并写出 findings.json 至 forms 为止的开头")
    print("（forms (helper)）；segment 在运行结束后单独测量（不计入 whole），")
    print("report、analyze、whole 为实际用时。")
    header = "阶段".ljust(16) + "".join(f"{n:>10,d} 张".rjust(26) for n in sizes)
    print(header)
    print(" " * 16 + "".join("时间(s)".rjust(14) + "峰值(MB)".rjust(12) for _ in sizes))
    for stage in [*STAGES[:6], HELPER_JOBS["mine"], MINE_WAIT, *STAGES[6:8], *ADVISE_PARTS, STAGES[8],
                  *(f"  {f}" for f in REPORT_FILES), HELPER_JOBS["head"], *STAGES[9:]]:
        if all(stage not in rows[n]["times"] for n in sizes):
            continue
        line = stage.ljust(16)
        for n in sizes:
            t = rows[n]["times"].get(stage)
            m = rows[n]["memory_mb"].get(stage)
            line += (f"{t:14.2f}" if t is not None else " " * 14) + (f"{m:12.0f}" if m is not None else " " * 12)
        print(line)
    print()
    for n in sizes:
        s = rows[n]["stats"]
        print(
            f"{n:>8,d} 张：{s['indicators']:,d} 条指标，{s['reasons']:,d} 条原因（不同文本 {s['distinct_reasons']:,d}），"
            f"整体 {s['forms'] / rows[n]['times']['whole']:.0f} 张/秒"
        )
        if rows[n].get("failure"):
            print(f"          注意：analyze 未完整运行（{rows[n]['failure']}），其后各阶段没有用时")
        b = rows[n].get("baseline")
        if b:
            # extraction, segmentation and mining, as analyze runs them: the helper's share counted too
            ours = rows[n]["times"]["mine"] + rows[n]["times"].get(HELPER_JOBS["mine"], 0.0)
            bt = b["times"]
            print(
                f"          基线（jieba.lcut + TF-IDF + KMeans，k={b['k']}）：分词 {bt['segment']:.2f} + TF-IDF {bt['tfidf']:.2f}"
                f" + KMeans/轮廓系数 {bt['kmeans']:.2f} = {bt['total']:.2f} 秒，峰值 {b['memory_mb']:.0f} MB；"
                f"本工具挖掘（含分词；辅助进程与本进程之和）{ours:.2f} 秒 → 基线慢 {bt['total'] / ours:.1f} 倍"
                f"（对比整个 analyze：{bt['total'] / rows[n]['times']['analyze']:.1f} 倍）"
            )


def main() -> None:
    p = argparse.ArgumentParser(description="reason-miner 性能基准：各阶段用时、峰值内存、与朴素基线的对比")
    p.add_argument("--sizes", default="1000,10000,100000", help="自评表数量，逗号分隔（默认 1000,10000,100000）")
    p.add_argument("--format", default="text", choices=synth.FORMATS, help="语料格式（默认 text 文本导出）")
    p.add_argument("--jobs", type=int, default=default_jobs(), help="并行进程数（默认全部 CPU 核）")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--baseline-kmax", type=int, default=20, help="基线 KMeans 的最大 k")
    p.add_argument("--no-baseline", action="store_true", help="不运行基线")
    p.add_argument(
        "--reports", default="all", choices=("all", "json"), help="all：写出全部五个报告；json：只写 findings.json"
    )
    p.add_argument("--stages", default="auto", choices=("auto", "in-turn", "forked"),
                   help="auto：同 analyze（--jobs 大于 2 时分叉并行）；in-turn：分析与报告依次运行（analyze --low-memory）；"
                        "forked：分叉并行（内存允许时）。读取都按 --jobs")
    p.add_argument("--format-rates", type=int, default=200, help="各格式读取速度所用的自评表数量（0 为跳过）")
    p.add_argument(
        "--until",
        default=None,
        choices=("check", "mine", "link", "advise"),
        help="analyze 只运行到该阶段为止（规模过大、后续阶段跑不完时使用）",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    rows: dict[int, dict[str, Any]] = {}
    for n in sizes:
        folder = corpus(n, args.format, args.seed, args.jobs)
        print(f"  运行 {n} 张……", file=sys.stderr)
        cmd = [sys.executable, __file__, "--child", str(folder), "--jobs", str(args.jobs),
               "--baseline-kmax", str(args.baseline_kmax), "--reports", args.reports]  # fmt: skip
        if args.until:
            cmd += ["--until", args.until]
        if args.no_baseline:
            cmd.append("--no-baseline")
        cmd += ["--stages", args.stages]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(f"{n} 张的基准运行失败（退出码 {proc.returncode}）")
        rows[n] = json.loads(proc.stdout.strip().splitlines()[-1])
        (RESULTS / f"bench-{args.format}-{n}{'' if args.stages == 'auto' else '-' + args.stages}.json").write_text(json.dumps(rows[n], ensure_ascii=False, indent=2))
    print_table(rows, args.jobs, args.format)
    if args.format_rates:
        rates = format_rates(args.format_rates, args.seed)
        (RESULTS / "format-rates.json").write_text(json.dumps(rates, ensure_ascii=False, indent=2))
        print(f"\n各格式读取速度（单进程，{args.format_rates} 张）：")
        for fmt, r in rates.items():
            print(f"  {fmt:<10} {r['forms_per_s']:8.1f} 张/秒（{r['forms']} 张，{r['seconds']:.2f} 秒）")


if __name__ == "__main__":
    main()
