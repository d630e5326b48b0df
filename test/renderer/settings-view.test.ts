// The Settings view: choosing the Redis queue, testing the connection (success and a typed failure shown beside
// the field), saving, and the note that the change applies at the next start.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { routes } from '../../src-renderer/router';
import SettingsView from '../../src-renderer/views/SettingsView.vue';
import type { AppSettings, SettingsState } from '../../src-main/contract';
import { fakeClient } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});

function settingsServer(initial: AppSettings = { version: 1, queue: { kind: 'local' } }) {
  let stored = initial;
  const inUse = initial.queue;
  const state = (): SettingsState => ({
    settings: stored,
    inUse,
    appliesAtNextStart: JSON.stringify(stored.queue) !== JSON.stringify(inUse),
    file: '/home/u/.config/cycledecon/settings.json',
    warnings: [],
  });
  return fakeClient({
    'settings.get': () => state(),
    'settings.set': (r: { settings: AppSettings }) => {
      stored = r.settings;
      return state();
    },
    'settings.testQueue': (r: { url: string }) => {
      if (r.url.includes(':6379')) return { ok: true, ms: 0.4, address: '10.0.0.9:6379/0' };
      throw Object.assign(new Error('10.0.0.9:6390/0: connection refused (nothing listens on that port)'), {
        code: 'QUEUE',
        hint: 'Check that redis-server runs on that machine and port.',
      });
    },
  });
}

describe('Settings view', () => {
  it('is reachable from the navigation without a project', () => {
    const r = routes.find((x) => x.name === 'settings');
    expect(r?.meta).toEqual({ title: 'Settings' });
  });

  it('tests a Redis URL, shows refused and ok outcomes, saves, and says it applies at the next start', async () => {
    const c = settingsServer();
    setClient(c);
    const w = mount(SettingsView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="queue-note"]').text()).toContain('Now in use: this computer (local journal)');
    expect(w.find('[data-testid="queue-save"]').attributes('disabled')).toBeDefined(); // nothing changed yet

    await w.find('[data-testid="queue-redis"]').setValue(true);
    await w.find('[data-testid="queue-url"]').setValue('redis://user:pw@10.0.0.9:6379/0');
    expect(w.find('[data-testid="queue-url-problem"]').text()).toContain('no user or password');
    expect(w.find('[data-testid="queue-test"]').attributes('disabled')).toBeDefined();

    await w.find('[data-testid="queue-url"]').setValue('redis://10.0.0.9:6390/0');
    await w.find('[data-testid="queue-test"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="queue-probe"]').text()).toContain('connection refused (nothing listens on that port)');
    expect(w.find('[data-testid="queue-probe"]').text()).toContain('Check that redis-server runs');

    await w.find('[data-testid="queue-url"]').setValue('redis://10.0.0.9:6379/0');
    expect(w.find('[data-testid="queue-probe"]').exists()).toBe(false); // an edited URL clears the old outcome
    await w.find('[data-testid="queue-test"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="queue-probe"]').text()).toBe('Connected to 10.0.0.9:6379/0: answered PING in 0.4 ms.');

    await w.find('[data-testid="queue-save"]').trigger('click');
    await flushPromises();
    expect(c.calls.filter((x) => x.method !== 'settings.get').map((x) => [x.method, x.request])).toEqual([
      ['settings.testQueue', { url: 'redis://10.0.0.9:6390/0' }],
      ['settings.testQueue', { url: 'redis://10.0.0.9:6379/0' }],
      ['settings.set', { settings: { version: 1, queue: { kind: 'redis', url: 'redis://10.0.0.9:6379/0' } } }],
    ]);
    expect(w.find('[data-testid="queue-note"]').text()).toContain('applies at the next start');
    expect(w.find('[data-testid="queue-next"]').text()).toBe('Redis at redis://10.0.0.9:6379/0');
    expect(w.find('[data-testid="queue-note"]').text()).toContain('Now in use: this computer (local journal)');
  });

  it('opens on the stored Redis choice and can go back to the local journal', async () => {
    const c = settingsServer({ version: 1, queue: { kind: 'redis', url: 'redis://q:6379/2' } });
    setClient(c);
    const w = mount(SettingsView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect((w.find('[data-testid="queue-url"]').element as HTMLInputElement).value).toBe('redis://q:6379/2');
    await w.find('[data-testid="queue-local"]').setValue(true);
    expect(w.find('[data-testid="queue-url"]').exists()).toBe(false);
    await w.find('[data-testid="queue-save"]').trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)).toEqual({
      method: 'settings.set',
      request: { settings: { version: 1, queue: { kind: 'local' } } },
    });
    expect(w.find('[data-testid="queue-next"]').text()).toBe('this computer (local journal)');
  });
});
