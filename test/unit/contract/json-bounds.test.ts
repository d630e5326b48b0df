import { describe, expect, it } from 'vitest';
import { ContractValidationError, parseRequest } from '../../../src-main/contract';
import { JSON_MAX_BYTES, jsonBoundsProblem } from '../../../src-main/contract/json-bounds';
import { deepArray, deepObject, doublingDag } from '../../hostile-json';

const train = (config: unknown) => ({ spec: { kind: 'train', blurredIds: ['ds_abcd1234'], config } });

describe('free-form JSON fields are bounded at the contract', () => {
  it('refuses a 50 000-deep array in a train config, naming the field', () => {
    const t0 = performance.now();
    expect(() => parseRequest('jobs.submit', train({ x: deepArray(50_000) }))).toThrow(ContractValidationError);
    expect(() => parseRequest('jobs.submit', train({ x: deepArray(50_000) }))).toThrow(/spec\.config: is nested more than 32 levels deep/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('takes 32 levels (the config counting as one) and refuses 33', () => {
    expect(parseRequest('jobs.submit', train({ optics: deepObject(31) })).spec).toMatchObject({ config: { optics: { a: {} } } });
    expect(() => parseRequest('jobs.submit', train({ optics: deepObject(32) }))).toThrow(/spec\.config: is nested more than 32/);
  });

  it('refuses a config over 64 KiB of JSON, counting UTF-8 bytes, and takes one just under', () => {
    expect(() => parseRequest('jobs.submit', train({ note: 'x'.repeat(JSON_MAX_BYTES) }))).toThrow(/spec\.config: is larger than 65536 bytes as JSON/);
    // 33 000 characters but 66 000 bytes: only the exact UTF-8 count catches it.
    expect(() => parseRequest('jobs.submit', train({ note: 'é'.repeat(33_000) }))).toThrow(/larger than 65536 bytes/);
    expect(parseRequest('jobs.submit', train({ note: 'x'.repeat(JSON_MAX_BYTES - 20) })).spec.kind).toBe('train');
  });

  it('refuses values JSON cannot carry (as IPC could deliver them), naming the inner key', () => {
    expect(() => parseRequest('jobs.submit', train({ lr: Number.NaN }))).toThrow(/spec\.config\.lr: NaN is not a JSON number/);
    expect(() => parseRequest('jobs.submit', train({ optics: { na: 10n } }))).toThrow(/spec\.config\.optics\.na: a bigint is not a JSON value/);
    expect(() => parseRequest('jobs.submit', train({ when: new Date(0) }))).toThrow(/spec\.config\.when: a Date is not a JSON value/);
  });

  it('stops early on cycles and on shared references that would serialise to gigabytes', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonBoundsProblem(cyclic)?.message).toMatch(/nested more than 32/);
    const t0 = performance.now();
    expect(jsonBoundsProblem({ dag: doublingDag(30) })?.message).toMatch(/larger than 65536 bytes/); // 2^30 leaves
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('keeps the default and ordinary overrides', () => {
    expect(parseRequest('jobs.submit', { spec: { kind: 'train', blurredIds: ['ds_abcd1234'] } }).spec).toMatchObject({ config: {} });
    const config = { steps: 100, optics: { numericalAperture: 1.4, wavelength: 610 }, sharpSource: 'rl', flags: [true, null, 'x'] };
    expect(parseRequest('jobs.submit', train(config)).spec).toMatchObject({ config });
  });
});
