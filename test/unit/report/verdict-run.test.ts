import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cpSync, writeFileSync } from 'node:fs';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { DOMAIN_FILE } from '../../../src-main/core/infer/domain-check';
import { trainingDomain } from '../../../src-main/core/train/domain';
import { readRunConfig } from '../../../src-main/core/infer/load';
import { buildReport } from '../../../src-main/core/report/build';
import { loadReportSources } from '../../../src-main/core/report/files';
import { toolkitMeasures } from '../../../src-main/core/report/measures';
import { repoRoot, tempDir } from '../../helpers';

const shape: Shape3 = [6, 16, 14];
const vs = { x: 0.2, y: 0.2, z: 0.5, unit: 'µm' };
const stack = () =>
  makeVolume(
    Float32Array.from({ length: 6 * 16 * 14 }, (_, i) => 10 + ((i * 7) % 50)),
    shape,
    vs,
  );

describe('verdict from a run folder', () => {
  it('names the run, its preset and the stacks domain.json says it was trained on', async () => {
    const run = join(tempDir(), 'model');
    cpSync(join(repoRoot, 'test', 'fixtures', 'model-bars'), run, { recursive: true });
    writeFileSync(join(run, DOMAIN_FILE), JSON.stringify(trainingDomain([stack(), stack()], await readRunConfig(run))));
    const v = { path: 'a.tif', volume: stack() };
    const { json, html } = buildReport(await loadReportSources({ input: v, result: v, runDir: run }), toolkitMeasures);
    expect((json.run as { trainingData: unknown }).trainingData).toEqual({
      stacks: [
        { shape, voxelSize: vs },
        { shape, voxelSize: vs },
      ],
    });
    expect(json.verdict).toContain(
      `The model comes from run ${run} (preset custom, cycle mode, sharp domain from the user's sharp stacks, 200 steps), trained on 2 blurred stacks of 6×16×14 voxels at 0.2×0.2×0.5 µm.`,
    );
    expect(json.verdict).toContain("The input lies within the model's training domain.");
    expect(html).toContain('trained on 2 blurred stacks');
  });

  it("names what the run's own output check flagged, read from its output-check.json", async () => {
    const run = join(tempDir(), 'model');
    cpSync(join(repoRoot, 'test', 'fixtures', 'model-bars'), run, { recursive: true });
    const v = { path: 'a.tif', volume: stack() };
    const verdictWith = async (check: object) => {
      writeFileSync(join(run, 'output-check.json'), JSON.stringify(check));
      return buildReport(await loadReportSources({ input: v, result: v, runDir: run }), toolkitMeasures).json.verdict;
    };
    const reblurOnly = await verdictWith({ collapsed: true, message: 'x', flags: ['reblur-worse'] });
    expect(reblurOnly).toContain('The model failed its output check on training patches after training: it re-blurs');
    expect(reblurOnly).not.toContain('carries no information');
    const unrelated = await verdictWith({ collapsed: true, message: 'x', flags: ['unrelated', 'reblur-worse'] });
    expect(unrelated).toContain('its output carries no information about its input');
  });
});
