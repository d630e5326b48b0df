// The devserver transport: the contract's HTTP client, with network failures turned into a
// ContractError that says what to do, and a refused token (the server restarted with a new one) reported to
// `onUnauthorized` so the tab can ask for the new one.
import {
  ContractError,
  createHttpClient as createContractHttpClient,
  type ContractClient,
} from '../../src-main/contract';

export interface HttpClientOptions {
  baseUrl: string;
  token: string;
  onUnauthorized?: () => void;
}

export function createHttpClient(opts: HttpClientOptions): ContractClient {
  // A closed event socket may be a restart with a new token: one cheap call tells (a 401 raises onUnauthorized),
  // so the tab says so at once instead of at the user's next click. A server that is down just fails the probe.
  const probe = () => void client.invoke('project.recent', {}).catch(() => undefined);
  const inner = createContractHttpClient({
    baseUrl: opts.baseUrl.replace(/\/$/, ''),
    token: opts.token,
    onSocketClose: probe,
  });
  const client: ContractClient = {
    async invoke(method, request) {
      try {
        return await inner.invoke(method, request);
      } catch (e) {
        if (e instanceof ContractError) {
          if (e.code === 'UNAUTHORIZED' || e.code === 'HTTP_401') opts.onUnauthorized?.();
          throw e;
        }
        throw new ContractError({
          code: 'NETWORK',
          message: `Cannot reach the CycleDecon server (${(e as Error).message}).`,
          hint: 'Check that `cycledecon serve` is still running, then reload the page.',
        });
      }
    },
    subscribe: (event, handler) => inner.subscribe(event, handler),
  };
  return client;
}
