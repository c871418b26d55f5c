#!/usr/bin/env python3
"""Out-of-domain retrieval task from the Linux manual pages of Debian `manpages` and `manpages-dev`
(standard library + groff only; `apt-get install manpages manpages-dev groff-base`).

Query: a page's one-line NAME description ("allocate and free dynamic memory"), the names before the
dash removed. Relevant document (one per query): that page's DESCRIPTION section as plain text, cut at
--words words. Collection: every such page. Pages that are links (`.so` stubs or symlinks), pages
without a NAME description or a DESCRIPTION, and descriptions shared by several pages are dropped, so
each query has exactly one relevant passage. Nothing here comes from GCIDE or WordNet, and the prose
(system calls, library functions, file formats) is far from the dictionary task's.

Writes collection.tsv (id<TAB>text), queries.test.tsv (qid<TAB>text), qrels.test.tsv (qid 0 docid 1)
and task.json (sources, counts) in the layout `i3 eval` reads.
Usage: manpages_task.py --out DIR [--words 160]"""
import argparse, collections, gzip, json, os, re, subprocess, sys

PACKAGES = ["manpages", "manpages-dev"]


def package_pages():
    listing = subprocess.run(["dpkg", "-L", *PACKAGES], check=True, capture_output=True, text=True).stdout
    versions = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\n", *PACKAGES],
                              check=True, capture_output=True, text=True).stdout.split("\n")
    pages = sorted(p for p in listing.split("\n")
                   if re.search(r"/share/man/man\d/[^/]+\.gz$", p) and os.path.isfile(p) and not os.path.islink(p))
    return pages, [v for v in versions if v]


def render(path):
    """Plain text of a page (groff's man macros, no hyphenation or justification)."""
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        source = f.read()
    if source.lstrip().startswith(".so "):
        return None
    out = subprocess.run(["groff", "-man", "-Tutf8", "-P", "-cbou", "-rLL=2000n", "-rHY=0", "-dAD=l"],
                         input=source, capture_output=True, text=True, errors="replace").stdout
    return out


def sections(text):
    """Section heading -> body text (headings are unindented upper-case lines)."""
    result, current = {}, None
    for line in text.split("\n"):
        if line and not line[0].isspace() and line.strip().isupper():
            current = line.strip()
            result.setdefault(current, [])
        elif current is not None:
            result[current].append(line.strip())
    return {k: " ".join(x for x in v if x) for k, v in result.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--words", type=int, default=160)
    args = ap.parse_args()
    pages, versions = package_pages()
    rows = []
    for path in pages:
        text = render(path)
        if not text:
            continue
        sec = sections(text)
        name, desc = sec.get("NAME", ""), sec.get("DESCRIPTION", "")
        m = re.match(r"^(.*?)\s+[-\u2010\u2212\u2013]\s+(.+)$", name)
        if not m or not desc:
            continue
        query = re.sub(r"\s+", " ", m.group(2)).strip()
        passage = " ".join(desc.replace("\t", " ").split()[: args.words])
        if len(query.split()) < 2 or len(passage.split()) < 8:
            continue
        page = os.path.basename(path)[: -len(".gz")]
        rows.append((page, query, passage))
    counts = collections.Counter(q.lower() for _, q, _ in rows)
    rows = [r for r in rows if counts[r[1].lower()] == 1]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "collection.tsv"), "w") as c, \
         open(os.path.join(args.out, "queries.test.tsv"), "w") as q, \
         open(os.path.join(args.out, "qrels.test.tsv"), "w") as r:
        for i, (page, query, passage) in enumerate(rows):
            c.write(f"{page}\t{passage}\n")
            q.write(f"q{i}\t{query}\n")
            r.write(f"q{i} 0 {page} 1\n")
    with open(os.path.join(args.out, "task.json"), "w") as f:
        json.dump({"task": "manpages NAME description -> DESCRIPTION", "packages": versions,
                   "pages_listed": len(pages), "queries": len(rows), "passages": len(rows),
                   "words_per_passage_max": args.words}, f, indent=2)
    print(f"{len(rows)} queries / passages from {len(pages)} pages of {', '.join(versions)} -> {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
