// `cycledecon report`: a self-contained HTML report plus report.json for one deconvolution.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command';
import { flag, requireStr, str } from '../args';
import { InvalidParameterError } from '../../core/errors';
import { readVolume } from '../../core/io/index';
import { makeOutputFolder, writeBytesAtomic } from '../../core/io/atomic';
import { readLearnedPsf, readRunConfig } from '../../core/infer/load';
import { readLossHistory } from '../../core/report/loss';
import { buildReport, type ReportSources } from '../../core/report/build';
import { toolkitMeasures } from '../../core/report/measures';

const USAGE = `[--run <run-dir>] --input <in.tif> --result <result.tif> [--gt gt.tif] [--rl rl.tif]
       [--theoretical-psf psf.tif] [--summary deconvolve.json] [--clahe] [--force] <out-dir>

Writes <out-dir>/report.html (self-contained: figures are embedded PNGs) and <out-dir>/report.json
(every number shown). Sections: orthoviews of input vs result (and RL, ground truth) with linked
contrast; learned PSF vs theoretical PSF with FWHM; training loss curves; PSNR/SSIM against ground
truth; the re-blur check ‖PSF ⊛ result − input‖ per slice; timing and backend.

  --run <run-dir>          training run (config.json, learned PSF, loss history)
  --summary <file>         the JSON printed by \`deconvolve --json\` (timing, backend)
  --clahe                  add CLAHE-equalised views (display only)`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'write an HTML + JSON quality report for a deconvolution',
  usage: USAGE,
  options: {
    run: { type: 'string' },
    input: { type: 'string' },
    result: { type: 'string' },
    gt: { type: 'string' },
    rl: { type: 'string' },
    'theoretical-psf': { type: 'string' },
    summary: { type: 'string' },
    clahe: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1) throw new InvalidParameterError('<out-dir>', 'give exactly one output folder');
    const outDir = args.positionals[0]!;
    const force = flag(args, 'force');
    const load = async (path: string | undefined) => (path ? { path, volume: await readVolume(path) } : undefined);
    const src: ReportSources = {
      input: (await load(requireStr(args, 'input')))!,
      result: (await load(requireStr(args, 'result')))!,
      gt: await load(str(args, 'gt')),
      rl: await load(str(args, 'rl')),
      theoreticalPsf: await load(str(args, 'theoretical-psf')),
      clahe: flag(args, 'clahe'),
    };
    const runDir = str(args, 'run');
    if (runDir) {
      const learned = await readLearnedPsf(runDir).catch(() => undefined);
      src.run = { dir: runDir, config: await readRunConfig(runDir), learnedPsf: learned ? { path: learned.path, volume: learned.psf } : undefined, loss: await readLossHistory(runDir) };
    }
    const summaryPath = str(args, 'summary');
    if (summaryPath) {
      const s = JSON.parse(await fs.readFile(summaryPath, 'utf8')) as Record<string, unknown>;
      const file = Array.isArray(s.files) ? (s.files as Record<string, unknown>[]).find((f) => f.output === src.result.path) ?? (s.files as Record<string, unknown>[])[0] : undefined;
      src.summary = { ...s, ...(file ?? {}), details: s.details };
    }
    const { json, html } = buildReport(src, toolkitMeasures);
    await makeOutputFolder(outDir);
    await writeBytesAtomic(join(outDir, 'report.json'), JSON.stringify(json, null, 2), { force });
    await writeBytesAtomic(join(outDir, 'report.html'), html, { force });
    ctx.out(`report written: ${join(outDir, 'report.html')} and report.json`);
    return 0;
  },
};
