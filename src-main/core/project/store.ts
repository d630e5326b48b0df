// A project folder: load, migrate, mutate and save project.json atomically. Writes are serialised so
// concurrent mutations never interleave, and a crash leaves the previous complete file.
import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Project } from '../../contract/schemas';
import { FileExistsError } from '../errors';
import { writeBytesAtomic } from '../io/atomic';
import { CURRENT_VERSION, PROJECT_FILE, ProjectError, migrate } from './schema';
import { newId, nowIso } from './ids';
import { acquireProjectLock, type ProjectLock } from './lock';

/** The project's write lock; a folder we may not write to is opened unlocked, with a warning (nothing can be saved there). */
async function lockFor(dir: string): Promise<{ lock?: ProjectLock; warning?: string }> {
  try {
    return { lock: await acquireProjectLock(dir) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM')
      return { warning: `${dir} is not writable: the project is open without a lock and changes cannot be saved` };
    throw e;
  }
}

/** Runs `body` with the lock, releasing it when `body` throws. */
async function withLock<T>(held: { lock?: ProjectLock }, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    await held.lock?.release();
    throw e;
  }
}

export class ProjectStore {
  private chain: Promise<unknown> = Promise.resolve();
  /** What opening the project had to say (a migration, what it could not carry), for the app or CLI to show. */
  warnings: string[] = [];
  private lock?: ProjectLock;
  private constructor(
    readonly dir: string,
    private state: Project,
  ) {}

  /** Releases the project's lock (the store's state stays readable; open the project again to write). */
  async close(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
  }

  get project(): Project {
    return this.state;
  }

  /** Creates a project in `dir` (created if absent). Refuses a folder that already holds a project. */
  static async create(dir: string, name?: string): Promise<ProjectStore> {
    const abs = resolve(dir);
    try {
      await fs.mkdir(abs, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a file is in the way'
          : code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
            ? 'the folder is not writable'
            : (e as Error).message;
      throw new ProjectError(
        `cannot create the project folder ${abs}: ${why}`,
        'Choose a writable folder for the project.',
      );
    }
    const file = join(abs, PROJECT_FILE);
    if (await exists(file))
      throw new ProjectError(`${abs} already contains a project`, 'Open it instead, or choose an empty folder.');
    const held = await lockFor(abs);
    return withLock(held, async () => {
      // Another process may have created it between the check above and the lock.
      if (await exists(file))
        throw new ProjectError(`${abs} already contains a project`, 'Open it instead, or choose an empty folder.');
      const store = await ProjectStore.fresh(abs, name);
      store.lock = held.lock;
      if (held.warning) store.warnings.push(held.warning);
      return store;
    });
  }

  private static async fresh(abs: string, name?: string): Promise<ProjectStore> {
    const now = nowIso();
    const project: Project = {
      version: CURRENT_VERSION,
      id: newId('prj'),
      name: name ?? basename(abs),
      dir: abs,
      createdAt: now,
      updatedAt: now,
      datasets: [],
      runs: [],
      results: [],
      comparisons: [],
      notes: '',
    };
    const store = new ProjectStore(abs, project);
    await store.write();
    return store;
  }

  /** Opens a project, migrating an older project.json (the old file is kept as project.v<N>[.k].json, never overwritten). */
  static async open(dir: string): Promise<ProjectStore> {
    const abs = resolve(dir);
    const file = join(abs, PROJECT_FILE);
    if (!(await exists(file)))
      throw new ProjectError(
        `${abs} is not a CycleDecon project (no ${PROJECT_FILE})`,
        'Create a project there first.',
      );
    // Locked before it is read: a migration below writes, and must not race another process's writes.
    const held = await lockFor(abs);
    return withLock(held, async () => {
      const store = await ProjectStore.load(abs, file);
      store.lock = held.lock;
      if (held.warning) store.warnings.push(held.warning);
      return store;
    });
  }

  private static async load(abs: string, file: string): Promise<ProjectStore> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      throw new ProjectError(
        `${abs} is not a CycleDecon project (no ${PROJECT_FILE})`,
        'Create a project there first.',
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ProjectError(`${file} is not valid JSON (${(e as Error).message})`);
    }
    const { project, migratedFrom, notCarried } = migrate(raw, abs);
    const store = new ProjectStore(abs, project);
    if (migratedFrom !== null) {
      const backup = await keepOriginal(abs, migratedFrom, text);
      await store.write();
      store.warnings.push(
        `${file} was migrated from version ${migratedFrom} to ${CURRENT_VERSION}; the original is kept as ${backup}`,
      );
      if (notCarried.length)
        store.warnings.push(`the migration could not carry ${notCarried.join(', ')}: they are only in ${backup}`);
    }
    return store;
  }

  /** Applies `change` to a copy of the project and saves it; returns what `change` returned. */
  mutate<T>(change: (p: Project) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.state);
      const out = change(draft);
      draft.updatedAt = nowIso();
      this.state = draft;
      await this.write();
      return out;
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Folder for cached derived data (thumbnails, pyramids). */
  cacheDir(): string {
    return join(this.dir, 'cache');
  }
  resultsDir(): string {
    return join(this.dir, 'results');
  }
  jobsDir(): string {
    return join(this.dir, 'jobs');
  }

  private async write(): Promise<void> {
    await writeBytesAtomic(join(this.dir, PROJECT_FILE), JSON.stringify(this.state, null, 2) + '\n', { force: true });
  }
}

/** Writes the pre-migration text to the first free project.v<N>[.k].json (an earlier backup is never replaced). */
async function keepOriginal(dir: string, version: number, text: string): Promise<string> {
  for (let k = 0; k < 1000; k++) {
    const backup = join(dir, k === 0 ? `project.v${version}.json` : `project.v${version}.${k}.json`);
    try {
      await writeBytesAtomic(backup, text);
      return backup;
    } catch (e) {
      if (!(e instanceof FileExistsError)) throw e;
    }
  }
  throw new ProjectError(
    `${dir} holds 1000 backups of version ${version}; none was written and nothing was migrated`,
    'Move old project.v*.json files elsewhere.',
  );
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
