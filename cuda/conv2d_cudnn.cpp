// Convolutions through cuDNN's convolution API (see cuda/conv2d_cudnn.h).
#include "cuda/conv2d_cudnn.h"

#include <cudnn.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include "cuda/allocator.h"
#include "cuda/check.h"
#include "cuda/context.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

// The largest workspace an algorithm may use.
constexpr size_t kMaxWorkspace = size_t{1} << 30;

enum class Kind { Forward, BackwardData, BackwardFilter };

cudnnHandle_t handle() {
  static cudnnHandle_t h = [] {
    cudnnHandle_t created = nullptr;
    PN_CUDNN_CHECK(cudnnCreate(&created));
    PN_CUDNN_CHECK(cudnnSetStream(created, stream()));
    return created;
  }();
  return h;
}

bool fits_int(const Tensor& t) {
  if (t.numel() > INT_MAX) return false;
  for (int64_t e : t.shape())
    if (e > INT_MAX) return false;
  return true;
}

int to_int(int64_t v) { return static_cast<int>(v); }

struct TensorDesc {
  cudnnTensorDescriptor_t d = nullptr;
  TensorDesc(const Tensor& t, cudnnDataType_t type) {
    PN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
    PN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, type, to_int(t.size(0)), to_int(t.size(1)),
                                              to_int(t.size(2)), to_int(t.size(3))));
  }
  ~TensorDesc() { cudnnDestroyTensorDescriptor(d); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
};

struct FilterDesc {
  cudnnFilterDescriptor_t d = nullptr;
  FilterDesc(const Tensor& w, cudnnDataType_t type) {
    PN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d));
    PN_CUDNN_CHECK(cudnnSetFilter4dDescriptor(d, type, CUDNN_TENSOR_NCHW, to_int(w.size(0)), to_int(w.size(1)),
                                              to_int(w.size(2)), to_int(w.size(3))));
  }
  ~FilterDesc() { cudnnDestroyFilterDescriptor(d); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
};

struct ConvDesc {
  cudnnConvolutionDescriptor_t d = nullptr;
  ConvDesc(const Conv2dArgs& a, cudnnDataType_t type) {
    PN_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d));
    PN_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(d, to_int(a.padding[0]), to_int(a.padding[1]),
                                                   to_int(a.stride[0]), to_int(a.stride[1]), to_int(a.dilation[0]),
                                                   to_int(a.dilation[1]), CUDNN_CROSS_CORRELATION, type));
    PN_CUDNN_CHECK(cudnnSetConvolutionGroupCount(d, to_int(a.groups)));
    // FMA math excludes TF32 tensor cores; default math allows them for float.
    PN_CUDNN_CHECK(cudnnSetConvolutionMathType(
        d, type == CUDNN_DATA_FLOAT && allow_tf32() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH));
  }
  ~ConvDesc() { cudnnDestroyConvolutionDescriptor(d); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
};

// Everything that decides the best algorithm; some algorithms need 16-byte
// aligned pointers, which a slice of a batch may not have.
using ProblemKey = std::tuple<int, int, std::vector<int64_t>, bool, bool, bool>;

ProblemKey key_of(Kind kind, const Tensor& image, const Tensor& w, const Tensor& result, const Conv2dArgs& a) {
  std::vector<int64_t> v;
  for (const Tensor* t : {&image, &w, &result})
    for (int64_t e : t->shape()) v.push_back(e);
  for (int i = 0; i < 2; ++i) {
    v.push_back(a.stride[i]);
    v.push_back(a.padding[i]);
    v.push_back(a.dilation[i]);
  }
  v.push_back(a.groups);
  bool aligned = true;
  for (const Tensor* t : {&image, &w, &result}) aligned = aligned && reinterpret_cast<uintptr_t>(t->raw_data()) % 16 == 0;
  return {static_cast<int>(kind), static_cast<int>(image.dtype()), v, allow_tf32(), deterministic(), aligned};
}

struct Choice {
  int algo = 0;
  size_t workspace = 0;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
};

std::mutex g_cache_mutex;
std::map<ProblemKey, std::optional<Choice>> g_cache;  // nullopt: no algorithm qualifies

// The fastest measured algorithm that succeeded, fits the workspace cap and
// (in deterministic mode) is deterministic; nullopt when none does (cuDNN
// supports few algorithms for some float64 or grouped problems), and the
// caller falls back to im2col + cuBLAS.
template <class Perf>
std::optional<Choice> pick(const Perf* perf, int count) {
  for (int i = 0; i < count; ++i) {
    const Perf& p = perf[i];
    if (p.status != CUDNN_STATUS_SUCCESS || p.memory > kMaxWorkspace) continue;
    if (deterministic() && p.determinism != CUDNN_DETERMINISTIC) continue;
    if (!allow_tf32()) {
      // Tensor-op maths may convert float32 to TF32; default math may too.
      if (p.mathType == CUDNN_TENSOR_OP_MATH || p.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) continue;
      return Choice{static_cast<int>(p.algo), p.memory, CUDNN_FMA_MATH};
    }
    return Choice{static_cast<int>(p.algo), p.memory, p.mathType};
  }
  return std::nullopt;
}

// cuDNN's output extents for the image and filter, compared with `out`.
bool output_matches(const TensorDesc& x, const FilterDesc& w, const ConvDesc& c, const Tensor& out) {
  int n = 0, k = 0, p = 0, q = 0;
  PN_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(c.d, x.d, w.d, &n, &k, &p, &q));
  return n == out.size(0) && k == out.size(1) && p == out.size(2) && q == out.size(3);
}

cudnnDataType_t data_type(const Tensor& t) {
  return t.dtype() == DType::Float64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
}

