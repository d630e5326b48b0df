#!/usr/bin/python3
"""PyTorch CPU twin of one CycleDecon training step (src-main/core/train/step.ts), for bench/train-step.ts.

Builds the IDENTICAL networks from our resolved TrainConfig (JSON on argv): the 3D U-Net G_AB (unet.ts:
convsPerLevel x [conv 3^3 no bias - InstanceNorm (non-affine, eps 1e-5, biased variance) - ReLU], 2^3 max-pool,
2^3 stride-2 transposed conv with bias, skip concatenated BEFORE the up-sampled branch, 1^3 output conv with
bias), G_BA = the explicit PSF layer (psf-layer.ts: reflect pad floor((k-1)/2) before / rest after, true
convolution = flipped kernel, constraints re-imposed after each generator update), and one multi-scale PatchGAN
per crop scale and domain (discriminator.ts: modules x [conv 3^3 stride 2 tfjs-'same' + bias - InstanceNorm
unless the map has < 8 voxels - ReLU], conv 3^3 to one channel). Losses as losses.ts: LSGAN summed over the
scales, L1 cycle x lambdaCycle, L1 of the PSF x lambdaPsf; Adam on the generators, then on the discriminators.

  train_step.py CONFIG_JSON [--steps N] [--budget SECONDS]   time one step: one warm-up, then timed steps
  train_step.py --check DIR                                   forward check against bench/twin-export.ts output
Both print one JSON line. Run with Debian's /usr/bin/python3 (python3-torch); 2 threads like the bench."""
import json, os, resource, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
EPS = 1e-5  # ops/norm.ts INSTANCE_NORM_EPS
MIN_NORM_VOXELS = 8  # models/discriminator.ts
SCALE_NAMES = ['full', 'half', 'quarter', 'eighth', 'sixteenth']


def same_pads(n, k, s):
    """tfjs 'same' padding on an axis of n: total max((ceil(n/s)-1)*s + k - n, 0), the extra voxel after."""
    o = -(-n // s)
    tot = max((o - 1) * s + k - n, 0)
    return tot // 2, tot - tot // 2


class Conv(nn.Module):
    """Cross-correlation with tfjs padding rules; weights He-normal like models/init.ts."""

    def __init__(self, cin, cout, k, stride=1, padding='same', bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k, k) * (2.0 / (k ** 3 * cin)) ** 0.5)
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.k, self.stride, self.padding = k, stride, padding

    def forward(self, x):
        if self.padding == 'valid':
            return F.conv3d(x, self.weight, self.bias, stride=self.stride)
        pads = [same_pads(n, self.k, self.stride) for n in x.shape[2:]]
        if all(b == a for b, a in pads):  # symmetric: let the conv pad (no copy)
            return F.conv3d(x, self.weight, self.bias, stride=self.stride, padding=tuple(b for b, _ in pads))
        flat = [p for b, a in reversed(pads) for p in (b, a)]  # F.pad wants the last axis first
        return F.conv3d(F.pad(x, flat), self.weight, self.bias, stride=self.stride)


def norm_relu(x):
    return F.relu(F.instance_norm(x, eps=EPS))


class UNet(nn.Module):
    def __init__(self, levels, base, convs, cin=1):
        super().__init__()
        ch = lambda l: base * 2 ** l
        self.levels = levels
        self.enc = nn.ModuleList(nn.ModuleList(Conv(cin if (l == 0 and i == 0) else (ch(l - 1) if i == 0 else ch(l)), ch(l), 3, bias=False)
                                               for i in range(convs)) for l in range(levels))
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for l in range(levels - 2, -1, -1):
            up = nn.ConvTranspose3d(ch(l + 1), ch(l), 2, stride=2)
            nn.init.normal_(up.weight, 0, (2.0 / ch(l + 1)) ** 0.5)
            nn.init.zeros_(up.bias)
            self.up.append(up)
            self.dec.append(nn.ModuleList(Conv(2 * ch(l) if i == 0 else ch(l), ch(l), 3, bias=False) for i in range(convs)))
        self.out = Conv(ch(0), 1, 1, padding='valid')

    def forward(self, x):
        skips, h = [], x
        for l in range(self.levels):
            for c in self.enc[l]:
                h = norm_relu(c(h))
            if l < self.levels - 1:
                skips.append(h)
                h = F.max_pool3d(h, 2)
        for up, dec in zip(self.up, self.dec):
            h = torch.cat([skips.pop(), up(h)], 1)
            for c in dec:
                h = norm_relu(c(h))
        return self.out(h)


class PsfLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        size = cfg['psf']['size']
        self.shape = [size] * 3 if isinstance(size, int) else list(size)
        self.cfg = cfg['psf']
        self.psf = nn.Parameter(self.initial())
        self.background = nn.Parameter(torch.zeros(1)) if cfg['background'] else None
        self.project()

    def delta(self):
        d = torch.zeros(self.shape)
        d[tuple(k // 2 for k in self.shape)] = 1
        return d

    def initial(self):
        if self.cfg['init'] != 'gaussian':  # delta (bornwolf needs stack metadata; the bench never uses it)
            return self.delta()
        grids = torch.meshgrid(*[(torch.arange(k, dtype=torch.float64) - k // 2) / (k / 8) for k in self.shape], indexing='ij')
        g = torch.exp(-0.5 * sum(t ** 2 for t in grids))
        return (g / g.sum()).float()

    def forward(self, x):
        pads = [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in self.shape]
        flat = [p for b, a in reversed(pads) for p in (b, a)]
        y = F.conv3d(F.pad(x, flat, mode='reflect'), torch.flip(self.psf, [0, 1, 2])[None, None])
        return y + self.background if self.background is not None else y

    @torch.no_grad()
    def project(self):
        k = self.psf.data
        if self.cfg['nonNegative']:
            k = F.relu(k)
        if self.cfg['centred']:
            w = k.abs()
            total = w.sum().clamp_min(1e-30)
            shifts = []
            for axis in range(3):
                others = [a for a in range(3) if a != axis]
                com = (w.sum(others) * torch.arange(k.shape[axis], dtype=k.dtype)).sum() / total
                shifts.append(int(self.shape[axis] // 2 - torch.round(com)))
            k = torch.roll(k, shifts, (0, 1, 2))
        if self.cfg['sumToOne']:
            s = k.sum()
            k = k / s if (s > 0 and torch.isfinite(s)) else self.delta()
        self.psf.data.copy_(k)
        if self.background is not None:
            self.background.data.clamp_(min=0)


class PatchGAN(nn.Module):
    def __init__(self, base, modules):
        super().__init__()
        chans = [1] + [base * 2 ** i for i in range(modules)]
        self.mods = nn.ModuleList(Conv(chans[i], chans[i + 1], 3, stride=2) for i in range(modules))
        self.out = Conv(chans[-1], 1, 3)

    def forward(self, x):
        h = x
        for m in self.mods:
            h = m(h)
            if h.shape[2] * h.shape[3] * h.shape[4] >= MIN_NORM_VOXELS:
                h = F.instance_norm(h, eps=EPS)
            h = F.relu(h)
        return self.out(h)


def build(cfg):
    if cfg['mode'] != 'cycle' or cfg['gba'] != 'psf':
        raise SystemExit('train_step.py twins the paper method only (mode cycle, gba psf)')
    g = cfg['generator']
    gab = UNet(g['levels'], g['baseChannels'], g['convsPerLevel'])
    gba = PsfLayer(cfg)
    d = cfg['discriminator']
    da = nn.ModuleList(PatchGAN(d['baseChannels'], d['modules']) for _ in d['scales'])
    db = nn.ModuleList(PatchGAN(d['baseChannels'], d['modules']) for _ in d['scales'])
    return gab, gba, da, db


def count(m):
    return sum(p.numel() for p in m.parameters())


def our_names(gab, gba, da, db):
    """(our variable name, torch parameter, permutation from our layout) for every parameter."""
    out = []
    for l, convs in enumerate(gab.enc):
        out += [(f'G_AB/enc{l}_conv{i}/kernel', c.weight) for i, c in enumerate(convs)]
    levels = len(gab.enc)
    for j, (up, dec) in enumerate(zip(gab.up, gab.dec)):
        l = levels - 2 - j
        out += [(f'G_AB/up{l}/kernel', up.weight), (f'G_AB/up{l}/bias', up.bias)]
        out += [(f'G_AB/dec{l}_conv{i}/kernel', c.weight) for i, c in enumerate(dec)]
    out += [('G_AB/out/kernel', gab.out.weight), ('G_AB/out/bias', gab.out.bias), ('G_BA/psf', gba.psf)]
    if gba.background is not None:
        out.append(('G_BA/background', gba.background))
    for dom, ds in (('A', da), ('B', db)):
        for s, d in enumerate(ds):
            name = f'D_{dom}_{SCALE_NAMES[s]}'
            for i, m in enumerate(d.mods):
                out += [(f'{name}/m{i}/kernel', m.weight), (f'{name}/m{i}/bias', m.bias)]
            out += [(f'{name}/out/kernel', d.out.weight), (f'{name}/out/bias', d.out.bias)]
    return out


def load_weights(d, nets):
    meta = json.load(open(os.path.join(d, 'weights', 'model.json')))
    group = meta['weightsManifest'][0]
    raw = np.fromfile(os.path.join(d, 'weights', group['paths'][0]), '<f4')
    stored, off = {}, 0
    for spec in group['weights']:
        n = int(np.prod(spec['shape'])) if spec['shape'] else 1
        stored[spec['name']] = raw[off:off + n].reshape(spec['shape'])
        off += n
    pairs = our_names(*nets)
    missing = [n for n, _ in pairs if n not in stored]
    extra = sorted(set(stored) - {n for n, _ in pairs})
    if missing or extra:
        raise SystemExit(f'weights do not match the twin: missing {missing[:5]}, extra {extra[:5]}')
    with torch.no_grad():
        for name, p in pairs:
            a = torch.from_numpy(stored[name].copy())
            if a.dim() == 5:  # ours [kz, ky, kx, in, out] (conv) / [kz, ky, kx, out, in] (transposed) -> torch
                a = a.permute(4, 3, 0, 1, 2)
            if tuple(a.shape) != tuple(p.shape):
                raise SystemExit(f'{name}: ours {tuple(a.shape)} vs twin {tuple(p.shape)}')
            p.copy_(a)


def check(d):
    cfg = json.load(open(os.path.join(d, 'config.json')))
    nets = build(cfg)
    load_weights(d, nets)
    gab, gba, _, db = nets
    ours = json.load(open(os.path.join(d, 'outputs.json')))
    n = cfg['patchSize']
    x = torch.from_numpy(np.fromfile(os.path.join(d, 'input.f32'), '<f4').reshape(1, 1, n, n, n))
    rel = {}
    with torch.no_grad():
        for name, net in (('G_AB', gab), ('G_BA', gba), ('D_B_full', db[0])):
            y = net(x)[0, 0].numpy().astype(np.float64)
            o = np.fromfile(os.path.join(d, f'{name}.f32'), '<f4').reshape(ours['shapes'][name]).astype(np.float64)
            if y.shape != o.shape:
                raise SystemExit(f'{name}: output shape ours {o.shape} vs twin {y.shape}')
            rel[name] = float(np.linalg.norm(y - o) / max(np.linalg.norm(o), 1e-30))
    params = {'G_AB': count(gab), 'G_BA': count(gba), 'D': count(db[0])}
    print(json.dumps({'relL2': rel, 'params': {'ours': ours['params'], 'torch': params}}))


def time_steps(cfg, steps, budget):
    torch.manual_seed(cfg['seed'])
    gab, gba, da, db = build(cfg)
    o, lo = cfg['optimiser'], cfg['loss']
    adam = lambda ps: torch.optim.Adam(ps, lr=o['lr'], betas=(o['beta1'], o['beta2']), eps=o['epsilon'])
    gopt = adam(list(gab.parameters()) + list(gba.parameters()))
    dopt = adam(list(da.parameters()) + list(db.parameters()))
    n, scales = cfg['patchSize'], cfg['discriminator']['scales']
    gen = torch.Generator().manual_seed(1)
    a, b = torch.rand(1, 1, n, n, n, generator=gen), torch.rand(1, 1, n, n, n, generator=gen)
    rng = np.random.default_rng(cfg['seed'])

    def crops():
        out = []
        for s in scales:
            c = max(1, round(n * s))
            st = [0, 0, 0] if c >= n else [int(rng.integers(n - c + 1)) for _ in range(3)]
            out.append(lambda t, st=st, c=c: t[:, :, st[0]:st[0] + c, st[1]:st[1] + c, st[2]:st[2] + c])
        return out

    def set_d(flag):
        for p in list(da.parameters()) + list(db.parameters()):
            p.requires_grad_(flag)

    def step():
        cs = crops()
        set_d(False)  # like tf.variableGrads over the generator variables only: no D weight gradients here
        fake_b, fake_a = gab(a), gba(b)
        adv = sum(((d(c(fake_b)) - 1) ** 2).mean() for d, c in zip(db, cs)) + sum(((d(c(fake_a)) - 1) ** 2).mean() for d, c in zip(da, cs))
        cyc = (gba(fake_b) - a).abs().mean() + (gab(fake_a) - b).abs().mean()
        loss = adv + lo['lambdaCycle'] * cyc + lo['lambdaPsf'] * gba.psf.abs().sum()
        gopt.zero_grad(set_to_none=True)
        loss.backward()
        float(loss)  # ours reads every loss term back before updating (NaN guard)
        gopt.step()
        gba.project()
        set_d(True)
        fa, fb = fake_a.detach(), fake_b.detach()
        cs = crops()
        ld = 0
        for ds, real, fake in ((da, a, fa), (db, b, fb)):
            ld = ld + sum(0.5 * (((d(c(real)) - 1) ** 2).mean() + (d(c(fake)) ** 2).mean()) for d, c in zip(ds, cs))
        dopt.zero_grad(set_to_none=True)
        ld.backward()
        float(ld)
        dopt.step()

    t = time.perf_counter()
    step()
    warm = time.perf_counter() - t
    times, t0 = [], time.perf_counter()
    while len(times) < steps or (time.perf_counter() - t0 < budget and len(times) < 50):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': {'G_AB': count(gab), 'G_BA': count(gba), 'D': count(db[0])},
                      'warmupSeconds': warm, 'secondsPerStep': times[len(times) // 2], 'steps': len(times),
                      'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def time_inference(cfg, shape):
    """The reference for inference: G_AB forward over the whole volume at once (no tiling, no_grad), as a PyTorch user
    with enough memory would run it. Weights do not change the time; one warm-up pass on a small volume first."""
    torch.manual_seed(cfg['seed'])
    g = cfg['generator']
    gab = UNet(g['levels'], g['baseChannels'], g['convsPerLevel']).eval()
    m = 2 ** (g['levels'] - 1)
    with torch.no_grad():
        gab(torch.rand(1, 1, 2 * m, 4 * m, 4 * m))
        x = torch.rand(1, 1, *shape)
        t = time.perf_counter()
        y = gab(x)
        seconds = time.perf_counter() - t
    voxels = shape[0] * shape[1] * shape[2]
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'shape': shape, 'outShape': list(y.shape[2:]),
                      'seconds': seconds, 'voxelsPerSecond': voxels / seconds,
                      'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    args = sys.argv[1:]
    if args[:1] == ['--check']:
        check(args[1])
    elif '--infer' in args:
        time_inference(json.loads(args[0]), [int(v) for v in args[args.index('--infer') + 1].split(',')])
    else:
        opt = lambda flag, default: float(args[args.index(flag) + 1]) if flag in args else default
        time_steps(json.loads(args[0]), int(opt('--steps', 1)), opt('--budget', 0.0))
