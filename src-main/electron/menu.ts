// Application menu: projects (new, open, recent), import, views, help. Actions that need the window
// are sent to the renderer on the menu channel; dialogs run here in main.
import type { MenuItemConstructorOptions } from 'electron';

export type MenuAction =
  | { type: 'navigate'; route: string }
  | { type: 'new-project' }
  | { type: 'open-project' }
  | { type: 'open-recent'; dir: string }
  | { type: 'import' }
  | { type: 'about' };

export const VIEW_ROUTES: { label: string; route: string; accelerator: string }[] = [
  { label: 'Projects', route: '/projects', accelerator: 'CmdOrCtrl+1' },
  { label: 'Datasets', route: '/datasets', accelerator: 'CmdOrCtrl+2' },
  { label: 'Training', route: '/training', accelerator: 'CmdOrCtrl+3' },
  { label: 'PSF inspector', route: '/psf', accelerator: 'CmdOrCtrl+4' },
  { label: 'Compare', route: '/compare', accelerator: 'CmdOrCtrl+5' },
  { label: '3D viewer', route: '/viewer', accelerator: 'CmdOrCtrl+6' },
  { label: 'Queue', route: '/queue', accelerator: 'CmdOrCtrl+7' },
];

/** The menu template (pure, so it is unit-tested); `run` performs an action. */
export function menuTemplate(
  recent: { dir: string; name: string }[],
  run: (a: MenuAction) => void,
  isMac: boolean,
): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: () => run({ type: 'new-project' }) },
      { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => run({ type: 'open-project' }) },
      {
        label: 'Open Recent',
        submenu: recent.length
          ? recent
              .slice(0, 10)
              .map((r) => ({ label: `${r.name} — ${r.dir}`, click: () => run({ type: 'open-recent', dir: r.dir }) }))
          : [{ label: 'No recent projects', enabled: false }],
      },
      { type: 'separator' },
      { label: 'Import TIFF Stacks…', accelerator: 'CmdOrCtrl+I', click: () => run({ type: 'import' }) },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...VIEW_ROUTES.map((v) => ({
        label: v.label,
        accelerator: v.accelerator,
        click: () => run({ type: 'navigate', route: v.route }),
      })),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About CycleDecon', click: () => run({ type: 'about' }) }] },
  ];
}
