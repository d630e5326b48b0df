import { describe, expect, it } from 'vitest';
import { ContractValidationError, parseRequest } from '../../../src-main/contract';
import { JSON_MAX_BYTES, jsonBoundsProblem } from '../../../src-main/contract/json-bounds';
import { deepArray, deepObject, doublingDag } from '../../hostile-json';

const train = (config: unknown) => ({ spec: { kind: 'train', blurredIds: ['ds_abcd1234'], config } });

// A train job's config is typed now (contract/train-config.ts, unknown keys refused) and still bounded: hostile
// values are refused quickly, naming the field, whether the type check or the bounds catch them.
describe('free-form JSON fields are bounded at the contract', () => {
  it('refuses a 50 000-deep array in a train config, naming the field', () => {
    const t0 = performance.now();
    expect(() => parseRequest('jobs.submit', train({ x: deepArray(50_000) }))).toThrow(ContractValidationError);
    expect(() => parseRequest('jobs.submit', train({ x: deepArray(50_000) }))).toThrow(
      /spec\.config: Unrecognized key: "x"/,
    );
    expect(() => parseRequest('jobs.submit', train({ psf: { size: deepArray(50_000) } }))).toThrow(
      /spec\.config\.psf\.size/,
    );
    expect(() => parseRequest('jobs.submit', train({ discriminator: { scales: deepArray(50_000) } }))).toThrow(
      /spec\.config\.discriminator\.scales/,
    );
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('refuses a deep object where the config has numbers', () => {
    expect(() => parseRequest('jobs.submit', train({ optics: deepObject(32) }))).toThrow(
      /spec\.config\.optics: Unrecognized key: "a"/,
    );
  });

  it('refuses a long string where the config has none', () => {
    expect(() => parseRequest('jobs.submit', train({ note: 'x'.repeat(JSON_MAX_BYTES) }))).toThrow(
      /spec\.config: Unrecognized key: "note"/,
    );
    expect(() => parseRequest('jobs.submit', train({ mode: 'é'.repeat(33_000) }))).toThrow(/spec\.config\.mode/);
  });

  it('refuses values JSON cannot carry (as IPC could deliver them), naming the inner key', () => {
    expect(() => parseRequest('jobs.submit', train({ optimiser: { lr: Number.NaN } }))).toThrow(
      /spec\.config\.optimiser\.lr/,
    );
    expect(() => parseRequest('jobs.submit', train({ optics: { na: 10n } }))).toThrow(/spec\.config\.optics\.na/);
    expect(() => parseRequest('jobs.submit', train({ seed: new Date(0) }))).toThrow(/spec\.config\.seed/);
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
    expect(parseRequest('jobs.submit', { spec: { kind: 'train', blurredIds: ['ds_abcd1234'] } }).spec).toMatchObject({
      config: {},
    });
    const config = {
      maxSteps: 100,
      optics: { na: 1.4, wavelength: 0.61 },
      sharpSource: 'rl',
      discriminator: { scales: [1, 0.5] },
    };
    expect(parseRequest('jobs.submit', train(config)).spec).toMatchObject({ config });
  });
});
