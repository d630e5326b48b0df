// Electron main process: one window, hardened; IPC serves the contract's handler table (AppService);
// jobs run in utilityProcess children; menus, recent projects, dialogs, dropped files.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
} from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../contract';
import { readRecent } from '../core/project/index';
import { validateFlags } from '../core/flags';
import { AccessPolicy } from '../services/access';
import { AppService } from '../services/app';
import { StartupQueue } from '../services/settings';
import { DIALOG_CHANNEL, DROPPED_CHANNEL, MENU_CHANNEL, type DialogOptions, type ShellMessage } from './channels';
import { dispatch, type IpcHandlerTable } from './ipc-dispatch';
import { withFolderConsent } from './folder-consent';
import { menuTemplate, type MenuAction } from './menu';
import { allowPermission, isAllowedNavigation, isSafeExternalUrl, securityHeaders } from './security';
import { utilityRunnerTable } from './utility-runner';
import { mainWindowOptions } from './window-options';

const here = dirname(fileURLToPath(import.meta.url));
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? `file://${join(here, '../renderer/index.html')}`;
const access = new AccessPolicy();
// The queue chosen in the app's settings (local journal by default), read once now: a change applies at next start.
const settings = new StartupQueue();
void settings.inUse();
const service = new AppService({
  access,
  concurrency: 1,
  settings,
  runners: (dir) =>
    utilityRunnerTable(
      (entry, name) => utilityProcess.fork(entry, [], { serviceName: name, stdio: 'pipe' }),
      join(here, 'job-process.js'),
      dir,
    ),
});
let win: BrowserWindow | null = null;

function send(message: ShellMessage): void {
  win?.webContents.send(MENU_CHANNEL, message);
}

/** Only our own window, showing our own page, may call the contract. */
function trusted(e: IpcMainInvokeEvent): boolean {
  return (
    !!win && e.sender === win.webContents && !!e.senderFrame && isAllowedNavigation(e.senderFrame.url, rendererUrl)
  );
}

async function choose(opts: DialogOptions): Promise<string[]> {
  const props: ('openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory')[] = opts.directory
    ? ['openDirectory', 'createDirectory']
    : ['openFile'];
  if (opts.multiple) props.push('multiSelections');
  const r = win
    ? await dialog.showOpenDialog(win, {
        title: opts.title,
        properties: props,
        filters: opts.directory ? [] : [{ name: 'TIFF stacks', extensions: ['tif', 'tiff'] }],
      })
    : { canceled: true, filePaths: [] };
  if (r.canceled) return [];
  // What the user picked in a native dialog becomes readable by the app (files, or the folder's tree).
  for (const p of r.filePaths) await access.allow(p);
  return r.filePaths;
}

async function openProjectFromMenu(create: boolean, dir?: string): Promise<void> {
  const target =
    dir ?? (await choose({ directory: true, title: create ? 'New project folder' : 'Open project folder' }))[0];
  if (!target) return;
  await access.allow(target);
  const reply = await dispatch(service.handlers as IpcHandlerTable, create ? 'project.create' : 'project.open', {
    dir: target,
  });
  if (!reply.ok) {
    dialog.showErrorBox('Could not open the project', `${reply.error.message}\n\n${reply.error.hint ?? ''}`);
    return;
  }
  app.addRecentDocument(target);
  send({ type: 'project-opened' });
  void rebuildMenu();
}

function onMenu(a: MenuAction): void {
  if (a.type === 'navigate') send({ type: 'navigate', route: a.route });
  else if (a.type === 'new-project') void openProjectFromMenu(true);
  else if (a.type === 'open-project') void openProjectFromMenu(false);
  else if (a.type === 'open-recent') void openProjectFromMenu(false, a.dir);
  else if (a.type === 'import')
    void choose({ multiple: true, title: 'Import TIFF stacks' }).then(
      (paths) => paths.length && send({ type: 'import', paths }),
    );
  else send({ type: 'about', version: app.getVersion() });
}

async function rebuildMenu(): Promise<void> {
  const recent = await readRecent().catch(() => []);
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(recent, onMenu, process.platform === 'darwin')));
}

function harden(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) =>
    cb({ responseHeaders: securityHeaders(details.responseHeaders) }),
  );
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(allowPermission(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => allowPermission(permission));
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev, url) => {
      if (!isAllowedNavigation(url, rendererUrl)) ev.preventDefault();
    });
    contents.on('will-redirect', (ev, url) => {
      if (!isAllowedNavigation(url, rendererUrl)) ev.preventDefault();
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

/** The native box behind folders.allow: the page may ask for a folder, only the user can grant it. */
async function confirmFolder(dir: string, create: boolean): Promise<boolean> {
  if (!win) return false;
  const r = await dialog.showMessageBox(win, {
    type: 'question',
    buttons: ['Allow', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: `Allow CycleDecon to read and write in ${dir}?`,
    detail: create
      ? 'The folder does not exist yet; it will be made.'
      : 'The app will use files inside this folder only.',
  });
  return r.response === 0;
}

function registerIpc(): void {
  const handlers = withFolderConsent(service.handlers as IpcHandlerTable, confirmFolder);
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (e, method: unknown, request: unknown) => {
    if (!trusted(e)) return { ok: false, error: { code: 'FORBIDDEN', message: 'Request from an untrusted frame.' } };
    return dispatch(handlers, method, request);
  });
  ipcMain.handle(DIALOG_CHANNEL, async (e, opts: DialogOptions) =>
    trusted(e)
      ? choose({ directory: !!opts?.directory, multiple: !!opts?.multiple, title: String(opts?.title ?? '') })
      : [],
  );
  ipcMain.handle(DROPPED_CHANNEL, async (e, paths: unknown) => {
    if (!trusted(e) || !Array.isArray(paths)) return [];
    // Paths come from File objects the user dropped (resolved in the preload), never typed by the page.
    const ok = paths.filter((p): p is string => typeof p === 'string' && /\.tiff?$/i.test(p) && existsSync(p));
    for (const p of ok) await access.allow(p);
    return ok;
  });
  service.onEvent((event, payload) => win?.webContents.send(IPC_EVENT_CHANNEL, { event, payload }));
}

async function createWindow(): Promise<void> {
  win = new BrowserWindow(
    mainWindowOptions({
      preloadPath: join(here, '../preload/index.cjs'),
      iconPath: join(here, '../../assets/icon.png'),
    }),
  );
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));
  // A crashed renderer is reloaded; jobs keep running in their own processes.
  win.webContents.on('render-process-gone', (_e, d) => {
    if (d.reason !== 'clean-exit') win?.webContents.reload();
  });
  await (process.env.ELECTRON_RENDERER_URL
    ? win.loadURL(rendererUrl)
    : win.loadFile(join(here, '../renderer/index.html')));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('window-all-closed', () => {
    void service.close().finally(() => app.quit());
  });
  void app.whenReady().then(async () => {
    try {
      validateFlags(); // a bad CYCLEDECON_* value is said once, before any window (core/flags.ts)
    } catch (e) {
      dialog.showErrorBox('CycleDecon cannot start', (e as Error).message);
      app.exit(1);
      return;
    }
    harden();
    registerIpc();
    await rebuildMenu();
    await createWindow();
    app.on('activate', () => {
      if (!BrowserWindow.getAllWindows().length) void createWindow();
    });
  });
}
