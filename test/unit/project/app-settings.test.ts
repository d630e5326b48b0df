// The app settings file: round trip, atomic replacement, and defaults (with a warning) for a file that is unusable.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAppSettings, settingsFile, writeAppSettings } from '../../../src-main/core/project/app-settings';
import type { AppSettings } from '../../../src-main/contract/settings';
import { tempDir } from '../../helpers';

describe('app settings file', () => {
  it('gives the local journal when there is no file, and reads back what was written', async () => {
    const dir = join(tempDir(), 'nested', 'config');
    expect(await readAppSettings(dir)).toEqual({ settings: { version: 1, queue: { kind: 'local' } }, warnings: [] });
    const s: AppSettings = { version: 1, queue: { kind: 'redis', url: 'redis://10.0.0.5:6379/3' } };
    await writeAppSettings(s, dir);
    expect(JSON.parse(readFileSync(settingsFile(dir), 'utf8'))).toEqual(s); // plain JSON, readable by other tools
    expect(await readAppSettings(dir)).toEqual({ settings: s, warnings: [] });
    await writeAppSettings({ version: 1, queue: { kind: 'local' } }, dir);
    expect((await readAppSettings(dir)).settings.queue).toEqual({ kind: 'local' });
    expect(readdirSync(dir)).toEqual(['settings.json']); // replaced by rename: no temp file left
  });

  it('falls back to the defaults with a warning naming the file for broken JSON or invalid settings', async () => {
    const dir = tempDir();
    writeFileSync(settingsFile(dir), '{"version":1,"queue":');
    let r = await readAppSettings(dir);
    expect(r.settings.queue).toEqual({ kind: 'local' });
    expect(r.warnings[0]).toContain(settingsFile(dir));
    expect(r.warnings[0]).toContain('not JSON');
    writeFileSync(settingsFile(dir), JSON.stringify({ version: 1, queue: { kind: 'redis', url: 'redis://u:p@h/0' } }));
    r = await readAppSettings(dir);
    expect(r.settings.queue).toEqual({ kind: 'local' });
    expect(r.warnings[0]).toMatch(/queue\.url: expected redis:\/\/host:port\/db/);
  });

  it('refuses to store invalid settings and leaves the file as it was', async () => {
    const dir = tempDir();
    await writeAppSettings({ version: 1, queue: { kind: 'redis', url: 'redis://h:1/0' } }, dir);
    const bad = { version: 1, queue: { kind: 'redis', url: 'http://h' } } as unknown as AppSettings;
    await expect(writeAppSettings(bad, dir)).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    expect((await readAppSettings(dir)).settings.queue).toEqual({ kind: 'redis', url: 'redis://h:1/0' });
  });
});
