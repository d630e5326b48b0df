// The application menu offers projects, recent projects, import and every view.
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, VIEW_ROUTES, type MenuAction } from '../../../src-main/electron/menu';

const sub = (m: MenuItemConstructorOptions) => m.submenu as MenuItemConstructorOptions[];
const click = (m: MenuItemConstructorOptions | undefined) => (m?.click as unknown as () => void)();

describe('application menu', () => {
  it('lists recent projects and opens the chosen one', () => {
    const got: MenuAction[] = [];
    const t = menuTemplate([{ dir: '/data/p1', name: 'Bars' }], (a) => got.push(a), false);
    const file = t.find((m) => m.label === 'File') as MenuItemConstructorOptions;
    const recent = sub(file).find((m) => m.label === 'Open Recent') as MenuItemConstructorOptions;
    expect(sub(recent).map((m) => m.label)).toEqual(['Bars — /data/p1']);
    click(sub(recent)[0]);
    click(sub(file).find((m) => m.label === 'Import TIFF Stacks…'));
    expect(got).toEqual([{ type: 'open-recent', dir: '/data/p1' }, { type: 'import' }]);
  });

  it('says when there are no recent projects and navigates to every view', () => {
    const got: MenuAction[] = [];
    const t = menuTemplate([], (a) => got.push(a), true);
    expect(t[0]!.role).toBe('appMenu');
    const recent = sub(t.find((m) => m.label === 'File') as MenuItemConstructorOptions).find(
      (m) => m.label === 'Open Recent',
    ) as MenuItemConstructorOptions;
    expect(sub(recent)[0]!.enabled).toBe(false);
    const view = sub(t.find((m) => m.label === 'View') as MenuItemConstructorOptions);
    VIEW_ROUTES.forEach((r) => click(view.find((m) => m.label === r.label)));
    expect(got.map((a) => (a.type === 'navigate' ? a.route : ''))).toEqual(VIEW_ROUTES.map((r) => r.route));
  });
});
