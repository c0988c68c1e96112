"""Regenerate every file of ``data/demo/``: ``python -m sim.demo [--out DIR]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.demo import DEMO_SEED
from sim.schema import DATA_DIR


def main(argv: list[str] | None = None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=DATA_DIR / "demo")
    ap.add_argument("--seed", type=int, default=DEMO_SEED)
    a = ap.parse_args(argv)
    from sim.demo.cities import write_city_demo
    from sim.demo.provinces import write_province_demo

    a.out.mkdir(parents=True, exist_ok=True)
    written = write_province_demo(a.out, seed=a.seed) + write_city_demo(a.out, seed=a.seed)
    for p in written:
        print(p)
    return written


if __name__ == "__main__":
    main()
