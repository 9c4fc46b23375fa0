#!/usr/bin/env python3
"""Checks that every target of Package.swift declares exactly the modules its sources import.

A module imported without being declared builds today only because another dependency happens
to bring it in, and breaks the day that one changes; a module declared and never imported is a
dependency that nobody uses (and that `lenscale worker` may link for nothing). Prints one line a
drift and exits 1 when there is any.

Usage: tools/check_imports.py [package-root]   (reads `swift package dump-package`)
"""
import json
import pathlib
import re
import subprocess
import sys

# Modules of the toolchain and the system: never declared in Package.swift.
SYSTEM = {
    "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin",
    "Dispatch", "Synchronization", "Testing", "XCTest", "_Concurrency", "os", "CoreFoundation",
}
IMPORT = re.compile(r"^\s*(?:@[\w()]+\s+)*(?:public\s+|package\s+|internal\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)


def declared(target):
    names = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


# Multi-line string literals (tests embed Python scripts, whose imports are not Swift's).
STRINGS = re.compile(r'#*"""[\s\S]*?"""#*')


def imported(folder):
    modules = set()
    for source in folder.rglob("*.swift"):
        modules.update(IMPORT.findall(STRINGS.sub("", source.read_text(encoding="utf-8"))))
    return modules - SYSTEM


def main(root):
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                        capture_output=True, text=True).stdout)
    drift = []
    for target in package["targets"]:
        if target["type"] == "system":
            continue
        default = "Tests" if target["type"] == "test" else "Sources"
        folder = pathlib.Path(root) / (target.get("path") or f"{default}/{target['name']}")
        uses, has = imported(folder), declared(target)
        for module in sorted(uses - has - {target["name"]}):
            drift.append(f"{target['name']} imports {module} but does not declare it")
        for module in sorted(has - uses):
            drift.append(f"{target['name']} declares {module} but never imports it")
    for line in drift:
        print(line)
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
