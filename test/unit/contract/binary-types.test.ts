import { describe, expect, expectTypeOf, it } from 'vitest';
import { api, type BinaryMethodName, type BinaryPayload, type ResponseOf } from '../../../src-main/contract/api';
import type { Job } from '../../../src-main/contract/schemas';

// The type-level half of these checks runs under `tsc` (test/unit is in tsconfig.json): `binary` is a
// literal, so ResponseOf tells binary methods from JSON ones.
describe('contract binary flag', () => {
  it('is a literal in the types and a boolean at run time', () => {
    expectTypeOf<BinaryMethodName>().toEqualTypeOf<'dataset.slice' | 'dataset.volume'>();
    expectTypeOf<ResponseOf<'dataset.slice'>>().toEqualTypeOf<BinaryPayload>();
    expectTypeOf<ResponseOf<'jobs.pause'>>().toEqualTypeOf<Job>();
    const binary = Object.entries(api)
      .filter(([, m]) => m.binary)
      .map(([k]) => k)
      .sort();
    expect(binary).toEqual(['dataset.slice', 'dataset.volume']);
    expect(api['jobs.pause'].binary).toBe(false);
  });
});
