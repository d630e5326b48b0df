import { describe, expect, it } from 'vitest';
import {
  api,
  events,
  parseRequest,
  parseEvent,
  ContractValidationError,
  isMethodName,
  JobSpec,
} from '../../../src-main/contract';

describe('contract request validation', () => {
  it('accepts a valid request and fills defaults', () => {
    const r = parseRequest('jobs.submit', {
      spec: { kind: 'deconvolve', method: 'rl', datasetId: 'ds_abcd1234', psf: { from: 'dataset', id: 'ds_psf00001' } },
    });
    expect(r.priority).toBe(0);
    expect(r.dependsOn).toEqual([]);
    expect(r.spec.kind === 'deconvolve' && r.spec.method === 'rl' && r.spec.iterations).toBe(20);
  });

  it('rejects a wrong type naming the field', () => {
    expect(() => parseRequest('project.create', { dir: 42 })).toThrow(
      /project\.create: invalid request — dir: .*string/,
    );
  });

  it('rejects unknown fields (strict objects)', () => {
    expect(() => parseRequest('project.open', { dir: '/x', evil: true })).toThrow(/evil/);
  });

  it('rejects out-of-range numbers and bad enums', () => {
    expect(() => parseRequest('dataset.slice', { id: 'ds_abcd1234', axis: 'w', index: 0 })).toThrow(/axis/);
    expect(() => parseRequest('dataset.slice', { id: 'ds_abcd1234', axis: 'z', index: -1 })).toThrow(/index/);
    expect(() =>
      parseRequest('jobs.submit', {
        spec: {
          kind: 'deconvolve',
          method: 'rl',
          datasetId: 'ds_abcd1234',
          psf: { from: 'dataset', id: 'ds_psf00001' },
          iterations: 0,
        },
      }),
    ).toThrow(ContractValidationError);
    expect(() =>
      parseRequest('dataset.update', { id: 'ds_abcd1234', voxelSizeOverride: { x: -1, y: 1, z: 1, unit: 'µm' } }),
    ).toThrow(/voxelSizeOverride\.x/);
  });

  it('rejects a malformed id, an empty path and a NUL byte in a path', () => {
    expect(() => parseRequest('jobs.get', { id: '../../etc' })).toThrow(/id: expected an id/);
    expect(() => parseRequest('dataset.import', { paths: [''] })).toThrow(/paths\.0: path is empty/);
    expect(() => parseRequest('dataset.import', { paths: ['/a\0b'] })).toThrow(/NUL/);
  });

  it('rejects an external role with an unknown tool, accepts a linked AutoQuant result', () => {
    expect(() =>
      parseRequest('dataset.update', { id: 'ds_abcd1234', role: { kind: 'external', tool: 'photoshop' } }),
    ).toThrow(/role/);
    const r = parseRequest('dataset.update', {
      id: 'ds_abcd1234',
      role: { kind: 'external', tool: 'autoquant', linkedTo: 'ds_efgh5678' },
    });
    expect(r.role).toEqual({ kind: 'external', tool: 'autoquant', linkedTo: 'ds_efgh5678' });
  });

  it('rejects a job spec of unknown kind', () => {
    expect(JobSpec.safeParse({ kind: 'mine-bitcoin' }).success).toBe(false);
    expect(() => parseRequest('jobs.submit', { spec: { kind: 'train' } })).toThrow(/spec/);
  });

  it('treats a null body as empty and still validates required fields', () => {
    expect(parseRequest('project.get', null)).toEqual({});
    expect(() => parseRequest('project.open', null)).toThrow(/dir/);
  });

  it('lists only known methods and validates events', () => {
    expect(isMethodName('project.create')).toBe(true);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName('constructor')).toBe(false);
    expect(Object.keys(api).length).toBeGreaterThan(15);
    expect(() => parseEvent('job.progress', { jobId: 'job_abcd1234', progress: 1.5, message: '' })).toThrow(/progress/);
    expect(Object.keys(events)).toContain('train.psfSnapshot');
  });

  it('marks exactly the viewer methods as binary', () => {
    const binary = Object.entries(api)
      .filter(([, m]) => m.binary)
      .map(([k]) => k)
      .sort();
    expect(binary).toEqual(['dataset.slice', 'dataset.volume']);
  });
});
