// Configs and journalled jobs written before the experiments were fenced still load: each retired key, written
// by hand in its old place, lands in its new one or is dropped with a note saying why.
import { describe, expect, it } from 'vitest';
import { RETIRED_KEYS, upgradeRetiredKeys } from '../../../src-main/contract/train-config-retired';
import { parseTrainConfig, parseTrainOverrides, preset } from '../../../src-main/core/train/config';
import { InvalidParameterError } from '../../../src-main/core/errors';

const ROWS: [old: object, upgraded: object, dropped: RegExp | null][] = [
  [{ generator: { levels: 2, residual: true } }, { generator: { levels: 2 }, experimental: { residual: true } }, null],
  [
    { psf: { size: 5, initSigma: [0.8, 1.5, 1.5] } },
    { psf: { size: 5 }, experimental: { psfInitSigma: [0.8, 1.5, 1.5] } },
    null,
  ],
  [{ psf: { adamNorm: 'tensor' } }, { psf: {}, experimental: { psfAdamNorm: 'tensor' } }, null],
  [{ psf: { gradient: 'tangent' } }, { psf: {}, experimental: { psfGradient: 'tangent' } }, null],
  [{ psf: { convolution: 'fft' } }, { psf: {}, experimental: { psfConvolution: 'fft' } }, null],
  [
    { normalisation: { clip: true, scale: 'mean', meanTarget: 0.004 } },
    { normalisation: { clip: true }, experimental: { normalisationScale: 'mean', meanTarget: 0.004 } },
    null,
  ],
  [
    { psf: { size: 5, halo: true } },
    { psf: { size: 5 } },
    /psf\.halo = true ignored: the learned halo measured no gain/,
  ],
  [{ psf: { halo: false } }, { psf: {} }, null],
  [
    { loss: { lambdaCycle: 3, psfCycleB: 'detach' } },
    { loss: { lambdaCycle: 3 } },
    /loss\.psfCycleB = "detach" ignored: detaching cycle B/,
  ],
  [{ loss: { psfCycleB: 'train' } }, { loss: {} }, /loss\.psfCycleB = "train" ignored/],
  [
    { psf: { gradient: 'plain' }, experimental: { psfGradient: 'tangent' } },
    { psf: {}, experimental: { psfGradient: 'tangent' } },
    null,
  ],
  [{ seed: 3 }, { seed: 3 }, null],
];

describe('retired config keys', () => {
  it.each(ROWS)('%j', (old, upgraded, dropped) => {
    const before = structuredClone(old);
    const r = upgradeRetiredKeys(old);
    expect(r.config).toEqual(upgraded);
    expect(old).toEqual(before); // a copy, the input untouched
    if (dropped) expect(r.notes).toEqual([expect.stringMatching(dropped)]);
    else expect(r.notes).toEqual([]);
  });

  it('the table names every key the schema lost', () => {
    expect(RETIRED_KEYS.map((k) => k.from.join('.')).sort()).toEqual(
      [
        'generator.residual',
        'loss.psfCycleB',
        'normalisation.meanTarget',
        'normalisation.scale',
        'psf.adamNorm',
        'psf.convolution',
        'psf.gradient',
        'psf.halo',
        'psf.initSigma',
      ].sort(),
    );
  });

  it("an old run folder's config.json loads, its experiments under `experimental`, the dropped keys said", () => {
    const tiny = preset('tiny');
    const old = {
      ...tiny,
      generator: { ...tiny.generator, residual: true },
      psf: { ...tiny.psf, initSigma: 1.2, gradient: 'tangent', halo: true },
      loss: { ...tiny.loss, psfCycleB: 'detach' },
    };
    const notes: string[] = [];
    const cfg = parseTrainConfig(old, (n) => notes.push(n));
    expect(cfg.experimental).toEqual({ residual: true, psfInitSigma: 1.2, psfGradient: 'tangent' });
    expect(cfg.psf).toEqual(tiny.psf);
    expect(cfg.loss).toEqual(tiny.loss);
    expect(notes).toHaveLength(2);
    // A preset's own config is untouched.
    expect(
      parseTrainConfig(tiny, () => {
        throw new Error('no note expected');
      }),
    ).toEqual(tiny);
  });

  it("a journalled job's overrides load the same way; a key that never existed is still refused", () => {
    const notes: string[] = [];
    expect(parseTrainOverrides({ psf: { convolution: 'fft', halo: true } }, (n) => notes.push(n))).toEqual({
      psf: {},
      experimental: { psfConvolution: 'fft' },
    });
    expect(notes).toHaveLength(1);
    expect(() => parseTrainOverrides({ psf: { sigma: 1 } }, () => {})).toThrow(InvalidParameterError);
  });
});
