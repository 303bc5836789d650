# Sourced by kernel_ab.sh and prefill_ab.sh: basalt-tensor's classes at git revision $rev compiled into $work/a and
# the working tree's into $work/b ($work is a fresh temporary folder, removed on exit; $work/case is left for the
# caller's harness). Needs $root (the repository), $rev and $java_home; sets $work and the javac command $javac.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/a" "$work/b" "$work/case"
(cd "$root" && git archive "$rev" basalt-tensor/src/main/java | tar -x -C "$work/src")
javac=("$java_home/bin/javac" --add-modules jdk.incubator.vector -nowarn -XDsuppressNotes)
"${javac[@]}" -d "$work/a" $(find "$work/src" -name '*.java') 2>/dev/null
"${javac[@]}" -d "$work/b" $(find "$root/basalt-tensor/src/main/java" -name '*.java') 2>/dev/null
