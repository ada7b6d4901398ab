"""The `zhnews` command (`pip install -e .`): one entry for the three things a user runs.

    zhnews show POST [--json] [--max-chars N]    one post: summary, sections with tags, key figures
    zhnews batch INPUT... -o OUT [options]       = python -m service.batch
    zhnews app [--host H --port P]               = python -m service.app
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

COMMANDS = ("show", "batch", "app")


def show(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="zhnews show", description="analyze one post and print the result")
    parser.add_argument("post", help="a post file (Jekyll markdown, HTML or plain text)")
    parser.add_argument("--json", action="store_true", help="print the full record (Analysis.to_dict())")
    parser.add_argument("--max-chars", type=int, help="summary length in characters")
    parser.add_argument("--script", choices=("as-written", "simplified", "traditional"), default=None,
                        help="the output's texts: as written (default), simplified or traditional")
    args = parser.parse_args(argv)
    from service.document import ReadError
    from service.pipeline import InputTooLarge, analyze

    try:
        record = analyze(Path(args.post), max_chars=args.max_chars, script=args.script).to_dict()
    except (ReadError, InputTooLarge, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    print(f"# {record.get('title') or args.post}\n\n{record['summary']['text']}\n")
    for section in record["sections"]:
        tags = ", ".join(t["name"] for t in section.get("tags") or [])
        print(f"- {section.get('heading') or '(untitled)'} [{tags}]")
        if section.get("summary"):
            print(f"    {section['summary']['text']}")
    figures = record.get("key_figures") or []
    if figures:
        print("\nkey figures:")
        for f in figures:
            print(f"- {f.get('indicator') or ''} {f['value']}{f.get('unit') or ''} {f.get('change') or ''}".rstrip())
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    command, rest = argv[0], argv[1:]
    if command == "show":
        return show(rest)
    if command == "batch":
        from service.batch import main as batch_main

        return batch_main(rest)
    from service.app import main as app_main

    app_main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
