// settings.get/set/testQueue through the service's handler table, and the stored queue choice taking effect at the
// next start: a service started after the Redis setting was stored opens its projects' queues on Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { StartupQueue } from '../../../src-main/services/settings';
import { parseRequest } from '../../../src-main/contract/validate';
import type { SettingsState } from '../../../src-main/contract/settings';
import { ProjectStore } from '../../../src-main/core/project/index';
import { RedisJobQueue } from '../../../src-main/core/queue/redis/queue';
import { LocalJobQueue } from '../../../src-main/core/queue/local';
import { redisMissing, TestRedis } from '../../redis-server';
import { tempDir } from '../../helpers';

process.env.CYCLEDECON_HOME = tempDir(); // keep the recent-projects list out of the user's config

async function service(settingsDir: string, flag?: { kind: 'redis'; url: string }): Promise<AppService> {
  return new AppService({ access: new AccessPolicy(), settings: new StartupQueue(settingsDir, flag) });
}
const call = async <M extends 'settings.get' | 'settings.set' | 'settings.testQueue'>(
  s: AppService,
  m: M,
  req: unknown,
) => s.handlers[m](parseRequest(m, req) as never);

describe('settings handlers', () => {
  it('stores a queue choice and says it applies at the next start', async () => {
    const dir = tempDir();
    const s = await service(dir);
    const before = (await call(s, 'settings.get', {})) as SettingsState;
    expect(before).toMatchObject({
      settings: { queue: { kind: 'local' } },
      inUse: { kind: 'local' },
      appliesAtNextStart: false,
      file: join(dir, 'settings.json'),
      warnings: [],
    });
    const after = (await call(s, 'settings.set', {
      settings: { version: 1, queue: { kind: 'redis', url: 'redis://10.1.2.3:6379/1' } },
    })) as SettingsState;
    expect(after.settings.queue).toEqual({ kind: 'redis', url: 'redis://10.1.2.3:6379/1' });
    expect(after.inUse).toEqual({ kind: 'local' }); // this process keeps its queue
    expect(after.appliesAtNextStart).toBe(true);
    const next = await service(dir); // the next start reads it
    expect((await call(next, 'settings.get', {})) as SettingsState).toMatchObject({
      inUse: { kind: 'redis', url: 'redis://10.1.2.3:6379/1' },
      appliesAtNextStart: false,
    });
  });

  it('lets a --queue flag win over the stored setting', async () => {
    const dir = tempDir();
    const s = await service(dir, { kind: 'redis', url: 'redis://127.0.0.1:1/0' });
    expect(await call(s, 'settings.get', {})).toMatchObject({
      settings: { queue: { kind: 'local' } },
      inUse: { kind: 'redis' },
      appliesAtNextStart: true,
    });
  });

  it('refuses a URL the core parser refuses, and a probe of a closed port, with typed errors', async () => {
    const s = await service(tempDir());
    await expect(
      call(s, 'settings.set', { settings: { version: 1, queue: { kind: 'redis', url: 'redis://h:1/300' } } }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(call(s, 'settings.testQueue', { url: 'redis://127.0.0.1:1/0', timeoutMs: 500 })).rejects.toMatchObject(
      { code: 'QUEUE', reason: 'refused' },
    );
  });
});

describe.skipIf(redisMissing)('the stored Redis setting at start', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('opens projects on the Redis queue, and the local journal again once set back', async () => {
    const dir = tempDir();
    const first = await service(dir);
    expect(await call(first, 'settings.testQueue', { url: redis.url })).toMatchObject({ ok: true });
    await call(first, 'settings.set', { settings: { version: 1, queue: { kind: 'redis', url: redis.url } } });
    await first.close();

    const projectDir = join(tempDir(), 'proj');
    const second = await service(dir);
    const opened: unknown[] = [];
    const real = RedisJobQueue.open.bind(RedisJobQueue);
    RedisJobQueue.open = async (o) => {
      const q = await real(o);
      opened.push(q);
      return q;
    };
    try {
      await second.attach(await ProjectStore.create(projectDir));
    } finally {
      RedisJobQueue.open = real;
    }
    expect(opened).toHaveLength(1);
    expect(opened[0]).toBeInstanceOf(RedisJobQueue);
    expect(await second.handlers['jobs.list'](parseRequest('jobs.list', {}))).toEqual({ jobs: [] });
    await call(second, 'settings.set', { settings: { version: 1, queue: { kind: 'local' } } });
    await second.close();

    const localOpen = LocalJobQueue.open.bind(LocalJobQueue);
    let local = 0;
    LocalJobQueue.open = async (o) => {
      local++;
      return localOpen(o);
    };
    try {
      const third = await service(dir);
      await third.attach(await ProjectStore.open(projectDir));
      await third.close();
    } finally {
      LocalJobQueue.open = localOpen;
    }
    expect(local).toBe(1);
  });
});
