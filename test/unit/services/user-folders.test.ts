// Folders added from the app (browser mode): confined on their real path, and then the project can be made there.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { AccessPolicy, AccessDeniedError } from '../../../src-main/services/access';
import { allowUserFolder, checkAddable } from '../../../src-main/services/user-folders';
import { AppService } from '../../../src-main/services/app';
import { parseRequest } from '../../../src-main/contract/validate';
import { tempDir } from '../../helpers';

/** A fake home with keys in it, a data folder beside it, and links from the data folder to both. */
function world() {
  const top = tempDir();
  const home = join(top, 'home', 'me');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_rsa'), 'key');
  const data = join(top, 'data');
  mkdirSync(join(data, 'exp1'), { recursive: true });
  writeFileSync(join(data, 'exp1', 'stack.tif'), 'x');
  writeFileSync(join(data, 'notes.txt'), 'x');
  symlinkSync(home, join(data, 'to-home'));
  symlinkSync('/etc', join(data, 'to-etc'));
  symlinkSync(join(home, '.ssh', 'id_rsa'), join(data, 'exp1', 'key-link'));
  return { top, home, data };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AccessDeniedError);
  return (e as Error).message;
}

describe('folders the user adds', () => {
  it('refuses the root, the home folder and above, hidden and system folders, also behind a symlink', async () => {
    const { top, home, data } = world();
    const access = new AccessPolicy();
    const add = (dir: string, create = false) => allowUserFolder(access, dir, { home, create });
    expect(await refusal(add('/'))).toMatch(/root of the file system/);
    expect(await refusal(add(home))).toMatch(/home folder/);
    expect(await refusal(add(join(top, 'home')))).toMatch(/home folder or holds it/);
    expect(await refusal(add(join(home, '.ssh')))).toMatch(/hidden folder/);
    expect(await refusal(add('/etc'))).toMatch(/system folder/);
    expect(await refusal(add(join(data, 'to-etc')))).toMatch(/system folder/); // the link's target is judged
    expect(await refusal(add(join(data, 'to-home')))).toMatch(/home folder/);
    expect(await refusal(add('data/exp1'))).toMatch(/absolute/);
    expect(await refusal(add(`${data}/exp1/../..`))).toMatch(/"\.\."/);
    expect(await refusal(add(join(data, 'missing')))).toMatch(/does not exist/);
    expect(await refusal(add(join(data, 'notes.txt')))).toMatch(/not a folder/);
    expect(existsSync(join(home, '.cfg'))).toBe(false);
    expect(await refusal(add(join(home, '.cfg', 'proj'), true))).toMatch(/hidden/);
    expect(existsSync(join(home, '.cfg'))).toBe(false); // refused before anything was made
    expect(access.allowed()).toEqual([]);
  });

  it('adds a data folder (or makes a new one) and still confines paths inside it', async () => {
    const { home, data } = world();
    const access = new AccessPolicy();
    expect(await allowUserFolder(access, join(data, 'exp1'), { home })).toBe(join(data, 'exp1'));
    expect(await access.check(join(data, 'exp1', 'stack.tif'))).toBe(join(data, 'exp1', 'stack.tif'));
    // A link inside the added folder that leads out of it is refused, as for --allow.
    expect(await refusal(access.check(join(data, 'exp1', 'key-link')))).toMatch(/outside the allowed folders/);
    expect(await refusal(access.check(join(data, 'notes.txt')))).toMatch(/outside/);
    const made = await allowUserFolder(access, join(data, 'new', 'proj'), { home, create: true });
    expect(existsSync(made)).toBe(true);
    expect(access.allowed()).toEqual([join(data, 'exp1'), join(data, 'new', 'proj')]);
  });

  it('checkAddable is a pure check on a resolved path', () => {
    expect(() => checkAddable('/d', '/data/microscopy', '/home/me')).not.toThrow();
    expect(() => checkAddable('/d', '/home/me/data', '/home/me')).not.toThrow();
    expect(() => checkAddable('/d', '/usr/share/x', '/home/me')).toThrow(/system/);
    expect(() => checkAddable('/d', '/home', '/home/me')).toThrow(/home/);
  });

  it('through the service: a project cannot be made outside the allowed folders until the folder is added', async () => {
    const { data } = world();
    process.env.CYCLEDECON_HOME = tempDir();
    const service = new AppService({ access: new AccessPolicy() });
    const h = service.handlers;
    try {
      const dir = join(data, 'exp2');
      expect(await refusal(h['project.create'](parseRequest('project.create', { dir })))).toMatch(
        /outside the allowed folders/,
      );
      const added = (await h['folders.allow'](parseRequest('folders.allow', { dir, create: true }))) as {
        folder: string;
        folders: string[];
      };
      expect(added.folders).toEqual([dir]);
      const p = (await h['project.create'](parseRequest('project.create', { dir, name: 'exp2' }))) as {
        name: string;
        dir: string;
      };
      expect(p.name).toBe('exp2');
      expect(existsSync(join(dir, 'project.json'))).toBe(true);
      expect(((await h['folders.list'](parseRequest('folders.list', {}))) as { folders: string[] }).folders).toEqual([
        dir,
      ]);
    } finally {
      await service.close();
    }
  });
});
