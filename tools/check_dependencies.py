#!/usr/bin/env python3
"""Checks that each target of Package.swift declares exactly the package modules its sources import.

Rule (docs/architecture.md): a target lists as dependencies every module of this package, and every
product of another package, that one of its Swift files imports, and nothing else. System modules
(Foundation, Glibc, Testing, ...) are not package modules and are ignored. A C target's own headers
are not checked. Exit status 1, with one line per problem, when the manifest and the imports disagree.

Usage: tools/check_dependencies.py [--package-dir DIR]
"""
import argparse
import json
import os
import re
import subprocess
import sys

IMPORT = re.compile(r'^\s*(?:@testable\s+|@_spi\([^)]*\)\s+|@_exported\s+|@preconcurrency\s+|(?:public|package|internal)\s+)*'
                    r'import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)')


def target_dir(root, t):
    if t.get("path"):
        return os.path.join(root, t["path"])
    base = "Tests" if t["type"] == "test" else "Sources"
    return os.path.join(root, base, t["name"])


def imports_of(directory):
    found = {}
    for dirpath, _, files in os.walk(directory):
        for f in files:
            if not f.endswith(".swift"):
                continue
            path = os.path.join(dirpath, f)
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    m = IMPORT.match(line)
                    if m:
                        found.setdefault(m.group(1), path)
    return found


def declared_of(t):
    names = set()
    for d in t.get("dependencies", []):
        for key in ("byName", "target", "product"):
            if key in d:
                names.add(d[key][0])
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--package-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = ap.parse_args()
    root = os.path.abspath(args.package_dir)
    manifest = json.loads(subprocess.run(["swift", "package", "--package-path", root, "dump-package"],
                                         check=True, capture_output=True, text=True).stdout)
    targets = {t["name"]: t for t in manifest["targets"]}
    products = set()
    for d in manifest["targets"]:
        for dep in d.get("dependencies", []):
            if "product" in dep:
                products.add(dep["product"][0])
    package_modules = set(targets) | products
    problems = []
    for name, t in sorted(targets.items()):
        if t["type"] == "system":
            continue
        imported = imports_of(target_dir(root, t))
        if not imported and t["type"] != "test" and not any(
                f.endswith(".swift") for _, _, fs in os.walk(target_dir(root, t)) for f in fs):
            continue  # a C target: its headers are not checked
        used = {m for m in imported if m in package_modules and m != name}
        declared = declared_of(t)
        for m in sorted(used - declared):
            problems.append(f"{name}: imports {m} ({os.path.relpath(imported[m], root)}) without declaring it")
        for m in sorted(declared - used):
            problems.append(f"{name}: declares {m} but no file imports it")
    if problems:
        print("Package.swift and the imports disagree:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"dependencies: {len(targets)} targets declare exactly what they import")
    return 0


if __name__ == "__main__":
    sys.exit(main())
