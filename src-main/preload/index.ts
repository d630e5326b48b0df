// Preload (sandboxed, CommonJS): exposes exactly the contract's methods, generated from the contract
// table, plus `subscribe` for the contract's events and three shell services. No generic send/invoke.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { api, events, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type EventEnvelope, type EventName } from '../contract';
import {
  DIALOG_CHANNEL,
  DROPPED_CHANNEL,
  MENU_CHANNEL,
  type DialogOptions,
  type ShellMessage,
} from '../electron/channels';
import type { CycleDeconBridge } from './bridge';

export function buildBridge(): CycleDeconBridge {
  const methods: Record<string, (request: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(api)) {
    methods[name] = (request: unknown) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, request);
  }
  const subscribe = (event: EventName, handler: (payload: never) => void): (() => void) => {
    if (!Object.prototype.hasOwnProperty.call(events, event)) throw new Error(`unknown event "${String(event)}"`);
    const listener = (_e: IpcRendererEvent, envelope: EventEnvelope) => {
      if (envelope?.event === event) handler(envelope.payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, listener);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, listener);
  };
  const onShell = (handler: (m: ShellMessage) => void): (() => void) => {
    const listener = (_e: IpcRendererEvent, m: ShellMessage) => handler(m);
    ipcRenderer.on(MENU_CHANNEL, listener);
    return () => ipcRenderer.removeListener(MENU_CHANNEL, listener);
  };
  // Sound: `methods` has one entry per contract method, built from `api` above; TS cannot map that loop to
  // the bridge's per-method signatures, so the object is re-typed through unknown.
  return Object.freeze({
    ...methods,
    subscribe,
    onShell,
    chooseFiles: (options: DialogOptions) => ipcRenderer.invoke(DIALOG_CHANNEL, options),
    // getPathForFile only resolves real dropped/picked files, so the page cannot forge a path here.
    allowDropped: (files: File[]) =>
      ipcRenderer.invoke(DROPPED_CHANNEL, files.map((f) => webUtils.getPathForFile(f)).filter(Boolean)),
  }) as unknown as CycleDeconBridge;
}

contextBridge.exposeInMainWorld('cycledecon', buildBridge());
