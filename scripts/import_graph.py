#!/usr/bin/env python3
"""Prints the packages' import graph as a Mermaid diagram, for docs/architecture.md.

Reads the source (no import of the application): an edge A --> B means some module of A
imports B at module level. `--check` compares with the diagram in docs/architecture.md.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top: a package may import only those listed before it (see the import contract).
PACKAGES = [
    "core",
    "territories",
    "contributions",
    "questionnaires",
    "layers",
    "privacy",
    "open311",
    "staff",
    "mapping",
]
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "```mermaid\n", "```\n"


def edges() -> set[tuple[str, str]]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    target = name.split(".")[0]
                    if target in PACKAGES and target != package:
                        found.add((package, target))
    return found


def mermaid() -> str:
    present = [p for p in PACKAGES if (ROOT / p).is_dir()]
    lines = ["graph BT"]
    lines += [f"    {p}[{p}/]" for p in present]
    order = {p: n for n, p in enumerate(PACKAGES)}
    for source, target in sorted(edges(), key=lambda e: (order[e[0]], order[e[1]])):
        lines.append(f"    {source} --> {target}")
    return "\n".join(lines) + "\n"


def documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END, start)]


if __name__ == "__main__":
    if "--check" in sys.argv:
        if documented() != mermaid():
            sys.exit("docs/architecture.md's graph is stale: run scripts/import_graph.py --write")
    elif "--write" in sys.argv:
        text = DOC.read_text(encoding="utf-8")
        DOC.write_text(text.replace(documented(), mermaid()), encoding="utf-8")
    else:
        sys.stdout.write(mermaid())
