#include "cuda/context.h"

#include <atomic>
#include <mutex>

#include "cuda/backend.h"
#include "cuda/check.h"

namespace pn::cuda {

namespace {

std::atomic<bool> g_allow_tf32{false};
std::atomic<bool> g_deterministic{true};

struct Context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  bool cublas_tf32 = false;  // the math mode last given to the handle
};

Context& context() {
  static Context c;
  static std::once_flag once;
  std::call_once(once, [] {
    PN_CHECK(device_count() > 0, "cuda: no CUDA device is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)");
    PN_CUDA_CHECK(cudaSetDevice(0));
    // Non-blocking: the legacy default stream, which some libraries use,
    // never serialises against ours.
    PN_CUDA_CHECK(cudaStreamCreateWithFlags(&c.stream, cudaStreamNonBlocking));
    PN_CUBLAS_CHECK(cublasCreate(&c.cublas));
    PN_CUBLAS_CHECK(cublasSetStream(c.cublas, c.stream));
    PN_CUBLAS_CHECK(cublasSetMathMode(c.cublas, CUBLAS_PEDANTIC_MATH));
  });
  return c;
}

}  // namespace

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no device" / "no driver" error
    return 0;
  }
  return n;
}

cudaStream_t stream() { return context().stream; }

cublasHandle_t cublas() {
  Context& c = context();
  bool tf32 = allow_tf32();
  if (tf32 != c.cublas_tf32) {
    // Pedantic math forbids every reduced-precision shortcut; TF32 math
    // allows exactly the tensor-core one.
    PN_CUBLAS_CHECK(cublasSetMathMode(c.cublas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_PEDANTIC_MATH));
    c.cublas_tf32 = tf32;
  }
  return c.cublas;
}

void synchronize() { PN_CUDA_CHECK(cudaStreamSynchronize(stream())); }

void set_allow_tf32(bool on) { g_allow_tf32.store(on); }
bool allow_tf32() { return g_allow_tf32.load(); }
void set_deterministic(bool on) { g_deterministic.store(on); }
bool deterministic() { return g_deterministic.load(); }

std::string CudaBackend::device_name() const {
  context();  // device 0 selected
  cudaDeviceProp prop{};
  PN_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  return prop.name;
}

bool CudaBackend::set_allow_tf32(bool on) {
  cuda::set_allow_tf32(on);
  return true;
}

}  // namespace pn::cuda
