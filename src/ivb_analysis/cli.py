"""`ivb`: the command line. Thin: parse arguments, call the library, map bad input to exit 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.guard import RawDataChanged, raw_data_unchanged, require_writable
from ivb_analysis.io.safe_yaml import BoundedLoader

EXIT_BAD_INPUT = 2
# Mirrors run.DEFAULT_TIMEOUT; the runner (papermill, nbformat) is imported only by `ivb run`,
# so that `ivb prepare` with nothing changed stays cheap.
RUN_TIMEOUT_HELP = 600


def _settings(args: argparse.Namespace):
    return load_settings(
        args.data_dir,
        processed_dir=getattr(args, "processed_dir", None),
        output_dir=getattr(args, "output_dir", None),
    )


def _writable(settings, *, output: bool) -> None:
    """Output and processed folders usable (a folder, writable) before anything runs."""
    from ivb_analysis.freshness import processed_dir

    require_writable(processed_dir(settings), "--processed-dir")
    if output:
        require_writable(settings.output_dir, "--output-dir")


def _parameters(pairs: list[list[str]] | None) -> dict:
    """`-p NAME VALUE` pairs; values are read as YAML scalars (80 -> int, null -> None)."""
    out = {}
    for name, text in pairs or []:
        try:
            out[name] = yaml.load(text, Loader=BoundedLoader)  # depth and alias budget
        except yaml.YAMLError:
            out[name] = text
    return out


def cmd_prepare(args: argparse.Namespace) -> int:
    from ivb_analysis import freshness

    settings = _settings(args)
    _writable(settings, output=False)
    target = freshness.processed_dir(settings)
    if not args.force and freshness.fresh_tables(target, freshness.current(settings)):
        print(f"ongewijzigd: {target} (ruwe bestanden, instellingen en code zijn niet veranderd)")
        return 0
    from ivb_analysis.prepare import prepare

    with raw_data_unchanged(settings.data_dir):
        written = prepare(settings, force=args.force)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ivb_analysis.jobs import DEFAULT_TIMEOUT, RunInterrupted
    from ivb_analysis.prepare import prepare
    from ivb_analysis.run import preflight, run

    parameters = _parameters(args.parameter)
    settings = _settings(args)
    # -p checked against --years, the delivery and the notebooks before anything is written
    checked, *_ = preflight(settings, args.notebook_dir, years=args.years, parameters=parameters)
    _writable(checked, output=True)
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    try:
        with raw_data_unchanged(settings.data_dir):
            # The whole delivery is validated (and prepared) before the first notebook starts:
            # bad input ends here with exit 2 and nothing written.
            prepare(checked)
            summary = run(settings, args.notebook_dir, years=args.years, jobs=args.jobs,
                          force=args.force, progress=not args.quiet,
                          parameters=parameters, timeout=timeout,
                          annex=not args.no_annex, pdf=not args.no_pdf)
    except RunInterrupted as stop:  # workers and kernels are stopped; nothing more is written
        print(f"ivb run {stop}; de vorige uitvoer is ongewijzigd", file=sys.stderr)
        return 128 + stop.signum
    print(summary.report())
    return 1 if summary.failed else 0


def cmd_annex(args: argparse.Namespace) -> int:
    from ivb_analysis.annex_years import write_annexes
    from ivb_analysis.jobs import RunInterrupted
    from ivb_analysis.prepare import prepare

    settings = _settings(args)
    years = settings.waves(args.years)
    _writable(settings, output=True)
    try:
        with raw_data_unchanged(settings.data_dir):
            prepare(settings)  # bad input ends here with exit 2, before any output folder
            written = write_annexes(settings, years, pdf=not args.no_pdf)
    except RunInterrupted as stop:
        print(f"ivb annex {stop}; de vorige uitvoer is ongewijzigd", file=sys.stderr)
        return 128 + stop.signum
    for year, files in written.items():
        print(f"{year}: {len(files)} bestanden in {settings.output_dir / str(year)}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from ivb_analysis.verify import verify

    settings = _settings(args)
    with raw_data_unchanged(settings.data_dir):
        report = verify(settings, args.notebook_dir, jobs=args.jobs)
    print(report.text())
    return 0 if report.ok else 1


# --- ivb check (codebook) -------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    """One report on the delivery before any run; exit 2 only for what would make the annex
    wrong (the rest are warnings)."""
    import json

    from ivb_analysis.check import check_delivery

    settings = _settings(args)
    with raw_data_unchanged(settings.data_dir):
        report = check_delivery(settings)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.text(), end="")
    return 0 if report.ok else EXIT_BAD_INPUT


def _add_check(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    chk = sub.add_parser("check", parents=[common],
                         help="controleer de levering vóór een run: indicatoren, codes en "
                              "labels, respondenten per wijk, wijken, benchmarkgroep en jaren "
                              "(schrijft niets; exitstatus 2 bij fouten)")
    chk.add_argument("--json", action="store_true", help="het rapport als JSON")
    chk.set_defaults(func=cmd_check)
# --- end ivb check ---------------------------------------------------------------------------


# --- ivb init (onboard) --------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    """`ivb init`: a delivery skeleton with a codebook draft from the survey's SPSS metadata."""
    from ivb_analysis.onboard import init_delivery

    _written, summary = init_delivery(args.gemeente, args.survey, args.out,
                                      gemeente_naam=args.naam, force=args.force)
    print(summary, end="")
    return 0


