// Progress where stderr is not a terminal (a Slurm log file): plain lines with UTC timestamps, throttled,
// never a carriage return or an escape code; on a terminal, the redrawn bar.
import { describe, expect, it } from 'vitest';
import { createProgress, timestamp } from '../../../src-main/cli/progress';

function clocked() {
  let t = Date.UTC(2026, 0, 2, 3, 4, 5);
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('createProgress', () => {
  it('writes timestamped plain lines at most once per interval, and one at the end, when not a terminal', () => {
    const lines: string[] = [];
    const clock = clocked();
    const p = createProgress('[1/2] a.tif', false, (s) => lines.push(s), { everyMs: 10_000, now: clock.now });
    p.update(1, 4, 'tiles');
    clock.advance(5_000);
    p.update(2, 4, 'tiles');
    clock.advance(5_000);
    p.update(2, 4, 'tiles');
    clock.advance(1_000);
    p.update(3, 4, 'tiles');
    clock.advance(9_000);
    p.finish('2.00 Mvoxel/s');
    expect(lines).toEqual([
      '2026-01-02T03:04:15Z [1/2] a.tif 2/4 (50 %) ETA 0:10 tiles\n',
      '2026-01-02T03:04:25Z [1/2] a.tif done in 0:20 2.00 Mvoxel/s\n',
    ]);
    expect(lines.join('')).not.toContain('\r');
    expect(lines.join('')).not.toContain('\u001b');
  });

  it('redraws a bar in place on a terminal', () => {
    const out: string[] = [];
    const clock = clocked();
    const p = createProgress('train', true, (s) => out.push(s), { now: clock.now });
    clock.advance(200);
    p.update(1, 2);
    p.finish();
    expect(out[0]).toMatch(/^\rtrain \[#{14}-{14}\] 1\/2 ETA 0:00 /);
    expect(out[1]).toMatch(/^\rtrain done in 0:00 /);
  });

  it('stamps UTC to the second', () => {
    expect(timestamp(Date.UTC(2026, 11, 5, 12, 0, 1, 999))).toBe('2026-12-05T12:00:01Z');
  });
});
