#!/usr/bin/env python3
"""Fails when ARCHITECTURE.md no longer maps the code.

Every Rust source file under crates/*/src and src/ must be named in the
section of ARCHITECTURE.md that describes its crate (the `### `crates/NAME``
heading, or `### `src/`` for the binary), by its path relative to that
crate's src/ folder: `email/parse.rs`. A `mod.rs` is named by its folder
(`email/`). Files the map names that no longer exist fail the check too, so
the map cannot drift either way.

Usage: python3 .ci/check_architecture.py [ARCHITECTURE.md]
"""

import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
doc_path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "ARCHITECTURE.md"
doc = doc_path.read_text(encoding="utf-8")

# Split the map into sections by their `### `...`` headings.
sections = {}
current = None
for line in doc.splitlines():
    heading = re.match(r"^###\s+`([^`]+)`", line)
    if heading:
        current = heading.group(1).rstrip("/")
        sections[current] = []
    elif line.startswith("## "):
        current = None
    elif current is not None:
        sections[current].append(line)
sections = {name: "\n".join(lines) for name, lines in sections.items()}

crates = [("src", root / "src")] + [
    (f"crates/{d.name}", d / "src") for d in sorted((root / "crates").iterdir()) if (d / "src").is_dir()
]

problems = []
for name, src in crates:
    text = sections.get(name)
    if text is None:
        problems.append(f"ARCHITECTURE.md has no `### `{name}`` section")
        continue
    # Names of files: a backticked or bare token ending in .rs or /.
    named = set(re.findall(r"[A-Za-z0-9_./-]+(?:\.rs|/)", text))
    expected = set()
    existing = set()
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src).as_posix()
        existing.add(rel)
        if path.name == "mod.rs":
            rel = rel[: -len("mod.rs")]
        expected.add(rel)
        if rel not in named:
            problems.append(f"{name}: `{rel}` is not named in its section of ARCHITECTURE.md")
    outside = ("crates/", "src/", "tests/", "benches/", "migrations/", "docs/", "../")
    for token in sorted(named):
        if token.endswith(".rs") and not token.startswith(outside) and token not in existing:
            problems.append(f"{name}: ARCHITECTURE.md names `{token}`, which is not in {src.relative_to(root)}")

if problems:
    print("ARCHITECTURE.md does not match the code:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    sys.exit(1)
count = sum(1 for _, src in crates for _ in src.rglob("*.rs"))
print(f"ARCHITECTURE.md names all {count} source files")
