#!/usr/bin/env python3
"""Writes tests/data/reference/optim.bin and sched.bin: PyTorch's optimizer
trajectories, clip_grad_norm_ results and learning-rate schedules, for
tests/nn/test_optim.cpp, test_clip_grad.cpp and test_lr_sched.cpp.

optim.bin, for each optimizer case `<case>` in float64 and float32
(`<case>.f64.*`, `<case>.f32.*`):
  the problem, shared by all cases (float64): `problem.p0`, `problem.p1` (the
  initial parameters, group 0 and group 1), and the coefficients of the loss
      L(p0, p1) = sum(a0 * (p0 - c0)^2) + sum(a1 * (p1 - c1)^2 * (p1 - c1)^2 * 0.25)
                  + sum(p0 * p0) * sum(p1) * 0.1
  (`problem.a0`, `problem.c0`, `problem.a1`, `problem.c1`), whose gradients
  the C++ test computes with our autograd; `<case>.args`: the hyperparameters
  (see ARGS below); `<case>.<dtype>.traj0/traj1`: p0, p1 after every step,
  shape [STEPS, ...]. At step LR_CHANGE_STEP (before that step) the lr of
  group 0 is halved, as a scheduler would, so the trajectory shows that the
  update reads the group's current lr.
  clip_grad_norm_ cases `clip.<case>`: `.args` = (max_norm, norm_type;
  norm_type -1 meaning inf), the gradients before (`.g0`, `.g1`, `.g2`,
  float64 and `.f32.g*` float32), after (`.out.g*`, `.f32.out.g*`) and the
  returned total norm (`.norm`, `.f32.norm`).

sched.bin, per case `<case>`: `.args` (the constructor arguments, see each
case), `.lr0` (the initial lrs of the groups), `.lr`: the lr of every group
after each step, shape [steps, groups]; ReduceLROnPlateau cases also store
`.metrics`, the scripted metric sequence; the fractional-epoch warm-restart
case stores `.epochs`, the argument of each step(epoch).

Everything is computed with foreach=False (PyTorch's per-tensor loop, the
semantics we implement). Run with Debian's python3-torch (1.13 was used):
    /usr/bin/python3 tests/reference/make_optim_reference.py
"""
import math
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reftensors  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "reference")
STEPS = 20
LR_CHANGE_STEP = 10
INF = float("inf")

# Optimizer cases. args = (kind, lr, group-1 lr, beta1/momentum, beta2/dampening,
#   eps, weight_decay, group-1 weight_decay, amsgrad/nesterov)
# kind: 0 Adam, 1 AdamW, 2 SGD.
OPTIM = {
    "adam": (0, 1e-2, 5e-3, 0.9, 0.999, 1e-8, 0.0, 0.0, 0),
    "adam_wd": (0, 1e-2, 2e-2, 0.8, 0.99, 1e-6, 0.1, 0.0, 0),
    "adam_amsgrad": (0, 1e-2, 1e-2, 0.9, 0.999, 1e-8, 0.05, 0.01, 1),
    "adamw": (1, 1e-2, 5e-3, 0.9, 0.999, 1e-8, 1e-2, 0.1, 0),
    "adamw_amsgrad": (1, 2e-2, 1e-2, 0.85, 0.995, 1e-7, 0.2, 0.0, 1),
    "sgd": (2, 1e-2, 2e-2, 0.0, 0.0, 0.0, 0.0, 0.0, 0),
    "sgd_momentum": (2, 1e-2, 5e-3, 0.9, 0.1, 0.0, 1e-3, 0.0, 0),
    "sgd_nesterov": (2, 1e-2, 5e-3, 0.9, 0.0, 0.0, 1e-3, 1e-2, 1),
}


def problem():
    gen = torch.Generator().manual_seed(20240611)

    def rand(*shape, lo=-1.0, hi=1.0):
        return torch.rand(shape, generator=gen, dtype=torch.float64) * (hi - lo) + lo

    return {
        "problem.p0": rand(3, 4),
        "problem.p1": rand(5),
        "problem.a0": rand(3, 4, lo=0.5, hi=2.0),
        "problem.c0": rand(3, 4),
        "problem.a1": rand(5, lo=0.5, hi=2.0),
        "problem.c1": rand(5),
    }


def loss_fn(p0, p1, pr, dtype):
    a0, c0 = pr["problem.a0"].to(dtype), pr["problem.c0"].to(dtype)
    a1, c1 = pr["problem.a1"].to(dtype), pr["problem.c1"].to(dtype)
    d1 = (p1 - c1) * (p1 - c1)
    return (a0 * (p0 - c0) * (p0 - c0)).sum() + (a1 * d1 * d1 * 0.25).sum() + \
        (p0 * p0).sum() * p1.sum() * 0.1


