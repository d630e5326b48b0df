// `serve --token-file`: the token survives a restart, so a client connected before it goes on working after it.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { tokenFromFile, TokenFileError } from '../../../src-main/devserver/token-file';
import { createHttpClient } from '../../../src-main/contract/http-client';
import { runCli } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers';

process.env.CYCLEDECON_HOME = tempDir();
const open: { srv: DevServer; service: AppService }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.srv.close();
    await o.service.close();
  }
});
async function serve(token: string, port = 0): Promise<DevServer> {
  const access = new AccessPolicy();
  const service = new AppService({ access });
  const srv = await startDevServer({ service, access, token, port });
  open.push({ srv, service });
  return srv;
}
async function stop(srv: DevServer): Promise<void> {
  const i = open.findIndex((o) => o.srv === srv);
  const [o] = open.splice(i, 1);
  await o!.srv.close();
  await o!.service.close();
}

describe('serve --token-file', () => {
  it('writes a new owner-only token when the file is missing, and reads the same one back', async () => {
    const path = join(tempDir(), 'token');
    const first = await tokenFromFile(path);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(`${first.token}\n`);
    expect(await tokenFromFile(path)).toEqual({ token: first.token, created: false });
  });

  it('refuses a file others can read, a link, a folder and a file without a token', async () => {
    const dir = tempDir();
    const shared = join(dir, 'shared');
    writeFileSync(shared, 'A'.repeat(40));
    chmodSync(shared, 0o644);
    const link = join(dir, 'link');
    symlinkSync(shared, link);
    const junk = join(dir, 'junk');
    writeFileSync(junk, 'short', { mode: 0o600 });
    mkdirSync(join(dir, 'folder'));
    const why = async (p: string) => {
      const e = await tokenFromFile(p).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(TokenFileError);
      return `${(e as Error).message} ${(e as TokenFileError).hint}`;
    };
    expect(await why(shared)).toMatch(/can be read by others \(mode 644\).*chmod 600/);
    expect(await why(link)).toMatch(/symbolic link/);
    expect(await why(junk)).toMatch(/does not hold a token/);
    expect(await why(join(dir, 'folder'))).toMatch(/not a regular file/);
    expect(await why(join(dir, 'no', 'such', 'dir', 'token'))).toMatch(/cannot be created/);
  });

  it('a client connected before a restart keeps working after it with the kept token, and not with a new one', async () => {
    const path = join(tempDir(), 'token');
    const { token } = await tokenFromFile(path);
    let srv = await serve(token);
    const port = Number(new URL(srv.url).port);
    const client = createHttpClient({ baseUrl: srv.url, token });
    expect(await client.invoke('project.recent', {})).toEqual({ projects: [] });
    await stop(srv);
    srv = await serve((await tokenFromFile(path)).token, port);
    expect(await client.invoke('project.recent', {})).toEqual({ projects: [] });
    await stop(srv);
    await serve('another-token-of-a-plain-restart-xxxxxxxx', port);
    await expect(client.invoke('project.recent', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    client.close();
  });

  it('the CLI refuses a readable token file before starting anything', async () => {
    const shared = join(tempDir(), 'token');
    writeFileSync(shared, 'B'.repeat(40), { mode: 0o644 });
    chmodSync(shared, 0o644);
    const err: string[] = [];
    expect(
      await runCli(['serve', '--token-file', shared], {
        out: () => undefined,
        err: (l: string) => err.push(l),
        interactive: false,
      }),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/can be read by others/);
  });
});
