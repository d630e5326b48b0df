// Browser mode without restarting the server: a project folder outside the allowed ones is added first (the
// server decides), and a tab whose token a restarted server refuses asks for the new one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ContractError } from '../../src-main/contract';
import { setClient, UNAUTHORIZED_EVENT } from '../../src-renderer/api';
import { createHttpClient } from '../../src-renderer/api/http-client';
import TokenPrompt from '../../src-renderer/components/TokenPrompt.vue';
import { tokenFromPasted } from '../../src-renderer/lib/token';
import { insideAny } from '../../src-renderer/stores/folders';
import ProjectsView from '../../src-renderer/views/ProjectsView.vue';
import { fakeClient, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  sessionStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

const router = () =>
  createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] });

describe('allowed folders on the Projects page', () => {
  it('insideAny compares whole path segments', () => {
    expect(insideAny('/data/exp1', ['/data'])).toBe(true);
    expect(insideAny('/data/', ['/data'])).toBe(true);
    expect(insideAny('/database/x', ['/data'])).toBe(false);
    expect(insideAny('C:\\data\\exp', ['C:\\data'])).toBe(true);
    expect(insideAny('/elsewhere', [])).toBe(false);
  });

  it('a new project outside them: says so, adds the folder (made if missing), then creates the project', async () => {
    const allowed = ['/data'];
    const c = fakeClient({
      'folders.list': () => ({ folders: [...allowed] }),
      'folders.allow': (r: { dir: string }) => ({ folder: r.dir, folders: (allowed.push(r.dir), [...allowed]) }),
      'project.create': () => project({ dir: '/scratch/exp2' }),
      'project.recent': () => ({ projects: [] }),
    });
    setClient(c);
    const w = mount(ProjectsView, { global: { plugins: [pinia, router()] } });
    await flushPromises();
    expect(w.find('[data-testid="allowed-folders"]').text()).toBe('/data');
    await w.find('[data-testid="new-dir"]').setValue('/data/exp1');
    expect(w.find('[data-testid="new-dir-outside"]').exists()).toBe(false);
    await w.find('[data-testid="new-dir"]').setValue('/scratch/exp2');
    expect(w.find('[data-testid="new-dir-outside"]').text()).toMatch(/creating the project adds it/);
    await w.find('[data-testid="create-project"]').trigger('click');
    await flushPromises();
    const calls = c.calls.map((x) => x.method).filter((m) => m === 'folders.allow' || m === 'project.create');
    expect(calls).toEqual(['folders.allow', 'project.create']);
    expect(c.calls.find((x) => x.method === 'folders.allow')!.request).toEqual({ dir: '/scratch/exp2', create: true });
    expect(w.find('[data-testid="allowed-folders"]').text()).toContain('/scratch/exp2');
  });

  it('a refused folder stops there with the server reason, and no project is created', async () => {
    const c = fakeClient({
      'folders.list': () => ({ folders: [] }),
      'folders.allow': () => {
        throw new ContractError({ code: 'ACCESS_DENIED', message: '/home/me: is your home folder or holds it' });
      },
      'project.create': () => project(),
      'project.recent': () => ({ projects: [] }),
    });
    setClient(c);
    const w = mount(ProjectsView, { global: { plugins: [pinia, router()] } });
    await flushPromises();
    await w.find('[data-testid="new-dir"]').setValue('/home/me');
    await w.find('[data-testid="create-project"]').trigger('click');
    await flushPromises();
    expect(c.calls.some((x) => x.method === 'project.create')).toBe(false);
    await w.find('[data-testid="add-folder"]').setValue('/data/stacks');
    await w.find('[data-testid="add-folder-button"]').trigger('click');
    await flushPromises();
    expect(c.calls.filter((x) => x.method === 'folders.allow').at(-1)!.request).toEqual({
      dir: '/data/stacks',
      create: false,
    });
  });
});

