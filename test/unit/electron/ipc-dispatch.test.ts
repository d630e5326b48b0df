// The IPC request path: unknown methods and malformed requests are refused with a clear error before
// any handler runs; replies are checked; binary replies become exact ArrayBuffers.
import { describe, expect, it, vi } from 'vitest';
import { dispatch, type IpcHandlerTable } from '../../../src-main/electron/ipc-dispatch';
import { InvalidParameterError } from '../../../src-main/core/errors';

const meta = {
  dtype: 'float32' as const,
  shape: [2, 3],
  voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' },
  factor: [1, 1, 1] as [number, number, number],
  min: 0,
  max: 5,
};

function table(overrides: Partial<Record<string, (r: never) => Promise<unknown>>>): IpcHandlerTable {
  return new Proxy(
    {},
    {
      get: (_t, k: string) =>
        overrides[k] ??
        (async () => {
          throw new Error(`unexpected call ${k}`);
        }),
    },
  ) as IpcHandlerTable;
}

describe('IPC dispatch', () => {
  it('refuses a method that is not in the contract', async () => {
    const r = await dispatch(table({}), 'fs.readFile', { path: '/etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatch(table({}), 42, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('validates the request before calling the handler and names the bad field', async () => {
    const handler = vi.fn(async () => ({}));
    const r = await dispatch(table({ 'jobs.cancel': handler }), 'jobs.cancel', { id: 'not an id!' });
    expect(handler).not.toHaveBeenCalled();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_REQUEST');
      expect(r.error.message).toMatch(/jobs\.cancel.*id/);
    }
    const extra = await dispatch(table({ 'project.get': handler }), 'project.get', { sneaky: true });
    expect(extra.ok).toBe(false);
  });

  it('passes typed errors through with their code and hint', async () => {
    const r = await dispatch(
      table({
        'project.get': async () => {
          throw new InvalidParameterError('dir', 'is empty');
        },
      }),
      'project.get',
      {},
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMETER' } });
  });

  it('checks replies against the schema (a handler bug is reported, not forwarded)', async () => {
    const r = await dispatch(table({ 'jobs.log': async () => ({ lines: 'oops' }) }), 'jobs.log', { id: 'job_abcd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('returns binary replies as an ArrayBuffer holding exactly the samples of the view', async () => {
    const backing = new Float32Array([9, 1, 2, 3, 4, 5, 6, 9]);
    const data = backing.subarray(1, 7);
    const r = await dispatch(table({ 'dataset.slice': async () => ({ meta, data }) }), 'dataset.slice', {
      id: 'ds_abcd',
      axis: 'z',
      index: 0,
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      const res = r.result as { meta: typeof meta; data: ArrayBuffer };
      expect(res.data).toBeInstanceOf(ArrayBuffer);
      expect(Array.from(new Float32Array(res.data))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(res.meta.shape).toEqual([2, 3]);
    }
  });

  it('fills request defaults before the handler sees them', async () => {
    const handler = vi.fn(async (_r: never) => ({ lines: [], next: 0 }));
    await dispatch(table({ 'jobs.log': handler }), 'jobs.log', { id: 'job_abcd' });
    expect(handler).toHaveBeenCalledWith({ id: 'job_abcd', since: 0 });
  });
});
