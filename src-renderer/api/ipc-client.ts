// ContractClient over the Electron preload bridge (window.cycledecon).
import {
  ContractError,
  api,
  type ContractClient,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../src-main/contract';
import type { CycleDeconBridge, IpcReply } from '../../src-main/preload/bridge';

export function createIpcClient(bridge: CycleDeconBridge): ContractClient {
  return {
    async invoke<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const call = bridge[method] as (r: RequestOf<M>) => Promise<IpcReply<M>>;
      const reply = await call(request);
      if (!reply.ok) throw new ContractError(reply.error);
      if (api[method].binary) {
        const r = reply.result as { meta: unknown; data: ArrayBuffer };
        return { meta: r.meta, data: new Float32Array(r.data) } as ResponseOf<M>;
      }
      return reply.result as ResponseOf<M>;
    },
    subscribe: (event, handler) => bridge.subscribe(event, handler),
  };
}
