// Starts a real redis-server for a test: a free loopback port, a temp folder, append-only persistence (so a
// restart keeps the queue), and stops it again. Tests skip with a clear message when redis-server is absent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { rmSync } from 'node:fs';
import { tempDir } from './helpers';

export const REDIS_BIN = process.env.REDIS_SERVER ?? 'redis-server';
/** Why Redis tests are skipped here, or null when redis-server runs. */
export const redisMissing: string | null =
  spawnSync(REDIS_BIN, ['--version']).status === 0
    ? null
    : `${REDIS_BIN} not found: Redis queue tests skipped (apt-get install redis-server)`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitListening(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect({ host: '127.0.0.1', port }, () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class TestRedis {
  private proc?: ChildProcess;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), tempDir('cycledecon-redis-'));
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async up(): Promise<void> {
    const p = spawn(
      REDIS_BIN,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--protected-mode',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    this.proc = p;
    // A test runner that dies (timeout, crash) must not leave Redis behind.
    const reap = () => p.kill('SIGKILL');
    process.once('exit', reap);
    p.once('exit', () => process.removeListener('exit', reap));
    await waitListening(this.port);
  }

  /** Stops the server (SIGTERM: the append-only file is flushed), waiting for it to exit. */
  async down(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.down();
    await this.up();
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
