#!/usr/bin/env python3
"""Learning rates per epoch from PyTorch's optimizers and schedulers, for the
configurations' OPTIMIZER/SCHEDULER sections (tests/train/test_schedule.cpp).

Writes tests/data/train/schedules.txt: for each case a block
    CASE <name> <epochs> <metric>
    <the YAML text of OPTIMIZER and SCHEDULER, indented by two spaces>
    LRS <lr of epoch 0> <lr of epoch 1> ...
The training loop's order: the lr of epoch e is read, then the scheduler steps
(ReduceLROnPlateau with the constant metric).
Run with Debian's python3 (python3-torch)."""
import os
import textwrap

import torch

CASES = [
    ("reference_plateau", 50, 0.5, """
OPTIMIZER:
  CLASS: Adam
  ARGS:
    lr: 0.0001
    weight_decay: 0.000005
SCHEDULER:
  CLASS: ReduceLROnPlateau
  ARGS:
    mode: max
    factor: 0.1
    patience: 2
    threshold: 0.0000001
    min_lr: 0.0000001
""", lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt, mode="max", factor=0.1, patience=2, threshold=1e-7, min_lr=1e-7)),
    ("reference_cosine", 50, 0.0, """
OPTIMIZER:
  CLASS: Adam
  ARGS:
    lr: 0.00001
    weight_decay: 0.000005
SCHEDULER:
 CLASS: CosineAnnealingLR
 ARGS:
   T_max: 8
   eta_min: 0.0000001
""", lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=1e-7)),
    ("warm_restarts", 40, 0.0, """
OPTIMIZER:
  CLASS: Adam
  ARGS:
    lr: 0.0001
SCHEDULER:
  CLASS: CosineAnnealingWarmRestarts
  ARGS:
    T_0: 1
    T_mult: 2
""", lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=1, T_mult=2)),
    ("step", 20, 0.0, """
OPTIMIZER:
  CLASS: SGD
  ARGS:
    lr: 0.1
    momentum: 0.9
SCHEDULER:
  CLASS: StepLR
  ARGS:
    step_size: 3
    gamma: 0.5
""", lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)),
    ("multistep", 20, 0.0, """
OPTIMIZER:
  CLASS: AdamW
  ARGS:
    lr: 0.001
    betas: [0.9, 0.99]
SCHEDULER:
  CLASS: MultiStepLR
  ARGS:
    milestones: [2, 5, 11]
    gamma: 0.3
""", lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 11], gamma=0.3)),
    ("plateau_min", 30, 1.0, """
OPTIMIZER:
  CLASS: Adam
  ARGS:
    lr: 0.001
SCHEDULER:
  CLASS: ReduceLROnPlateau
  ARGS:
    patience: 3
    cooldown: 2
    factor: 0.5
""", lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=3, cooldown=2, factor=0.5)),
]

OPTIMIZERS = {"Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW, "SGD": torch.optim.SGD}


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "data", "train", "schedules.txt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    blocks = []
    for name, epochs, metric, yaml_text, make in CASES:
        cls = yaml_text.split("CLASS:")[1].split()[0]
        lr = float(yaml_text.split("lr:")[1].split()[0])
        p = torch.nn.Parameter(torch.zeros(1))
        opt = OPTIMIZERS[cls]([p], lr=lr)
        sched = make(opt)
        lrs = []
        for _ in range(epochs):
            lrs.append(opt.param_groups[0]["lr"])
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(metric)
            else:
                sched.step()
        body = textwrap.indent(yaml_text.strip("\n"), "  ")
        blocks.append(f"CASE {name} {epochs} {metric!r}\n{body}\nLRS {' '.join(repr(v) for v in lrs)}\n")
    with open(out, "w") as f:
        f.write("".join(blocks))
    print("wrote", out)


if __name__ == "__main__":
    main()
