#!/usr/bin/env bash
# Build fastact with AddressSanitizer + UndefinedBehaviorSanitizer in a temporary
# copy of the source tree and run the test suite (or the given pytest arguments)
# against that build.
#
#   tools/sanitize.sh                       # the default test run (-m 'not slow')
#   tools/sanitize.sh tests/test_fuzz.py -x # a subset
#   KEEP=1 tools/sanitize.sh                # keep the temporary copy (path printed)
#
# CPython itself "leaks" at exit, so leak detection is off (detect_leaks=0).
# ASan errors abort the run; UBSan reports do not (so that one run lists them
# all).  pytest runs with -s (no capture: it would swallow the stderr of a
# passing test, and of a run that ASan aborts); the reports are summarised at
# the end, and any report makes the exit status 1.  The source tree is not touched: the copy is built with
# `setup.py build_ext --inplace`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d /tmp/fastact-asan.XXXXXX)"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "kept $tmp"; fi; }
trap cleanup EXIT

t0=$(date +%s)
# the tracked sources plus local (uncommitted) changes; no build products
(cd "$here" && git ls-files -co --exclude-standard -z) | (cd "$here" && xargs -0 cp --parents -t "$tmp")
cd "$tmp"
san="-fsanitize=address,undefined -fno-omit-frame-pointer"
# -O1 keeps ASan's reports readable; -g for line numbers
CFLAGS="$san -g -O1" LDFLAGS="$san" python setup.py build_ext --inplace -j2 >build.log 2>&1 ||
    { tail -40 build.log; exit 1; }
t1=$(date +%s)
echo "sanitized build: $((t1 - t0)) s in $tmp"

libasan="$(gcc -print-file-name=libasan.so)"
libubsan="$(gcc -print-file-name=libubsan.so)"
export LD_PRELOAD="$libasan:$libubsan"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:allocator_may_return_null=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0"
export PYTHONPATH="$tmp"
export PYTHONDONTWRITEBYTECODE=1
python - <<'PY'
import fastact, os
assert fastact.__file__.startswith(os.environ["PYTHONPATH"]), fastact.__file__
print("fastact from", os.path.dirname(fastact.__file__), "ISA", fastact.get_isa())
PY
status=0
if [ $# -eq 0 ]; then set -- tests -q -p no:cacheprovider -x; fi
python -m pytest -s "$@" 2>&1 | tee pytest.log || status=${PIPESTATUS[0]}
t2=$(date +%s)
if grep -qE "runtime error:|ERROR: AddressSanitizer" pytest.log; then
    echo "---- distinct sanitizer reports:"
    grep -hE "runtime error:|ERROR: AddressSanitizer" pytest.log | sed "s|$tmp/||" | sort | uniq -c
    echo "SANITIZER REPORTS FOUND"; status=1
else
    echo "sanitizers: clean"
fi
echo "sanitized test run: $((t2 - t1)) s, exit status $status"
exit $status
