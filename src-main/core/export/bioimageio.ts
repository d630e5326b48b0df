// `export --format bioimageio`: a BioImage Model Zoo package of a run's G_AB — rdf.yaml (bioimageio-rdf.ts),
// the ONNX weights, test input and output as .npy, the learned PSF, and README.md — as a folder, or as a zip
// when the output name ends in .zip. The test output is CycleDecon's own inference of the test input after the
// declared pre-processing, so a consumer re-running the test checks its runtime against ours.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { FileExistsError, InvalidParameterError, InvalidVolumeError } from '../errors';
import type { Shape3, Volume } from '../io/volume';
import { writeBytesAtomic } from '../io/atomic';
import { DEFAULT_SYNTH, synthesize } from '../synth/index';
import { unetSizeMultiple } from '../nn/models/unet';
import { loadPredictor, readLearnedPsf } from '../infer/load';
import { readTrainingDomain } from '../infer/domain-check';
import { readConfig } from '../train/outputs';
import { generatorConfig, normalisationOf } from '../train/config';
import { exportRunOnnx } from './onnx-export';
import { modelRdf, spaceUnit, type PackagedFile } from './bioimageio-rdf';
import { packageReadme } from './bioimageio-docs';
import { applyScaleRange } from './scale-range';
import { encodeNpy } from './npy';
import { toYaml } from './yaml';
import { encodeZip, type ZipEntry } from './zip';

export interface BioimageioOptions {
  runDir: string;
  /** A folder, or a .zip file. */
  out: string;
  force?: boolean;
  /** A stack to cut the test input from (centre crop); default a synthetic stack at the training voxel size. */
  sample?: Volume;
  authors?: string[];
  /** SPDX licence identifier of the weights (default MIT, the project's). */
  license?: string;
  version?: string;
  backend?: string;
}

export interface BioimageioResult {
  out: string;
  zip: boolean;
  files: string[];
  testShape: Shape3;
  warnings: string[];
}

export const PACKAGE_FILES = {
  rdf: 'rdf.yaml',
  weights: 'weights.onnx',
  testInput: 'test_input.npy',
  testOutput: 'test_output.npy',
  psf: 'learned_psf.tif',
  readme: 'README.md',
} as const;

/** The largest test crop; sizes are cut down to multiples of the network's size multiple. */
const TEST_MAX: Shape3 = [16, 64, 64];

/** A centre crop of `v` no larger than TEST_MAX, each edge a multiple of `m`. */
export function testCrop(v: Volume, m: number): { data: Float32Array; shape: Shape3 } {
  const shape = v.shape.map((n, a) => Math.floor(Math.min(n, Math.max(TEST_MAX[a]!, m)) / m) * m) as Shape3;
  if (shape.some((n) => n < m))
    throw new InvalidVolumeError(
      `the sample stack (${v.shape.join('×')}) is smaller than the network's size multiple ${m} on some axis`,
      'Pass a larger --sample stack.',
    );
  const start = v.shape.map((n, a) => (n - shape[a]!) >> 1);
  const [, ny, nx] = v.shape;
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const src = ((z + start[0]!) * ny + y + start[1]!) * nx + start[2]!;
      data.set(v.data.subarray(src, src + shape[2]), (z * shape[1] + y) * shape[2]);
    }
  return { data, shape };
}

