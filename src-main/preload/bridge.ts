// Shape of `window.cycledecon`: one function per contract method (named exactly as in the table), a
// typed `subscribe`, and the few shell services a window needs (dialogs, dropped files, menu).
// Types only — shared by the preload (which builds it) and the renderer (which uses it).
import type { BinaryMeta, EventName, EventOf, MethodName, RequestOf, Api, ErrorPayload } from '../contract';
import type { DialogOptions, ShellMessage } from '../electron/channels';
import type { z } from 'zod';

/** What crosses IPC: binary replies carry an ArrayBuffer, converted to Float32Array by the renderer client. */
export type IpcResult<M extends MethodName> = Api[M]['binary'] extends true
  ? { meta: BinaryMeta; data: ArrayBuffer }
  : z.output<Api[M]['response']>;
export type IpcReply<M extends MethodName> = { ok: true; result: IpcResult<M> } | { ok: false; error: ErrorPayload };

export type ContractMethods = { readonly [M in MethodName]: (request: RequestOf<M>) => Promise<IpcReply<M>> };

export interface ShellServices {
  readonly subscribe: <E extends EventName>(event: E, handler: (payload: EventOf<E>) => void) => () => void;
  /** Native open dialog: the chosen paths (empty when cancelled) become readable by the app. */
  readonly chooseFiles: (options: DialogOptions) => Promise<string[]>;
  /** Registers dropped TIFF files (paths resolved from the File objects) and returns their paths. */
  readonly allowDropped: (files: File[]) => Promise<string[]>;
  /** Menu choices resolved by the shell. */
  readonly onShell: (handler: (message: ShellMessage) => void) => () => void;
}

export type CycleDeconBridge = ContractMethods & ShellServices;
