#pragma once
// Crash points: named places where a test may kill the process, to prove
// that whatever was being written survives a SIGKILL at exactly that moment
// (tests/train/test_kill.cpp kills `pneumo train` this way, and also at
// arbitrary times from outside).
//
// Off unless the environment asks for it; then every call counts:
//   PN_CRASH_AT=N    the N-th crash point reached (from 1) sends SIGKILL to
//                    the process itself: no destructor, no flush, no atexit
//   PN_CRASH_LOG=F   each crash point reached appends "N name" to the file F,
//                    so that a test can list the points of a whole run
// Disabled, a crash point costs one load of a flag. Points are reached from
// one thread at a time (the training thread), but the count is atomic anyway.
namespace pn::nn::io {

void crash_point(const char* name);

}  // namespace pn::nn::io
