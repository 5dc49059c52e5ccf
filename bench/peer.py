#!/usr/bin/python3
"""The PyTorch peer of `pneumo bench`: the same models (restated in
tests/reference/make_models_reference.py), the same step (ComboLoss with the
recipe's weights bce 3, dice 1, focal 4, then Adam) and the same JSON line.

    /usr/bin/python3 bench/peer.py --model albunet --size 256 --batch 2 --mode train --steps 5 --threads 2
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "reference"))
from make_models_reference import AlbuNet, ResnetUnet, SCSEUnet  # noqa: E402


def combo_loss(logits, targets):
    p = torch.sigmoid(logits)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)
    inter = (p * targets).sum()
    dice = 1 - (2 * inter + 1e-6) / (p.sum() + targets.sum() + 1e-6)
    pc, tc = p.clamp(1e-8, 1 - 1e-8), targets.clamp(1e-8, 1 - 1e-8)
    pt = (1 - tc) * (1 - pc) + tc * pc
    focal = (-((1 - pt) ** 2) * torch.log(pt)).mean()
    return (3 * bce + dice + 4 * focal).clamp(min=1e-5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="albunet", choices=["albunet", "scseunet", "resnet50"])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--mode", default="train", choices=["train", "infer"])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"])
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format (GPU peers)")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch >= 2)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
        tf32 = a.precision == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(0)
    model = {"albunet": lambda: AlbuNet(), "scseunet": lambda: SCSEUnet(1),
             "resnet50": lambda: ResnetUnet(1, "resnet50")}[a.model]().to(a.device)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    if a.compile:
        model = torch.compile(model)
    x = torch.randn(a.batch, 3, a.size, a.size, device=a.device).to(memory_format=fmt)
    y = (torch.rand(a.batch, 1, a.size, a.size, device=a.device) < 0.2).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    model.train(a.mode == "train")

    def step():
        if a.mode == "infer":
            with torch.no_grad(), torch.autocast(device_type=a.device.split(":")[0], dtype=torch.bfloat16,
                                                 enabled=a.precision == "bf16"):
                torch.sigmoid(model(x))
            return
        opt.zero_grad()
        # bf16: autocast computes in bfloat16 with float32 master weights.
        with torch.autocast(device_type=a.device.split(":")[0], dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            out = model(x)
        combo_loss(out.float(), y).backward()
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        if a.device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    peak = (torch.cuda.max_memory_allocated() / 2**20 if a.device.startswith("cuda")
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    impl = "pytorch " + torch.__version__ + (" channels_last" if a.channels_last else "") + (" compiled" if a.compile else "")
    print(json.dumps({"impl": impl, "model": a.model, "size": a.size, "batch": a.batch,
                      "mode": a.mode, "device": a.device, "threads": a.threads, "precision": a.precision,
                      "steps": a.steps, "median_s": median, "images_per_s": a.batch / median,
                      "peak_mem_mb": peak}))


if __name__ == "__main__":
    main()
