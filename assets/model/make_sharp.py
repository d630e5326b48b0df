"""Makes assets/model/train_sharp.tif: project-made synthetic *sharp* stacks for training the demo model
(domain B of the CycleGAN, unpaired with the blurred sample). Thin axis-aligned bars at random
positions, lengths and the four intensity levels of the EPFL "Hollow Bars" phantom, on zero
background — the same kind of structure as assets/sample, but not the same object, so the model never
sees the sample's ground truth. Run with /usr/bin/python3 (numpy + tifffile) from this folder.
"""
import numpy as np
import tifffile

rng = np.random.default_rng(2024)
nz, ny, nx = 32, 64, 64
vol = np.zeros((nz, ny, nx), np.float32)
levels = np.array([16383.75, 32767.5, 49151.25, 65535.0], np.float32)
for _ in range(40):
    z = rng.integers(4, nz - 4)
    length = rng.integers(12, 40)
    level = levels[rng.integers(0, 4)]
    if rng.random() < 0.5:  # bar along x
        y, x0 = rng.integers(4, ny - 4), rng.integers(0, nx - length)
        vol[z, y, x0:x0 + length] = level
    else:  # bar along y
        x, y0 = rng.integers(4, nx - 4), rng.integers(0, ny - length)
        vol[z, y0:y0 + length, x] = level
tifffile.imwrite('train_sharp.tif', vol.astype(np.uint16), imagej=True, metadata={'axes': 'ZYX'})
print('wrote train_sharp.tif', vol.shape, 'non-zero voxels', int((vol > 0).sum()))
