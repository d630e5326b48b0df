// `export --format bioimageio`: the package's rdf.yaml, read by PyYAML, checked against the required fields and
// types of the BioImage Model Zoo model spec 0.5; its files and checksums; and the Model Zoo's own test re-run
// here: test_input.npy → the declared pre-processing (percentiles by numpy) → weights.onnx on onnxruntime-node
// → equals test_output.npy. The zip form holds the same files.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportBioimageio, PACKAGE_FILES } from '../../../src-main/core/export/bioimageio';
import { writeVolume } from '../../../src-main/core/io/index';
import { makeVolume } from '../../../src-main/core/io/volume';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { FileExistsError, FileNotFoundError } from '../../../src-main/core/errors';
import { repoRoot, tempDir } from '../../helpers';
import { makeRun, relL2, runOnnx } from './export-helpers';
import { python, pythonMissing, runPython } from './python-numpy';

type Rdf = Record<string, unknown>;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Model spec 0.5 (bioimage-io/spec-bioimage-io, user_docs/model_descr_latest.md): the fields without a default,
// plus `type` and `format_version`, which a YAML description must always set.
const REQUIRED: Record<string, 'string' | 'array' | 'object'> = {
  type: 'string',
  format_version: 'string',
  name: 'string',
  description: 'string',
  authors: 'array',
  cite: 'array',
  license: 'string',
  documentation: 'string',
  inputs: 'array',
  outputs: 'array',
  weights: 'object',
};
const WEIGHT_FORMATS = [
  'keras_hdf5',
  'onnx',
  'pytorch_state_dict',
  'tensorflow_js',
  'tensorflow_saved_model_bundle',
  'torchscript',
];
const AXIS_TYPES = ['batch', 'channel', 'index', 'time', 'space'];
const DATA_TYPES = [
  'float32',
  'float64',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'uint64',
  'int64',
  'bool',
];
const PRE_IDS = [
  'binarize',
  'clip',
  'ensure_dtype',
  'scale_linear',
  'sigmoid',
  'fixed_zero_mean_unit_variance',
  'zero_mean_unit_variance',
  'scale_range',
];
const SPACE_UNITS = [
  'attometer',
  'angstrom',
  'centimeter',
  'decimeter',
  'exameter',
  'femtometer',
  'foot',
  'gigameter',
  'hectometer',
  'inch',
  'kilometer',
  'megameter',
  'meter',
  'micrometer',
  'mile',
  'millimeter',
  'nanometer',
  'parsec',
  'petameter',
  'picometer',
  'terameter',
  'yard',
  'yoctometer',
  'yottameter',
  'zeptometer',
  'zettameter',
];

