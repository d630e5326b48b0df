import { describe, it, expect } from 'vitest';
import { runCli } from '../../../src-main/cli/main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('cycledecon CLI', () => {
  it('lists its commands with --help and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toMatch(/Usage: cycledecon <command>/);
  });
  it('rejects an unknown command with exit code 2 and names it', async () => {
    const c = capture();
    expect(await runCli(['frobnicate'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown command "frobnicate"/);
  });
});
