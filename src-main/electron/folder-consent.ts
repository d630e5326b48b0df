// In the desktop app a folder becomes readable through a user gesture in the main process (a native dialog, a
// drop), never because the page asked. folders.allow (typed paths, needed by browser mode) keeps that rule here:
// the shell asks the user in a native box first, and a "no" refuses it like any path outside the allowed folders.
import { AccessDeniedError } from '../services/access';
import type { IpcHandlerTable } from './ipc-dispatch';

export function withFolderConsent(
  handlers: IpcHandlerTable,
  confirm: (dir: string, create: boolean) => Promise<boolean>,
): IpcHandlerTable {
  return {
    ...handlers,
    'folders.allow': async (r) => {
      if (!(await confirm(r.dir, r.create)))
        throw new AccessDeniedError(r.dir, 'was not allowed (declined in the confirmation box)');
      return handlers['folders.allow'](r);
    },
  };
}
