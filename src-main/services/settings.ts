// The app's settings handlers and the queue chosen at start. The queue is read once (the first project opened,
// or at start where the host asks early) and kept for the life of the process: settings.set stores a new choice
// for the next start, so jobs never change queue under a running app.
import type { QueueSetting, SettingsState } from '../contract/settings';
import { sameQueue } from '../contract/settings';
import type { Result } from '../contract/schemas';
import { readAppSettings, settingsFile, writeAppSettings } from '../core/project/index';
import { configDir } from '../core/project/recent';
import type { JobQueue } from '../core/queue/index';
import { parseRedisUrl } from '../core/queue/redis/store';
import { RedisJobQueue } from '../core/queue/redis/queue';
import { probeRedis } from '../core/queue/redis/probe';
import type { MethodName, ParsedRequestOf } from '../contract/api';

export type OpenQueue = (
  projectDir: string,
  onResults: (jobId: string, results: Result[]) => Promise<void>,
) => Promise<JobQueue | undefined>;

/** The queue of this process: a `--queue` flag when given, else the stored setting as read at first use. */
export class StartupQueue {
  private chosen?: Promise<{ queue: QueueSetting; warnings: string[] }>;
  constructor(
    readonly settingsDir: string = configDir(),
    private readonly flag?: QueueSetting,
  ) {}

  /** Reads (once) which queue this process uses; warnings say what an unusable settings file set aside. */
  inUse(): Promise<{ queue: QueueSetting; warnings: string[] }> {
    this.chosen ??= this.flag
      ? Promise.resolve({ queue: this.flag, warnings: [] })
      : readAppSettings(this.settingsDir).then((r) => ({ queue: r.settings.queue, warnings: r.warnings }));
    return this.chosen;
  }

  /** AppServiceOptions.openQueue: a Redis queue when chosen, undefined for the local journal (the service's default). */
  readonly openQueue: OpenQueue = async (root, onResults) => {
    const { queue } = await this.inUse();
    if (queue.kind === 'local') return undefined;
    return RedisJobQueue.open({ url: parseRedisUrl(queue.url), root, onResults });
  };
}

type SettingsMethod = 'settings.get' | 'settings.set' | 'settings.testQueue';
type SettingsHandlers = { [M in SettingsMethod & MethodName]: (req: ParsedRequestOf<M>) => Promise<unknown> };

/** settings.get/set/testQueue over the process's StartupQueue (a thunk: the handler table is built before the service's constructor body runs). */
export function settingsHandlers(startupOf: () => StartupQueue): SettingsHandlers {
  const state = async (): Promise<SettingsState> => {
    const startup = startupOf();
    const [stored, used] = await Promise.all([readAppSettings(startup.settingsDir), startup.inUse()]);
    return {
      settings: stored.settings,
      inUse: used.queue,
      appliesAtNextStart: !sameQueue(stored.settings.queue, used.queue),
      file: settingsFile(startup.settingsDir),
      warnings: [...new Set([...used.warnings, ...stored.warnings])],
    };
  };
  return {
    'settings.get': state,
    'settings.set': async (r) => {
      if (r.settings.queue.kind === 'redis') parseRedisUrl(r.settings.queue.url); // the same checks `serve --queue` makes
      await writeAppSettings(r.settings, startupOf().settingsDir);
      return state();
    },
    'settings.testQueue': async (r) => probeRedis(r.url, r.timeoutMs),
  };
}