describe('a restarted server (new token)', () => {
  it('reads the token from the printed address or a bare token', () => {
    expect(tokenFromPasted('http://127.0.0.1:5180/#token=AbC_def-1234567890xyz')).toBe('AbC_def-1234567890xyz');
    expect(tokenFromPasted('http://127.0.0.1:5180/?token=t0k3n')).toBe('t0k3n');
    expect(tokenFromPasted('  AbC_def-1234567890xyz ')).toBe('AbC_def-1234567890xyz');
    expect(tokenFromPasted('http://127.0.0.1:5180/')).toBeNull();
    expect(tokenFromPasted('not a token')).toBeNull();
  });

  it('a 401 from any call raises the prompt hook; other errors do not', async () => {
    let status = 401;
    vi.stubGlobal('fetch', async () => ({
      ok: false,
      status,
      headers: { get: () => null },
      json: async () => ({ error: { code: status === 401 ? 'UNAUTHORIZED' : 'PROJECT', message: 'x' } }),
    }));
    const seen: number[] = [];
    const client = createHttpClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 'old',
      onUnauthorized: () => seen.push(status),
    });
    await expect(client.invoke('project.get', {})).rejects.toThrow();
    status = 409;
    await expect(client.invoke('project.get', {})).rejects.toThrow();
    expect(seen).toEqual([401]);
  });

  it('a closed event socket is probed at once: a refused token raises the prompt hook, a kept one does not', async () => {
    const sockets: { onclose: ((e: unknown) => void) | null }[] = [];
    vi.stubGlobal(
      'WebSocket',
      class {
        onmessage = null;
        onclose: ((e: unknown) => void) | null = null;
        constructor() {
          sockets.push(this);
        }
        close() {}
      },
    );
    let status = 200;
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      return {
        ok: status === 200,
        status,
        headers: { get: () => null },
        json: async () =>
          status === 200 ? { result: { projects: [] } } : { error: { code: 'UNAUTHORIZED', message: 'x' } },
      };
    });
    let prompts = 0;
    const client = createHttpClient({
      baseUrl: 'http://127.0.0.1:5180',
      token: 'old',
      onUnauthorized: () => prompts++,
    });
    client.subscribe('job.log', () => undefined);
    sockets[0]!.onclose?.({}); // restarted with the same token (--token-file): the probe passes
    await flushPromises();
    expect(asked).toEqual(['http://127.0.0.1:5180/api/project.recent']);
    expect(prompts).toBe(0);
    status = 401;
    await new Promise((r) => setTimeout(r, 1100)); // the client reopens its socket after 1 s
    sockets.at(-1)!.onclose?.({}); // restarted with a new token
    await flushPromises();
    expect(prompts).toBe(1);
  });

  it('the prompt appears on the event, refuses a token the server refuses, keeps and reloads with one it accepts', async () => {
    const accepted = 'NewToken_abcdefghijklmnop';
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: { headers: Record<string, string> }) => {
      asked.push(init.headers.authorization!);
      return { status: init.headers.authorization === `Bearer ${accepted}` ? 200 : 401 };
    });
    const reload = vi.fn();
    const w = mount(TokenPrompt, { props: { reload, origin: 'http://127.0.0.1:5180' }, attachTo: document.body });
    expect(w.find('[data-testid="token-prompt"]').exists()).toBe(false);
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    await flushPromises();
    expect(w.find('[data-testid="token-prompt"]').text()).toMatch(/restarted/);
    await w.find('[data-testid="token-input"]').setValue('http://127.0.0.1:5180/#token=Stale_abcdefghijklmnopq');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="token-problem"]').text()).toMatch(/does not accept/);
    expect(reload).not.toHaveBeenCalled();
    await w.find('[data-testid="token-input"]').setValue(`http://127.0.0.1:5180/#token=${accepted}`);
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(asked).toEqual(['Bearer Stale_abcdefghijklmnopq', `Bearer ${accepted}`]);
    expect(sessionStorage.getItem('cycledecon.token')).toBe(accepted);
    expect(reload).toHaveBeenCalledTimes(1);
    w.unmount();
  });
});