def run_optimizer(args, pr, dtype):
    kind, lr, lr1, b1, b2, eps, wd, wd1, flag = args
    p0 = pr["problem.p0"].to(dtype).clone().requires_grad_()
    p1 = pr["problem.p1"].to(dtype).clone().requires_grad_()
    if kind in (0, 1):
        cls = torch.optim.Adam if kind == 0 else torch.optim.AdamW
        opt = cls([{"params": [p0]}, {"params": [p1], "lr": lr1, "weight_decay": wd1}],
                  lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, amsgrad=bool(flag),
                  foreach=False)
    else:
        opt = torch.optim.SGD([{"params": [p0]}, {"params": [p1], "lr": lr1, "weight_decay": wd1}],
                              lr=lr, momentum=b1, dampening=b2, weight_decay=wd,
                              nesterov=bool(flag), foreach=False)
    traj0, traj1 = [], []
    for step in range(STEPS):
        if step == LR_CHANGE_STEP:
            opt.param_groups[0]["lr"] *= 0.5
        opt.zero_grad()
        loss_fn(p0, p1, pr, dtype).backward()
        opt.step()
        traj0.append(p0.detach().clone())
        traj1.append(p1.detach().clone())
    return torch.stack(traj0), torch.stack(traj1)


# clip_grad_norm_ cases: (max_norm, norm_type); the gradients are random with
# norms around 3, so 0.1 clips and 100 does not.
CLIP = {
    "l2_clipped": (0.1, 2.0),
    "l2_unclipped": (100.0, 2.0),
    "l1_clipped": (1.0, 1.0),
    "l3_clipped": (0.5, 3.0),
    "inf_clipped": (0.2, INF),
    "inf_unclipped": (50.0, INF),
}


def clip_cases():
    gen = torch.Generator().manual_seed(7)
    out = {}
    for name, (max_norm, norm_type) in CLIP.items():
        grads = [torch.randn(s, generator=gen, dtype=torch.float64) for s in ([4, 3], [7], [2, 2, 2])]
        out["clip.%s.args" % name] = torch.tensor([max_norm, -1.0 if norm_type == INF else norm_type],
                                                  dtype=torch.float64)
        for tag, dtype in (("", torch.float64), (".f32", torch.float32)):
            params = []
            for i, g in enumerate(grads):
                p = torch.zeros_like(g, dtype=dtype, requires_grad=True)
                p.grad = g.to(dtype).clone()
                params.append(p)
                out["clip.%s%s.g%d" % (name, tag, i)] = g.to(dtype)
            norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
            out["clip.%s%s.norm" % (name, tag)] = torch.tensor([float(norm)], dtype=torch.float64)
            for i, p in enumerate(params):
                out["clip.%s%s.out.g%d" % (name, tag, i)] = p.grad
    return out


def make_optim():
    pr = problem()
    out = dict(pr)
    for name, args in OPTIM.items():
        out[name + ".args"] = torch.tensor(args, dtype=torch.float64)
        for tag, dtype in (("f64", torch.float64), ("f32", torch.float32)):
            t0, t1 = run_optimizer(args, pr, dtype)
            out["%s.%s.traj0" % (name, tag)] = t0
            out["%s.%s.traj1" % (name, tag)] = t1
    out.update(clip_cases())
    return out


# ---- schedulers ------------------------------------------------------------

def optimizer_with(lrs):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0])


def lrs_of(opt):
    return [g["lr"] for g in opt.param_groups]


def record(opt, steps, step_fn):
    rows = []
    for i in range(steps):
        step_fn(i)
        rows.append(lrs_of(opt))
    return torch.tensor(rows, dtype=torch.float64)


