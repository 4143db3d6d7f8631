"""Command line: `python -m pipeline publish|validate`.

Errors in the input are reported as one line naming the file (and line), exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import load_config
from .errors import PipelineError, ValidationFailed

DESCRIPTION = """\
Turn the text of Japanese local-government ICT plans into validated open data.

commands:
  publish    read every .txt in the raw folder, extract initiatives (取組), indicators (指標),
             schedules, references, sites, narrative sections and glossary terms, write CSV,
             JSON, Excel-friendly CSV and datapackage.json, validate them with frictionless and
             only then replace the published folder.
  validate   validate an existing published folder (datapackage.json) with frictionless.

examples:
  python -m pipeline publish
  python -m pipeline publish --raw-dir data/raw --out-dir data/published
  python -m pipeline validate --out-dir data/published
"""


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m pipeline", description=DESCRIPTION,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--config", type=Path, default=Path("pipeline.toml"),
                      help="publication settings: licence, publisher, version (default: pipeline.toml)")
    commands = main.add_subparsers(dest="command", required=True, metavar="command")
    publish = commands.add_parser("publish", help="extract, validate and publish the tables",
                                  description="Extract every .txt source and publish the validated tables.")
    publish.add_argument("--raw-dir", type=Path, default=Path("data/raw"),
                         help="folder with the source .txt files and sources.toml (default: data/raw)")
    publish.add_argument("--out-dir", type=Path, default=Path("data/published"),
                         help="folder to publish into; replaced only after validation (default: data/published)")
    validate = commands.add_parser("validate", help="validate a published folder with frictionless",
                                   description="Validate datapackage.json of a published folder.")
    validate.add_argument("--out-dir", type=Path, default=Path("data/published"),
                          help="published folder (default: data/published)")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except ValidationFailed as failure:
        for finding in failure.findings:
            print(f"  {finding}", file=sys.stderr)
        print(f"error: {failure}", file=sys.stderr)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted; the previous publication is unchanged", file=sys.stderr)
        return 130
    return 1


def run(args: argparse.Namespace) -> int:
    if args.command == "publish":
        from .publish import publish
        publish(args.raw_dir, args.out_dir, load_config(args.config))
    elif args.command == "validate":
        from .validate import validate_package
        descriptor = args.out_dir / "datapackage.json"
        if not descriptor.exists():
            raise PipelineError("no datapackage.json: publish first", args.out_dir)
        count = validate_package(args.out_dir)
        print(f"valid: {descriptor} ({count} resources)", file=sys.stderr)
    return 0
