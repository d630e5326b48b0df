"""Makes assets/sample/bars_psf.tif: the central 17x17x17 voxels of flowdec's bars-25pct kernel.tif
(the PSF that blurred bars_blurred.tif), normalised to sum 1, as float32. Run with /usr/bin/python3
(needs numpy + tifffile) from this folder; reads the committed copy of flowdec's kernel.tif in test/fixtures/shared-data.
"""
import numpy as np
import tifffile

k = tifffile.imread('../../test/fixtures/shared-data/flowdec_bars25/kernel.tif').astype(np.float64)
cz, cy, cx = np.unravel_index(np.argmax(k), k.shape)
r = 8
crop = k[cz - r:cz + r + 1, cy - r:cy + r + 1, cx - r:cx + r + 1].copy()
energy = crop.sum() / k.sum()
crop /= crop.sum()
print("peak at", (cz, cy, cx), "crop holds", round(energy, 3), "of the kernel energy")
tifffile.imwrite('bars_psf.tif', crop.astype(np.float32), imagej=True, metadata={'axes': 'ZYX'})
