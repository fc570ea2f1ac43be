"""PyTorch on the shapes of our benchmark suite: the peer every kernel of ours is compared with.

    python3 benchmarks/pytorch/baseline.py --device cuda --out baseline.json
    python3 benchmarks/pytorch/baseline.py --device cpu --out baseline.json   # runs anywhere

On CUDA: cuBLAS and cuDNN with TF32 off (strict FP32, like our kernels), each op timed by
CUDA events around the op alone (median of repetitions after warm-up), plus the card's own
ceilings measured in the same run: a device-to-device copy (bytes read + written) and an
FP32 FMA loop (CuPy, when present). On the CPU the same ops are timed by wall clock.
The shapes mirror benchmarks/src/main/java/dev/tensorbackend/bench/workload/*Case.java.
Without --full, the sizes the quick benchmark leaves out are skipped on the CPU only.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

MATMUL_SIZES = (64, 128, 256, 512, 1024, 2048, 4096)
ATTENTION = {"qkt-8x64x32": (8, 64, 32), "qkt-32x512x64": (32, 512, 64)}   # batch, tokens, width
CONV = {  # batch, in channels, height, width, out channels, filter, stride, padding
    "documented": (1, 1, 4, 4, 1, 2, 2, 0),
    "mid": (8, 16, 64, 64, 32, 3, 1, 1),
    "mid-b1": (1, 16, 64, 64, 32, 3, 1, 1),   # the mid layer at small batch
    "large": (32, 64, 56, 56, 64, 3, 1, 1),
    "train-large": (32, 1, 1024, 128, 1, 2, 2, 0),   # the large training network's own layer
}
SOFTMAX_SIZES = (1024, 2048, 4096, 8192)
TRAIN = {"documented": (2, 2, 2, 2, 1), "small": (64, 32, 2, 2, 8), "large": (512, 64, 2, 2, 32)}
QUICK_LEAVES_OUT = {("matmul", "2048"), ("matmul", "4096"), ("conv2d", "large"), ("conv2d", "train-large"), ("softmax", "8192"),
                    ("attention", "qkt-32x512x64"), ("train", "large")}


class Timer:
    def __init__(self, device):
        self.device = device

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    def median_ms(self, fn, budget_s=0.05, max_reps=200):
        """Median milliseconds of fn() after warm-up, with enough repetitions to fill budget_s."""
        for _ in range(3):
            fn()
        self.sync()
        t0 = time.perf_counter()
        fn()
        self.sync()
        reps = max(3, min(max_reps, int(budget_s / max(time.perf_counter() - t0, 1e-6))))
        times = []
        for _ in range(reps):
            if self.device.type == "cuda":
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        return times[len(times) // 2]


def conv_flops(b, c, h, w, k, f, stride, pad):
    oh, ow = (h + 2 * pad - f) // stride + 1, (w + 2 * pad - f) // stride + 1
    return 2.0 * b * k * oh * ow * c * f * f


def train_step_fn(device, tokens, width, filt, stride, batch, lr=0.1):
    """One eager training step of our documented network at another size: conv (1 channel) +
    bias, self-attention, dense + ReLU, mean squared error over the batch, plain SGD."""
    g = torch.Generator().manual_seed(42)
    h, w = (tokens - 1) * stride + filt, (width - 1) * stride + filt

    def param(*shape, fan_in):
        lim = 1 / math.sqrt(fan_in)
        return ((torch.rand(*shape, generator=g) * 2 - 1) * lim).to(device).requires_grad_()

    fw, bc = param(1, 1, filt, filt, fan_in=filt * filt), torch.zeros(1, device=device, requires_grad=True)
    wq, wk, wv = (param(width, width, fan_in=width) for _ in range(3))
    wd, bd = param(1, tokens * width, fan_in=tokens * width), torch.zeros(1, device=device, requires_grad=True)
    params = [fw, bc, wq, wk, wv, wd, bd]
    x = torch.rand(batch, 1, h, w, generator=g).to(device)
    y = torch.rand(batch, 1, generator=g).to(device)

    def step():
        cn = (F.conv2d(x, fw, stride=stride) + bc).reshape(batch, tokens, width)
        q, k, v = cn @ wq, cn @ wk, cn @ wv
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(width), dim=-1)
        yhat = torch.relu(F.linear((a @ v).reshape(batch, -1), wd, bd))
        cost = ((yhat - y) ** 2).sum() / batch
        for p in params:
            p.grad = None
        cost.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return cost

    flops = 3 * 2.0 * batch * (tokens * width * filt * filt + 3 * tokens * width * width
                               + 2 * tokens * tokens * width + tokens * width)
    return step, flops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--out", default="baseline.json")
    ap.add_argument("--full", action="store_true", help="on the CPU too, every size")
    args = ap.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("baseline: --device cuda but PyTorch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    timer = Timer(device)
    skip = set() if device.type == "cuda" or args.full else QUICK_LEAVES_OUT
    rows = []

    def record(op, shape, ms, flops=None, nbytes=None):
        r = {"op": op, "shape": shape, "ms": ms}
        if flops:
            r["gflops"] = flops / ms / 1e6
        if nbytes:
            r["gbps"] = nbytes / ms / 1e6
        rows.append(r)
        rate = f"{r['gflops']:10.1f} GFLOP/s" if flops else f"{r['gbps']:10.1f} GB/s"
        print(f"{op:26s} {shape:16s} {ms:10.4f} ms {rate}", flush=True)

    info = {"device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
            "torch": torch.__version__, "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
            "threads": torch.get_num_threads(), "tf32": False,
            "timing": "CUDA events around the op, median" if device.type == "cuda" else "wall clock, median"}

    n = 1 << (28 if device.type == "cuda" else 24)
    src = torch.empty(n, device=device)
    dst = torch.empty_like(src)
    record("ceiling-copy", f"{4 * n >> 20} MiB", timer.median_ms(lambda: dst.copy_(src)), nbytes=2 * 4 * n)
    del src, dst
    if device.type == "cuda":
        fma = fma_ceiling(timer)
        if fma:
            record("ceiling-fp32-fma", "all SMs", *fma)

    for s in MATMUL_SIZES:
        if ("matmul", str(s)) in skip:
            continue
        a, b = torch.randn(s, s, device=device), torch.randn(s, s, device=device)
        record("matmul", str(s), timer.median_ms(lambda: a @ b), flops=2.0 * s ** 3)
    for label, (bsz, t, d) in ATTENTION.items():
        if ("attention", label) in skip:
            continue
        q, k = torch.randn(bsz, t, d, device=device), torch.randn(bsz, t, d, device=device)
        att = torch.randn(bsz, t, t, device=device)
        record("attention-qkt", label, timer.median_ms(lambda: q @ k.transpose(1, 2)), flops=2.0 * bsz * t * t * d)
        record("attention-av", label.replace("qkt", "av"), timer.median_ms(lambda: att @ q), flops=2.0 * bsz * t * t * d)

    for label, (b, c, h, w, k, f, stride, pad) in CONV.items():
        if ("conv2d", label) in skip:
            continue
        x = torch.randn(b, c, h, w, device=device)
        wt = torch.randn(k, c, f, f, device=device)
        gy = torch.randn_like(F.conv2d(x, wt, stride=stride, padding=pad))
        flops = conv_flops(b, c, h, w, k, f, stride, pad)
        record("conv2d-forward", label, timer.median_ms(lambda: F.conv2d(x, wt, stride=stride, padding=pad)), flops=flops)
        record("conv2d-backward-input", label, timer.median_ms(
            lambda: torch.nn.grad.conv2d_input(x.shape, wt, gy, stride=stride, padding=pad)), flops=flops)
        record("conv2d-backward-filter", label, timer.median_ms(
            lambda: torch.nn.grad.conv2d_weight(x, wt.shape, gy, stride=stride, padding=pad)), flops=flops)

    for s in SOFTMAX_SIZES:
        if ("softmax", str(s)) in skip:
            continue
        x = torch.randn(s, s, device=device)
        y = torch.softmax(x, dim=1)
        gy = torch.randn_like(y)
        record("softmax-forward", str(s), timer.median_ms(lambda: torch.softmax(x, dim=1)), nbytes=2 * 4 * s * s)
        record("softmax-backward", str(s), timer.median_ms(
            lambda: torch._softmax_backward_data(gy, y, 1, torch.float32)), nbytes=3 * 4 * s * s)

    for label, cfg in TRAIN.items():
        if ("train", label) in skip:
            continue
        step, flops = train_step_fn(device, *cfg)
        record("train-step", label, timer.median_ms(step, max_reps=100), flops=flops)

    with open(args.out, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)
    print(json.dumps(info))


def fma_ceiling(timer):
    """(ms, flops) of an FP32 FMA loop over every SM, or None without CuPy."""
    try:
        import cupy
    except ImportError:
        print("ceiling-fp32-fma: not measured (no CuPy)")
        return None
    kernel = cupy.RawKernel(r'''
extern "C" __global__ void fma_loop(float* out, int iters) {
    float a[8];
    for (int j = 0; j < 8; j++) a[j] = threadIdx.x + j;
    for (int i = 0; i < iters; i++) {
        #pragma unroll
        for (int u = 0; u < 16; u++) {
            #pragma unroll
            for (int j = 0; j < 8; j++) a[j] = fmaf(a[j], 0.999f, 0.5f);
        }
    }
    float s = 0;
    for (int j = 0; j < 8; j++) s += a[j];
    out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}''', "fma_loop")
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    blocks, threads, iters = sms * 8, 256, 4096
    out = cupy.empty(blocks * threads, dtype=cupy.float32)
    ms = timer.median_ms(lambda: kernel((blocks,), (threads,), (out, cupy.int32(iters))), max_reps=10)
    return ms, 2.0 * 8 * 16 * iters * blocks * threads


if __name__ == "__main__":
    main()
