"""The main job: check → mine → link → systemic → plans → targets → reports.

`analyze(load_result, out_dir)` runs every stage on loaded forms and writes report.xlsx,
report.html, plan.docx, report.md and findings.json into `out_dir`. `assemble` runs the stages
after mining (used by `analyze`, and by tests that hand-build the mined causes).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from .advise_plan import Plan, draft_plans
from .advise_targets import ChangedRows, TargetAdvice, TargetConfig, suggest_targets, target_changes
from .checks import CheckConfig, check_forms
from .forked import Forked, can_fork
from .gcpause import gc_paused
from .helper import Helper
from .link import Link, link_causes, total_lost_cents
from .load import LoadResult
from .mine import extract_reasons, mine_causes, text_counts
from .model import Form, ReadError
from .report import docx, html, json_out, markdown, xlsx
from .report.tables import LIMITS, CausePoints, Limits, cause_points
from .results import CauseResult, Finding
from .systemic import SystemicCause, SystemicConfig, rank_systemic

Progress = Callable[[str], None]
T = TypeVar("T")

OUTPUT_FILES = {
    "xlsx": "report.xlsx",
    "html": "report.html",
    "docx": "plan.docx",
    "md": "report.md",
    "json": "findings.json",
}


@dataclass
class AnalyzeConfig:
    systemic: SystemicConfig = field(default_factory=SystemicConfig)
    targets: TargetConfig = field(default_factory=TargetConfig)
    checks: CheckConfig = field(default_factory=CheckConfig)
    limits: Limits = LIMITS  # how much of the long tables each report shows
    # independent stages side by side in a fork where possible (`forked.Forked`): the checks and
    # target decisions beside the mining, findings.json beside the other reports; the same results
    # either way
    parallel: bool = True


def forks_pay(jobs: int) -> bool:
    """Whether the side-by-side stages (`AnalyzeConfig.parallel`) pay with `jobs` cores. When other
    processes read the files, a helper works beside the analysis (`helper`)
    on the second core; a fork needs a third. Measured at 100k forms on 2 cores: 57.5 s and 2.9 GB
    with the forks, 53.0-54.2 s and 1.8 GB in turn."""
    return jobs > 2


@dataclass
class AnalysisResult:
    forms: list[Form]
    errors: list[ReadError]
    files_read: int
    findings: list[Finding]
    causes: CauseResult
    links: list[Link]
    systemic: list[SystemicCause]
    plans: list[Plan]
    targets: TargetAdvice
    outputs: dict[str, Path] = field(default_factory=dict)
    write_seconds: dict[str, float] = field(default_factory=dict)  # seconds each report file took
    seconds: dict[str, float] = field(default_factory=dict)  # seconds each analysis stage took
    # the helper that wrote findings.json's head beside the analysis (`helper`)
    helper: Helper | None = field(default=None, repr=False, compare=False)

    @cached_property
    def lost_cents(self) -> int:
        """Points lost by all indicator rows, in hundredths (attributed points add up to this);
        computed once, as every report shows it."""
        return total_lost_cents(self.forms)

    @cached_property
    def points_by_cause(self) -> list[CausePoints]:
        """Points per cause in Pareto order: the charts and several tables of every report use it."""
        return cause_points(self.links)

    @cached_property
    def row_counts(self) -> tuple[int, int]:
        """(indicator rows, rows that lost points): every report shows them; counted once."""
        rows = lost = 0
        for f in self.forms:
            rows += len(f.indicators)
            lost += sum(1 for i in f.indicators if (i.lost or 0) > 0)
        return rows, lost

    def to_dict(self) -> dict[str, Any]:
        """findings.json: every stage, machine-readable."""
        return {
            "forms": [f.to_dict() for f in self.forms],
            "checks": [f.to_dict() for f in self.findings],
            "causes": {
                "causes": [c.to_dict() for c in self.causes.causes],
                "reasons": [r.to_dict() for r in self.causes.reasons],
            },
            "links": [lk.to_dict() for lk in self.links],
            "systemic": [s.to_dict() for s in self.systemic],
            "plans": [p.to_dict() for p in self.plans],
            "targets": self.targets.to_dict(),
            "errors": [e.to_dict() for e in self.errors],
            "summary": self.summary(),
        }

    def summary(self) -> dict[str, Any]:
        """The headline numbers of findings.json."""
        return {
            "forms": len(self.forms),
            "indicators": self.row_counts[0],
            "points_lost": self.lost_cents / 100,
            "points_attributed": sum(lk.attributed_cents for lk in self.links) / 100,
            "systemic": sum(1 for s in self.systemic if s.systemic),
        }


def _quiet(_: str) -> None:
    return None


def timed(fn: Callable[[], T]) -> Callable[[], tuple[T, float]]:
    """`fn` returning its value and the seconds it took (measured where it runs, fork or not)."""
    def run() -> tuple[T, float]:
        start = time.perf_counter()
        value = fn()
        return value, time.perf_counter() - start
    return run


def assemble(
    load_result: LoadResult,
    findings: list[Finding],
    causes: CauseResult,
    config: AnalyzeConfig | None = None,
    progress: Progress | None = None,
    changed: ChangedRows | Callable[[], ChangedRows] | None = None,
    linked: tuple[list[Link], float] | None = None,
) -> AnalysisResult:
    """The stages after check and mine: link, systemic ranking, plans, target suggestions
    (`changed`: the targets' `target_changes`, when already decided beside the mining; `linked`:
    the links and their seconds, when already made after the mining)."""
    cfg = config or AnalyzeConfig()
    say = progress or _quiet
    forms = load_result.forms
    if linked is None:
        say("关联原因与指标……")
        linked = timed(lambda: link_causes(forms, causes))()
    links, link_s = linked
    say("识别系统性问题……")
    systemic, systemic_s = timed(lambda: rank_systemic(forms, links, causes, findings, cfg.systemic))()
    say("起草改进计划……")
    plans, plans_s = timed(lambda: draft_plans(links, systemic))()
    # not beside the plans in a fork: both read every row, and the pages the two sides copy made it
    # slower than in turn (measured at 100k forms: 18.5 s side by side, 16.8 s in turn)
    if changed is None:
        say("生成下年度目标建议……")
    elif callable(changed):  # decided elsewhere meanwhile: waited for only now
        changed = changed()
    rows = changed
    targets, targets_s = timed(lambda: suggest_targets(forms, findings, cfg.targets, rows))()
    return AnalysisResult(
        forms=forms,
        errors=load_result.errors,
        files_read=load_result.files,
        findings=findings,
        causes=causes,
        links=links,
        systemic=systemic,
        plans=plans,
        targets=targets,
        seconds={"link": link_s, "systemic": systemic_s, "plans": plans_s, "targets": targets_s},
        helper=load_result.helper,
    )


WRITERS: dict[str, Callable[[AnalysisResult, Path, Limits], None]] = {
    "xlsx": xlsx.write_xlsx,
    "html": html.write_html,
    "docx": docx.write_docx,
    "md": markdown.write_markdown,
    "json": json_out.write_json,
}


def _write_files(result: AnalysisResult, out_dir: Path, kinds: list[str], say: Progress,
                 limits: Limits) -> dict[str, float]:
    """Write the given report files in turn; returns the seconds each took."""
    seconds = {}
    for kind in kinds:
        name = OUTPUT_FILES[kind]
        say(f"写出 {name}……")
        _, seconds[kind] = timed(lambda: WRITERS[kind](result, out_dir / name, limits))()  # noqa: B023 - called at once
    return seconds


# findings.json sections encoded by the forked child after the other reports. Sections are written in
# order, so the child's must come last, or the parent stalls waiting for them with its own later
# sections still to do (causes + links, the 3rd and 4th sections, cost 20 s at 100k forms that way).
# targets: ~9 s at 100k, after ~19 s of other reports there; forms..plans ~22 s here.
CHILD_SECTIONS = ("targets",)


def _write_beside(result: AnalysisResult, out_dir: Path, side: list[str], say: Progress,
                  limits: Limits) -> dict[str, float]:
    """The `side` reports, then findings.json's CHILD_SECTIONS, in a forked child; the rest of
    findings.json here, splicing the child's sections in when their turn comes, so that both cores
    stay busy."""
    for kind in side:  # announced here: a child's messages would not reach a caller's capture
        say(f"写出 {OUTPUT_FILES[kind]}（子进程，与 findings.json 并行）……")
    files = {key: out_dir / f".findings.{key}.part" for key in CHILD_SECTIONS}

    def child() -> dict[str, float]:
        done = _write_files(result, out_dir, side, _quiet, limits)
        for key, path in files.items():
            json_out.write_part(result, key, path)
        return done

    job = Forked(child)
    joined: dict[str, float] = {}

    def part(key: str) -> Callable[[], Path]:
        def ready() -> Path:
            if not joined:
                joined.update(job.join())  # waits for the child; raises its error, if any
            return files[key]
        return ready

    say(f"写出 {OUTPUT_FILES['json']}……")
    start = time.perf_counter()
    try:
        json_out.write_json(result, out_dir / OUTPUT_FILES["json"], limits, parts={k: part(k) for k in files})
        if not joined:
            joined.update(job.join())
    except BaseException:
        with suppress(Exception):
            job.join()  # not left behind; this side's error is the one raised
        raise
    finally:
        for path in files.values():
            path.unlink(missing_ok=True)
    return {**joined, "json": time.perf_counter() - start}


def write_reports(result: AnalysisResult, out_dir: Path, progress: Progress | None = None,
                  limits: Limits = LIMITS, parallel: bool = True) -> dict[str, Path]:
    """Write the five report files; returns their paths by kind. With `parallel` (where fork is
    available and memory allows, see `forked`), the four reports for people are written in a forked
    child while this process writes findings.json, the largest: two cores instead of one, the same
    bytes, at the cost of the pages the two sides copy."""
    say = progress or _quiet
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = list(OUTPUT_FILES)
    side = [k for k in kinds if k != "json"]
    if parallel and side and "json" in kinds and can_fork():
        seconds = _write_beside(result, out_dir, side, say, limits)
    else:
        seconds = _write_files(result, out_dir, kinds, say, limits)
    result.write_seconds = {kind: seconds[kind] for kind in kinds}
    result.outputs = {kind: out_dir / OUTPUT_FILES[kind] for kind in kinds}
    return result.outputs


def analyze(
    load_result: LoadResult,
    out_dir: str | Path,
    *,
    model: Any = None,
    config: AnalyzeConfig | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Run every stage on loaded forms and write the reports into `out_dir`."""
    try:
        return _analyze(load_result, Path(out_dir), model, config, progress)
    finally:
        if load_result.helper is not None:  # copied into findings.json by now, or not needed
            load_result.helper.close()