/** Every violation of the spec-0.5 rules above found in `rdf` (files resolved in `dir`); empty when valid. */
function specProblems(rdf: Rdf, dir: string): string[] {
  const p: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) p.push(what);
  };
  for (const [k, t] of Object.entries(REQUIRED)) {
    const v = rdf[k];
    need(
      t === 'array' ? Array.isArray(v) && v.length > 0 : t === 'object' ? isObj(v) : isStr(v) && v.length > 0,
      `${k}: required ${t}`,
    );
  }
  need(rdf.type === 'model', 'type must be "model"');
  need(isStr(rdf.format_version) && /^0\.5\.\d+$/.test(rdf.format_version), 'format_version must be 0.5.x');
  need(
    isStr(rdf.name) && /^[A-Za-z0-9_+\-() ]{5,128}$/.test(rdf.name),
    'name: 5-128 of letters, digits, _+-() and space',
  );
  for (const a of (rdf.authors as unknown[]) ?? []) need(isObj(a) && isStr(a.name), 'authors[].name: required string');
  for (const c of (rdf.cite as unknown[]) ?? [])
    need(isObj(c) && isStr(c.text) && (isStr(c.doi) || isStr(c.url)), 'cite[]: text and doi or url');
  const file = (f: unknown, what: string) => {
    const src = isObj(f) ? f.source : f;
    need(isStr(src) && existsSync(join(dir, src)), `${what}: file missing`);
    if (isObj(f) && f.sha256 !== undefined && isStr(src) && existsSync(join(dir, src))) {
      need(
        f.sha256 ===
          createHash('sha256')
            .update(readFileSync(join(dir, src)))
            .digest('hex'),
        `${what}: sha256 does not match`,
      );
    }
  };
  file(rdf.documentation, 'documentation');
  const tensors = (list: unknown, io: 'inputs' | 'outputs') => {
    for (const t of (list as unknown[]) ?? []) {
      if (!isObj(t)) {
        p.push(`${io}[]: object`);
        continue;
      }
      need(isStr(t.id), `${io}[].id`);
      need(Array.isArray(t.axes) && t.axes.length > 0, `${io}[].axes: required`);
      const ids = new Set<string>();
      for (const a of (t.axes as unknown[]) ?? []) {
        if (!isObj(a) || !AXIS_TYPES.includes(a.type as string)) {
          p.push(`${io}[].axes[].type`);
          continue;
        }
        ids.add(isStr(a.id) ? a.id : (a.type as string));
        if (a.type === 'channel')
          need(Array.isArray(a.channel_names) && a.channel_names.every(isStr), 'channel axis: channel_names');
        if (a.type === 'space') {
          need(isStr(a.id), 'space axis: id');
          const s = a.size;
          const ok =
            (Number.isInteger(s) && (s as number) > 0) ||
            (io === 'inputs' && isObj(s) && Number.isInteger(s.min) && Number.isInteger(s.step)) ||
            (isObj(s) && isStr(s.tensor_id) && isStr(s.axis_id));
          need(ok, `${io} space axis ${String(a.id)}: size`);
          if (a.unit !== undefined) need(SPACE_UNITS.includes(a.unit as string), `space axis unit ${String(a.unit)}`);
          if (a.scale !== undefined) need(typeof a.scale === 'number' && a.scale > 0, 'space axis scale > 0');
        }
      }
      file(t.test_tensor, `${io}[].test_tensor`);
      if (t.data !== undefined) need(isObj(t.data) && DATA_TYPES.includes(t.data.type as string), `${io}[].data.type`);
      for (const step of (t.preprocessing as unknown[]) ?? []) {
        if (!isObj(step) || !PRE_IDS.includes(step.id as string)) {
          p.push(`${io}[].preprocessing[].id`);
          continue;
        }
        const k = step.kwargs as Record<string, unknown>;
        if (step.id === 'scale_range') {
          need(
            Array.isArray(k.axes) && k.axes.every((x) => ids.has(x as string)),
            'scale_range axes name axes of the tensor',
          );
          need(
            typeof k.min_percentile === 'number' &&
              typeof k.max_percentile === 'number' &&
              k.min_percentile >= 0 &&
              k.min_percentile < k.max_percentile &&
              k.max_percentile <= 100,
            'scale_range percentiles',
          );
        }
        if (step.id === 'clip')
          need(typeof k.min === 'number' && typeof k.max === 'number' && k.min < k.max, 'clip min < max');
      }
    }
  };
  tensors(rdf.inputs, 'inputs');
  tensors(rdf.outputs, 'outputs');
  const w = rdf.weights as Record<string, unknown>;
  need(
    isObj(w) && Object.keys(w).length > 0 && Object.keys(w).every((k) => WEIGHT_FORMATS.includes(k)),
    'weights: known formats',
  );
  if (isObj(w) && isObj(w.onnx)) {
    file(w.onnx, 'weights.onnx');
    need(
      Number.isInteger(w.onnx.opset_version) && (w.onnx.opset_version as number) >= 7,
      'weights.onnx.opset_version: integer ≥ 7',
    );
  }
  for (const a of (rdf.attachments as unknown[]) ?? []) file(a, 'attachments[]');
  return p;
}

const readYaml = (file: string) =>
  runPython(
    'import yaml, json, sys; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))))',
    file,
  ) as Rdf;

/** numpy's view of a .npy file: shape and values (float64 JSON). */
const readNpy = (file: string) =>
  runPython(
    'import numpy, json, sys; a = numpy.load(sys.argv[1]); print(json.dumps({"shape": a.shape, "dtype": str(a.dtype), "v": a.ravel().tolist()}))',
    file,
  ) as { shape: number[]; dtype: string; v: number[] };

