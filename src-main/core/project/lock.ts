// One writer per project: project.lock names the process that holds the project open (pid, host, start),
// so a second app, `serve` or worker refuses with the holder's name instead of interleaving its writes
// to project.json and the job journal with ours. The file is created complete and exclusively (written to a
// temp file, then hard-linked into place: link(2) fails when the name exists), removed on close and on
// exit. A lock whose process is dead on this host (a crash, SIGKILL) is stale and taken over; a lock from
// another host cannot be checked from here and is refused with a hint.
import { promises as fs, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ProjectError } from './schema';
import { processAlive } from '../io/atomic';

export const LOCK_FILE = 'project.lock';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Tells this lock from a later one of a reused pid: release and takeover remove only the lock they read. */
  nonce: string;
}

/** The project is open for writing in another process. */
export class ProjectLockedError extends ProjectError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${dir} is open in another process (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`,
      `Close it there first. If that process is gone${holder.host === hostname() ? ' (its pid now belongs to another program)' : ' (another host: it cannot be checked from here)'}, delete ${join(dir, LOCK_FILE)}.`,
    );
  }
}

export interface ProjectLock {
  readonly file: string;
  release(): Promise<void>;
}

/** Locks held by this module instance: one file per folder, counted, so one process may open a project twice. */
const held = new Map<string, { count: number; holder: LockHolder }>();

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    return Number.isInteger(h.pid) && typeof h.host === 'string' && typeof h.nonce === 'string'
      ? { pid: h.pid!, host: h.host, startedAt: String(h.startedAt), nonce: h.nonce }
      : undefined;
  } catch {
    return undefined;
  }
}

async function readHolder(file: string): Promise<LockHolder | 'absent' | 'unreadable'> {
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : ''));
  if (text === null) return 'absent';
  return parseHolder(text) ?? 'unreadable';
}

/** Creates `file` holding `me`, complete, unless it exists: false then. */
async function createExclusive(file: string, me: LockHolder): Promise<boolean> {
  const text = JSON.stringify(me) + '\n';
  const tmp = `${file}.${me.pid}.${me.nonce}.tmp`;
  await fs.writeFile(tmp, text, { flag: 'wx' });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links (some network and FAT mounts): O_EXCL create, then write.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
      return fs.writeFile(file, text, { flag: 'wx' }).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return false;
          throw err;
        },
      );
    }
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Removes a stale lock, once: under a second lock (project.lock.break) so two processes that both found it
 *  stale cannot remove a fresh lock one of them has just made. */
async function breakStale(file: string, stale: LockHolder, me: LockHolder): Promise<void> {
  const breaker = `${file}.break`;
  if (!(await createExclusive(breaker, me))) {
    const other = await readHolder(breaker);
    // A breaker that died mid-takeover leaves its file; it is dead, so removing it is safe (a live one is waited for).
    if (other === 'unreadable' || (other !== 'absent' && other.host === me.host && !processAlive(other.pid)))
      await fs.rm(breaker, { force: true });
    return;
  }
  try {
    const now = await readHolder(file);
    if (now !== 'absent' && now !== 'unreadable' && now.nonce === stale.nonce) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

function removeIfOurs(file: string, nonce: string): void {
  try {
    if (parseHolder(readFileSync(file, 'utf8'))?.nonce === nonce) unlinkSync(file);
  } catch {
    // Already gone, or the folder went away: nothing to release.
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // An exit without close (an uncaught error, process.exit) still releases; SIGKILL leaves a stale lock instead.
  process.on('exit', () => {
    for (const [file, { holder }] of held) removeIfOurs(file, holder.nonce);
  });
}

function handle(file: string): ProjectLock {
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      const entry = held.get(file);
      if (!entry || --entry.count > 0) return;
      held.delete(file);
      removeIfOurs(file, entry.holder.nonce);
    },
  };
}

/** Takes the project's lock, or throws ProjectLockedError naming the live holder. */
export async function acquireProjectLock(dir: string): Promise<ProjectLock> {
  const abs = resolve(dir);
  const file = join(abs, LOCK_FILE);
  const mine = held.get(file);
  if (mine) {
    mine.count++;
    return handle(file);
  }
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let holder: LockHolder | 'absent' | 'unreadable' = me;
    if (!(await createExclusive(file, me))) holder = await readHolder(file);
    if (holder === 'absent') continue;
    if (holder === 'unreadable')
      throw new ProjectError(
        `${file} is not a lock this program wrote`,
        'If no CycleDecon process has the project open, delete it.',
      );
    // Ours: just made, or made by this process in another module instance (a worker thread).
    if (holder.nonce === me.nonce || (holder.pid === process.pid && holder.host === me.host)) {
      held.set(file, { count: 1, holder });
      installExitHook();
      return handle(file);
    }
    if (holder.host !== me.host || processAlive(holder.pid)) throw new ProjectLockedError(abs, holder);
    await breakStale(file, holder, me);
  }
  throw new ProjectError(
    `could not take the lock ${file}: other processes keep replacing it`,
    'Make sure only one program opens this project.',
  );
}
