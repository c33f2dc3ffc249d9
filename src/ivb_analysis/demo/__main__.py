"""Write the SYNTHETIC demo delivery: `python -m ivb_analysis.demo --out data/raw/demo`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivb_analysis.demo.profile import WAVES
from ivb_analysis.demo.write import write_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schrijf de synthetische demolevering (seeded).")
    parser.add_argument("--out", type=Path, default=Path("data/raw/demo"),
                        help="map waarin de demolevering komt (standaard: data/raw/demo)")
    parser.add_argument("--waves", type=int, nargs="+", metavar="JAAR", default=list(WAVES),
                        help="meetjaren (standaard: alle acht)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="aandeel van de respondenten per wijk (standaard 1)")
    args = parser.parse_args(argv)
    for path in write_demo(args.out, waves=tuple(args.waves), scale=args.scale):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
