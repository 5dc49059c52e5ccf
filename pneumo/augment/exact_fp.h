#pragma once
// Included first by the augmentation sources whose floating-point results
// must equal OpenCV's, numpy's and scipy's to the bit.
//
// A compiler may fuse a * b + c into one fused multiply-add (one rounding
// instead of two) where the target has FMA: GCC does so even in ISO C++ mode
// (-ffp-contract=fast) once -mfma or -march=native is on, and function clones
// for newer CPUs (target_clones) get it too.  The reference rounds twice; this
// turns contraction off for the rest of the including file.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
