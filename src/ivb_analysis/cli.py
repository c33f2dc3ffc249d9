"""`ivb`: the command line. Thin: parse arguments, call the library, map bad input to exit 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.guard import raw_data_unchanged
from ivb_analysis.run import DEFAULT_TIMEOUT

EXIT_BAD_INPUT = 2


def _settings(args: argparse.Namespace):
    return load_settings(
        args.data_dir,
        processed_dir=getattr(args, "processed_dir", None),
        output_dir=getattr(args, "output_dir", None),
    )


def _parameters(pairs: list[list[str]] | None) -> dict:
    """`-p NAME VALUE` pairs; values are read as YAML scalars (80 -> int, null -> None)."""
    out = {}
    for name, text in pairs or []:
        try:
            out[name] = yaml.safe_load(text)
        except yaml.YAMLError:
            out[name] = text
    return out


def cmd_prepare(args: argparse.Namespace) -> int:
    from ivb_analysis.prepare import prepare

    settings = _settings(args)
    with raw_data_unchanged(settings.data_dir):
        written = prepare(settings)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ivb_analysis.run import RunInterrupted, preflight, run

    settings = _settings(args)
    parameters = _parameters(args.parameter)
    # -p checked against --years, the delivery and the notebooks before anything is written
    preflight(settings, args.notebook_dir, years=args.years, parameters=parameters)
    try:
        with raw_data_unchanged(settings.data_dir):
            summary = run(settings, args.notebook_dir, years=args.years, jobs=args.jobs,
                          force=args.force, progress=not args.quiet,
                          parameters=parameters, timeout=args.timeout,
                          annex=not args.no_annex, pdf=args.pdf)
    except RunInterrupted as stop:  # workers and kernels are stopped; nothing more is written
        print(f"ivb run {stop}; de vorige uitvoer is ongewijzigd", file=sys.stderr)
        return 128 + stop.signum
    print(summary.report())
    return 1 if summary.failed else 0


def cmd_annex(args: argparse.Namespace) -> int:
    from ivb_analysis.annex import write_annex
    from ivb_analysis.export import require_chromium

    settings = _settings(args)
    years = settings.waves(args.years)
    if args.pdf:
        require_chromium()
    with raw_data_unchanged(settings.data_dir):
        for year in years:
            written = write_annex(settings, year, pdf=args.pdf)
            print(f"{year}: {len(written)} bestanden in {settings.output_dir / str(year)}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from ivb_analysis.verify import verify

    settings = _settings(args)
    with raw_data_unchanged(settings.data_dir):
        report = verify(settings, args.notebook_dir, jobs=args.jobs)
    print(report.text())
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ivb",
        description="Analyses voor de bijlage van het integraal veiligheidsbeleid (IVB).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=Path("data/raw/demo"),
                        help="map van de levering met ivb.yaml (standaard: data/raw/demo, "
                             "de synthetische demodata); wordt nooit beschreven")
    common.add_argument("--processed-dir", type=Path, default=None,
                        help="map voor de bewerkte tabellen (standaard: data/processed)")

    prep = sub.add_parser("prepare", parents=[common],
                          help="controleer de ruwe bronnen en schrijf ze als parquet naar "
                               "data/processed/<levering>/")
    prep.set_defaults(func=cmd_prepare)

    run = sub.add_parser("run", parents=[common],
                         help="voer alle notebooks uit voor elk meetjaar en maak HTML")
    run.add_argument("--years", type=int, nargs="+", metavar="JAAR",
                     help="alleen deze meetjaren (standaard: alle jaren uit ivb.yaml)")
    run.add_argument("--output-dir", type=Path, default=None,
                     help="map voor de uitvoer (standaard: outputs); per jaar een submap")
    run.add_argument("--notebook-dir", type=Path, default=Path("notebooks"),
                     help="map met de notebooks (standaard: notebooks)")
    run.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="aantal notebooks tegelijk (standaard: aantal processorkernen)")
    run.add_argument("--force", action="store_true",
                     help="ook jaren uitvoeren waarvan niets is veranderd")
    run.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAAM", "WAARDE"),
                     help="extra notebookparameter, bijv. -p min_n 80 (naam en type worden "
                          "vooraf gecontroleerd)")
    run.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, metavar="SECONDEN",
                     help=f"maximale rekentijd per notebookcel (standaard {DEFAULT_TIMEOUT})")
    run.add_argument("--pdf", action="store_true",
                     help="maak ook bijlage.pdf per jaar (vraagt headless Chromium)")
    run.add_argument("--no-annex", action="store_true",
                     help="alleen de notebooks, niet de raadsbijlage (figuren, tabellen, HTML)")
    run.set_defaults(func=cmd_run)

    anx = sub.add_parser("annex", parents=[common],
                         help="schrijf per jaar de raadsbijlage: figures/, tables/, bijlage.html "
                              "(en met --pdf bijlage.pdf)")
    anx.add_argument("--years", type=int, nargs="+", metavar="JAAR",
                     help="alleen deze meetjaren (standaard: alle jaren uit ivb.yaml)")
    anx.add_argument("--output-dir", type=Path, default=None,
                     help="map voor de uitvoer (standaard: outputs); per jaar een submap")
    anx.add_argument("--pdf", action="store_true",
                     help="maak ook bijlage.pdf met headless Chromium (zonder Chromium: "
                          "een duidelijke melding en exitstatus 2)")
    anx.set_defaults(func=cmd_annex)

    ver = sub.add_parser("verify", parents=[common],
                         help="maak alles opnieuw in een tijdelijke map en vergelijk byte voor "
                              "byte met outputs/ (run.json en uitgevoerde notebooks uitgezonderd)")
    ver.add_argument("--output-dir", type=Path, default=None,
                     help="de uitvoer om te controleren (standaard: outputs)")
    ver.add_argument("--notebook-dir", type=Path, default=Path("notebooks"),
                     help="map met de notebooks (standaard: notebooks)")
    ver.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="aantal notebooks tegelijk (standaard: aantal processorkernen)")
    ver.set_defaults(func=cmd_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as error:
        print(f"Fout in de invoer: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
