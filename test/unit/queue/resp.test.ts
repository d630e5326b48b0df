// The RESP2 codec under the built-in Redis client: replies split at any byte, nested arrays, nulls, errors.
import { describe, expect, it } from 'vitest';
import { encodeCommand, RedisReplyError, RespParser } from '../../../src-main/core/queue/redis/resp';

describe('RESP2 codec', () => {
  it('encodes commands as arrays of bulk strings, bytes included', () => {
    expect(encodeCommand(['SET', 'k', 12, Buffer.from([0, 255])]).toString('latin1')).toBe(
      '*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n$2\r\n\u0000\u00ff\r\n',
    );
    expect(encodeCommand(['ECHO', 'µm']).toString()).toBe('*2\r\n$4\r\nECHO\r\n$3\r\nµm\r\n');
  });

  it('parses every reply type however the bytes are split', () => {
    const wire = Buffer.from(
      '+OK\r\n-ERR bad\r\n:42\r\n$-1\r\n$2\r\nµ\r\n*3\r\n$1\r\na\r\n*2\r\n:1\r\n$0\r\n\r\n*-1\r\n*-1\r\n',
    );
    for (let cut = 0; cut <= wire.length; cut++) {
      for (let cut2 = cut; cut2 <= wire.length; cut2 += 7) {
        const p = new RespParser();
        const out = [
          ...p.push(wire.subarray(0, cut)),
          ...p.push(wire.subarray(cut, cut2)),
          ...p.push(wire.subarray(cut2)),
        ];
        expect(out.length).toBe(7);
        expect(out[0]).toBe('OK');
        expect(out[1]).toBeInstanceOf(RedisReplyError);
        expect((out[1] as Error).message).toBe('ERR bad');
        expect(out.slice(2, 5)).toEqual([42, null, 'µ']);
        expect(out[5]).toEqual(['a', [1, ''], null]);
        expect(out[6]).toBeNull();
      }
    }
  });
});
