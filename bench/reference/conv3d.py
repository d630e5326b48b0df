#!/usr/bin/python3
"""PyTorch CPU reference for bench/conv3d.ts: the same layer shapes, 2 threads, median time per conv3d
(forward, and forward+backward w.r.t. input and weight). Prints one JSON list on stdout.
Run with Debian's /usr/bin/python3 (has torch)."""
import json, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
SHAPES = json.loads(sys.argv[1])
BUDGET = float(sys.argv[2]) if len(sys.argv) > 2 else 1.5


def timed(fn):
    fn()
    times, t0 = [], time.perf_counter()
    while not times or (time.perf_counter() - t0 < BUDGET and len(times) < 50):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2] * 1000


out = []
for s in SHAPES:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(1, s['cin'], s['size'], s['size'], s['size'], generator=g)
    w = torch.randn(s['cout'], s['cin'], s['k'], s['k'], s['k'], generator=g) * 0.1
    pad = 'valid' if s['padding'] == 'valid' else None
    if pad is None:  # tfjs 'same': extra padding after; pad explicitly then 'valid'
        n, k, st = s['size'], s['k'], s['stride']
        o = -(-n // st); tot = max((o - 1) * st + k - n, 0); b = tot // 2
        padf = lambda t: F.pad(t, (b, tot - b) * 3)
    else:
        padf = lambda t: t
    conv = lambda a, ww: F.conv3d(padf(a), ww, stride=s['stride'])
    with torch.no_grad():
        fwd = timed(lambda: conv(x, w))
    xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
    def fb():
        y = conv(xr, wr); y.sum().backward(); xr.grad = None; wr.grad = None
    out.append({'shape': s['name'], 'forward_ms': fwd, 'forward_backward_ms': timed(fb)})
print(json.dumps(out))
