// The Adam / AdamW update, element by element, as torch 1.13's _single_tensor_adam[w]
// computes it in float32 or float64: each torch op's scalar is rounded to the tensor's
// dtype, and the operations run in torch's order, fused where torch's kernels are (add
// with alpha, and addcmul's last multiply-add; not addcdiv's divide), so the results are
// torch's bit for bit. CMakeLists.txt compiles this file with
// -ffp-contract=off so no compiler fuses anything else. The loop below is the reference;
// float32 runs take the CPU level's vector copy of it (core/kernels/level_kernels.h:
// adam_f32, the same bits) on all but a tail. Not here: the groups (optimizer.h).
#include "optim/adam.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "core/autograd.h"
#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

namespace minigrad::optim {

namespace {

using detail::num;

template <class Options>
void check_options(const Options& o, const std::string& name) {
  // Written as !(x >= 0) so that a NaN fails too, as torch's `not 0.0 <= x` does.
  if (!(o.lr >= 0)) throw std::invalid_argument(name + ": Invalid learning rate: " + num(o.lr));
  if (!(o.eps >= 0)) throw std::invalid_argument(name + ": Invalid epsilon value: " + num(o.eps));
  if (!(o.betas.first >= 0 && o.betas.first < 1))
    throw std::invalid_argument(name + ": Invalid beta parameter at index 0: " + num(o.betas.first) +
                                " (betas must lie in [0, 1))");
  if (!(o.betas.second >= 0 && o.betas.second < 1))
    throw std::invalid_argument(name + ": Invalid beta parameter at index 1: " + num(o.betas.second) +
                                " (betas must lie in [0, 1))");
  if (!(o.weight_decay >= 0))
    throw std::invalid_argument(name + ": Invalid weight_decay value: " + num(o.weight_decay));
}

// One step's scalars, in double as torch's Python computes them; the loop rounds each
// to the tensor's dtype where torch passes it to an op.
struct Coefficients {
  double beta1, beta2;
  double l2 = 0;        // Adam: grad.add(param, alpha=weight_decay)
  double shrink = 1;    // AdamW: param.mul_(1 - lr * weight_decay)
  double bias_correction2_sqrt;
  double eps;
  double neg_step_size;  // -lr / (1 - beta1^step)
  bool maximize, amsgrad, decoupled;
};

// torch.maximum: a NaN in either input wins.
template <class T>
T maximum(T a, T b) {
  return (std::isnan(a) || a > b) ? a : b;
}

template <class T>
void update(T* p, const T* grad, T* m, T* v, T* v_max, int64_t n, const Coefficients& c) {
  const T beta1 = static_cast<T>(c.beta1), one_minus_beta1 = static_cast<T>(1 - c.beta1);
  const T beta2 = static_cast<T>(c.beta2), one_minus_beta2 = static_cast<T>(1 - c.beta2);
  const T l2 = static_cast<T>(c.l2), shrink = static_cast<T>(c.shrink);
  const T bc2_sqrt = static_cast<T>(c.bias_correction2_sqrt), eps = static_cast<T>(c.eps);
  const T neg_step_size = static_cast<T>(c.neg_step_size);
  const kernels::AdamStepF32 vec{float(beta1), float(one_minus_beta1), float(beta2), float(one_minus_beta2), float(l2),
                                 float(shrink), float(bc2_sqrt), float(eps), float(neg_step_size), c.decoupled};
  // (the vector copy decides "l2 != 0" on the float: the same unless weight_decay underflows)
  const bool vector_ok = !c.maximize && !c.amsgrad && (c.l2 != 0) == (l2 != 0);
  kernels::parallel_for(n, 16, [&](int64_t begin, int64_t end) {
    if constexpr (std::is_same_v<T, float>) {
      if (vector_ok) begin += kernels::cpu().adam_f32(p + begin, grad + begin, m + begin, v + begin,
                                                                      end - begin, vec);
    }
    for (int64_t i = begin; i < end; ++i) {
      T g = c.maximize ? -grad[i] : grad[i];
      if (c.decoupled) {
        p[i] = p[i] * shrink;                       // param.mul_(1 - lr * weight_decay)
      } else if (c.l2 != 0) {
        g = std::fma(p[i], l2, g);                  // grad = grad.add(param, alpha=weight_decay)
      }
      m[i] = std::fma(g, one_minus_beta1, m[i] * beta1);  // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
      // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2): addcmul's kernel is
      // self + value * t1 * t2, whose last multiply and add torch's build fuses.
      v[i] = std::fma(one_minus_beta2 * g, g, v[i] * beta2);
      T v_hat = v[i];
      if (c.amsgrad) v_hat = v_max[i] = maximum(v_max[i], v[i]);  // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=...)
      T denom = std::sqrt(v_hat) / bc2_sqrt + eps;  // (v_hat.sqrt() / bias_correction2_sqrt).add_(eps)
      p[i] = p[i] + neg_step_size * m[i] / denom;   // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
  });
}

}  // namespace

template <class Options>
AdamFamily<Options>::AdamFamily(std::vector<ParamGroup<Options>> groups, const char* name, bool decoupled)
    : GroupedOptimizer<Options>(std::move(groups)), name_(name), decoupled_(decoupled),
      states_(this->params_.size()) {
  for (const auto& g : this->groups_) check_options(g.options, name_);
}

template <class Options>
void AdamFamily<Options>::step() {
  NoGradGuard no_grad;
  this->for_each_param([&](const ParamGroup<Options>& group, std::size_t i, Tensor& p) {
    Tensor grad = p.grad();
    if (!grad.defined()) return;  // this parameter took no part in the last backward
    // (set_grad and backward guarantee the gradient has p's shape and dtype)
    const Options& o = group.options;
    AdamParamState& s = states_[i];
    if (s.step == 0) {  // torch's lazy state initialisation: zeros shaped like p
      s.exp_avg = zeros_like(p);
      s.exp_avg_sq = zeros_like(p);
      if (o.amsgrad) s.max_exp_avg_sq = zeros_like(p);
    }
    if (o.amsgrad && !s.max_exp_avg_sq.defined()) s.max_exp_avg_sq = zeros_like(p);  // amsgrad turned on later
    s.step += 1;
    const auto step = static_cast<double>(s.step);
    Coefficients c{};
    c.beta1 = o.betas.first;
    c.beta2 = o.betas.second;
    if (decoupled_) c.shrink = 1 - o.lr * o.weight_decay;
    else c.l2 = o.weight_decay;
    c.bias_correction2_sqrt = std::sqrt(1 - std::pow(o.betas.second, step));
    c.eps = o.eps;
    c.neg_step_size = -(o.lr / (1 - std::pow(o.betas.first, step)));
    c.maximize = o.maximize;
    c.amsgrad = o.amsgrad;
    c.decoupled = decoupled_;
    auto run = [&](auto zero) {
      using T = decltype(zero);
      T* v_max = o.amsgrad ? s.max_exp_avg_sq.data_ptr<T>() : nullptr;
      update<T>(p.data_ptr<T>(), grad.data_ptr<T>(), s.exp_avg.data_ptr<T>(), s.exp_avg_sq.data_ptr<T>(), v_max,
                p.numel(), c);
    };
    if (p.dtype() == DType::Float32) run(0.0f);
    else run(0.0);
    // The writes went around the tensor ops, so tell autograd's version checks as in-place ops do.
    p.impl()->storage->version++;
  });
}

template class AdamFamily<AdamOptions>;
template class AdamFamily<AdamWOptions>;

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::vector<ParamGroup<AdamOptions>>{{std::move(params), options}}) {}
Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups) : AdamFamily(std::move(groups), "Adam", false) {}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : AdamW(std::vector<ParamGroup<AdamWOptions>>{{std::move(params), options}}) {}
AdamW::AdamW(std::vector<ParamGroup<AdamWOptions>> groups) : AdamFamily(std::move(groups), "AdamW", true) {}

}  // namespace minigrad::optim
