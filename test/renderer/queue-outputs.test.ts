// The Queue shows how long each job took, links to its outputs (open and download through the devserver's
// /files route in browser mode) and errors in plain words.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { useProject } from '../../src-renderer/stores/project';
import QueueView from '../../src-renderer/views/QueueView.vue';
import type { Result } from '../../src-main/contract';
import { fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  sessionStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

const report: Result = {
  id: 'res_repo0001',
  jobId: 'job_done0001',
  kind: 'report',
  path: '/p/results/report-bars.html',
  inputDatasetId: 'ds_aaaa1111',
  method: 'report-rl',
  shape: null,
  createdAt: '2026-12-05T10:01:00Z',
};

describe('Queue outputs', () => {
  it('shows durations, links to outputs with the tab token, and plain-language errors', async () => {
    sessionStorage.setItem('cycledecon.token', 'tok/en');
    const done = job({
      id: 'job_done0001',
      kind: 'report',
      state: 'done',
      startedAt: '2026-12-05T10:00:00Z',
      finishedAt: '2026-12-05T10:01:05Z',
      outputs: ['res_repo0001'],
      spec: { kind: 'report', itemIds: ['ds_aaaa1111'] },
    });
    const failed = job({
      id: 'job_fail0001',
      state: 'failed',
      error: { code: 'IO', message: "ENOENT: no such file or directory, open '/data/bars/data.tif'" },
    });
    setClient(fakeClient({ 'jobs.list': () => ({ jobs: [done, failed] }) }));
    useProject().project = project({ results: [report] });
    const w = mount(QueueView, { global: { plugins: [pinia] } });
    await flushPromises();
    const row = w.find('tr[data-job="job_done0001"]');
    expect(row.find('[data-testid="job-took"]').text()).toBe('1 min 5 s');
    const links = row.findAll('[data-testid="job-outputs"] a');
    expect(links.map((a) => a.attributes('href'))).toEqual([
      '/files/result/res_repo0001?token=tok%2Fen',
      '/files/result/res_repo0001?token=tok%2Fen&download=1',
    ]);
    expect(links[0]!.text()).toBe('report-bars.html');
    expect(links[1]!.attributes('download')).toBe('report-bars.html');
    const err = w.find('tr[data-job="job_fail0001"] [data-testid="job-error"]');
    expect(err.text()).toContain('data.tif is missing');
    expect(err.text()).not.toContain('ENOENT');
  });

  it('lists outputs without links when there is no token (nothing the route would accept)', async () => {
    setClient(
      fakeClient({
        'jobs.list': () => ({ jobs: [job({ id: 'job_done0001', state: 'done', outputs: ['res_repo0001'] })] }),
      }),
    );
    useProject().project = project({ results: [report] });
    const w = mount(QueueView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.findAll('[data-testid="job-outputs"] a')).toHaveLength(0);
    expect(w.find('[data-testid="job-outputs"]').text()).toBe('report-bars.html');
  });
});
