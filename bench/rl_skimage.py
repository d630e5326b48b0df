#!/usr/bin/python3
"""skimage richardson_lucy on the volume written by bench/rl.ts (same padding, iterations); prints time
and the relative L2 difference to our result. Run after `npx tsx bench/rl.ts`."""
import json, os, tempfile, time
import numpy as np
from skimage.restoration import richardson_lucy

d = os.path.join(tempfile.gettempdir(), 'cycledecon-bench-rl')
meta = json.load(open(os.path.join(d, 'meta.json')))
img = np.fromfile(os.path.join(d, 'image.f32'), '<f4').reshape(meta['shape']).astype(np.float32)
psf = np.fromfile(os.path.join(d, 'psf.f32'), '<f4').reshape(meta['psfShape']).astype(np.float32)
ours = np.fromfile(os.path.join(d, 'ours.f32'), '<f4').reshape(meta['shape'])
psf = psf / psf.sum()
pad = [s // 2 for s in psf.shape]
t = time.perf_counter()
padded = np.pad(img, [(p, p) for p in pad], mode='reflect')
res = richardson_lucy(padded, psf, num_iter=meta['iterations'], clip=False)
res = res[pad[0]:pad[0] + img.shape[0], pad[1]:pad[1] + img.shape[1], pad[2]:pad[2] + img.shape[2]]
dt = time.perf_counter() - t
print(f"skimage (float32): {dt:.2f} s; rel. L2 ours vs skimage: {np.linalg.norm(ours - res) / np.linalg.norm(res):.2e}")
