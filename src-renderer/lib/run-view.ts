// Which training run the Training view shows, and its curves and PSF: the run picked in the run list, else the
// live one (running, queued, paused), else the newest. A run followed live draws from its events; any other
// (a finished run, one from before a reload or a server restart) from its folder through runs.get.
import { computed, ref, watch, type ComputedRef, type Ref } from 'vue';
import type { Job, RunDetail, TrainRun, VoxelSize } from '../../src-main/contract';
import { useClient } from '../api';
import { useJobs } from '../stores/jobs';
import { useNotices } from '../stores/notices';
import { useProject } from '../stores/project';

export interface RunPsf {
  iteration: number;
  shape: [number, number, number];
  data: Float32Array;
  /** absent for live snapshots */ voxelSize?: VoxelSize;
}

export interface RunView {
  picked: Ref<string | null>;
  job: ComputedRef<Job | null>;
  run: ComputedRef<TrainRun | undefined>;
  label: ComputedRef<string>;
  losses: ComputedRef<{ step: number; values: Record<string, number> }[]>;
  psf: ComputedRef<RunPsf | null>;
}

const LIVE = ['running', 'queued', 'waiting', 'paused'];
/** services: runIdOf (worker/runners/run-dir.ts), without node:path in the renderer. */
const runIdOf = (jobId: string) => `run_${jobId.slice(jobId.indexOf('_') + 1)}`;

export function useRunView(): RunView {
  const jobs = useJobs();
  const project = useProject();
  const picked = ref<string | null>(null);
  const trainJobs = computed(() => jobs.jobs.filter((j) => j.kind === 'train'));
  const runId = computed(() => {
    if (picked.value) return picked.value;
    const liveJob = trainJobs.value.find((j) => LIVE.includes(j.state));
    if (liveJob) return runIdOf(liveJob.id);
    return project.runs[0]?.id ?? (trainJobs.value[0] ? runIdOf(trainJobs.value[0].id) : null);
  });
  const run = computed(() => project.runs.find((r) => r.id === runId.value));
  const job = computed(
    () => trainJobs.value.find((j) => (run.value ? j.id === run.value.jobId : runIdOf(j.id) === runId.value)) ?? null,
  );
  const detail = ref<RunDetail | null>(null);
  watch(
    () => [run.value?.id, run.value?.status] as const,
    async ([id]) => {
      if (!id) return void (detail.value = null);
      try {
        const d = await useClient().invoke('runs.get', { id });
        if (runId.value === id) detail.value = d;
      } catch (e) {
        useNotices().error(e, `Reading training run ${id}`);
      }
    },
    { immediate: true },
  );
  const current = computed(() => (detail.value && detail.value.run.id === runId.value ? detail.value : null));
  const losses = computed(() => {
    const liveLosses = job.value ? jobs.losses[job.value.id] : undefined;
    return liveLosses?.length ? liveLosses : (current.value?.history ?? []);
  });
  const psf = computed<RunPsf | null>(() => {
    const s = job.value ? jobs.psf[job.value.id] : undefined;
    if (s) return { iteration: s.iteration, shape: s.shape as [number, number, number], data: s.data };
    const p = current.value?.psf;
    return p ? { iteration: p.step, shape: p.shape, data: Float32Array.from(p.data), voxelSize: p.voxelSize } : null;
  });
  const label = computed(() => current.value?.run.label ?? runId.value ?? '');
  return { picked, job, run, label, losses, psf };
}
