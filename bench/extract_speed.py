"""Extraction speed on one core, side by side with underthesea ``word_tokenize`` on the same texts.

    python -m bench.extract_speed [--n 300] [--seed 7] [--rounds 3] [--json PATH] [--check] [--profile]

Generates ``--n`` articles of 300–1,500 words (:mod:`bench.generate`), pins the process to one CPU,
loads both sides once (the one-off load time is reported apart), then times in the same process, for
``--rounds`` rounds in alternating order, (a) ``extract.api.extract_article`` over all texts and (b)
``underthesea.word_tokenize`` over the same texts. Medians are reported, with the ratio
extraction time / word_tokenize time. Peak memory: the process's ``ru_maxrss`` and the ``tracemalloc``
peak of one separate, untimed extraction pass.

Targets: ≥ 30 articles/s and a ratio ≤ 1.5. The exit code is 0 (a measurement, not a gate) unless
``--check`` is given, in which case a MISS exits 1. ``--profile`` adds a cProfile pass and prints the
cumulative hotspots inside ``extract/``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.generate import generate  # light: stdlib only; extract and underthesea load inside run()

TARGET_ARTICLES_PER_S = 30.0
TARGET_RATIO = 1.5
WARMUP_ARTICLES = 5
EXTRACT_DIR = str(Path(__file__).resolve().parent.parent / "extract") + os.sep


THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
    "RAYON_NUM_THREADS",
)


def limit_threads() -> None:
    """Keep numeric libraries from starting thread pools; must run before extract/underthesea load."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"


def pin_one_cpu() -> int | None:
    """Pin this process to the lowest CPU it may run on; return that CPU, or None if unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def max_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB elsewhere


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def timed_pass(fn: Callable[[int, str], object], texts: Sequence[str]) -> tuple[float, float]:
    """Run ``fn`` over all texts; return (wall seconds, CPU seconds of this process)."""
    gc.collect()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i, text in enumerate(texts):
        fn(i, text)
    return time.perf_counter() - wall0, time.process_time() - cpu0


def profile_extract(
    extract: Callable[[int, str], object], texts: Sequence[str], top: int
) -> list[dict[str, Any]]:
    """cProfile one extraction pass; return the ``top`` functions of ``extract/`` by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i, text in enumerate(texts):
        extract(i, text)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    rows: list[dict[str, Any]] = [
        {
            "function": f"{Path(file).relative_to(Path(EXTRACT_DIR).parent)}:{line}({name})",
            "calls": nc,
            "cumtime_s": round(ct, 4),
            "tottime_s": round(tt, 4),
        }
        for (file, line, name), (_cc, nc, tt, ct, _callers) in raw.items()
        if file.startswith(EXTRACT_DIR)
    ]
    rows.sort(key=lambda r: r["cumtime_s"], reverse=True)
    total = rows[0]["cumtime_s"] if rows else 0.0  # the entry point, extract_article: the whole pass
    for row in rows:
        row["share_cum"] = round(row["cumtime_s"] / total, 4) if total else 0.0
    return rows[:top]


def run(n: int, seed: int, rounds: int, profile_top: int) -> dict[str, Any]:
    limit_threads()
    cpu = pin_one_cpu()

    t0 = time.perf_counter()
    texts = generate(n, seed)
    generate_s = time.perf_counter() - t0
    words = [len(t.split()) for t in texts]

    # one-off loads: imports plus the first call (models, lexicons, compiled patterns)
    t0 = time.perf_counter()
    from extract.api import EXTRACTOR_VERSION, extract_article

    extract_article(doc_id="warmup", text=texts[0], url=None, published=None)
    extract_load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    from underthesea import word_tokenize

    word_tokenize(texts[0])
    tokenize_load_s = time.perf_counter() - t0

    def extract(i: int, text: str) -> object:
        return extract_article(doc_id=f"bench-{seed}-{i:04d}", text=text, url=None, published=None)

    def tokenize(_i: int, text: str) -> object:
        return word_tokenize(text)

    for i, text in enumerate(texts[:WARMUP_ARTICLES]):
        extract(i, text)
        tokenize(i, text)

    extract_wall: list[float] = []
    extract_cpu: list[float] = []
    tokenize_wall: list[float] = []
    tokenize_cpu: list[float] = []
    for r in range(rounds):
        order = ("extract", "tokenize") if r % 2 == 0 else ("tokenize", "extract")
        for side in order:
            if side == "extract":
                wall, cpu_s = timed_pass(extract, texts)
                extract_wall.append(wall)
                extract_cpu.append(cpu_s)
            else:
                wall, cpu_s = timed_pass(tokenize, texts)
                tokenize_wall.append(wall)
                tokenize_cpu.append(cpu_s)

    ex_s = statistics.median(extract_wall)
    tok_s = statistics.median(tokenize_wall)
    rss_after_timing = max_rss_mib()

    # peak Python allocations of one extraction pass, apart from timing (tracemalloc slows things down)
    gc.collect()
    tracemalloc.start()
    for i, text in enumerate(texts):
        extract(i, text)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    hotspots = profile_extract(extract, texts, profile_top) if profile_top > 0 else []

    articles_per_s = n / ex_s
    ratio = ex_s / tok_s
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": n,
        "seed": seed,
        "rounds": rounds,
        "words": {
            "min": min(words),
            "median": statistics.median(words),
            "max": max(words),
            "total": sum(words),
        },
        "generate_s": round(generate_s, 3),
        "load_s": {"extract": round(extract_load_s, 3), "word_tokenize": round(tokenize_load_s, 3)},
        "extract": {
            "seconds_median": round(ex_s, 4),
            "seconds_rounds": [round(s, 4) for s in extract_wall],
            "cpu_seconds_rounds": [round(s, 4) for s in extract_cpu],
            "articles_per_s": round(articles_per_s, 2),
            "words_per_s": round(sum(words) / ex_s, 1),
            "ms_per_article": round(1000 * ex_s / n, 3),
        },
        "word_tokenize": {
            "seconds_median": round(tok_s, 4),
            "seconds_rounds": [round(s, 4) for s in tokenize_wall],
            "cpu_seconds_rounds": [round(s, 4) for s in tokenize_cpu],
            "articles_per_s": round(n / tok_s, 2),
            "words_per_s": round(sum(words) / tok_s, 1),
        },
        "ratio": round(ratio, 3),
        "ratio_rounds": [round(e / t, 3) for e, t in zip(extract_wall, tokenize_wall, strict=True)],
        "targets": {
            "articles_per_s": {
                "target": f">= {TARGET_ARTICLES_PER_S:g}",
                "result": "PASS" if articles_per_s >= TARGET_ARTICLES_PER_S else "MISS",
            },
            "ratio": {
                "target": f"<= {TARGET_RATIO:g}",
                "result": "PASS" if ratio <= TARGET_RATIO else "MISS",
            },
        },
        "memory": {
            "max_rss_mib": round(rss_after_timing, 1),
            "tracemalloc_peak_extract_pass_mib": round(traced_peak / (1024 * 1024), 2),
        },
        "hotspots_extract": hotspots,
        "environment": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpu_model": cpu_model(),
            "cpu_count": os.cpu_count(),
            "pinned_cpu": cpu,
            "extractor_version": EXTRACTOR_VERSION,
            "underthesea": version("underthesea"),
            "underthesea_core": version("underthesea_core"),
        },
    }


