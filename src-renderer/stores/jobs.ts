// The batch queue as the UI sees it: jobs, live progress with ETA, logs, loss history for training.
import { defineStore } from 'pinia';
import type { Job, JobSpec, EventOf } from '../../src-main/contract';
import { useClient } from '../api';
import { useNotices } from './notices';

export interface LiveProgress {
  progress: number;
  message: string;
  etaSeconds?: number;
  step?: number;
  total?: number;
  at: number;
}

export interface PsfSnapshot {
  iteration: number;
  shape: [number, number, number];
  data: Float32Array;
}

/** Loss values reported in a progress message as `name=value` pairs (e.g. "step 40/200 cycle=0.12 adv=0.48"). */
export function parseLosses(message: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of message.matchAll(/([A-Za-z_][\w.]*)\s*[=:]\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/gi)) {
    const v = Number(m[2]);
    if (Number.isFinite(v)) out[m[1]!] = v;
  }
  return out;
}

/** ETA from the server when given, otherwise from the rate since the job started. */
export function estimateEta(job: Job, live: LiveProgress | undefined, now = Date.now()): number | null {
  if (live?.etaSeconds !== undefined) return live.etaSeconds;
  const p = live?.progress ?? job.progress;
  if (!job.startedAt || p <= 0.01 || p >= 1) return null;
  const elapsed = (now - Date.parse(job.startedAt)) / 1000;
  return (elapsed * (1 - p)) / p;
}

/** The queue methods that act on one job and answer with it. */
export type JobAction = 'jobs.cancel' | 'jobs.retry' | 'jobs.pause' | 'jobs.resume';
const ACTION_WORDS: Record<JobAction, string> = {
  'jobs.cancel': 'Cancelling the job',
  'jobs.retry': 'Retrying the job',
  'jobs.pause': 'Pausing the job',
  'jobs.resume': 'Resuming the job',
};

export const useJobs = defineStore('jobs', {
  state: () => ({
    jobs: [] as Job[],
    live: {} as Record<string, LiveProgress>,
    logs: {} as Record<string, string[]>,
    losses: {} as Record<string, { step: number; values: Record<string, number> }[]>,
    psf: {} as Record<string, PsfSnapshot>,
    /** Latest training speed of each train job (steps per second), from train.loss. */
    speed: {} as Record<string, number>,
    /** Jobs whose losses arrive as train.loss events (their progress messages are no longer parsed). */
    lossEvents: {} as Record<string, true>,
    listening: false,
  }),
  getters: {
    byId: (s) => (id: string) => s.jobs.find((j) => j.id === id),
    active: (s) =>
      s.jobs.filter(
        (j) => j.state === 'running' || j.state === 'queued' || j.state === 'waiting' || j.state === 'paused',
      ),
  },
  actions: {
    upsert(job: Job): void {
      const i = this.jobs.findIndex((j) => j.id === job.id);
      if (i >= 0) this.jobs.splice(i, 1, job);
      else this.jobs.unshift(job);
    },
    onProgress(p: EventOf<'job.progress'>): void {
      this.live[p.jobId] = {
        progress: p.progress,
        message: p.message,
        etaSeconds: p.etaSeconds,
        step: p.step,
        total: p.total,
        at: Date.now(),
      };
      const values = this.lossEvents[p.jobId] ? {} : parseLosses(p.message);
      if (Object.keys(values).length) {
        const series = (this.losses[p.jobId] ??= []);
        series.push({ step: p.step ?? series.length, values });
      }
      const j = this.jobs.find((x) => x.id === p.jobId);
      if (j) j.progress = p.progress;
    },
    /** One training step: its losses extend the curve; a resumed run replaces the steps after its checkpoint. */
    onTrainLoss(e: EventOf<'train.loss'>): void {
      this.lossEvents[e.jobId] = true;
      const series = (this.losses[e.jobId] ??= []);
      while (series.length && series[series.length - 1]!.step >= e.step) series.pop();
      series.push({ step: e.step, values: { ...e.losses } });
      this.speed[e.jobId] = e.stepsPerSecond;
      const live = this.live[e.jobId];
      if (live) live.etaSeconds = e.etaSeconds;
    },
    listen(): void {
      if (this.listening) return;
      const c = useClient();
      c.subscribe('job.state', (e) => this.upsert(e.job));
      c.subscribe('job.progress', (e) => this.onProgress(e));
      c.subscribe('job.log', (e) => (this.logs[e.jobId] ??= []).push(e.line));
      c.subscribe('train.loss', (e) => this.onTrainLoss(e));
      c.subscribe('train.psfSnapshot', (e) => {
        this.psf[e.jobId] = { iteration: e.iteration, shape: e.shape, data: Float32Array.from(e.data) };
      });
      this.listening = true;
    },
    async refresh(): Promise<void> {
      try {
        this.jobs = (await useClient().invoke('jobs.list', {})).jobs;
      } catch (e) {
        useNotices().error(e, 'Listing jobs');
      }
    },
    async submit(spec: JobSpec, dependsOn: string[] = []): Promise<Job | undefined> {
      try {
        const job = await useClient().invoke('jobs.submit', { spec, dependsOn });
        this.upsert(job);
        return job;
      } catch (e) {
        useNotices().error(e, 'Queueing the job');
        return undefined;
      }
    },
    /** One job action: the job as the queue now has it replaces ours; a refusal becomes a notice saying what failed. */
    async act(method: JobAction, id: string): Promise<void> {
      try {
        this.upsert(await useClient().invoke(method, { id }));
      } catch (e) {
        useNotices().error(e, ACTION_WORDS[method]);
      }
    },
    cancel(id: string): Promise<void> {
      return this.act('jobs.cancel', id);
    },
    retry(id: string): Promise<void> {
      return this.act('jobs.retry', id);
    },
    pause(id: string): Promise<void> {
      return this.act('jobs.pause', id);
    },
    resume(id: string): Promise<void> {
      return this.act('jobs.resume', id);
    },
    async loadLog(id: string): Promise<void> {
      try {
        const have = this.logs[id]?.length ?? 0;
        const r = await useClient().invoke('jobs.log', { id, since: have });
        this.logs[id] = [...(this.logs[id] ?? []), ...r.lines];
      } catch (e) {
        useNotices().error(e, 'Reading the job log');
      }
    },
  },
});
