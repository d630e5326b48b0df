// The app's request handlers: one implementation of the contract's method table over the core
// (projects, queue, PSF, views). The devserver and the Electron IPC bridge are thin transports over it.
import type { EventName, EventOf, MethodName, ParsedRequestOf, BinaryPayload } from '../contract/api';
import type { Job, Project, Result, TrainRun } from '../contract/schemas';
import {
  ProjectStore,
  importDatasets,
  readRecent,
  rememberProject,
  refreshStatus,
  readPlane,
  readLevel,
  newId,
  nowIso,
  ProjectError,
  datasetOpenOptions,
  type ArrayView,
} from '../core/project/index';
import type { OpenOptions } from '../core/io/index';
import { LocalJobQueue, type JobQueue, type RunnerEvent, type RunnerTable } from '../core/queue/index';
import { InvalidParameterError, FileNotFoundError } from '../core/errors';
import { join, relative, sep } from 'node:path';
import { workerThreadRunner } from '../worker/spawn';
import { inlineTasks, type TaskRunner } from '../worker/tasks';
import { runIdOf, trainRunDir } from '../core/run/job-dir';
import { readOutputCheck } from '../core/train/output-check-file';
import { readTrainingDomain } from '../core/infer/domain-check';
import { checkImportPaths, type AccessPolicy } from './access';
import { allowUserFolder } from './user-folders';
import { trainSelection } from '../core/train/select';
import { getRun, listRuns } from './runs';
import { checkBeforeQueue } from './submit-checks';
import { readPupilInfo } from './pupil';
import { settingsHandlers, StartupQueue, type OpenQueue } from './settings';
import { configDir } from '../core/project/recent';

export type Handler<M extends MethodName> = (req: ParsedRequestOf<M>) => Promise<unknown>;
export type HandlerTable = { [M in MethodName]: Handler<M> };
type Emit = <E extends EventName>(event: E, payload: EventOf<E>) => void;

export interface AppServiceOptions {
  access: AccessPolicy;
  concurrency?: number;
  /** Runners for queue jobs; default: each job in a worker thread. */
  runners?: (projectDir: string) => RunnerTable;
  /** Where metrics, PSF generation/analysis and import parsing run (default: inline); a server passes a WorkerTaskPool. */
  tasks?: TaskRunner;
  /** Opens a project's queue instead of the local journal (undefined: the local journal); default: the settings' choice. */
  openQueue?: OpenQueue;
  /** The queue chosen at start (`--queue` or the stored app setting) and where settings live; default: the local journal. */
  settings?: StartupQueue;
}

/** A view of a stack as the contract's binary reply: samples plus where they came from. */
function binary(v: ArrayView): BinaryPayload {
  const { data, shape, voxelSize, factor, min, max, voxelSizeSource, channel, frame, channels, frames } = v;
  return {
    meta: { dtype: 'float32', shape, voxelSize, factor, min, max, voxelSizeSource, channel, frame, channels, frames },
    data,
  };
}

export class AppService {
  private store?: ProjectStore;
  private queue?: JobQueue;
  private listeners = new Set<(event: EventName, payload: unknown) => void>();
  private openWarnings: readonly string[] = [];
  private readonly tasks: TaskRunner;
  /** The queue chosen at start (and where the app's settings live). */
  private readonly startup: StartupQueue;
  constructor(private readonly opts: AppServiceOptions) {
    this.tasks = opts.tasks ?? inlineTasks;
    this.startup = opts.settings ?? new StartupQueue(configDir(), { kind: 'local' });
  }

