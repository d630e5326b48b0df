// Reports from files: loads the volumes and a training run's outputs, builds the report and writes its
// HTML and JSON atomically. `cycledecon report` and the app's report jobs both go through here.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Volume } from '../io/volume';
import { readVolume } from '../io/index';
import { makeOutputFolder, writeBytesAtomic } from '../io/atomic';
import { readLearnedPsf, readRunConfig } from '../infer/load';
import { readLossHistory } from './loss';
import { readOutputCheck } from '../train/output-check-file';
import { readPupilFile } from '../train/pupil-file';
import { buildReport, type ReportSources } from './build';
import { toolkitMeasures } from './measures';
import { noDomainNote, readTrainingDomain, volumeDomainWarnings } from '../infer/domain-check';
import { fitNormaliser } from '../normalise/normaliser';
import { normalisationOf, type TrainConfig } from '../train/config';
import type { TrainingData } from './verdict';

/** A volume given by its file, or already loaded (e.g. with a voxel-size override, or a generated PSF). */
export type VolumeSource = string | { path: string; volume: Volume };

export interface ReportFiles {
  input: VolumeSource;
  result: VolumeSource;
  gt?: VolumeSource;
  rl?: VolumeSource;
  theoreticalPsf?: VolumeSource;
  /** Training run folder (config.json, learned PSF, loss history). */
  runDir?: string;
  /** The `deconvolve --json` summary of the result (timing, backend). */
  summary?: Record<string, unknown>;
  clahe?: boolean;
  title?: string;
}

async function load(src: VolumeSource | undefined): Promise<{ path: string; volume: Volume } | undefined> {
  if (src === undefined) return undefined;
  return typeof src === 'string' ? { path: src, volume: await readVolume(src) } : src;
}

/** Reads every file a report needs. A run folder without a learned PSF (a CNN G_BA) is fine. */
export async function loadReportSources(f: ReportFiles): Promise<ReportSources> {
  const src: ReportSources = {
    input: (await load(f.input))!,
    result: (await load(f.result))!,
    gt: await load(f.gt),
    rl: await load(f.rl),
    theoreticalPsf: await load(f.theoreticalPsf),
    clahe: f.clahe,
    summary: f.summary,
    title: f.title,
  };
  if (f.runDir) {
    const learned = await readLearnedPsf(f.runDir).catch(() => undefined);
    const config = await readRunConfig(f.runDir);
    src.run = {
      dir: f.runDir,
      config,
      learnedPsf: learned ? { path: learned.path, volume: learned.psf } : undefined,
      loss: await readLossHistory(f.runDir),
      outputCheck: await readOutputCheck(f.runDir),
      pupil: await readPupilFile(f.runDir),
      ...(await inputDomain(f.runDir, config, src.input)),
    };
  }
  return src;
}

/** The input against the run's training domain (infer/domain-check.ts), normalised as inference does; a note for old runs. */
async function inputDomain(
  runDir: string,
  config: TrainConfig,
  input: { path: string; volume: Volume },
): Promise<{ domainWarnings: string[]; domainNote?: string; trainingData?: TrainingData }> {
  const domain = await readTrainingDomain(runDir);
  if (!domain) return { domainWarnings: [], domainNote: noDomainNote(runDir) };
  const n = normalisationOf(config);
  const normalise = (d: Float32Array) => {
    const out = fitNormaliser(d, n.lowPercentile, n.highPercentile, n).apply(d);
    return n.clip ? out.map((v) => (v < 0 ? 0 : v > 1 ? 1 : v)) : out;
  };
  return {
    domainWarnings: volumeDomainWarnings(domain, input.volume, normalise, input.path),
    trainingData: { stacks: domain.stacks },
  };
}

/** The entry of a `deconvolve --json` summary for `resultPath` (the first file when none matches), merged with the run's fields. */
export async function readDeconvolveSummary(summaryPath: string, resultPath: string): Promise<Record<string, unknown>> {
  const s = JSON.parse(await fs.readFile(summaryPath, 'utf8')) as Record<string, unknown>;
  const files = Array.isArray(s.files) ? (s.files as Record<string, unknown>[]) : [];
  const file = files.find((x) => x.output === resultPath) ?? files[0];
  return { ...s, ...(file ?? {}), details: s.details };
}

export interface WrittenReport {
  htmlPath: string;
  jsonPath: string;
  json: Record<string, unknown>;
}

/**
 * Builds the report and writes `<outDir>/<name>.json` then `<name>.html`, each atomically. Existing
 * files are an error unless `force` (user data is never overwritten silently).
 */
export async function writeReport(
  outDir: string,
  f: ReportFiles,
  opts: { name?: string; force?: boolean } = {},
): Promise<WrittenReport> {
  const { json, html } = buildReport(await loadReportSources(f), toolkitMeasures);
  const name = opts.name ?? 'report';
  const jsonPath = join(outDir, `${name}.json`);
  const htmlPath = join(outDir, `${name}.html`);
  await makeOutputFolder(outDir);
  await writeBytesAtomic(jsonPath, JSON.stringify(json, null, 2), { force: opts.force, within: outDir });
  await writeBytesAtomic(htmlPath, html, { force: opts.force, within: outDir });
  return { htmlPath, jsonPath, json };
}
