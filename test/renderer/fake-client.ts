// A scripted ContractClient for renderer tests: records calls, answers from a table, emits events.
import type { ContractClient, EventName, MethodName, Project, Dataset, Job } from '../../src-main/contract';

export interface FakeClient extends ContractClient {
  calls: { method: MethodName; request: unknown }[];
  emit(event: EventName, payload: unknown): void;
}

export function fakeClient(answers: Partial<Record<MethodName, (req: never) => unknown>>): FakeClient {
  const handlers = new Map<string, Set<(p: unknown) => void>>();
  const calls: FakeClient['calls'] = [];
  return {
    calls,
    async invoke(method, request) {
      calls.push({ method, request });
      const a = answers[method];
      if (!a) throw Object.assign(new Error(`${method} not scripted`), { code: 'NOT_SCRIPTED' });
      return (await a(request as never)) as never;
    },
    subscribe(event, handler) {
      const s = handlers.get(event) ?? new Set();
      handlers.set(event, s);
      s.add(handler as (p: unknown) => void);
      return () => s.delete(handler as (p: unknown) => void);
    },
    emit(event, payload) {
      handlers.get(event)?.forEach((h) => h(payload));
    },
  };
}

export function dataset(over: Partial<Dataset> = {}): Dataset {
  return {
    id: 'ds_aaaa1111',
    name: 'data.tif',
    path: '/data/bars/data.tif',
    size: 1000,
    contentHash: 'h',
    mtimeMs: 0,
    role: { kind: 'blurred' },
    shape: [32, 64, 64],
    dtype: 'float32',
    voxelSize: { x: 1, y: 1, z: 1, unit: 'px' },
    voxelSizeOverride: null,
    sourceFormat: 'tiff',
    thumbnail: null,
    status: 'ok',
    addedAt: '2024-01-01T00:00:00Z',
    ...over,
  };
}

export function project(over: Partial<Project> = {}): Project {
  return {
    version: 1,
    id: 'prj_abcd1234',
    name: 'Bars',
    dir: '/data/proj',
    createdAt: '2024-01-01T00:00:00Z',
    updatedAt: '2024-01-01T00:00:00Z',
    datasets: [dataset()],
    runs: [],
    results: [],
    comparisons: [],
    notes: '',
    ...over,
  };
}

export function job(over: Partial<Job> = {}): Job {
  return {
    id: 'job_aaaa1111',
    kind: 'deconvolve',
    spec: {
      kind: 'deconvolve',
      method: 'rl',
      datasetId: 'ds_aaaa1111',
      psf: { from: 'dataset', id: 'ds_bbbb2222' },
      iterations: 20,
    },
    state: 'running',
    priority: 0,
    dependsOn: [],
    attempts: 1,
    progress: 0.25,
    message: 'iteration 5/20',
    createdAt: '2024-01-01T00:00:00Z',
    startedAt: '2024-01-01T00:00:00Z',
    finishedAt: null,
    outputs: [],
    error: null,
    ...over,
  };
}
