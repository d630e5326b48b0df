// Which volume of each training stack a train job reads. A multichannel stack trains on the channel the user
// chose and on no other: taking channel 0 unasked would train a model of whichever dye happened to be first.
import { InvalidParameterError } from '../errors';

interface StackCounts {
  name: string;
  channels?: number;
  frames?: number;
}

/** The channel and frame to read from every stack, checked against each stack's counts before any work. */
export function trainSelection(
  stacks: readonly StackCounts[],
  spec: { channel?: number; frame?: number },
): { channel: number; frame: number } {
  const frame = spec.frame ?? 0;
  const multi = stacks.filter((s) => (s.channels ?? 1) > 1);
  if (spec.channel === undefined && multi.length) {
    const s = multi[0]!;
    throw new InvalidParameterError(
      'spec.channel',
      `${s.name} has ${s.channels} channels and no channel was chosen`,
      'Choose the channel to train on (a model learns one dye); train one model per channel.',
    );
  }
  const channel = spec.channel ?? 0;
  for (const s of stacks) {
    if (channel >= (s.channels ?? 1))
      throw new InvalidParameterError(
        'spec.channel',
        `${channel} is out of range: ${s.name} has ${s.channels ?? 1} channel(s) (counting from 0)`,
      );
    if (frame >= (s.frames ?? 1))
      throw new InvalidParameterError(
        'spec.frame',
        `${frame} is out of range: ${s.name} has ${s.frames ?? 1} frame(s) (counting from 0)`,
      );
  }
  return { channel, frame };
}
