// The record of a newly submitted job, the same for the local journal queue and the Redis queue.
import type { Job, JobSpec } from '../../contract/schemas';
import { newId, nowIso } from '../project/ids';
import type { SubmitOptions } from './types';

/** A queued job for `spec`, with no attempt, progress, outputs or error yet. */
export function newQueuedJob(spec: JobSpec, options: SubmitOptions, dependsOn: readonly string[]): Job {
  return {
    id: newId('job'),
    kind: spec.kind,
    spec,
    state: 'queued',
    priority: options.priority ?? 0,
    dependsOn: [...dependsOn],
    attempts: 0,
    progress: 0,
    message: 'queued',
    createdAt: nowIso(),
    startedAt: null,
    finishedAt: null,
    outputs: [],
    error: null,
  };
}