  onEvent(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit: Emit = (event, payload) => this.listeners.forEach((l) => l(event, payload));

  private need(): { store: ProjectStore; queue: JobQueue } {
    if (!this.store || !this.queue)
      throw new ProjectError('no project is open', 'Create or open a project first (project.create / project.open).');
    return { store: this.store, queue: this.queue };
  }

  async attach(store: ProjectStore): Promise<Project> {
    await this.queue?.close();
    // The previous project's lock goes with it (the same folder reopened keeps its own count).
    if (this.store !== store) await this.store?.close();
    this.store = store;
    await this.opts.access.allow(store.dir);
    const all = () => workerThreadRunner(store.dir);
    const runners: RunnerTable = this.opts.runners?.(store.dir) ?? {
      psf: all(),
      deconvolve: all(),
      train: all(),
      report: all(),
    };
    const onResults = (_jobId: string, results: Result[]) => this.addResults(results);
    const openQueue = this.opts.openQueue ?? this.startup.openQueue;
    const queue =
      (await openQueue(store.dir, onResults)) ??
      (await LocalJobQueue.open({
        dir: store.jobsDir(),
        resultsDir: store.resultsDir(),
        runners,
        concurrency: this.opts.concurrency,
        onResults,
      }));
    this.queue = queue;
    this.openWarnings = [...store.warnings, ...queue.warnings];
    queue.on('state', (job) => {
      this.emit('job.state', { job });
      if (job.kind === 'train')
        void this.syncRun(job).catch((e) =>
          this.emit('job.log', {
            jobId: job.id,
            line: `could not record the training run: ${(e as Error)?.message ?? String(e)}`,
          }),
        );
    });
    queue.on('progress', (p) => this.emit('job.progress', p));
    queue.on('log', (p) => this.emit('job.log', p));
    queue.on('event', (p) => this.relayRunnerEvent(p.jobId, p.event));
    // A crash between "job done" (journaled) and "result registered" must not lose the result.
    for (const j of queue.list({ state: 'done' })) await this.addResults(queue.results(j.id));
    // Training runs the project does not list yet (older projects; a crash between job end and registration).
    for (const j of queue.list()) if (j.kind === 'train') await this.syncRun(j);
    await refreshStatus(store);
    await rememberProject(store.dir, store.project.name);
    return store.project;
  }

  /** Live training data → the contract's events (the run of a train job is named after the job). */
  private relayRunnerEvent(jobId: string, e: RunnerEvent): void {
    const runId = runIdOf(jobId);
    if (e.type === 'train.loss') {
      const { type: _t, ...rest } = e;
      this.emit('train.loss', { jobId, runId, ...rest });
    } else this.emit('train.psfSnapshot', { jobId, runId, iteration: e.step, shape: e.shape, data: e.data });
  }

  private async addResults(results: Result[]): Promise<void> {
    const store = this.store;
    if (!store) return;
    const missing = results.filter((r) => !store.project.results.some((x) => x.id === r.id));
    if (!missing.length) return;
    await store.mutate((p) => void p.results.push(...missing));
    this.emit('project.changed', { projectId: store.project.id });
  }

  /**
   * The project's record of a training job's run (project.runs), kept in step with the job: its state, and once it
   * has ended the warnings of its output check (output-check.json in the run folder). Deconvolution by model and
   * the app's run lists read this record.
   */
  private async syncRun(job: Job): Promise<void> {
    const store = this.store;
    if (!store || job.spec.kind !== 'train') return;
    const spec = job.spec;
    const status: TrainRun['status'] =
      job.state === 'running'
        ? 'running'
        : job.state === 'done' || job.state === 'failed' || job.state === 'cancelled'
          ? job.state
          : 'queued';
    // The queue's work folder of the job (store.jobsDir()/<id>), as the runner sees it; recorded project-relative.
    const abs = trainRunDir(join(store.jobsDir(), job.id));
    const dir = relative(store.dir, abs).split(sep).join('/');
    const check = status === 'done' || status === 'cancelled' ? await readOutputCheck(abs) : null;
    const domain = status === 'done' || status === 'cancelled' ? await readTrainingDomain(abs) : null;
    const run: TrainRun = {
      id: runIdOf(job.id),
      jobId: job.id,
      dir,
      datasetIds: [...spec.blurredIds, ...spec.sharpIds],
      preset: spec.preset,
      createdAt: job.createdAt,
      status,
      ...(check ? { outputCheck: check.collapsed ? 'flagged' : 'passed' } : {}),
      ...(check?.collapsed ? { warnings: [check.message] } : {}),
      ...(domain ? { domain: { voxelSize: domain.voxelSize, dimensionality: domain.dimensionality } } : {}),
    };
    const old = store.project.runs.find((r) => r.jobId === job.id);
    if (old && JSON.stringify(old) === JSON.stringify(run)) return;
    await store.mutate((p) => {
      const i = p.runs.findIndex((r) => r.jobId === job.id);
      if (i >= 0) p.runs[i] = run;
      else p.runs.push(run);
    });
    this.emit('project.changed', { projectId: store.project.id });
  }

  /** The file of a dataset or result, and how every view opens it (a dataset with the project's voxel-size override). */
  private async resolvePath(
    id: string,
  ): Promise<{ path: string; open: OpenOptions; dataset?: Project['datasets'][number] }> {
    const p = this.need().store.project;
    const d = p.datasets.find((x) => x.id === id);
    if (d) return { path: d.path, open: datasetOpenOptions(d), dataset: d };
    const r = p.results.find((x) => x.id === id);
    if (r) return { path: r.path, open: {} };
    throw new FileNotFoundError(`dataset or result ${id}`);
  }

  async close(): Promise<void> {
    await this.queue?.close();
    await this.store?.close();
    await this.tasks.close();
  }

  /** What opening the current project migrated or set aside (quarantined journal lines…), in words; empty when all was well. */
  warnings(): readonly string[] {
    return this.openWarnings;
  }

  readonly handlers: HandlerTable = {
    'project.create': async (r) => {
      const dir = await this.opts.access.check(r.dir);
      return this.attach(await ProjectStore.create(dir, r.name));
    },
    'project.open': async (r) => this.attach(await ProjectStore.open(await this.opts.access.check(r.dir))),
    'project.get': async () => this.need().store.project,
    'project.recent': async () => ({ projects: await readRecent() }),
    'folders.list': async () => ({ folders: this.opts.access.allowed() }),
    'folders.allow': async (r) => ({
      folder: await allowUserFolder(this.opts.access, r.dir, { create: r.create }),
      folders: this.opts.access.allowed(),
    }),
    'project.setNotes': async (r) => {
      const { store } = this.need();
      await store.mutate((p) => {
        p.notes = r.notes;
      });
      return store.project;
    },
    'project.addComparison': async (r) => {
      const { store } = this.need();
      for (const id of r.itemIds) await this.resolvePath(id);
      const c = { id: newId('cmp'), itemIds: r.itemIds, note: r.note, createdAt: nowIso() };
      await store.mutate((p) => void p.comparisons.push(c));
      return c;
    },
    'dataset.import': async (r) => {
      const { store } = this.need();
      // A path outside the allowed folders skips that file (listed as failed), not the whole import.
      const { paths, refused } = await checkImportPaths(this.opts.access, r.paths);
      const inspect = (path: string) => this.tasks.run({ kind: 'inspect', path });
      const report = await importDatasets(store, paths, { role: r.role, recursive: r.recursive, inspect });
      report.failed.unshift(...refused);
      this.emit('project.changed', { projectId: store.project.id });
      return report;
    },
    'dataset.list': async () => ({ datasets: this.need().store.project.datasets }),
    'dataset.update': async (r) => {
      const { store } = this.need();
      if (!store.project.datasets.some((d) => d.id === r.id)) throw new FileNotFoundError(`dataset ${r.id}`);
      const linked = r.role?.kind === 'external' ? r.role.linkedTo : undefined;
      if (linked && !store.project.datasets.some((d) => d.id === linked)) {
        throw new InvalidParameterError('role.linkedTo', `no dataset ${linked} in this project`);
      }
      return store.mutate((p) => {
        const d = p.datasets.find((x) => x.id === r.id)!;
        if (r.name !== undefined) d.name = r.name;
        if (r.role !== undefined) d.role = r.role;
        if (r.voxelSizeOverride !== undefined) d.voxelSizeOverride = r.voxelSizeOverride;
        return structuredClone(d);
      });
    },
    'dataset.remove': async (r) => {
      const { store } = this.need();
      if (!store.project.datasets.some((d) => d.id === r.id)) throw new FileNotFoundError(`dataset ${r.id}`);
      await store.mutate((p) => {
        p.datasets = p.datasets.filter((d) => d.id !== r.id);
      });
      return { ok: true as const };
    },
    'dataset.slice': async (r): Promise<BinaryPayload> => {
      const item = await this.resolvePath(r.id);
      return binary(
        await readPlane(item.path, r.axis, r.index, r.factor, { channel: r.channel, frame: r.frame, open: item.open }),
      );
    },
    'dataset.volume': async (r): Promise<BinaryPayload> => {
      const item = await this.resolvePath(r.id);
      return binary(await readLevel(item.path, r.maxVoxels, { channel: r.channel, frame: r.frame, open: item.open }));
    },
    'results.list': async () => ({ results: this.need().store.project.results }),
    'psf.generate': async (r) => {
      const { store } = this.need();
      const out = await this.tasks.run({
        kind: 'psf',
        params: r.params,
        resultsDir: store.resultsDir(),
        outputName: r.outputName,
        jobId: 'job_direct0',
      });
      await this.addResults([out.result]);
      return out;
    },
    'psf.analyze': async (r) => {
      if (r.psf.from === 'generate') return this.tasks.run({ kind: 'psf-analyze', params: r.psf.params });
      const item = await this.resolvePath(r.psf.id);
      return this.tasks.run({ kind: 'psf-analyze', path: item.path, voxelSize: item.open.voxelSize ?? null });
    },
    'psf.pupil': async (r) => {
      const item = await this.resolvePath(r.id);
      const analyse = () =>
        this.tasks.run({ kind: 'psf-analyze', path: item.path, voxelSize: item.open.voxelSize ?? null });
      return { pupil: await readPupilInfo(item.path, analyse) };
    },
    'jobs.submit': async (r) => {
      const { queue } = this.need();
      const spec = r.spec;
      const ids =
        spec.kind === 'train'
          ? [...spec.blurredIds, ...spec.sharpIds]
          : spec.kind === 'deconvolve'
            ? [spec.datasetId]
            : spec.kind === 'report'
              ? spec.itemIds
              : [];
      if (spec.kind === 'deconvolve' && spec.method === 'rl' && spec.psf.from !== 'generate') ids.push(spec.psf.id);
      const items = await Promise.all(ids.map((id) => this.resolvePath(id)));
      // A multichannel stack trains on a chosen channel only: refused here, before the job is queued.
      if (spec.kind === 'train')
        trainSelection(
          items.map((i) => i.dataset ?? { name: i.path }),
          spec,
        );
      if (spec.kind === 'deconvolve' && spec.method === 'model' && spec.runDir)
        await this.opts.access.check(spec.runDir);
      checkBeforeQueue(
        this.need().store.project,
        spec,
        r.dependsOn.filter((id) => queue.get(id)?.kind === 'train'),
      );
      return queue.submit(spec, { priority: r.priority, dependsOn: r.dependsOn });
    },
    'jobs.list': async (r) => ({ jobs: this.need().queue.list(r) }),
    'jobs.get': async (r) => {
      const job = this.need().queue.get(r.id);
      if (!job) throw new FileNotFoundError(`job ${r.id}`);
      return job;
    },
    'jobs.cancel': async (r) => this.need().queue.cancel(r.id),
    'jobs.retry': async (r) => this.need().queue.retry(r.id),
    'jobs.pause': async (r) => this.need().queue.pause(r.id),
    'jobs.resume': async (r) => this.need().queue.resume(r.id),
    'jobs.log': async (r) => this.need().queue.log(r.id, r.since),
    'runs.list': async () => ({ runs: await listRuns(this.need().store.project, this.need().store.dir) }),
    'runs.get': async (r) => getRun(this.need().store.project, this.need().store.dir, r.id),
    'metrics.compute': async (r) => {
      const [refItem, testItem] = [await this.resolvePath(r.referenceId), await this.resolvePath(r.testId)];
      return this.tasks.run({
        kind: 'metrics',
        referencePath: refItem.path,
        testPath: testItem.path,
        metrics: r.metrics,
        at: { channel: r.channel, frame: r.frame },
      });
    },
    ...settingsHandlers(() => this.startup),
  };

  /** Result file path for download (id of a result in the open project). */
  resultFile(id: string): string {
    const r = this.need().store.project.results.find((x) => x.id === id);
    if (!r) throw new FileNotFoundError(`result ${id}`);
    return r.path;
  }

  projectDir(): string | undefined {
    return this.store?.dir;
  }
}
