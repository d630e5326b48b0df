import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { LocalJobQueue } from '../../../src-main/core/queue';
import { api } from '../../../src-main/contract';
import { CycleDeconError } from '../../../src-main/core/errors';
import type { JobSpec } from '../../../src-main/contract/schemas';
import { tempDir } from '../../helpers';
import { deepArray } from '../../hostile-json';
import { slowRunner, psfSpec } from './slow-runner';

function openQueue(dir: string, autoStart = true) {
  return LocalJobQueue.open({
    dir: join(dir, 'jobs'),
    resultsDir: join(dir, 'results'),
    runners: { psf: slowRunner(1, 1), train: slowRunner(1, 1) },
    autoStart,
  });
}
const journal = (dir: string) => join(dir, 'jobs', 'journal.jsonl');
const quarantine = (dir: string) => join(dir, 'jobs', 'journal.quarantine.jsonl');
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('job submission is transactional', () => {
  it('refuses a job the journal cannot hold and keeps none of it; list and the next job still work', async () => {
    const dir = tempDir();
    const q = await openQueue(dir);
    // Past the contract (as a buggy caller could): serialising this overflows the stack.
    const poisoned = {
      kind: 'train',
      blurredIds: ['ds_abcd1234'],
      sharpIds: [],
      preset: 'fast',
      config: { x: deepArray(50_000) },
    } as JobSpec;
    const err = await q.submit(poisoned).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CycleDeconError);
    expect((err as CycleDeconError).code).toBe('INVALID_PARAMETER');
    expect((err as Error).message).toMatch(/cannot be written to the queue journal/);
    expect(q.list()).toEqual([]);
    expect(() => JSON.stringify(q.list())).not.toThrow();
    const next = await q.submit(psfSpec);
    await q.idle();
    expect(q.get(next.id)!.state).toBe('done');
    expect(q.list().map((j) => j.id)).toEqual([next.id]);
    await q.close();
  });

  it('keeps no job in memory when its journal write fails (journal first)', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, false);
    // The disk fills up under the journal's open file.
    const handle = (q as unknown as { journal: { handle: { write: (...a: unknown[]) => Promise<unknown> } } }).journal
      .handle;
    const write = handle.write.bind(handle);
    handle.write = () =>
      Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    await expect(q.submit(psfSpec)).rejects.toThrow(/ENOSPC/);
    expect(q.list()).toEqual([]);
    handle.write = write;
    const ok = await q.submit(psfSpec);
    expect(q.list().map((x) => x.id)).toEqual([ok.id]);
    await q.close();
  });
});

describe('a journal with bad lines', () => {
  async function journalWithTwoJobs(dir: string) {
    const q = await openQueue(dir);
    const a = await q.submit(psfSpec);
    const b = await q.submit(psfSpec);
    await q.idle();
    await q.close();
    return [a.id, b.id];
  }

  it('opens with the valid records and quarantines a valid-JSON but schema-invalid line (no TypeError)', async () => {
    const dir = tempDir();
    const ids = await journalWithTwoJobs(dir);
    const bad = JSON.stringify({ job: { id: 'job_bad00001', state: 'queued' }, results: [], seq: 7 });
    const lineNo = lines(journal(dir)).length + 1;
    appendFileSync(journal(dir), bad + '\n');
    const q = await openQueue(dir);
    await q.idle();
    expect(q.list().map((j) => j.id)).toEqual(ids);
    expect(q.list().every((j) => j.state === 'done')).toBe(true);
    expect(q.warnings).toHaveLength(1);
    expect(q.warnings[0]).toMatch(/1 unusable line\(s\) of .*journal\.jsonl moved to .*journal\.quarantine\.jsonl/);
    expect(q.warnings[0]).toContain(`line ${lineNo}: not a job record (job.kind`);
    const [entry] = lines(quarantine(dir)).map((l) => JSON.parse(l) as { line: number; reason: string; text: string });
    expect(entry).toMatchObject({ line: lineNo, text: bad });
    expect(lines(journal(dir)).some((l) => l.includes('job_bad00001'))).toBe(false);
    await q.close();
  });

  it('opens a train job journalled with retired config keys: moved or dropped with a warning, not quarantined', async () => {
    const dir = tempDir();
    const q0 = await openQueue(dir, false);
    const job = await q0.submit({
      kind: 'train',
      blurredIds: ['ds_abcd1234'],
      sharpIds: [],
      preset: 'tiny',
      config: { maxSteps: 3 },
    });
    await q0.close();
    // As an older version wrote it: keys the config schema has since moved (residual) or removed (halo).
    const last = JSON.parse(lines(journal(dir)).at(-1)!);
    appendFileSync(
      journal(dir),
      JSON.stringify({
        ...last,
        job: {
          ...last.job,
          spec: { ...last.job.spec, config: { maxSteps: 3, generator: { residual: true }, psf: { halo: true } } },
        },
      }) + '\n',
    );
    const q = await openQueue(dir, false);
    expect(q.get(job.id)!.spec).toMatchObject({
      config: { maxSteps: 3, generator: {}, psf: {}, experimental: { residual: true } },
    });
    expect(q.warnings).toEqual([expect.stringMatching(new RegExp(`^job ${job.id}: psf\\.halo = true ignored`))]);
    expect(existsSync(quarantine(dir))).toBe(false);
    await q.close();
    // The compaction wrote the upgraded record: said once.
    const again = await openQueue(dir, false);
    expect(again.warnings).toEqual([]);
    await again.close();
  });

  it('never hands out a job the contract would refuse (jobs.list stays valid)', async () => {
    const dir = tempDir();
    const [a] = await journalWithTwoJobs(dir);
    // The latest record of job a is out of range: the earlier valid record of a stands.
    const last = JSON.parse(
      lines(journal(dir))
        .filter((l) => l.includes(a!))
        .at(-1)!,
    );
    appendFileSync(
      journal(dir),
      JSON.stringify({ ...last, job: { ...last.job, progress: 2, state: 'running' } }) + '\n',
    );
    const q = await openQueue(dir, false);
    expect(api['jobs.list'].response.safeParse({ jobs: q.list() }).success).toBe(true);
    expect(q.get(a!)!.state).toBe('done');
    expect(q.warnings[0]).toMatch(/job\.progress/);
    await q.close();
  });

  it('appends to the quarantine on every open, never overwriting it, and keeps a torn last line there too', async () => {
    const dir = tempDir();
    const ids = await journalWithTwoJobs(dir);
    appendFileSync(journal(dir), '{"job": 1}\n');
    await (await openQueue(dir, false)).close();
    appendFileSync(journal(dir), 'not json at all\n{"job":{"id":"job_torn');
    const q = await openQueue(dir, false);
    expect(q.list().map((j) => j.id)).toEqual(ids);
    const reasons = lines(quarantine(dir)).map((l) => (JSON.parse(l) as { reason: string }).reason);
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/not a job record/);
    expect(reasons[1]).toMatch(/not JSON/);
    expect(reasons[2]).toMatch(/incomplete last line/);
    expect(q.warnings[0]).toMatch(/^2 unusable line/);
    await q.close();
  });

  it('says nothing and writes no quarantine when the journal is clean', async () => {
    const dir = tempDir();
    await journalWithTwoJobs(dir);
    const q = await openQueue(dir, false);
    expect(q.warnings).toEqual([]);
    expect(existsSync(quarantine(dir))).toBe(false);
    await q.close();
  });
});
