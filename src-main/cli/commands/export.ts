// `cycledecon export`: a trained run's G_AB as a portable model — an ONNX graph, or a BioImage Model Zoo package
// (rdf.yaml + ONNX weights + test tensors + learned PSF) for deepImageJ, napari, ilastik or onnxruntime.
import type { Command } from '../command';
import { flag, oneOf, requireStr, str } from '../args';
import { InvalidParameterError } from '../../core/errors';
import { readVolume } from '../../core/io/index';
import { checkOutputWritable, writeBytesAtomic } from '../../core/io/atomic';
import { exportRunOnnx } from '../../core/export/onnx-export';
import { exportBioimageio } from '../../core/export/bioimageio';
import { readConfig } from '../../core/train/outputs';

const USAGE = `--model <run-dir> --format onnx|bioimageio --out <path> [options]

  --format onnx         write G_AB as one ONNX file (opset 17), input and output [batch, 1, z, y, x] on
                        the network scale (normalise as described in docs/interop.md)
  --format bioimageio   write a BioImage Model Zoo package (spec 0.5): a folder, or a zip when --out ends
                        in .zip, with rdf.yaml, weights.onnx, test tensors, the learned PSF and README.md
  --sample <stack>      cut the package's test input from this stack (default: a synthetic stack at the
                        training voxel size)
  --author <name>       an author for rdf.yaml (repeat for several; default "The CycleDecon authors")
  --license <SPDX>      licence of the weights (default MIT)
  --backend B           backend for computing the test output (default: best available)
  --force               replace an existing output
  --json                print a JSON summary`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a trained model as ONNX or a BioImage Model Zoo package',
  usage: USAGE,
  options: {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    sample: { type: 'string' },
    author: { type: 'string', multiple: true },
    license: { type: 'string' },
    backend: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, ctx) {
    const runDir = requireStr(args, 'model');
    const format = oneOf(args, 'format', ['onnx', 'bioimageio'] as const, 'onnx');
    if (args.values.format === undefined)
      throw new InvalidParameterError('--format', 'is required', 'Pass --format onnx or --format bioimageio.');
    const out = requireStr(args, 'out');
    const force = flag(args, 'force');
    const license = str(args, 'license');
    if (license !== undefined && !/^[A-Za-z0-9.+-]+$/.test(license))
      throw new InvalidParameterError(
        '--license',
        `"${license}" is not an SPDX identifier`,
        'For example MIT, BSD-3-Clause, CC-BY-4.0.',
      );
    await readConfig(runDir); // a missing or invalid run fails here, before any work
    if (format === 'onnx') {
      await checkOutputWritable(out, { force });
      const { bytes } = await exportRunOnnx(runDir);
      await writeBytesAtomic(out, bytes, { force });
      if (flag(args, 'json')) ctx.out(JSON.stringify({ output: out, format, bytes: bytes.length }, null, 2));
      else ctx.out(`wrote ${out} (ONNX opset 17, ${(bytes.length / 1024).toFixed(1)} KiB)`);
      return 0;
    }
    const samplePath = str(args, 'sample');
    const r = await exportBioimageio({
      runDir,
      out,
      force,
      license,
      backend: str(args, 'backend'),
      authors: (args.values.author as string[] | undefined) ?? [],
      sample: samplePath ? await readVolume(samplePath) : undefined,
    });
    for (const w of r.warnings) ctx.err(`warning: ${w}`);
    if (flag(args, 'json'))
      ctx.out(
        JSON.stringify(
          { output: r.out, format, zip: r.zip, files: r.files, testShape: r.testShape, warnings: r.warnings },
          null,
          2,
        ),
      );
    else
      ctx.out(
        `wrote ${r.out} (BioImage Model Zoo package${r.zip ? ', zip' : ''}: ${r.files.join(', ')}; test stack ${r.testShape.join('×')})`,
      );
    return 0;
  },
};
