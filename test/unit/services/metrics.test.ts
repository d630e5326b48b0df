import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseRequest } from '../../../src-main/contract/validate';
import { readVolume } from '../../../src-main/core/io';
import { computeMetrics, ncc } from '../../../src-main/core/metrics';
import { openService } from './harness';
import { sampleData } from '../../helpers';

// Sample data: test/fixtures/shared-data/flowdec_bars25 (hammerlab/flowdec, Apache-2.0; see its README.md and LICENSE).
const bars = sampleData('flowdec_bars25');

describe('metrics.compute', () => {
  it('compares a blurred stack with its ground truth through the service, as core computes them', async () => {
    const { service, projectDir } = await openService(bars);
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await service.handlers['dataset.import'](
        parseRequest('dataset.import', { paths: [join(bars, 'actual.tif'), join(bars, 'data.tif')] }),
      )) as { imported: { id: string; name: string }[] };
      const gt = imp.imported.find((d) => d.name === 'actual.tif')!;
      const blurred = imp.imported.find((d) => d.name === 'data.tif')!;
      const out = (await service.handlers['metrics.compute'](
        parseRequest('metrics.compute', { referenceId: gt.id, testId: blurred.id }),
      )) as { values: Record<string, number>; shape: number[] };

      const [g, b] = [await readVolume(join(bars, 'actual.tif')), await readVolume(join(bars, 'data.tif'))];
      const direct = computeMetrics(g, b);
      expect(out.shape).toEqual([32, 64, 64]);
      expect(out.values.psnr).toBeCloseTo(direct.psnr, 6);
      expect(out.values.nrmse).toBeCloseTo(direct.nrmse, 6);
      expect(out.values.ssim).toBeCloseTo(direct.ssim3d!, 6);
      expect(out.values.ncc).toBeCloseTo(ncc(g.data, b.data), 6);
      // A blurred, noisy observation is correlated with its truth but far from equal to it.
      expect(out.values.ncc).toBeGreaterThan(0.2); // measured 0.40: thin hollow bars under strong blur
      expect(out.values.ncc).toBeLessThan(0.99);
      expect(out.values.ssim).toBeLessThan(0.9);
    } finally {
      await service.close();
    }
  });

  it('ncc is 1 for an affine copy, -1 for a negated one and 0 for a constant', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    expect(
      ncc(
        a,
        a.map((v) => 3 * v + 2),
      ),
    ).toBeCloseTo(1, 6);
    expect(
      ncc(
        a,
        a.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 6);
    expect(ncc(a, new Float32Array(100).fill(4))).toBe(0);
  });
});
