#!/usr/bin/env python3
"""Fails when a vectorised loop's AVX2 variant in the engine library is not really vectorised.

ALGOSCOPE_SIMD_VARIANTS (engine/src/ops/vector_math.h) compiles each hot loop for AVX-512, AVX2
and the baseline. A compiler that cannot vectorise a loop for one target (an unconverted branch,
say) silently emits scalar code, and the tests cannot notice because they check values. This
disassembles the library and, for every `<name>_avx2` variant, counts floating-point arithmetic
on 256-bit registers (packed: v{add,sub,mul,div,fma,max,min,sqrt,blend,cmp}{ps,pd} on ymm, and
for the integer and bool loops of the comparisons, logical ops and Where the packed integer
vp{and,andn,or,xor,blendvb,cmp*,add*,sub*} on ymm) against scalar floating-point arithmetic (the
same on ss/sd). A vectorised loop keeps a scalar tail for the
last few elements, so scalar instructions are expected; a variant fails when it has no packed
arithmetic or fewer packed than scalar/3 instructions (the scalar clones that prompted this had
1 packed to 14 scalar; vectorised ones have about 1 to 2 or better).

usage: check_vectorized.py OBJDUMP LIBRARY
"""
import re
import subprocess
import sys

ARITH = r"v(add|sub|mul|div|fn?m(add|sub)\d+|max|min|sqrt|blendv|cmp\w*)"
PACKED = re.compile(ARITH + r"p[sd]$|vp(and|andn|or|xor|blendvb|cmp\w+|add[bwdq]|sub[bwdq])$")
SCALAR = re.compile(ARITH + r"s[sd]$")
HEADER = re.compile(r"^[0-9a-f]+ <(.*)>:$")
# ALGOSCOPE_SIMD_VARIANTS' functions are templates returning auto: "auto ns::name_avx2<...>(...)".
VARIANT = re.compile(r"^auto .*::(\w+)_avx2<")
# Loops whose AVX2 (and AVX-512) code is still mostly scalar: strided or reducing loops the
# compiler does not vectorise as written (issue 20 names them). Listed so that every other loop
# is held to the rule; a listed loop that becomes vectorised fails too, to be struck off here.
KNOWN_SCALAR = {"run_chunk", "max_plane", "plane_means", "row_sum"}


def main():
    objdump, library = sys.argv[1], sys.argv[2]
    text = subprocess.run([objdump, "-d", "-C", "--no-show-raw-insn", library], check=True,
                          capture_output=True, text=True).stdout
    counts = {}
    name = None
    for line in text.splitlines():
        header = HEADER.match(line)
        if header:
            variant = VARIANT.match(header.group(1))
            name = variant.group(1) if variant else None
            continue
        if name is None or "\t" not in line:
            continue
        instruction = line.split("\t")[-1].strip()
        mnemonic = instruction.split(" ")[0]
        counts.setdefault(name, [0, 0])
        if PACKED.match(mnemonic) and "%ymm" in instruction:
            counts[name][0] += 1
        elif SCALAR.match(mnemonic):
            counts[name][1] += 1
    if not counts:
        print("no *_avx2 variants found in", library)
        return 1
    failed = 0
    for name, (packed, scalar) in sorted(counts.items()):
        vectorised = packed > 0 and packed * 3 >= scalar
        expected = name not in KNOWN_SCALAR
        verdict = "ok" if vectorised == expected else "FAIL"
        failed += verdict == "FAIL"
        state = "vectorised" if vectorised else "scalar"
        note = "" if expected else " (known scalar)"
        print(f"{verdict:4} {packed:4d} packed {scalar:4d} scalar  {name}: {state}{note}")
    print(f"{len(counts)} AVX2 variants, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
