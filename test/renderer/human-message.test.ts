// humanMessage: raw errors as the Queue shows them, without errno codes, byte offsets, numeric arrays, stacks.
import { describe, expect, it } from 'vitest';
import { humanMessage } from '../../src-renderer/lib/human-message';

describe('humanMessage', () => {
  it.each([
    [
      { message: "ENOENT: no such file or directory, open '/data/run/cells.tif'" },
      'cells.tif is missing: it was moved, renamed or deleted.',
    ],
    [{ code: 'IO', message: "EACCES: permission denied, open '/x/y/out.tif'" }, 'No permission to use out.tif.'],
    [{ message: 'ENOSPC: no space left on device, write' }, 'The disk is full.'],
    [
      { code: 'NUMERIC', message: 'loss "cycleA" became NaN at step 12 [0.1, NaN, 0.3, 0.4, 0.5, 0.6, 0.7]' },
      'Training diverged: a loss became NaN or infinite.',
    ],
    [
      {
        code: 'TIFF_FORMAT',
        message: '/data/a/cells.tif: truncated or corrupt: strip 3 lies outside the file (bytes 1200–5000 of 3000)',
      },
      'cells.tif is damaged or truncated and cannot be read.',
    ],
    [{ code: 'OUT_OF_MEMORY', message: 'out of memory even with 32×64×64 tiles' }, 'Not enough memory for this job.'],
    [
      { code: 'IO', message: 'could not read chunk at offset 123456 of /srv/data/big.zarr' },
      'could not read chunk of big.zarr',
    ],
    [{ message: 'losses [0.12345, 0.23456, 0.34567, 0.45678] are not finite' }, 'losses […] are not finite'],
    [
      { message: 'worker died\n    at Worker.<anonymous> (/app/out/worker.js:12:3)\n    at emit (node:events:1:1)' },
      'worker died',
    ],
    [
      {
        code: 'INVALID_PARAMETER',
        message: 'spec.runId: this project has no finished training run',
        hint: 'Train a model first.',
      },
      'spec.runId: this project has no finished training run',
    ],
  ])('%j → %s', (e, want) => {
    const h = humanMessage(e);
    expect(h.message).toBe(want);
    expect(h.message).not.toMatch(/ENOENT|EACCES|ENOSPC|offset \d|bytes \d|\bat .*:\d+:\d+/);
  });

  it('keeps a worded hint and words its own where the raw one is missing', () => {
    expect(humanMessage({ code: 'INVALID_PARAMETER', message: 'x', hint: 'Train a model first.' }).hint).toBe(
      'Train a model first.',
    );
    expect(humanMessage({ message: "ENOENT: no such file or directory, open '/a/b.tif'" }).hint).toMatch(
      /import it again/,
    );
  });
});
