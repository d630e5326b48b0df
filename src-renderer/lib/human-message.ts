// A job's or call's error in the user's words: the Queue shows what went wrong and what to do, not Node's
// errno codes, byte offsets inside a TIFF, numeric arrays or stack traces. Pure: a table test covers it.

export interface ErrorLike {
  code?: string;
  message: string;
  hint?: string;
}
export interface HumanMessage {
  message: string;
  hint?: string;
}

const base = (p: string) => p.split(/[\\/]/).filter(Boolean).pop() ?? p;

/** Node's "ENOENT: no such file or directory, open '/a/b.tif'" and its kin, by errno code. */
const ERRNO: Record<string, (file: string) => HumanMessage> = {
  ENOENT: (f) => ({
    message: `${f ? `${f} is` : 'A file is'} missing: it was moved, renamed or deleted.`,
    hint: 'Put it back, or remove it from the project and import it again.',
  }),
  EACCES: (f) => ({ message: `No permission to use ${f || 'a file'}.`, hint: 'Check the file\u2019s permissions.' }),
  EPERM: (f) => ({ message: `No permission to use ${f || 'a file'}.`, hint: 'Check the file\u2019s permissions.' }),
  ENOSPC: () => ({ message: 'The disk is full.', hint: 'Free some space and retry the job.' }),
  EISDIR: (f) => ({ message: `${f || 'The path'} is a folder, not a file.` }),
  EMFILE: () => ({
    message: 'Too many files are open at once.',
    hint: 'Retry the job; close other programs if it happens again.',
  }),
};

/** Byte positions, offsets and long lists of numbers say nothing to a microscopist. */
function scrub(text: string): string {
  return text
    .replace(/\s*\((?:bytes?|offset) [^)]*\)/gi, '')
    .replace(/\s+at (?:byte|offset) \d+/gi, '')
    .replace(/\[[-\d.eE+,\sNaInfity]{24,}\]/g, '[…]')
    .replace(/\n\s+at .*/g, '') // stack frames
    .replace(/(?:\/[^\s'":]+)+\/([^\s/'":]+)/g, '$1') // absolute paths → file names
    .trim();
}

export function humanMessage(e: ErrorLike): HumanMessage {
  const errno = /\b(E[A-Z]{3,8}):[^,]*(?:, \w+ '([^']*)')?/.exec(e.message);
  if (errno && ERRNO[errno[1]!]) return ERRNO[errno[1]!]!(errno[2] ? base(errno[2]) : '');
  switch (e.code) {
    case 'NUMERIC':
      if (/loss/i.test(e.message))
        return {
          message: 'Training diverged: a loss became NaN or infinite.',
          hint: e.hint ?? 'Try a lower learning rate or check the input stacks.',
        };
      break;
    case 'OUT_OF_MEMORY':
      return { message: 'Not enough memory for this job.', hint: e.hint ?? 'Use smaller tiles or free memory.' };
    case 'TIFF_FORMAT': {
      const file = /^(.*?\.(?:ome\.)?tiff?):/i.exec(e.message)?.[1];
      return {
        message: `${file ? base(file) : 'The TIFF file'} is damaged or truncated and cannot be read.`,
        hint: e.hint ?? 'Export the stack again from its acquisition software.',
      };
    }
  }
  return { message: scrub(e.message), ...(e.hint ? { hint: scrub(e.hint) } : {}) };
}
