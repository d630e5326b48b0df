// The export's small file writers, read back by independent implementations: numpy.load for .npy, PyYAML for
// YAML, Python's zipfile (with its CRC check) for zip, and numpy.percentile for the scale_range percentiles.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { encodeNpy } from '../../../src-main/core/export/npy';
import { toYaml, type YamlValue } from '../../../src-main/core/export/yaml';
import { encodeZip } from '../../../src-main/core/export/zip';
import { percentileLinear } from '../../../src-main/core/export/scale-range';
import { mulberry32, tempDir } from '../../helpers';
import { python, pythonMissing, runPython } from './python-numpy';

const dir = tempDir();

describe('.npy writer', () => {
  it('writes a header numpy accepts, 64-byte aligned, and the values in C order', () => {
    const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3);
    const bytes = encodeNpy(data, [1, 2, 3, 4]);
    const headerLen = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(bytes.length).toBe(10 + headerLen + 4 * data.length);
    expect(() => encodeNpy(data, [5, 5])).toThrow(/holds 25 values/);
  });

  it.skipIf(!python)(`numpy.load reads shape, dtype and values${pythonMissing}`, () => {
    const rand = mulberry32(3);
    const data = Float32Array.from({ length: 1 * 1 * 4 * 6 * 8 }, () => rand() * 1000 - 200);
    const file = join(dir, 't.npy');
    writeFileSync(file, encodeNpy(data, [1, 1, 4, 6, 8]));
    const r = runPython(
      'import numpy, json, sys; a = numpy.load(sys.argv[1]); print(json.dumps({"shape": a.shape, "dtype": str(a.dtype), "c": a.flags.c_contiguous, "v": a.ravel().tolist()}))',
      file,
    ) as { shape: number[]; dtype: string; c: boolean; v: number[] };
    expect(r.shape).toEqual([1, 1, 4, 6, 8]);
    expect(r.dtype).toBe('float32');
    expect(r.c).toBe(true);
    expect(r.v).toEqual(Array.from(data));
  });
});

describe('YAML writer', () => {
  const doc: { [k: string]: YamlValue } = {
    type: 'model',
    format_version: '0.5.4',
    n: 17,
    f: 1e-6,
    tiny: 1e-7,
    small: -2.5e-8,
    huge: 1e21,
    neg: -0.25,
    t: true,
    nothing: null,
    tricky: [
      'yes',
      'no',
      '1.0',
      '0.5.4',
      'a: b',
      '#not a comment',
      '- dash',
      'µm',
      'line\nbreak',
      '"quoted"',
      '',
      'null',
      '2026-12-06',
    ],
    nested: {
      list: [{ a: 1, b: ['x', 'y'] }, { c: { d: [] } }, [1, 2]],
      empty: {},
      'odd key': 'v',
      'under_score.key-1': 2,
    },
    axes: [{ type: 'batch' }, { type: 'space', id: 'z', size: { min: 4, step: 4 }, unit: 'micrometer', scale: 0.25 }],
  };

  it('leaves out undefined fields and refuses non-finite numbers', () => {
    expect(toYaml({ a: 1, b: undefined as unknown as YamlValue })).toBe('a: 1\n');
    expect(() => toYaml({ a: NaN })).toThrow(/cannot be written/);
  });

  it.skipIf(!python)(`PyYAML reads back exactly the same data${pythonMissing}`, () => {
    const file = join(dir, 't.yaml');
    writeFileSync(file, toYaml(doc));
    const back = runPython(
      'import yaml, json, sys; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))))',
      file,
    );
    expect(back).toEqual(doc);
  });
});

describe('zip writer', () => {
  it.skipIf(!python)(
    `Python's zipfile lists the entries, passes its CRC check and reads the bytes${pythonMissing}`,
    () => {
      const rand = mulberry32(9);
      const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i % 7 === 0 ? Math.floor(rand() * 256) : i & 0xff));
      const entries = [
        { name: 'rdf.yaml', data: new TextEncoder().encode('type: "model"\n') },
        { name: 'weights.onnx', data: big },
        { name: 'empty.txt', data: new Uint8Array(0) },
      ];
      const file = join(dir, 't.zip');
      writeFileSync(file, encodeZip(entries));
      const r = runPython(
        `import zipfile, json, sys, hashlib
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"bad": z.testzip(), "names": z.namelist(), "sha": [hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()]}))`,
        file,
      ) as { bad: string | null; names: string[]; sha: string[] };
      expect(r.bad).toBeNull();
      expect(r.names).toEqual(entries.map((e) => e.name));
      expect(r.sha).toEqual(entries.map((e) => createHash('sha256').update(e.data).digest('hex')));
    },
  );
});

describe('scale_range percentiles', () => {
  it.skipIf(!python)(`equal numpy.percentile (linear interpolation)${pythonMissing}`, () => {
    const rand = mulberry32(5);
    const data = Float32Array.from({ length: 5003 }, () => rand() ** 3 * 4000 + 100);
    const file = join(dir, 'p.npy');
    writeFileSync(file, encodeNpy(data, [data.length]));
    const qs = [0, 0.1, 1, 50, 99.9, 100];
    const want = runPython(
      'import numpy, json, sys; a = numpy.load(sys.argv[1]).astype(numpy.float64); print(json.dumps([float(numpy.percentile(a, float(q))) for q in sys.argv[2:]]))',
      file,
      ...qs.map(String),
    ) as number[];
    qs.forEach((q, i) => expect(percentileLinear(data, q)).toBeCloseTo(want[i]!, 9));
  });
});
