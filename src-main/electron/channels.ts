// IPC channels of the shell beyond the contract (native dialogs, dropped files, menu actions).
export const DIALOG_CHANNEL = 'cycledecon:dialog';
export const DROPPED_CHANNEL = 'cycledecon:dropped';
export const MENU_CHANNEL = 'cycledecon:menu';

/** What the shell tells the window (menu choices already resolved through dialogs). */
export type ShellMessage =
  | { type: 'navigate'; route: string }
  | { type: 'project-opened' }
  | { type: 'import'; paths: string[] }
  | { type: 'about'; version: string };

export interface DialogOptions {
  directory?: boolean;
  multiple?: boolean;
  title?: string;
}
