// The output check's file in a run folder (written by output-check.ts after training), read without tfjs: the
// CLI, the app's main side and the deconvolution runner only need the verdict, not the model.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../run/layout';
import { OUTPUT_FLAG_CODES, type OutputFlag } from '../metrics/output-verdict';

export const OUTPUT_CHECK_FILE = RUN_FILES.outputCheck;

export interface OutputCheckVerdict {
  collapsed: boolean;
  message: string;
  /** What the check flagged (absent in runs that predate the flags): the report's verdict names them. */
  flags?: OutputFlag['code'][];
}

const FALLBACK = "G_AB's output does not depend on its input: the model has not learned to deconvolve these data.";

/**
 * A run's output-check verdict; null when there is none: a run that predates the check, one still training, or a
 * file that cannot be read or parsed (the check is advice, not a gate: the run stays usable).
 */
export async function readOutputCheck(runDir: string): Promise<OutputCheckVerdict | null> {
  let c: { collapsed?: unknown; message?: unknown; flags?: unknown };
  try {
    c = JSON.parse(await fs.readFile(join(runDir, OUTPUT_CHECK_FILE), 'utf8')) as typeof c;
  } catch {
    return null;
  }
  if (typeof c !== 'object' || c === null || typeof c.collapsed !== 'boolean') return null;
  const message = typeof c.message === 'string' && c.message ? c.message : c.collapsed ? FALLBACK : '';
  const flags = Array.isArray(c.flags)
    ? c.flags.filter((f): f is OutputFlag['code'] => (OUTPUT_FLAG_CODES as readonly unknown[]).includes(f))
    : undefined;
  return { collapsed: c.collapsed, message, ...(flags ? { flags } : {}) };
}

/** The warnings a run's output check raised ([] when it passed or there is no verdict). */
export async function readOutputCheckWarnings(runDir: string): Promise<string[]> {
  const v = await readOutputCheck(runDir);
  return v?.collapsed ? [v.message] : [];
}
