// The devserver transport: the contract's HTTP client, with network failures turned into a
// ContractError that says what to do.
import { ContractError, createHttpClient as createContractHttpClient, type ContractClient } from '../../src-main/contract';

export interface HttpClientOptions {
  baseUrl: string;
  token: string;
}

export function createHttpClient(opts: HttpClientOptions): ContractClient {
  const inner = createContractHttpClient({ baseUrl: opts.baseUrl.replace(/\/$/, ''), token: opts.token });
  return {
    async invoke(method, request) {
      try {
        return await inner.invoke(method, request);
      } catch (e) {
        if (e instanceof ContractError) throw e;
        throw new ContractError({
          code: 'NETWORK',
          message: `Cannot reach the CycleDecon server (${(e as Error).message}).`,
          hint: 'Check that `cycledecon serve` is still running, then reload the page.',
        });
      }
    },
    subscribe: (event, handler) => inner.subscribe(event, handler),
  };
}
