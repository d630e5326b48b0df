#!/usr/bin/python3
"""skimage richardson_lucy on the volume written by bench/rl.ts (same reflect padding, iterations, float32);
prints the time, the relative L2 difference to our result, then one JSON line (with peak RSS).
Usage: /usr/bin/python3 bench/rl_skimage.py [DIR]   (DIR printed by bench/rl.ts; default: the demo size)."""
import json, os, resource, sys, tempfile, time
import numpy as np
from skimage.restoration import richardson_lucy

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), 'cycledecon-bench-rl-32x64x64')
meta = json.load(open(os.path.join(d, 'meta.json')))
img = np.fromfile(os.path.join(d, 'image.f32'), '<f4').reshape(meta['shape']).astype(np.float32)
psf = np.fromfile(os.path.join(d, 'psf.f32'), '<f4').reshape(meta['psfShape']).astype(np.float32)
ours = np.fromfile(os.path.join(d, 'ours.f32'), '<f4').reshape(meta['shape'])
psf = psf / psf.sum()
# as ours: half the PSF, at most the axis length - 1 (numpy 'reflect' never repeats the edge voxel)
pad = [min(s // 2, n - 1) for s, n in zip(psf.shape, img.shape)]
t = time.perf_counter()
padded = np.pad(img, [(p, p) for p in pad], mode='reflect')
res = richardson_lucy(padded, psf, num_iter=meta['iterations'], clip=False)
res = res[pad[0]:pad[0] + img.shape[0], pad[1]:pad[1] + img.shape[1], pad[2]:pad[2] + img.shape[2]]
dt = time.perf_counter() - t
rel = float(np.linalg.norm(ours - res) / np.linalg.norm(res))
out = {'skimageSeconds': round(dt, 3), 'relL2': rel, 'peakRssMiB': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
# ours ran another boundary model (e.g. extend): the difference is the method's, not an error
if meta.get('boundary', 'reflect') != 'reflect':
    out['relL2Note'] = f"ours used boundary {meta['boundary']}; skimage plain RL on the mirror-padded stack"
# quality against the ground truth where bench/rl.ts wrote it (small sizes)
gt_path = os.path.join(d, 'gt.f32')
if os.path.exists(gt_path):
    gt = np.fromfile(gt_path, '<f4').reshape(meta['shape'])
    def fit_rel(a):
        a = a.ravel().astype(np.float64); g = gt.ravel().astype(np.float64)
        A = np.vstack([a, np.ones_like(a)]).T
        coef, *_ = np.linalg.lstsq(A, g, rcond=None)
        return float(np.linalg.norm(A @ coef - g) / np.linalg.norm(g))
    out['nrmseVsTruth'] = {'skimage': fit_rel(res), 'ours': fit_rel(ours)}
print(f"skimage (float32): {dt:.2f} s; rel. L2 ours vs skimage: {rel:.2e}")
print(json.dumps(out))
