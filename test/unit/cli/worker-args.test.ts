// `cycledecon worker` and `serve --queue` refuse a bad queue URL, root or backend before connecting to anything.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('worker and serve --queue arguments', () => {
  const root = tempDir();
  it.each([
    [['worker', '--root', root], /--queue/, 2],
    [['worker', '--queue', 'redis://127.0.0.1:1/0'], /--root/, 2],
    [['worker', '--queue', 'http://127.0.0.1:1/0', '--root', root], /only redis:\/\//, 1],
    [['worker', '--queue', 'redis://u:p@127.0.0.1:1/0', '--root', root], /credentials/, 1],
    [['worker', '--queue', 'redis://127.0.0.1:1/x', '--root', root], /database/, 1],
    [['worker', '--queue', 'redis://127.0.0.1:1/0', '--root', join(root, 'nope')], /not a folder/, 1],
    [['worker', '--queue', 'redis://127.0.0.1:1/0', '--root', root, '--backend', 'tpu'], /--backend/, 1],
    [['serve', '--queue', 'redis://127.0.0.1:1/abc'], /database/, 1],
  ])('%j is refused (exit %s for usage, 1 for a bad value) before connecting', async (argv, why, code) => {
    const c = capture();
    expect(await runCli(argv as string[], c.ctx)).toBe(code);
    expect(c.err.join('\n')).toMatch(why);
  });
});