def report(r: dict[str, Any]) -> str:
    w, ex, tok, env = r["words"], r["extract"], r["word_tokenize"], r["environment"]
    tgt = r["targets"]
    lines = [
        f"thidua extraction speed — {r['date']}",
        f"articles            {r['articles']} (seed {r['seed']}, generated in {r['generate_s']:.2f} s)",
        f"words               min {w['min']} / median {w['median']:g} / max {w['max']}, total {w['total']}",
        f"one-off load        extract {r['load_s']['extract']:.2f} s, "
        f"word_tokenize {r['load_s']['word_tokenize']:.2f} s (not timed below)",
        f"rounds              {r['rounds']} (alternating order; medians)",
        f"extraction          {ex['seconds_median']:.3f} s  {ex['articles_per_s']:.1f} articles/s  "
        f"{ex['words_per_s']:.0f} words/s  {ex['ms_per_article']:.2f} ms/article",
        f"word_tokenize       {tok['seconds_median']:.3f} s  {tok['articles_per_s']:.1f} articles/s  "
        f"{tok['words_per_s']:.0f} words/s",
        f"ratio extract/tok   {r['ratio']:.3f}  (rounds: {', '.join(f'{x:.3f}' for x in r['ratio_rounds'])})",
        f"target articles/s   {tgt['articles_per_s']['target']:<8} {tgt['articles_per_s']['result']}",
        f"target ratio        {tgt['ratio']['target']:<8} {tgt['ratio']['result']}",
        f"peak memory         max RSS {r['memory']['max_rss_mib']:.1f} MiB; tracemalloc peak of one "
        f"extraction pass {r['memory']['tracemalloc_peak_extract_pass_mib']:.2f} MiB",
        f"python              {env['python']} ({env['implementation']}) on {env['platform']}",
        f"cpu                 {env['cpu_model']}; {env['cpu_count']} CPUs, pinned to "
        f"{'CPU ' + str(env['pinned_cpu']) if env['pinned_cpu'] is not None else 'none (unsupported)'}",
        f"versions            extractor {env['extractor_version']}, underthesea {env['underthesea']}, "
        f"underthesea_core {env['underthesea_core']}",
    ]
    if r["hotspots_extract"]:
        lines.append("hotspots in extract/ (cProfile, one pass; cumulative time, share of extract_article):")
        lines += [
            f"  {h['share_cum']:6.1%}  {h['cumtime_s']:8.3f} s  {h['calls']:>7} calls  {h['function']}"
            for h in r["hotspots_extract"]
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.extract_speed",
        description="Extraction speed on one core versus underthesea word_tokenize on the same texts.",
    )
    parser.add_argument("--n", type=int, default=300, help="number of generated articles (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per side (default 3)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--profile",
        nargs="?",
        const=10,
        default=0,
        type=int,
        metavar="TOP",
        help="cProfile one extra pass and list the TOP (default 10) cumulative hotspots in extract/",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.rounds < 1:
        parser.error("--n and --rounds must be >= 1")

    result = run(args.n, args.seed, args.rounds, args.profile)
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"JSON written to {args.json}")
    missed = any(t["result"] == "MISS" for t in result["targets"].values())
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