// alpha = 1 and beta = 0 in the type cuDNN wants for the data: double for
// double data, float otherwise.
struct Scalars {
  float f1 = 1, f0 = 0;
  double d1 = 1, d0 = 0;
  bool dbl;
  explicit Scalars(const Tensor& t) : dbl(t.dtype() == DType::Float64) {}
  const void* one() const { return dbl ? static_cast<const void*>(&d1) : &f1; }
  const void* zero() const { return dbl ? static_cast<const void*>(&d0) : &f0; }
};

// Runs `run(choice, workspace)` with the cached algorithm of the problem,
// measuring it first (`find(workspace, cap)`) if this is its first use.
// Returns false, running nothing, when no algorithm qualifies.
template <class Find, class Run>
bool with_algorithm(const ProblemKey& key, Find&& find, Run&& run) {
  std::optional<Choice> choice;
  bool known = false;
  {
    std::lock_guard lock(g_cache_mutex);
    auto it = g_cache.find(key);
    if (it != g_cache.end()) {
      choice = it->second;
      known = true;
    }
  }
  if (!known) {
    size_t free_bytes = 0, total = 0;
    PN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total));
    size_t cap = std::min(kMaxWorkspace, free_bytes / 2);
    Buffer trial(cap);
    choice = find(trial.as<void>(), cap);
    std::lock_guard lock(g_cache_mutex);
    g_cache[key] = choice;
  }
  if (!choice) return false;
  Buffer workspace(choice->workspace);
  run(*choice, workspace.as<void>());
  return true;
}

bool usable(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts)
    if (!fits_int(*t) || t->numel() == 0) return false;
  return true;
}

}  // namespace

bool cudnn_conv2d(const Tensor& x, const Tensor& w, const Conv2dArgs& a, Tensor& out) {
  if (!usable({&x, &w, &out})) return false;
  cudnnDataType_t type = data_type(x);
  TensorDesc xd(x, type), yd(out, type);
  FilterDesc wd(w, type);
  ConvDesc cd(a, type);
  if (!output_matches(xd, wd, cd, out)) return false;
  Scalars s(x);
  return with_algorithm(
      key_of(Kind::Forward, x, w, out, a),
      [&](void* ws, size_t cap) {
        cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
        int count = 0;
        PN_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(handle(), xd.d, x.raw_data(), wd.d, w.raw_data(), cd.d,
                                                              yd.d, out.raw_data(), CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                                              &count, perf, ws, cap));
        return pick(perf, count);
      },
      [&](const Choice& c, void* ws) {
        PN_CUDNN_CHECK(cudnnSetConvolutionMathType(cd.d, c.math));
        PN_CUDNN_CHECK(cudnnConvolutionForward(handle(), s.one(), xd.d, x.raw_data(), wd.d, w.raw_data(), cd.d,
                                               static_cast<cudnnConvolutionFwdAlgo_t>(c.algo), ws, c.workspace,
                                               s.zero(), yd.d, out.raw_data()));
      });
}

bool cudnn_conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Conv2dArgs& a, Tensor& grad_x) {
  if (!usable({&grad_out, &w, &grad_x})) return false;
  cudnnDataType_t type = data_type(grad_out);
  TensorDesc dyd(grad_out, type), dxd(grad_x, type);
  FilterDesc wd(w, type);
  ConvDesc cd(a, type);
  if (!output_matches(dxd, wd, cd, grad_out)) return false;
  Scalars s(grad_out);
  return with_algorithm(
      key_of(Kind::BackwardData, grad_x, w, grad_out, a),
      [&](void* ws, size_t cap) {
        cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
        int count = 0;
        PN_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(
            handle(), wd.d, w.raw_data(), dyd.d, grad_out.raw_data(), cd.d, dxd.d, grad_x.raw_data(),
            CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, perf, ws, cap));
        return pick(perf, count);
      },
      [&](const Choice& c, void* ws) {
        PN_CUDNN_CHECK(cudnnSetConvolutionMathType(cd.d, c.math));
        PN_CUDNN_CHECK(cudnnConvolutionBackwardData(handle(), s.one(), wd.d, w.raw_data(), dyd.d, grad_out.raw_data(),
                                                    cd.d, static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo), ws,
                                                    c.workspace, s.zero(), dxd.d, grad_x.raw_data()));
      });
}

bool cudnn_conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dArgs& a, Tensor& grad_w) {
  if (!usable({&grad_out, &x, &grad_w})) return false;
  cudnnDataType_t type = data_type(x);
  TensorDesc xd(x, type), dyd(grad_out, type);
  FilterDesc dwd(grad_w, type);
  ConvDesc cd(a, type);
  if (!output_matches(xd, dwd, cd, grad_out)) return false;
  Scalars s(x);
  return with_algorithm(
      key_of(Kind::BackwardFilter, x, grad_w, grad_out, a),
      [&](void* ws, size_t cap) {
        cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
        int count = 0;
        PN_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(
            handle(), xd.d, x.raw_data(), dyd.d, grad_out.raw_data(), cd.d, dwd.d, grad_w.raw_data(),
            CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, perf, ws, cap));
        return pick(perf, count);
      },
      [&](const Choice& c, void* ws) {
        PN_CUDNN_CHECK(cudnnSetConvolutionMathType(cd.d, c.math));
        PN_CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle(), s.one(), xd.d, x.raw_data(), dyd.d,
                                                      grad_out.raw_data(), cd.d,
                                                      static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo), ws,
                                                      c.workspace, s.zero(), dwd.d, grad_w.raw_data()));
      });
}

}  // namespace pn::cuda
