// The devserver client reopens its event socket after the server closes it (a restart), while anyone listens.
import { describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../src-main/contract/http-client';

class FakeSocket {
  static all: FakeSocket[] = [];
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close(): void {
    this.onclose?.({});
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noFetch = async () => {
  throw new Error('no fetch in this test');
};

describe('http client events', () => {
  it('reopens a closed socket and delivers events on the new one', async () => {
    FakeSocket.all = [];
    const c = createHttpClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      fetch: noFetch,
      WebSocket: FakeSocket,
      reconnectMs: 5,
    });
    const got: unknown[] = [];
    c.subscribe('job.log', (p) => got.push(p));
    expect(FakeSocket.all).toHaveLength(1);
    FakeSocket.all[0]!.onclose?.({}); // the server went away
    await wait(30);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.onmessage?.({
      data: JSON.stringify({ event: 'job.log', payload: { jobId: 'job_aaaa1111', line: 'back' } }),
    });
    expect(got).toEqual([{ jobId: 'job_aaaa1111', line: 'back' }]);
    c.close();
    await wait(30);
    expect(FakeSocket.all).toHaveLength(2); // closed by the app: no reopening
  });

  it('tells onSocketClose each time the socket closes, and not once the app closed the client', async () => {
    FakeSocket.all = [];
    let told = 0;
    const c = createHttpClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      fetch: noFetch,
      WebSocket: FakeSocket,
      reconnectMs: 5,
      onSocketClose: () => told++,
    });
    c.subscribe('job.log', () => undefined);
    FakeSocket.all[0]!.onclose?.({});
    await wait(30);
    FakeSocket.all[1]!.onclose?.({});
    expect(told).toBe(2);
    c.close();
    expect(told).toBe(2);
  });

  it('does not reopen when nobody listens', async () => {
    FakeSocket.all = [];
    const c = createHttpClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      fetch: noFetch,
      WebSocket: FakeSocket,
      reconnectMs: 5,
    });
    const off = c.subscribe('job.log', () => undefined);
    off();
    FakeSocket.all[0]!.onclose?.({});
    await wait(30);
    expect(FakeSocket.all).toHaveLength(1);
    c.close();
  });
});
