// The Training view's run list and run history: it opens on the newest run with the curves and PSF that
// runs.get reads from the run's folder, a picked run replaces them, and the form keeps its last choices.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { useJobs } from '../../src-renderer/stores/jobs';
import { useProject } from '../../src-renderer/stores/project';
import TrainingView from '../../src-renderer/views/TrainingView.vue';
import OrthoViews from '../../src-renderer/components/OrthoViews.vue';
import LossChart from '../../src-renderer/components/LossChart.vue';
import { LOSS_TERMS, ema, lossSeries } from '../../src-renderer/lib/loss-terms';
import type { RunDetail, RunSummary, TrainRun } from '../../src-main/contract';
import { dataset, fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

const run = (id: string, createdAt: string): TrainRun => ({
  id: `run_${id}`,
  jobId: `job_${id}`,
  dir: `jobs/job_${id}/run`,
  datasetIds: ['ds_aaaa1111'],
  preset: 'tiny',
  createdAt,
  status: 'done',
});
const older = run('old00001', '2026-12-05T10:00:00Z');
const newer = run('new00002', '2026-12-05T12:00:00Z');
const summary = (r: TrainRun): RunSummary => ({
  ...r,
  label: `tiny · ${r.createdAt.slice(11, 16)} · data.tif`,
  datasetNames: ['data.tif'],
  steps: 2,
});
const runVoxel = { x: 0.065, y: 0.065, z: 0.2, unit: 'µm' };
const detail = (r: TrainRun, cycleA: number): RunDetail => ({
  run: summary(r),
  history: [
    { step: 1, values: { cycleA, generator: 1, supervised: 0 } },
    { step: 2, values: { cycleA: cycleA / 2, generator: 0.5, supervised: 0 } },
  ],
  psf: { shape: [1, 2, 2], voxelSize: runVoxel, step: 2, data: [0.1, 0.2, 0.3, 0.4] },
});

function mountWithRuns() {
  const c = fakeClient({
    'runs.list': () => ({ runs: [summary(newer), summary(older)] }),
    'runs.get': (r: { id: string }) => (r.id === newer.id ? detail(newer, 0.8) : detail(older, 0.3)),
  });
  setClient(c);
  // The dataset's own voxel size differs from the run's: the PSF must be drawn with the run's.
  useProject().project = project({
    datasets: [dataset({ voxelSize: { x: 1, y: 1, z: 1, unit: 'px' } })],
    runs: [older, newer],
  });
  const jobs = useJobs();
  for (const r of [older, newer])
    jobs.upsert(
      job({
        id: r.jobId,
        kind: 'train',
        state: 'done',
        spec: { kind: 'train', blurredIds: ['ds_aaaa1111'], sharpIds: [], preset: 'tiny', config: {} },
      }),
    );
  return { c, w: mount(TrainingView, { global: { plugins: [pinia] } }) };
}

describe('Training view run list', () => {
  it('opens on the newest run with its losses and learned PSF from runs.get, at the run\u2019s voxel size', async () => {
    const { c, w } = mountWithRuns();
    await flushPromises();
    expect(c.calls.filter((x) => x.method === 'runs.get').map((x) => x.request)).toEqual([{ id: newer.id }]);
    expect(w.findAll('[data-testid="run-list"] tbody tr').map((r) => r.attributes('data-run'))).toEqual([
      newer.id,
      older.id,
    ]);
    expect(w.find('[data-testid="train-run-label"]').text()).toBe('tiny · 12:00 · data.tif');
    // Two curves: the supervised term is zero by construction in cycle mode and is hidden.
    const chart = w.findComponent(LossChart);
    expect(chart.findAll('path')).toHaveLength(2);
    expect(chart.text()).not.toContain(LOSS_TERMS.supervised!.label);
    expect(w.findComponent(OrthoViews).props('volume').voxelSize).toEqual(runVoxel);
  });

  it('shows a picked run instead, and marks it in the list', async () => {
    const { c, w } = mountWithRuns();
    await flushPromises();
    await w.find(`[data-run="${older.id}"]`).trigger('click');
    await flushPromises();
    expect(c.calls.filter((x) => x.method === 'runs.get').at(-1)?.request).toEqual({ id: older.id });
    expect(w.find('[data-testid="train-run-label"]').text()).toBe('tiny · 10:00 · data.tif');
    expect(w.find(`[data-run="${older.id}"]`).classes()).toContain('picked');
  });
});

describe('Training form memory', () => {
  it('keeps the last preset and data per project, and drops ids the project no longer has', async () => {
    setClient(fakeClient({ 'runs.list': () => ({ runs: [] }) }));
    const two = [dataset(), dataset({ id: 'ds_bbbb2222', name: 'b.tif' })];
    useProject().project = project({ datasets: two });
    const first = mount(TrainingView, { global: { plugins: [pinia] } });
    await first.find('[data-testid="train-preset"]').setValue('tiny');
    await first.find('[data-testid="train-blurred"]').setValue(['ds_bbbb2222']);
    await flushPromises();
    first.unmount();

    useProject().project = project({ datasets: two });
    const again = mount(TrainingView, { global: { plugins: [pinia] } });
    expect((again.find('[data-testid="train-preset"]').element as HTMLSelectElement).value).toBe('tiny');
    expect(
      Array.from((again.find('[data-testid="train-blurred"]').element as HTMLSelectElement).selectedOptions).map(
        (o) => o.value,
      ),
    ).toEqual(['ds_bbbb2222']);
    again.unmount();

    // The dataset was removed since: it is not selected any more (and not sent to jobs.submit).
    useProject().project = project({ datasets: [dataset()] });
    const removed = mount(TrainingView, { global: { plugins: [pinia] } });
    expect(
      Array.from((removed.find('[data-testid="train-blurred"]').element as HTMLSelectElement).selectedOptions),
    ).toHaveLength(0);
    removed.unmount();

    // Another project starts from the defaults.
    useProject().project = project({ id: 'prj_other000', datasets: two });
    const other = mount(TrainingView, { global: { plugins: [pinia] } });
    expect((other.find('[data-testid="train-preset"]').element as HTMLSelectElement).value).toBe('fast');
  });
});

describe('loss series', () => {
  const pts = [
    { step: 1, values: { cycleA: 1, spectral: 0, generator: 2, custom: -1 } },
    { step: 2, values: { cycleA: 0, spectral: 0, generator: 1, custom: 3 } },
    { step: 3, values: { cycleA: 0.25, spectral: 0, generator: Number.NaN, custom: 2 } },
  ];

  it('hides terms that are never positive and keeps only positive finite points for the log axis', () => {
    const s = lossSeries(pts);
    expect(s.map((x) => x.key)).toEqual(['cycleA', 'generator', 'custom']);
    expect(s[0]).toMatchObject({ x: [1, 3], y: [1, 0.25], label: LOSS_TERMS.cycleA!.label });
    expect(s[1]).toMatchObject({ x: [1, 2], y: [2, 1] });
    expect(s[2]).toMatchObject({ x: [2, 3], y: [3, 2], label: 'custom' });
  });

  it('gives every term its own colour, a plain name and an explanation', () => {
    const infos = Object.values(LOSS_TERMS);
    expect(new Set(infos.map((i) => i.color)).size).toBe(infos.length);
    for (const i of infos) expect(i.label).not.toMatch(/^[a-z]+[A-Z]/); // not the camelCase key
    for (const i of infos) expect(i.hint.length).toBeGreaterThan(20);
  });

  it('smooths with an exponential moving average', () => {
    expect(ema([1, 0, 0], 0.5)).toEqual([1, 0.5, 0.25]);
    expect(lossSeries(pts, true)[1]!.y).toEqual([2, 0.1 * 1 + 0.9 * 2]);
  });

  it('the chart redraws smoothed curves on the toggle and explains terms on hover', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ step: i + 1, values: { cycleA: i % 2 ? 1 : 0.1 } }));
    const w = mount(LossChart, { props: { points: many } });
    const raw = w.find('path').attributes('d');
    await w.find('[data-testid="loss-smooth"]').setValue(true);
    expect(w.find('path').attributes('d')).not.toBe(raw);
    expect(w.find('.legend span').attributes('title')).toBe(LOSS_TERMS.cycleA!.hint);
  });
});
