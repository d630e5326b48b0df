#!/usr/bin/env node
// `npm run demo`: the whole story on a small bundled stack in well under two minutes on a laptop CPU.
// 1. deconvolve assets/sample/mixture/blurred.tif (a calibrated synthetic widefield stack with its truth and PSF,
//    assets/sample/mixture/README.md) with the bundled model (assets/model, trained on it by this project with the
//    default `fast` preset, see assets/model/README.md);
// 2. Richardson–Lucy with the model's learned PSF, for comparison;
// 3. a self-contained HTML report (orthoviews, learned vs true PSF, loss curves, metrics vs ground truth,
//    re-blur check). Everything lands in demo-output/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sample = join(root, 'assets', 'sample');
const model = join(root, 'assets', 'model');
const out = join(root, 'demo-output');
const started = Date.now();
const rel = (p) => relative(process.cwd(), p) || '.';

function step(title) {
  process.stdout.write(`\n== ${title}  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function cli(args, { capture = false } = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'cycledecon.js'), ...args], {
    cwd: root,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env: { ...process.env, CYCLEDECON_BACKEND: process.env.CYCLEDECON_BACKEND ?? 'cpu' },
  });
  if (r.status !== 0) {
    process.stderr.write(`\ndemo: "cycledecon ${args.join(' ')}" failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
  return r.stdout;
}

/** Newest modification time under a folder (to tell whether dist/ is older than the sources). */
function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const bundle = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestMtime(join(root, 'src-main'))) {
  step('building the CLI (npm run build:cli)');
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status || 1);
}
mkdirSync(out, { recursive: true });

const input = join(sample, 'mixture', 'blurred.tif');
const truth = join(sample, 'mixture', 'gt.tif');
const truePsf = join(sample, 'mixture', 'psf.tif');
const hasModel = existsSync(join(model, 'config.json'));
const modelOut = join(out, 'mixture_model.tif');
const rlOut = join(out, 'mixture_rl.tif');

if (hasModel) {
  step('deconvolving with the bundled model (assets/model)');
  const summary = cli(['deconvolve', '--model', model, input, modelOut, '--force', '--json'], { capture: true });
  writeFileSync(join(out, 'deconvolve-model.json'), summary);
  const s = JSON.parse(summary);
  process.stdout.write(
    `model: ${s.files[0].seconds.toFixed(1)} s, ${Math.round(s.voxelsPerSecond)} voxels/s on ${s.backend}\n`,
  );
  step("Richardson–Lucy with the model's learned PSF");
  writeFileSync(
    join(out, 'deconvolve-rl.json'),
    cli(
      [
        'deconvolve',
        '--method',
        'rl',
        '--psf',
        'learned',
        '--model',
        model,
        '--iters',
        '20',
        input,
        rlOut,
        '--force',
        '--json',
      ],
      { capture: true },
    ),
  );
} else {
  process.stdout.write(
    '\nNOTE: no pretrained model is bundled yet (assets/model/config.json is missing).\n' +
      'The demo runs Richardson–Lucy with the known PSF of the sample and reports on that only.\n',
  );
  step("Richardson–Lucy with the sample's known PSF");
  writeFileSync(
    join(out, 'deconvolve-rl.json'),
    cli(['deconvolve', '--method', 'rl', '--psf', truePsf, '--iters', '20', input, rlOut, '--force', '--json'], {
      capture: true,
    }),
  );
}

step('writing the report');
const reportDir = join(out, 'report');
const reportArgs = ['report', '--input', input, '--gt', truth, '--theoretical-psf', truePsf, '--clahe', '--force'];
if (hasModel)
  reportArgs.push('--run', model, '--result', modelOut, '--rl', rlOut, '--summary', join(out, 'deconvolve-model.json'));
else reportArgs.push('--result', rlOut, '--summary', join(out, 'deconvolve-rl.json'));
cli([...reportArgs, reportDir]);

const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
step(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const m = report.metrics;
if (report.reblur)
  process.stdout.write(
    `Re-blur check (lower is better): result ${report.reblur.overall.toFixed(3)}, input itself ${report.reblur.inputOverall.toFixed(3)}\n`,
  );
if (report.outputCheck)
  process.stdout.write(
    `${report.outputCheck.passed ? 'Output check passed' : `Output check FLAGGED (${report.outputCheck.flags.map((f) => f.code).join(', ')})`}\n`,
  );
if (m) {
  process.stdout.write('Against the ground truth (mixture/gt.tif):\n');
  for (const [name, v] of Object.entries(m.vsGroundTruth ?? {}))
    process.stdout.write(
      `  ${name.padEnd(8)} PSNR ${v.psnr.toFixed(2)} dB  SSIM ${(v.ssim3d ?? v.ssim2d).toFixed(3)}\n`,
    );
}
process.stdout.write(`
Look at:
  ${rel(join(reportDir, 'report.html'))}   the report (open in a browser; self-contained)
  ${rel(join(reportDir, 'report.json'))}   every number in it
  ${rel(out)}/*.tif                        results (float32, input intensity units; open in Fiji/napari)
`);