describe.skipIf(!python)(`BioImage Model Zoo package${pythonMissing}`, () => {
  const dir = tempDir();
  const runDir = join(dir, 'bars-run');
  const voxelSize = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };

  async function prepareRun(): Promise<void> {
    if (existsSync(join(runDir, 'config.json'))) return;
    await makeRun(runDir, { upsample: 'nearest-conv' });
    writeFileSync(
      join(runDir, 'domain.json'),
      JSON.stringify({
        version: 1,
        dimensionality: 3,
        voxelSize,
        stacks: [],
        intensity: { raw: { p001: 0, p50: 1, p999: 2 }, normalised: { p50: 0.1, p99: 0.8, mean: 0.2 } },
      }),
    );
    const psf = Float32Array.from({ length: 125 }, (_, i) =>
      Math.exp(-((((i / 25) | 0) - 2) ** 2 + ((((i / 5) | 0) % 5) - 2) ** 2 + ((i % 5) - 2) ** 2) / 2),
    );
    await writeVolume(join(runDir, 'psf.tif'), makeVolume(psf, [5, 5, 5], voxelSize), { dtype: 'float32' });
  }

  it('writes rdf.yaml that meets the spec 0.5 required fields and types, with the training voxel size', async () => {
    await prepareRun();
    const out = join(dir, 'pkg');
    const r = await exportBioimageio({ runDir, out, backend: 'cpu', authors: ['A. Tester'] });
    expect(r.files.sort()).toEqual(Object.values(PACKAGE_FILES).sort());
    const rdf = readYaml(join(out, 'rdf.yaml'));
    expect(specProblems(rdf, out)).toEqual([]);
    const input = (rdf.inputs as Rdf[])[0]!;
    const z = (input.axes as Rdf[]).find((a) => a.id === 'z')!;
    expect([z.unit, z.scale]).toEqual(['micrometer', 0.25]);
    expect((input.axes as Rdf[]).find((a) => a.id === 'x')!.scale).toBe(0.1);
    expect(input.preprocessing).toEqual([
      { id: 'scale_range', kwargs: { axes: ['z', 'y', 'x'], min_percentile: 0.1, max_percentile: 99.9, eps: 1e-6 } },
    ]);
    expect((rdf.cite as Rdf[])[0]!.doi).toBe('10.1007/978-3-030-33843-5_16');
    expect(readFileSync(join(out, PACKAGE_FILES.psf))).toEqual(readFileSync(join(runDir, 'psf.tif')));
    // The checker is not vacuous: a broken description fails it.
    expect(
      specProblems(
        { ...rdf, cite: [{ text: 'x' }], weights: { onnx: { source: 'nope.onnx', opset_version: 17 } } },
        out,
      ),
    ).toEqual(['cite[]: text and doi or url', 'weights.onnx: file missing']);
    expect(specProblems({ ...rdf, name: 'a/b' }, out)).toEqual(['name: 5-128 of letters, digits, _+-() and space']);
  }, 120_000);

  it('passes the Model Zoo test: pre-processed test input through weights.onnx equals test output', async () => {
    await prepareRun();
    const out = join(dir, 'pkg-test');
    await exportBioimageio({ runDir, out, backend: 'cpu' });
    const rdf = readYaml(join(out, 'rdf.yaml'));
    const input = readNpy(join(out, PACKAGE_FILES.testInput));
    const expected = readNpy(join(out, PACKAGE_FILES.testOutput));
    expect(input.dtype).toBe('float32');
    expect(expected.shape).toEqual(input.shape);
    const kw = ((rdf.inputs as Rdf[])[0]!.preprocessing as Rdf[])[0]!.kwargs as {
      min_percentile: number;
      max_percentile: number;
      eps: number;
    };
    const [lo, hi] = runPython(
      'import numpy, json, sys; a = numpy.load(sys.argv[1]).astype(numpy.float64); print(json.dumps([numpy.percentile(a, float(sys.argv[2])), numpy.percentile(a, float(sys.argv[3]))]))',
      join(out, PACKAGE_FILES.testInput),
      String(kw.min_percentile),
      String(kw.max_percentile),
    ) as [number, number];
    const x = Float32Array.from(input.v, (v) => (v - lo) / (hi - lo + kw.eps));
    const got = await runOnnx(readFileSync(join(out, PACKAGE_FILES.weights)), x, input.shape.slice(2) as Shape3);
    expect(relL2(got, Float32Array.from(expected.v))).toBeLessThan(1e-4);
  }, 120_000);

  it('the .zip form holds the same files (read by Python zipfile), rdf.yaml at the root', async () => {
    await prepareRun();
    const folder = join(dir, 'pkg');
    if (!existsSync(folder)) await exportBioimageio({ runDir, out: folder, backend: 'cpu', authors: ['A. Tester'] });
    const zip = join(dir, 'model.zip');
    await exportBioimageio({ runDir, out: zip, backend: 'cpu', authors: ['A. Tester'] });
    const inZip = runPython(
      `import zipfile, json, sys, hashlib
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"bad": z.testzip(), "sha": {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}}))`,
      zip,
    ) as { bad: null; sha: Record<string, string> };
    expect(inZip.bad).toBeNull();
    const onDisk = Object.fromEntries(
      Object.values(PACKAGE_FILES).map((n) => [
        n,
        createHash('sha256')
          .update(readFileSync(join(folder, n)))
          .digest('hex'),
      ]),
    );
    expect(inZip.sha).toEqual(onDisk);
  }, 120_000);

  it('takes the voxel size from a calibrated learned PSF for a run without domain.json, and says when there is none', async () => {
    await prepareRun();
    const older = join(dir, 'older-run');
    cpSync(runDir, older, { recursive: true });
    rmSync(join(older, 'domain.json'));
    const r = await exportBioimageio({ runDir: older, out: join(dir, 'older.zip'), backend: 'cpu' });
    expect(r.warnings).toEqual([]);
    const folder = join(dir, 'older-unzipped');
    runPython(
      'import zipfile, sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2]); print("null")',
      join(dir, 'older.zip'),
      folder,
    );
    const rdf = readYaml(join(folder, 'rdf.yaml'));
    expect(specProblems(rdf, folder)).toEqual([]);
    const axes = (rdf.inputs as Rdf[])[0]!.axes as Rdf[];
    expect(['z', 'y', 'x'].map((id) => axes.find((a) => a.id === id)!.scale)).toEqual([0.25, 0.1, 0.1]);
    // The bundled demo model's PSF is uncalibrated (px): no unit or scale is claimed, and the user is told.
    const demo = await exportBioimageio({
      runDir: join(repoRoot, 'test', 'fixtures', 'model-bars'),
      out: join(dir, 'demo'),
      backend: 'cpu',
    });
    expect(demo.warnings.join()).toMatch(/records no voxel size/);
    const demoAxes = (readYaml(join(dir, 'demo', 'rdf.yaml')).inputs as Rdf[])[0]!.axes as Rdf[];
    expect(demoAxes.filter((a) => a.unit !== undefined || a.scale !== undefined)).toEqual([]);
    expect(specProblems(readYaml(join(dir, 'demo', 'rdf.yaml')), join(dir, 'demo'))).toEqual([]);
  }, 120_000);

  it('refuses an existing package without --force and a missing run before any work', async () => {
    await prepareRun();
    const out = join(dir, 'pkg-exists');
    await exportBioimageio({ runDir, out, backend: 'cpu' });
    await expect(exportBioimageio({ runDir, out, backend: 'cpu' })).rejects.toBeInstanceOf(FileExistsError);
    await expect(exportBioimageio({ runDir, out, backend: 'cpu', force: true })).resolves.toBeTruthy();
    await expect(
      exportBioimageio({ runDir: join(dir, 'no-run'), out: join(dir, 'x'), backend: 'cpu' }),
    ).rejects.toBeInstanceOf(FileNotFoundError);
  }, 120_000);
});