def _add_init(sub: argparse._SubParsersAction) -> None:
    ini = sub.add_parser("init",
                         help="maak een nieuwe levering: ivb.yaml, een concept-codeboek uit de "
                              "SPSS-labels en de wijkenlijst (niets wordt stil geraden)")
    ini.add_argument("--gemeente", required=True, metavar="GMxxxx",
                     help="CBS-gemeentecode, bijv. GM0153")
    ini.add_argument("--naam", default=None, help="naam van de gemeente (bijv. Enschede)")
    ini.add_argument("--survey", type=Path, action="append", required=True, metavar="BESTAND.sav",
                     help="enquêtebestand per golf (herhaal voor elke golf)")
    ini.add_argument("--out", type=Path, required=True, metavar="MAP",
                     help="nieuwe map voor de levering (de .sav-bestanden worden erheen "
                          "gekopieerd; verder wordt niets buiten deze map geschreven)")
    ini.add_argument("--force", action="store_true", help="bestaande bestanden overschrijven")
    ini.set_defaults(func=cmd_init)
# --- end ivb init ----------------------------------------------------------------------------


# --- ivb fetch (onboard) -------------------------------------------------------------------
def cmd_fetch(args: argparse.Namespace) -> int:
    """`ivb fetch`: public CBS/Politie sources by GM code (the only command that needs internet)."""
    from ivb_analysis.fetch import fetch, settings_hint

    geometry_year = None if args.no_geometry else (args.geometry_year or max(args.years))
    written = fetch(args.gemeente, args.years, args.out, population_years=args.kwb_years,
                    geometry_year=geometry_year, geometry=not args.no_geometry,
                    offline=args.offline)
    for path in written:
        print(path)
    print("Zet in ivb.yaml onder files: (bestanden in dezelfde map als ivb.yaml):")
    print(settings_hint(args.gemeente, args.years, geometry_year))
    return 0


