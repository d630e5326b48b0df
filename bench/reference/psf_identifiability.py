#!/usr/bin/python3
"""How well do bench:science's data determine the PSF width? Reference numbers for docs/results.md (section "What the
data hold about the PSF"), numpy only, never part of the product. Data: `npx tsx bench/psf-identifiability-data.ts DIR`.
  paired oracle: each blurred stack against PSF_λ ⊛ its own ground truth (reflect padding, as the simulator), a, b by
                 Poisson-weighted least squares; χ² over λ (Born–Wolf, the benchmark's optics).
  unpaired:      power spectra (mean removed, Hann taper) of the blurred vs the unmatched sharp stacks, binned on
                 (|k_lateral|, |k_z|); Whittle likelihood of S_A = c·⟨|OTF_λ|²⟩·S_B + N (N from the corners beyond the
                 lateral Nyquist circle), c optimised; −logL over λ. What a blind method can learn from second-order
                 statistics. ΔlogL uses nominal frequency counts (no taper correction): an upper bound on the information.
  gaussian:      the unpaired fit with a Gaussian OTF (lateral and axial FWHM on a 0.01 / 0.05 µm grid): an independent
                 check of src-main/core/psf/spectral-fit.ts.
Usage: /usr/bin/python3 bench/reference/psf_identifiability.py [DIR]"""
import glob, os, sys, tempfile
import numpy as np

D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), 'cycledecon-psf-identifiability')
SH = (32, 96, 96)
LAMS = list(range(40, 92, 2))

def ld(name):
    f = glob.glob(f'{D}/{name}_*.f32')[0]
    shape = tuple(int(x) for x in f.rsplit('_', 1)[1][:-4].split('x'))
    return np.fromfile(f, dtype='<f4').reshape(shape).astype(np.float64)

PSF = {l: ld(f'bw_{l}') for l in LAMS}

def blur(v, p):
    vp = np.pad(v, 15, mode='reflect'); sh = vp.shape
    o = np.fft.irfftn(np.fft.rfftn(vp) * np.fft.rfftn(p, sh), sh)
    return o[30:30 + SH[0], 30:30 + SH[1], 30:30 + SH[2]]

def paired(tag, photons):
    chi = []
    for l in LAMS:
        c2 = 0.0
        for i in range(2):
            a = ld(f'{tag}_A{i}').ravel(); m = blur(ld(f'{tag}_G{i}'), PSF[l]).ravel() * photons
            x = np.stack([m, np.ones_like(m)], 1); w = 1 / np.maximum(a, 1)
            coef = np.linalg.lstsq(x * np.sqrt(w)[:, None], a * np.sqrt(w), rcond=None)[0]
            c2 += float((((a - x @ coef) ** 2) * w).sum())
        chi.append(c2)
    return np.array(chi) - min(chi)

W = 1
for i, n in enumerate(SH):
    s = [1, 1, 1]; s[i] = n; W = W * np.hanning(n).reshape(s)
kz = np.abs(np.fft.fftfreq(SH[0], 0.25)); ky = np.fft.fftfreq(SH[1], 0.1); kx = np.fft.fftfreq(SH[2], 0.1)
KZ, KY, KX = np.meshgrid(kz, ky, kx, indexing='ij'); KR = np.hypot(KY, KX)
BIN = np.minimum((KZ / 0.25).astype(int), 7) * 20 + np.minimum((KR / 0.25).astype(int), 19)
INSIDE = KR <= 5.0

def pspec(v):
    x = (v - v.mean()) * W
    return np.abs(np.fft.fftn(x)) ** 2 / (W ** 2).sum()

def binned(s):
    n = np.bincount(BIN[INSIDE], None, 160)
    return np.bincount(BIN[INSIDE], s[INSIDE], 160) / np.maximum(n, 1), n

def otf2(p):
    q = np.zeros(SH); q[:31, :31, :31] = p
    return np.abs(np.fft.fftn(np.roll(q, (-15, -15, -15), axis=(0, 1, 2)))) ** 2

H2 = {l: otf2(PSF[l]) for l in LAMS}

LC = np.exp(np.linspace(0, 22, 441))[:, None]

def spectra(tag):
    sa = sum(pspec(ld(f'{tag}_A{i}')) for i in range(2)) / 2
    sb = sum(pspec(ld(f'{tag}_B{i}')) for i in range(2)) / 2
    sab, n = binned(sa); use = (n > 0) & (sab > 0); use[0] = False
    return sab, sb, n, use, sa[~INSIDE].mean()

def whittle(sab, m, n, use, noise):
    mod = LC * m[use] + noise
    return float((n[use] * (np.log(mod) + sab[use] / mod)).sum(1).min())

def unpaired(tag):
    sab, sb, n, use, noise = spectra(tag)
    out = [whittle(sab, binned(H2[l] * sb)[0], n, use, noise) for l in LAMS]
    return np.array(out) - min(out)

def gaussian(tag):
    sab, sb, n, use, noise = spectra(tag)
    best = None
    for fx in np.arange(0.10, 0.60, 0.01):
        for fz in np.arange(0.3, 2.0, 0.05):
            sx, sz = fx / 2.3548, fz / 2.3548
            g2 = np.exp(-4 * np.pi ** 2 * (sx ** 2 * KR ** 2 + sz ** 2 * KZ ** 2))
            v = whittle(sab, binned(g2 * sb)[0], n, use, noise)
            if best is None or v < best[0]: best = (v, fx, fz)
    return best[1], best[2]

def show(name, curve):
    i = int(np.argmin(curve)); near = ' '.join(f'{v:.1f}' for v in curve[max(0, i - 3):i + 4])
    flat = [LAMS[j] / 100 for j in range(len(LAMS)) if curve[j] <= 1]
    print(f'  {name:9s} λ̂ {LAMS[i] / 100:.2f} µm; Δ around it: {near}; Δ ≤ 1 for λ {min(flat):.2f}–{max(flat):.2f} µm')

for tag, truth, photons in [('520', 0.52, 200), ('700', 0.702, 200), ('520p2k', 0.52, 2000), ('700p2k', 0.702, 2000)]:
    print(f'{photons} photons, true λ {truth} µm')
    show('paired', paired(tag, photons) / 2)   # χ²/2 = −logL
    show('unpaired', unpaired(tag))
    print('  gaussian  FWHM lateral %.2f µm, axial %.2f µm' % gaussian(tag))