def _analyze(load_result: LoadResult, out_dir: Path, model: Any, config: AnalyzeConfig | None,
             progress: Progress | None) -> AnalysisResult:
    cfg = config or AnalyzeConfig()
    say = progress or _quiet
    forms = load_result.forms
    helper, refs = load_result.helper, None
    if helper is not None and not helper.open:  # used up by an earlier run on these forms
        helper = None
    if helper is not None:  # the helper mines the distinct texts while the checks run here, then
        refs = extract_reasons(forms)  # writes findings.json's head
        helper.mine(text_counts(refs), model)
        out_dir.mkdir(parents=True, exist_ok=True)
        helper.start(out_dir / f".{OUTPUT_FILES['json']}.head")
    with gc_paused():
        say(f"校验 {len(forms)} 张自评表……")
        forking = cfg.parallel and can_fork()
        if forking:
            say("挖掘偏差原因（与校验、下年度目标建议并行）……")

        def check_and_decide() -> Iterator[tuple[Any, float]]:
            # the target advice needs the findings only, not the causes: decided beside the mining
            # too (100k forms: check 6-7 s + targets 6-7 s, mine + link ~8 s). The findings go to
            # the parent as soon as they are made: it ranks and plans with them meanwhile
            checked = timed(lambda: check_forms(forms, config=cfg.checks))()
            yield checked
            if not forking:
                say("生成下年度目标建议……")
            yield timed(lambda: target_changes(forms, checked[0], cfg.targets))()

        waits: dict[str, float] = {}  # this process waiting for the helper

        def mine_and_link() -> tuple[CauseResult, float, tuple[list[Link], float]]:
            # the links need the causes only, not the findings: made here while the child still
            # checks and decides
            if not forking:
                say("挖掘偏差原因……")
            # (the helper's mining: waited for apart, so that `mine` is this process's own time)
            mined, waited = timed(helper.mined)() if helper is not None else (None, 0.0)
            causes, mine_s = timed(lambda: mine_causes(forms, model, refs=refs, mined=mined))()
            waits["mine"] = waited
            say("关联原因与指标……")
            return causes, mine_s, timed(lambda: link_causes(forms, causes))()

        decided: dict[str, float] = {}
        job = Forked(check_and_decide, items=True) if forking else None
        take = job.receive if job is not None else check_and_decide().__next__
        try:
            if job is None:
                findings, check_s = take()  # in turn: the checks first
            causes, mine_s, linked = mine_and_link()
            if job is not None:
                findings, check_s = take()

            def changed() -> ChangedRows:
                rows, decided["targets"] = take()
                return rows

            result = assemble(load_result, findings, causes, cfg, say, changed, linked)
            if job is not None:
                job.join()
        except BaseException:
            if job is not None:
                with suppress(Exception):
                    job.join()  # not left behind; this side's error is the one raised
            raise
        result.seconds = {"check": check_s, "mine": mine_s, **result.seconds,
                          **{f"{stage}_wait": s for stage, s in waits.items()}}
        result.seconds["targets"] += decided["targets"]
        write_reports(result, out_dir, say, cfg.limits, parallel=cfg.parallel)
    return result
