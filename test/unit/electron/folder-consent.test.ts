// Desktop: folders.allow needs the user's yes in the shell's native box; the page alone cannot add a folder.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { dispatch, type IpcHandlerTable } from '../../../src-main/electron/ipc-dispatch';
import { withFolderConsent } from '../../../src-main/electron/folder-consent';
import { tempDir } from '../../helpers';

describe('folder consent in the desktop shell', () => {
  it('asks before adding; a "no" refuses with ACCESS_DENIED and adds nothing; a "yes" adds the folder', async () => {
    process.env.CYCLEDECON_HOME = tempDir();
    const access = new AccessPolicy();
    const service = new AppService({ access });
    const asked: [string, boolean][] = [];
    let answer = false;
    const handlers = withFolderConsent(service.handlers as IpcHandlerTable, async (dir, create) => {
      asked.push([dir, create]);
      return answer;
    });
    const dir = join(tempDir(), 'stacks');
    try {
      const no = await dispatch(handlers, 'folders.allow', { dir, create: true });
      expect(no).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
      expect(access.allowed()).toEqual([]);
      answer = true;
      const yes = await dispatch(handlers, 'folders.allow', { dir, create: true });
      expect(yes).toMatchObject({ ok: true, result: { folder: dir, folders: [dir] } });
      expect(asked).toEqual([
        [dir, true],
        [dir, true],
      ]);
      // Other methods pass through untouched.
      expect(await dispatch(handlers, 'folders.list', {})).toEqual({ ok: true, result: { folders: [dir] } });
    } finally {
      await service.close();
    }
  });
});