def _add_fetch(sub: argparse._SubParsersAction) -> None:
    fet = sub.add_parser("fetch",
                         help="haal de publieke CBS/Politie-bronnen op voor een gemeente "
                              "(vraagt internet; een tweede keer komt alles uit de cache)")
    fet.add_argument("--gemeente", required=True, metavar="GMxxxx",
                     help="CBS-gemeentecode, bijv. GM0153")
    fet.add_argument("--years", type=int, nargs="+", required=True, metavar="JAAR",
                     help="jaren van misdrijven en bevolking per gemeente")
    fet.add_argument("--kwb-years", type=int, nargs="+", default=None, metavar="JAAR",
                     help="edities van Kerncijfers wijken en buurten (standaard: --years)")
    fet.add_argument("--geometry-year", type=int, default=None, metavar="JAAR",
                     help="jaar van de wijkgrenzen (standaard: het laatste jaar)")
    fet.add_argument("--no-geometry", action="store_true", help="geen wijkgrenzen ophalen")
    fet.add_argument("--out", type=Path, required=True, metavar="MAP",
                     help="map voor de bestanden, bronnen.yaml en de cache (.cache/)")
    fet.add_argument("--offline", action="store_true",
                     help="alleen de cache gebruiken (fout als iets ontbreekt)")
    fet.set_defaults(func=cmd_fetch)
# --- end ivb fetch ---------------------------------------------------------------------------


def _add_pdf_options(command: argparse.ArgumentParser) -> None:
    """bijlage.pdf is part of every run; --no-pdf for drafts (--pdf is kept, it changes nothing)."""
    command.add_argument("--no-pdf", action="store_true",
                         help="geen bijlage.pdf (concept); standaard wordt de PDF gemaakt "
                              "(WeasyPrint, geen browser nodig)")
    command.add_argument("--pdf", action="store_true", help=argparse.SUPPRESS)


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
    prep.add_argument("--force", action="store_true",
                      help="ook opnieuw controleren en schrijven als niets is veranderd")
    prep.set_defaults(func=cmd_prepare)

    run = sub.add_parser("run", parents=[common],
                         help="voer alle notebooks uit voor elk meetjaar en maak HTML")
    run.add_argument("--years", type=int, nargs="+", metavar="JAAR",
                     help="alleen deze meetjaren (standaard: alle jaren uit ivb.yaml)")
    run.add_argument("--output-dir", type=Path, default=None,
                     help="map voor de uitvoer (standaard: outputs/<levering>), per jaar een map")
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
    run.add_argument("--timeout", type=int, default=None, metavar="SECONDEN",
                     help=f"maximale rekentijd per notebookcel (standaard {RUN_TIMEOUT_HELP})")
    _add_pdf_options(run)
    run.add_argument("--no-annex", action="store_true",
                     help="alleen de notebooks, niet de raadsbijlage (figuren, tabellen, HTML)")
    run.set_defaults(func=cmd_run)

    anx = sub.add_parser("annex", parents=[common],
                         help="schrijf per jaar de raadsbijlage: figures/, tables/, bijlage.html "
                              "en bijlage.pdf")
    anx.add_argument("--years", type=int, nargs="+", metavar="JAAR",
                     help="alleen deze meetjaren (standaard: alle jaren uit ivb.yaml)")
    anx.add_argument("--output-dir", type=Path, default=None,
                     help="map voor de uitvoer (standaard: outputs/<levering>), per jaar een map")
    _add_pdf_options(anx)
    anx.set_defaults(func=cmd_annex)

    ver = sub.add_parser("verify", parents=[common],
                         help="maak alles opnieuw in een tijdelijke map en vergelijk byte voor "
                              "byte met outputs/<levering> (run.json uitgezonderd)")
    ver.add_argument("--output-dir", type=Path, default=None,
                     help="de uitvoer om te controleren (standaard: outputs/<levering>)")
    ver.add_argument("--notebook-dir", type=Path, default=Path("notebooks"),
                     help="map met de notebooks (standaard: notebooks)")
    ver.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="aantal notebooks tegelijk (standaard: aantal processorkernen)")
    ver.set_defaults(func=cmd_verify)
    _add_check(sub, common)
    _add_init(sub)
    _add_fetch(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as error:
        print(f"Fout in de invoer: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RawDataChanged as error:  # someone saved a delivery file during the run
        print(f"Fout: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:  # disk full, a folder removed meanwhile: a message, no traceback
        where = f" {error.filename}" if error.filename else ""
        print(f"Fout bij lezen of schrijven{where}: {error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
