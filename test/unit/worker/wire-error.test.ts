// Errors crossing a worker boundary: a typed error arrives with its class name, code and hint (what the CLI
// and the app show); any other error arrives as a plain Error, so the CLI reports it as an internal error.
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { fromWireError, toWireError, type WireError } from '../../../src-main/worker/wire-error';
import { CycleDeconError, isCycleDeconError, TiffFormatError } from '../../../src-main/core/errors';

/** Sends the wire form through a real MessagePort (structured clone), as the workers do. */
async function overPort(w: WireError): Promise<WireError> {
  const { port1, port2 } = new MessageChannel();
  const got = new Promise<WireError>((r) => port2.once('message', r));
  port1.postMessage(w);
  const out = await got;
  port1.close();
  return out;
}

describe('wire errors', () => {
  it('keeps a typed error’s class name, code, message and hint', async () => {
    const e = await overPort(toWireError(new TiffFormatError('a.tif', 'truncated', 'Export it again.')));
    expect(e).toEqual({
      name: 'TiffFormatError',
      code: 'TIFF_FORMAT',
      message: expect.stringContaining('a.tif'),
      hint: 'Export it again.',
    });
    const back = fromWireError(e);
    expect(isCycleDeconError(back)).toBe(true);
    expect(back).toMatchObject({ name: 'TiffFormatError', code: 'TIFF_FORMAT', hint: 'Export it again.' });
    expect(back.message).toBe(e.message);
  });

  it('sends another error as a plain Error: its message, or its stack when asked', async () => {
    const boom = new RangeError('index 9 out of range');
    const plain = fromWireError(await overPort(toWireError(boom)));
    expect(plain).not.toBeInstanceOf(CycleDeconError);
    expect(plain).toMatchObject({ name: 'RangeError', message: 'index 9 out of range' });
    const stack = await overPort(toWireError(boom, 'stack'));
    expect(stack.code).toBeUndefined();
    expect(stack.message).toBe(boom.stack);
    expect(toWireError('just a string')).toEqual({ name: 'Error', message: 'just a string' });
  });

  it('reads a wire error without a name (an older or hand-written sender) and keeps the class default', () => {
    const e = fromWireError({ code: 'OUT_OF_MEMORY', message: 'too big', hint: 'crop' } as WireError);
    expect(e).toMatchObject({ name: 'CycleDeconError', code: 'OUT_OF_MEMORY', hint: 'crop' });
  });
});
