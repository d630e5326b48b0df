// The preload exposes exactly the contract's methods (plus subscribe and three shell services),
// each bound to the one invoke channel with its own name — no generic send.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true, result: null }));
const on = vi.fn();
const removeListener = vi.fn();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: { invoke, on, removeListener },
  webUtils: { getPathForFile: (f: { path?: string }) => f.path ?? '' },
}));

const { api, events, IPC_INVOKE_CHANNEL, IPC_EVENT_CHANNEL } = await import('../../../src-main/contract');
await import('../../../src-main/preload/index');

describe('preload bridge', () => {
  const bridge = exposed.cycledecon as Record<string, (...a: unknown[]) => unknown>;
  beforeEach(() => invoke.mockClear());

  it('exposes one function per contract method and nothing generic', () => {
    const shell = ['subscribe', 'chooseFiles', 'allowDropped', 'onShell'];
    expect(Object.keys(bridge).sort()).toEqual([...Object.keys(api), ...shell].sort());
    for (const k of Object.keys(bridge)) expect(typeof bridge[k]).toBe('function');
    for (const generic of ['send', 'invoke', 'on', 'ipcRenderer']) expect(bridge[generic]).toBeUndefined();
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('sends each method on the invoke channel under its own name', async () => {
    await bridge['project.open']!({ dir: '/data/p' });
    expect(invoke).toHaveBeenCalledWith(IPC_INVOKE_CHANNEL, 'project.open', { dir: '/data/p' });
  });

  it('subscribes only to contract events and delivers only the matching one', () => {
    expect(() => bridge.subscribe!('shell.exec', () => undefined)).toThrow(/unknown event/);
    const got: unknown[] = [];
    const off = bridge.subscribe!('job.log', (p: unknown) => got.push(p)) as () => void;
    const listener = on.mock.calls.at(-1)?.[1] as (e: unknown, env: unknown) => void;
    expect(on.mock.calls.at(-1)?.[0]).toBe(IPC_EVENT_CHANNEL);
    listener({}, { event: 'job.state', payload: 1 });
    listener({}, { event: 'job.log', payload: { jobId: 'job_abcd', line: 'x' } });
    expect(got).toEqual([{ jobId: 'job_abcd', line: 'x' }]);
    off();
    expect(removeListener).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, listener);
    expect(Object.keys(events)).toContain('job.log');
  });

  it('resolves dropped files to paths in the preload, dropping ones without a path', async () => {
    await bridge.allowDropped!([{ path: '/data/a.tif' }, { path: '' }]);
    expect(invoke).toHaveBeenCalledWith('cycledecon:dropped', ['/data/a.tif']);
  });
});
