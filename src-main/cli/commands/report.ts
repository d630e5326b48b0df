// `cycledecon report`: a self-contained HTML report plus report.json for one deconvolution.
import type { Command } from '../command';
import { flag, requireStr, str } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { readDeconvolveSummary, writeReport } from '../../core/report/files';

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
    if (args.positionals.length !== 1) throw new MissingArgumentError('<out-dir>', 'give exactly one output folder');
    const outDir = args.positionals[0]!;
    const input = requireStr(args, 'input');
    const result = requireStr(args, 'result');
    const summaryPath = str(args, 'summary');
    const written = await writeReport(
      outDir,
      {
        input,
        result,
        gt: str(args, 'gt'),
        rl: str(args, 'rl'),
        theoreticalPsf: str(args, 'theoretical-psf'),
        runDir: str(args, 'run'),
        summary: summaryPath ? await readDeconvolveSummary(summaryPath, result) : undefined,
        clahe: flag(args, 'clahe'),
      },
      { force: flag(args, 'force') },
    );
    ctx.out(`report written: ${written.htmlPath} and report.json`);
    // The result's own output check and the input's domain (core/report/output-section.ts): said here too.
    const check = written.json.outputCheck as { passed: boolean; message: string } | undefined;
    if (check && !check.passed) ctx.err(`warning: ${check.message}`);
    for (const w of (written.json.domainWarnings as string[] | undefined) ?? []) ctx.err(`warning: ${w}`);
    return 0;
  },
};
