"""Record a fold's *first-look* score: the dev fold scored as it is, before anyone works on it.

    python -m bench.first_look --fold 2 [--corpus ../shared/corpus/dev]

Writes `bench/results/first_look/fold<N>.json` (date, extractor version, per-field P/R/F1) and
refuses to overwrite it: a first look happens once. The README's accuracy section reports these
figures as the estimate for unseen articles (issue 7).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

from extract.api import EXTRACTOR_VERSION
from extract.folds import FOLD_SEED, N_FOLDS, select_folds
from extract.scoring import score
from thidua.extract_files import extract_dir, write_jsonl

RESULTS = Path(__file__).parent / "results" / "first_look"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=int, required=True, choices=range(1, N_FOLDS + 1))
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/dev"))
    ap.add_argument("--note", default="", help="what had been worked on before this look")
    args = ap.parse_args(argv)
    out = RESULTS / f"fold{args.fold}.json"
    if out.exists():
        print(f"{out} exists: fold {args.fold} has had its first look", file=sys.stderr)
        return 1
    golds = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((args.corpus / "gold").glob("*.json"))
    }
    only = select_folds(golds, [args.fold])
    golds = {d: g for d, g in golds.items() if d in only}
    with tempfile.TemporaryDirectory() as tmp:
        preds = write_jsonl(extract_dir(args.corpus / "text", only), Path(tmp) / "p.jsonl")
    result = score(golds, preds)
    fields = {}
    for name, c in [*result.fields.items(), ("overall", result.overall)]:
        p, r, f1 = c.prf()
        fields[name] = {
            "P": round(p, 4),
            "R": round(r, 4),
            "F1": round(f1, 4),
            "tp": c.tp,
            "gold": c.gold,
            "pred": c.pred,
        }
    data = {
        "fold": args.fold,
        "seed": FOLD_SEED,
        "date": date.today().isoformat(),
        "extractor_version": EXTRACTOR_VERSION,
        "docs": sorted(golds),
        "note": args.note,
        "fields": fields,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"fold {args.fold}: {len(golds)} articles, overall F1 {fields['overall']['F1']:.4f} -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
