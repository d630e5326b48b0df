// Shared set-up of the service tests: an AppService with its own CYCLEDECON_HOME, the given folders
// allowed, and a project folder to create; and polling a job until it ends.
import { join } from 'node:path';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job } from '../../../src-main/contract/schemas';
import { tempDir } from '../../helpers';
import { resetFlags } from '../../../src-main/core/flags';

export async function openService(...allowed: string[]): Promise<{ service: AppService; projectDir: string }> {
  process.env.CYCLEDECON_HOME = tempDir();
  resetFlags(); // read again (flags are read once, core/flags.ts)
  const access = new AccessPolicy();
  for (const dir of allowed) await access.allow(dir);
  const projectDir = join(tempDir(), 'proj');
  await access.allow(join(projectDir, '..'));
  return { service: new AppService({ access }), projectDir };
}

/** Polls jobs.get until the job is done, failed or cancelled, or `ms` have passed (then returns it as it is). */
export async function waitJob(service: AppService, id: string, ms: number, pollMs = 100): Promise<Job> {
  const deadline = Date.now() + ms;
  let job = (await service.handlers['jobs.get'](parseRequest('jobs.get', { id }))) as Job;
  while (!['done', 'failed', 'cancelled'].includes(job.state) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, pollMs));
    job = (await service.handlers['jobs.get'](parseRequest('jobs.get', { id }))) as Job;
  }
  return job;
}

/** Imports one file through `dataset.import` with the given role and returns the new dataset's id. */
export async function importOne(service: AppService, path: string, role: unknown): Promise<string> {
  const r = (await service.handlers['dataset.import'](parseRequest('dataset.import', { paths: [path], role }))) as {
    imported: { id: string }[];
  };
  return r.imported[0]!.id;
}
