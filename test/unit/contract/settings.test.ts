// The app settings schema: what a queue choice may be, and what is refused before it is stored.
import { describe, expect, it } from 'vitest';
import { AppSettings, QueueSetting, RedisUrl, sameQueue } from '../../../src-main/contract/settings';
import { parseRequest } from '../../../src-main/contract/validate';

describe('app settings schema', () => {
  it('takes the local journal and Redis URLs as serve --queue does', () => {
    expect(AppSettings.parse({ version: 1, queue: { kind: 'local' } }).queue).toEqual({ kind: 'local' });
    for (const url of [
      'redis://127.0.0.1:6379/0',
      'redis://queue.lab.example',
      'redis://node-3:7000/',
      'redis://[::1]:6380/2',
      'redis://h:1/15',
    ]) {
      expect(RedisUrl.safeParse(url).success, url).toBe(true);
    }
  });

  it('refuses credentials, other schemes, paths, spaces and unknown fields', () => {
    for (const url of [
      'redis://user:pw@host:6379/0',
      'rediss://host/0',
      'http://host:6379',
      'redis://host/abc',
      'redis://host:6379/0/x',
      'redis:// host',
      'redis://host:123456',
      '',
    ]) {
      expect(RedisUrl.safeParse(url).success, url).toBe(false);
    }
    expect(QueueSetting.safeParse({ kind: 'redis' }).success).toBe(false);
    expect(QueueSetting.safeParse({ kind: 'local', url: 'redis://h' }).success).toBe(false);
    expect(QueueSetting.safeParse({ kind: 'bullmq', url: 'redis://h' }).success).toBe(false);
    expect(AppSettings.safeParse({ version: 2, queue: { kind: 'local' } }).success).toBe(false);
    expect(AppSettings.safeParse({ version: 1, queue: { kind: 'local' }, theme: 'dark' }).success).toBe(false);
  });

  it('validates the settings methods at the contract', () => {
    expect(() =>
      parseRequest('settings.set', { settings: { version: 1, queue: { kind: 'redis', url: 'redis://a:b@h' } } }),
    ).toThrow(/redis:\/\/host:port\/db/);
    expect(parseRequest('settings.testQueue', { url: 'redis://h:1/0' })).toEqual({
      url: 'redis://h:1/0',
      timeoutMs: 2000,
    });
    expect(() => parseRequest('settings.testQueue', { url: 'redis://h', timeoutMs: 10 })).toThrow();
  });

  it('compares queue choices ignoring a trailing slash only', () => {
    expect(sameQueue({ kind: 'local' }, { kind: 'local' })).toBe(true);
    expect(sameQueue({ kind: 'redis', url: 'redis://h:1/0' }, { kind: 'redis', url: 'redis://h:1/0/' })).toBe(true);
    expect(sameQueue({ kind: 'redis', url: 'redis://h:1/0' }, { kind: 'redis', url: 'redis://h:1/1' })).toBe(false);
    expect(sameQueue({ kind: 'redis', url: 'redis://h:1/0' }, { kind: 'local' })).toBe(false);
  });
});
