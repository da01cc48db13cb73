#!/usr/bin/env python3
"""Fails when a vectorised loop's AVX2 variant in the engine library is not really vectorised.

ALGOSCOPE_SIMD_VARIANTS (engine/src/ops/vector_math.h) compiles each hot loop for AVX-512, AVX2
and the baseline. A compiler that cannot vectorise a loop for one target (a select it will not
if-convert, say) silently emits scalar code, and the tests cannot notice because they check
values. This disassembles the library and counts, in each `<name>_avx2` and `<name>_avx512`
variant, the arithmetic on wide registers: floating point (v{add,sub,mul,div,fma,max,min,sqrt,
blend,cmp}{ps,pd}) and integer or logical, for the bool and integer loops
(vp{and,andn,or,xor,blendvb,cmp*,add*,sub*}), on ymm or zmm; a loop with no arithmetic in
either variant (a transpose tile) counts its wide shuffles instead. Both variants come from the same source, so a vectorised AVX2
variant has about as many wide instructions as the AVX-512 one (AVX-512 adds masked tails); one
with none, or with fewer than half as many, failed to vectorise. (The scalar AVX2 activations that
prompted this had 16 wide instructions against 266 in their AVX-512 twin; scalar tails make a
plain wide-vs-scalar ratio useless, since loops with one operation have more tail than body.)

usage: check_vectorized.py OBJDUMP LIBRARY
"""
import re
import subprocess
import sys

WIDE = re.compile(r"v(add|sub|mul|div|fn?m(add|sub)\d+|max|min|sqrt|blendv|cmp\w*)p[sd]$"
                  r"|vp(and|andn|or|xor|blendvb|cmp\w+|add[bwdq]|sub[bwdq])$")
# Data movement that does no arithmetic (a transpose tile) is vectorised when it shuffles wide
# registers; its two variants may pick different shuffles, so only their presence is asked for.
SHUFFLE = re.compile(r"v(unpck[lh]p[sd]|shufp[sd]|perm2f128|permt?2?[a-z]+|insertf\w+)$")
HEADER = re.compile(r"^[0-9a-f]+ <(.*)>:$")
# ALGOSCOPE_SIMD_VARIANTS' functions are templates returning auto: "auto ns::name_avx2<...>(...)".
VARIANT = re.compile(r"^auto .*::(\w+)_(avx2|avx512)<")


def main():
    objdump, library = sys.argv[1], sys.argv[2]
    text = subprocess.run([objdump, "-d", "-C", "--no-show-raw-insn", library], check=True,
                          capture_output=True, text=True).stdout
    wide = {}  # (name, level) -> wide arithmetic instructions
    shuffles = {}  # (name, level) -> wide shuffles
    current = None
    for line in text.splitlines():
        header = HEADER.match(line)
        if header:
            variant = VARIANT.match(header.group(1))
            current = (variant.group(1), variant.group(2)) if variant else None
            if current:
                wide.setdefault(current, 0)
                shuffles.setdefault(current, 0)
            continue
        if current is None or "\t" not in line:
            continue
        instruction = line.split("\t")[-1].strip()
        if "%ymm" not in instruction and "%zmm" not in instruction:
            continue
        mnemonic = instruction.split(" ")[0]
        wide[current] += bool(WIDE.match(mnemonic))
        shuffles[current] += bool(SHUFFLE.match(mnemonic))
    names = sorted({name for name, _ in wide})
    if not names:
        print("no ALGOSCOPE_SIMD_VARIANTS functions found in", library)
        return 1
    failed = 0
    for name in names:
        avx2, avx512 = wide.get((name, "avx2"), 0), wide.get((name, "avx512"), 0)
        ok = avx2 > 0 and 2 * avx2 >= avx512
        what = "wide instructions"
        if avx2 == 0 and avx512 == 0:  # no arithmetic at all: a shuffling copy
            avx2, avx512 = shuffles.get((name, "avx2"), 0), shuffles.get((name, "avx512"), 0)
            ok, what = avx2 > 0, "wide shuffles"
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {avx2} {what} at AVX2, {avx512} at AVX-512")
    print(f"{len(names)} vectorised loops, {failed} not vectorised at AVX2")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
