// Transport selection details: the devserver token, the IPC client's binary and error handling.
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../src-main/contract';
import { tokenFromLocation } from '../../src-renderer/api';
import { createHttpClient } from '../../src-renderer/api/http-client';
import { createIpcClient } from '../../src-renderer/api/ipc-client';
import type { CycleDeconBridge } from '../../src-main/preload/bridge';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('devserver token', () => {
  it('reads #token=, ?token= and #/route?token= and remembers it for the tab', () => {
    const st = memoryStorage();
    expect(tokenFromLocation({ search: '', hash: '#token=abc' }, st)).toBe('abc');
    expect(tokenFromLocation({ search: '', hash: '#/queue' }, st)).toBe('abc');
    expect(tokenFromLocation({ search: '?token=def', hash: '' }, st)).toBe('def');
    expect(tokenFromLocation({ search: '', hash: '#/psf?token=ghi' }, st)).toBe('ghi');
    expect(tokenFromLocation({ search: '', hash: '' }, null)).toBeNull();
  });
});

describe('IPC client', () => {
  const meta = {
    dtype: 'float32',
    shape: [1, 2],
    voxelSize: { x: 1, y: 1, z: 1, unit: 'px' },
    factor: [1, 1, 1],
    min: 1,
    max: 2,
  };
  const bridge = {
    'dataset.slice': async () => ({ ok: true, result: { meta, data: new Float32Array([1, 2]).buffer } }),
    'project.get': async () => ({
      ok: false,
      error: { code: 'PROJECT', message: 'no project is open', hint: 'Create one.' },
    }),
    subscribe: () => () => undefined,
  } as unknown as CycleDeconBridge;

  it('turns binary replies into Float32Array samples', async () => {
    const r = (await createIpcClient(bridge).invoke('dataset.slice', {
      id: 'ds_abcd',
      axis: 'z',
      index: 0,
    })) as unknown as { data: Float32Array };
    expect(r.data).toBeInstanceOf(Float32Array);
    expect(Array.from(r.data)).toEqual([1, 2]);
  });

  it('rejects with a ContractError carrying code and hint', async () => {
    const p = createIpcClient(bridge).invoke('project.get', {});
    await expect(p).rejects.toBeInstanceOf(ContractError);
    await expect(p).rejects.toMatchObject({ code: 'PROJECT', hint: 'Create one.' });
  });
});

describe('HTTP client', () => {
  it('says what to do when the server cannot be reached', async () => {
    const c = createHttpClient({ baseUrl: 'http://127.0.0.1:9', token: 't' });
    await expect(c.invoke('project.get', {})).rejects.toMatchObject({
      code: 'NETWORK',
      hint: expect.stringContaining('cycledecon serve'),
    });
  });
});
