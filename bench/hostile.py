"""Time and peak memory of extraction on hostile inputs of 10 KB, 100 KB and 1 MB (issue 7, item 8).

    python -m bench.hostile [--sizes 10000,100000,1000000] [--shapes unit_list,...] [--json PATH] [--check]

Four shapes a hostile or broken file takes (the texts are built here, from the project's own mock
articles and unit names):

* ``unit_list``  — one sentence listing thousands of units: "… gồm các đơn vị: Sở Y tế, Sở Tư pháp, …";
* ``punct_runs`` — a unit followed by runs of separators: "… gồm: Sở Y tế, ,; ; và và , ,; ; và và …";
* ``huge_line``  — the mock articles' words on one line with no full stop: one sentence of the whole size;
* ``nul_laced``  — the mock articles with a NUL character before every word.

Each case runs in a fresh child process (``python -m bench.hostile --child SHAPE SIZE``), so one case's
memory never hides another's: the child loads the extractor, extracts a small article (so the spaCy
pipelines and the span model are loaded), then times ``extract_article`` on the hostile text and
reports its own ``ru_maxrss``. A ``load`` child that stops before the hostile text gives the baseline;
"above load" is the peak RSS the hostile text added. Loading takes about 240 MiB, which hides what
small inputs add, so the child then extracts the text once more under ``tracemalloc`` (untimed: it
slows code down) and reports the traced peak: every allocation through Python's allocators, spaCy's
and numpy's included. The ratio columns divide each figure by the one for the size ten times
smaller: about 10 means linear growth, about 100 quadratic.

The exit code is 0 (a measurement) unless ``--check`` is given: then a time ratio above 20 per 10×
of input, or a case that fails, exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MOCK_TEXT = ROOT / "crawler" / "mockportals" / "corpus" / "text"
SIZES = (10_000, 100_000, 1_000_000)
CHECK_RATIO = 20.0  # per 10× of input; linear is about 10, quadratic about 100
_UNITS = (
    "Sở Y tế",
    "Sở Tư pháp",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Giáo dục và Đào tạo",
    "Ban Dân tộc",
    "Hội Nông dân tỉnh",
    "Trường Chính trị tỉnh",
    "Công ty TNHH Minh Long",
    "Liên đoàn Lao động tỉnh",
)
_HEAD = "Khối thi đua số 3 tổng kết năm 2024\n"


def _fit(text: str, size: int) -> str:
    """`text` cut to at most `size` UTF-8 bytes, on a character boundary."""
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def _repeat(unit: str, size: int) -> str:
    return unit * (size // max(1, len(unit.encode("utf-8"))) + 1)


def _mock_words() -> list[str]:
    return " ".join(p.read_text(encoding="utf-8") for p in sorted(MOCK_TEXT.glob("*.txt"))).split()


def unit_list(size: int) -> str:
    items = ", ".join(_UNITS[i % len(_UNITS)] for i in range(size // 8))
    return _fit(f"{_HEAD}Khối thi đua số 3 gồm các đơn vị: {items}", size)


def punct_runs(size: int) -> str:
    return _fit(f"{_HEAD}Khối thi đua số 3 gồm các đơn vị: Sở Y tế" + _repeat(", ,; ; và và ", size), size)


def huge_line(size: int) -> str:
    words = " ".join(w.rstrip(".!?") for w in _mock_words())
    return _fit(_repeat(words + " ", size), size)


def nul_laced(size: int) -> str:
    article = "\n".join(p.read_text(encoding="utf-8") for p in sorted(MOCK_TEXT.glob("*.txt")))
    laced = " ".join("\x00" + w for w in article.split(" "))
    return _fit(_repeat(laced + "\n", size), size)


SHAPES: dict[str, Callable[[int], str]] = {
    "unit_list": unit_list,
    "punct_runs": punct_runs,
    "huge_line": huge_line,
    "nul_laced": nul_laced,
}


_WARM = (
    "Khối thi đua số 1 gồm Sở Y tế, Công ty TNHH Hoa Mai tổ chức hội nghị. "
    "Trường Chính trị tỉnh Hòa Bình tổ chức tốt, là Khối trưởng."
)


def _child(shape: str, size: int) -> dict[str, Any]:
    """Run in the child: load, warm up, then (unless shape is "load") time one hostile extraction."""
    from extract.api import extract_article

    # loads spaCy, the gazetteer, underthesea's sentence splitter and POS tagger, the span model
    extract_article(doc_id="warm", text=_WARM)
    out: dict[str, Any] = {"shape": shape, "size": size}
    if shape != "load":
        text = SHAPES[shape](size)
        out["bytes"] = len(text.encode("utf-8"))
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            rec = extract_article(doc_id=shape, text=text)
            out["members"] = len(rec.members)
        except Exception as exc:  # a named error is a result too; the table shows it
            out["error"] = f"{type(exc).__name__}: {exc}"
        out["seconds"] = time.perf_counter() - t0
        out["cpu_seconds"] = time.process_time() - c0  # the machine is shared: CPU time is steadier
    out["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if shape != "load":
        tracemalloc.start()
        with contextlib.suppress(Exception):  # an error was reported above
            extract_article(doc_id=shape, text=text)
        out["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out


def _run_child(shape: str, size: int) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "bench.hostile", "--child", shape, str(size)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {
            "shape": shape,
            "size": size,
            "error": f"child exited {proc.returncode}: {proc.stderr[-300:]}",
        }
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _ratio(now: float | None, before: float | None) -> str:
    return f"{now / before:5.1f}×" if now and before else "     "


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="input sizes in bytes, comma-separated"
    )
    ap.add_argument("--shapes", default=",".join(SHAPES), help="shapes to run, comma-separated")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--check", action="store_true", help=f"exit 1 above {CHECK_RATIO}× per 10× of input")
    ap.add_argument("--child", nargs=2, metavar=("SHAPE", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]))))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    load = _run_child("load", 0)
    load_mib = load["max_rss_kib"] / 1024
    print(f"one child per case; load only (imports, pipelines, span model): {load_mib:.0f} MiB max RSS")
    print(
        f"{'shape':<11} {'input':>9} {'wall s':>7} {'CPU s':>7} {'×10 in':>6} "
        f"{'max RSS':>9} {'above load':>10} {'traced peak':>11} {'×10 in':>6}"
    )
    results: list[dict[str, Any]] = []
    failed = False
    for shape in shapes:
        prev: dict[str, Any] | None = None
        for size in sizes:
            r = _run_child(shape, size)
            results.append(r)
            if "seconds" not in r:
                print(f"{shape:<11} {size:>9,}  failed: {r.get('error')}")
                failed, prev = True, None
                continue
            r["above_load_mib"] = max(0.0, r["max_rss_kib"] / 1024 - load_mib)
            t_ratio = r["cpu_seconds"] / prev["cpu_seconds"] if prev and size == prev["size"] * 10 else None
            m_ratio = r["traced_peak_mib"] / prev["traced_peak_mib"] if t_ratio and prev else None
            r["time_ratio"], r["memory_ratio"] = t_ratio, m_ratio
            failed |= bool(t_ratio and t_ratio > CHECK_RATIO) or "error" in r
            print(
                f"{shape:<11} {r['bytes']:>9,} {r['seconds']:>7.2f} {r['cpu_seconds']:>7.2f} "
                f"{_ratio(t_ratio, 1.0):>6} "
                f"{r['max_rss_kib'] / 1024:>5.0f} MiB {r['above_load_mib']:>6.0f} MiB "
                f"{r['traced_peak_mib']:>7.1f} MiB {_ratio(m_ratio, 1.0):>6}"
                + (f"  {r['error']}" if "error" in r else "")
            )
            prev = r
    if args.json:
        meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
        args.json.write_text(
            json.dumps({"meta": meta, "load_mib": load_mib, "cases": results}, indent=1) + "\n"
        )
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