def sched_cases():
    out = {}

    def put(name, args, lr0, rows, **extra):
        out[name + ".args"] = torch.tensor(args, dtype=torch.float64)
        out[name + ".lr0"] = torch.tensor(lr0, dtype=torch.float64)
        out[name + ".lr"] = rows
        for k, v in extra.items():
            out[name + "." + k] = torch.tensor(v, dtype=torch.float64)

    # CosineAnnealingLR: args = (T_max, eta_min, external_step, external_factor);
    # at step external_step (before it, -1 = never) every group's lr is
    # multiplied by external_factor, which the recursive form carries on.
    cosine = {
        "cosine_config": ([1e-5], 8, 1e-7, -1, 1.0, 3 * 2 * 8),
        "cosine_two_groups": ([1e-3, 3e-4], 5, 0.0, -1, 1.0, 3 * 2 * 5 + 3),
        "cosine_external": ([1e-2, 5e-3], 6, 1e-4, 9, 0.5, 3 * 2 * 6),
    }
    for name, (lr0, t_max, eta_min, ext, factor, steps) in cosine.items():
        opt = optimizer_with(lr0)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min)

        def step(i, opt=opt, sched=sched, ext=ext, factor=factor):
            if i == ext:
                for g in opt.param_groups:
                    g["lr"] *= factor
            opt.step()
            sched.step()

        put(name, [t_max, eta_min, ext, factor], lr0, record(opt, steps, step))

    # CosineAnnealingWarmRestarts: args = (T_0, T_mult, eta_min).
    warm = {
        "warm_t1_m2": ([1e-5], 1, 2, 0.0, 1 + 2 + 4 + 8 + 5),
        "warm_t3_m1": ([1e-3, 2e-3], 3, 1, 1e-6, 3 * 4 + 2),
        "warm_t2_m3": ([1e-2], 2, 3, 1e-5, 2 + 6 + 18 + 4),
    }
    for name, (lr0, t0, mult, eta_min, steps) in warm.items():
        opt = optimizer_with(lr0)
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=t0, T_mult=mult,
                                                                     eta_min=eta_min)

        def step(i, opt=opt, sched=sched):
            opt.step()
            sched.step()

        put(name, [t0, mult, eta_min], lr0, record(opt, steps, step))

    # Fractional epochs, as PyTorch documents: step(epoch + batch / iters).
    for name, (lr0, t0, mult, eta_min, iters, epochs_n) in {
        "warm_frac_m2": ([1e-3], 1, 2, 1e-6, 4, 16),
        "warm_frac_m1": ([1e-3, 5e-4], 2, 1, 0.0, 3, 7),
    }.items():
        opt = optimizer_with(lr0)
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=t0, T_mult=mult,
                                                                     eta_min=eta_min)
        epochs = [e + b / iters for e in range(epochs_n) for b in range(iters)]

        def step(i, opt=opt, sched=sched, epochs=epochs):
            opt.step()
            sched.step(epochs[i])

        put(name, [t0, mult, eta_min], lr0, record(opt, len(epochs), step), epochs=epochs)

    # StepLR: args = (step_size, gamma); MultiStepLR: args = (gamma, milestones...).
    opt = optimizer_with([0.1, 0.05])
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    put("steplr", [3, 0.5], [0.1, 0.05], record(opt, 12, lambda i: (opt.step(), sched.step())))
    opt2 = optimizer_with([0.1])
    sched2 = torch.optim.lr_scheduler.MultiStepLR(opt2, milestones=[2, 5, 5, 9], gamma=0.3)
    put("multisteplr", [0.3, 2, 5, 5, 9], [0.1], record(opt2, 12, lambda i: (opt2.step(), sched2.step())))

    # ReduceLROnPlateau: args = (mode 0 min / 1 max, factor, patience,
    # threshold, threshold_mode 0 rel / 1 abs, cooldown, eps, min_lr per group...).
    rising = [0.70, 0.75, 0.80, 0.80, 0.80 + 5e-8, 0.80, 0.79, 0.81, 0.81, 0.81, 0.81,
              0.812, 0.80, 0.80, 0.80, 0.80, 0.80, 0.80, 0.80, 0.80, 0.80, 0.80, 0.80,
              0.80, 0.80, 0.85, 0.80, 0.80, 0.80, 0.80]
    falling = [1.0, 0.9, 0.85, 0.84, 0.845, 0.83, 0.83, 0.829, 0.8, 0.7, 0.71, 0.7, 0.69,
               0.695, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.55, 0.6, 0.6, 0.6, 0.6, 0.6]
    plateau = {
        # the reference configs' part 0: mode max, factor 0.1, patience 2, threshold 1e-7, min_lr 1e-7
        "plateau_config": ([1e-4], (1, 0.1, 2, 1e-7, 0, 0, 1e-8, [1e-7]), rising),
        "plateau_max_abs_cooldown": ([1e-3, 2e-3], (1, 0.5, 1, 0.005, 1, 2, 1e-8, [1e-4, 3e-4]), rising),
        "plateau_min_rel": ([1e-2], (0, 0.3, 1, 0.02, 0, 1, 1e-8, [0.0]), falling),
        "plateau_min_abs_eps": ([1e-2, 1e-3], (0, 0.5, 0, 0.05, 1, 0, 1e-4, [0.0, 0.0]), falling),
    }
    for name, (lr0, (mode, factor, patience, threshold, tmode, cooldown, eps, min_lrs), metrics) in plateau.items():
        opt = optimizer_with(lr0)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=["min", "max"][mode], factor=factor, patience=patience, threshold=threshold,
            threshold_mode=["rel", "abs"][tmode], cooldown=cooldown, min_lr=min_lrs, eps=eps)

        def step(i, opt=opt, sched=sched, metrics=metrics):
            opt.step()
            sched.step(metrics[i])

        put(name, [mode, factor, patience, threshold, tmode, cooldown, eps] + min_lrs, lr0,
            record(opt, len(metrics), step), metrics=metrics)
    return out


def main():
    warnings.simplefilter("ignore")  # the deprecation warning of step(epoch)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    reftensors.save(os.path.join(OUT_DIR, "optim.bin"), make_optim())
    reftensors.save(os.path.join(OUT_DIR, "sched.bin"), sched_cases())


if __name__ == "__main__":
    main()