/** A synthetic blurred stack (core/synth) at the training voxel size where it is in µm. */
function syntheticSample(m: number, voxel: { x: number; z: number; unit: string } | null): Volume {
  const shape = TEST_MAX.map((n) => Math.ceil(Math.max(n, m) / m) * m) as Shape3;
  const um = voxel && spaceUnit(voxel.unit) === 'micrometer';
  const psf = { ...DEFAULT_SYNTH.psf, ...(um ? { dxy: voxel.x, dz: voxel.z } : {}) };
  return synthesize({ ...DEFAULT_SYNTH, shape, psf }).blurred;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function checkTarget(out: string, zip: boolean, force: boolean): Promise<void> {
  const st = await fs.stat(out).catch(() => null);
  if (!st) return;
  if (zip && !force) throw new FileExistsError(out);
  if (!zip && (!st.isDirectory() || ((await fs.readdir(out)).length && !force))) {
    if (!st.isDirectory())
      throw new InvalidParameterError(
        '--out',
        `${out} exists and is not a folder`,
        'Name a new folder, or a .zip file.',
      );
    throw new FileExistsError(out);
  }
}

export async function exportBioimageio(o: BioimageioOptions): Promise<BioimageioResult> {
  const zip = /\.zip$/i.test(o.out);
  await checkTarget(o.out, zip, o.force ?? false);
  const config = await readConfig(o.runDir);
  const domain = await readTrainingDomain(o.runDir);
  const warnings: string[] = [];
  const psf = await readLearnedPsf(o.runDir).catch(() => null);
  // Runs older than domain.json still wrote the learned PSF with the training stacks' voxel size.
  const psfVoxel = psf && spaceUnit(psf.psf.voxelSize.unit) ? psf.psf.voxelSize : null;
  const voxelSize = domain?.voxelSize ?? psfVoxel;
  if (!voxelSize)
    warnings.push(`${o.runDir} has no domain.json and no calibrated learned PSF: rdf.yaml records no voxel size.`);
  if (normalisationOf(config).scale === 'mean')
    warnings.push(
      "the run used the 'mean' intensity scale, which the Model Zoo cannot express: the package declares the percentile scale_range (see README.md).",
    );
  const m = unetSizeMultiple(generatorConfig(config).levels);
  const { bytes: onnx } = await exportRunOnnx(o.runDir, o.version);

  const raw = testCrop(o.sample ?? syntheticSample(m, voxelSize), m);
  const n = normalisationOf(config);
  const pre = applyScaleRange(raw.data, {
    lowPercentile: n.lowPercentile,
    highPercentile: n.highPercentile,
    eps: 1e-6,
    clip: n.clip,
  });
  const predictor = await loadPredictor({ method: 'model', runDir: o.runDir, backend: o.backend });
  let output: Float32Array;
  try {
    output = await predictor.predict(pre, raw.shape);
  } finally {
    predictor.dispose();
  }
  const files: ZipEntry[] = [
    { name: PACKAGE_FILES.weights, data: onnx },
    { name: PACKAGE_FILES.testInput, data: encodeNpy(raw.data, [1, 1, ...raw.shape]) },
    { name: PACKAGE_FILES.testOutput, data: encodeNpy(output, [1, 1, ...raw.shape]) },
  ];
  if (psf) files.push({ name: PACKAGE_FILES.psf, data: await fs.readFile(psf.path) });
  else warnings.push(`${o.runDir} has no learned PSF file: the package has no PSF attachment.`);
  const runName = basename(resolve(o.runDir));
  files.push({
    name: PACKAGE_FILES.readme,
    data: new TextEncoder().encode(
      packageReadme({
        runName,
        generator: generatorConfig(config),
        normalisation: n,
        voxelSize,
        psfFile: psf ? PACKAGE_FILES.psf : undefined,
      }),
    ),
  });
  const described = (name: string): PackagedFile => ({
    source: name,
    sha256: sha256(files.find((f) => f.name === name)!.data),
  });
  const rdf = modelRdf({
    name: `CycleDecon ${runName}`,
    description: `Blind 3D deconvolution of widefield fluorescence stacks: G_AB of an explicit-PSF CycleGAN (Lim et al. 2019), trained with CycleDecon (preset ${config.preset}).`,
    authors: (o.authors?.length ? o.authors : ['The CycleDecon authors']).map((name) => ({ name })),
    license: o.license ?? 'MIT',
    version: o.version ?? '0.1.0',
    generator: generatorConfig(config),
    normalisation: n,
    voxelSize,
    files: {
      weights: described(PACKAGE_FILES.weights),
      documentation: PACKAGE_FILES.readme,
      testInput: described(PACKAGE_FILES.testInput),
      testOutput: described(PACKAGE_FILES.testOutput),
      ...(psf ? { psf: described(PACKAGE_FILES.psf) } : {}),
    },
    extra: { run: runName, preset: config.preset, seed: config.seed },
  });
  files.unshift({ name: PACKAGE_FILES.rdf, data: new TextEncoder().encode(toYaml(rdf)) });
  if (zip) {
    await writeBytesAtomic(o.out, encodeZip(files), { force: o.force });
  } else {
    await fs.mkdir(o.out, { recursive: true });
    for (const f of files) await writeBytesAtomic(join(o.out, f.name), f.data, { force: o.force });
  }
  return { out: o.out, zip, files: files.map((f) => f.name), testShape: raw.shape, warnings };
}
