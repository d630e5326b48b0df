// Starts `cycledecon serve` for the browser tests and reads the URL and token it prints.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers';

export interface Served {
  url: string;
  token: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when out/renderer is missing or older than its sources (CI runs `npm run build` first). */
export function ensureRendererBuilt(): void {
  const index = join(repoRoot, 'out', 'renderer', 'index.html');
  const sources = Math.max(
    newestMtime(join(repoRoot, 'src-renderer')),
    newestMtime(join(repoRoot, 'src-main', 'contract')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('electron-vite build failed');
}

export function startServer(args: string[], timeoutMs = 60_000): Promise<Served> {
  // From source, so the server always matches the working tree (dist/ may be stale in a checkout).
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'cycledecon.js'), 'serve', '--port', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, CYCLEDECON_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const url = /serving at (http:\/\/\S+)/.exec(out)?.[1];
      const token = /token: (\S+)/.exec(out)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ url, token, child, output: () => out, stop });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
}
