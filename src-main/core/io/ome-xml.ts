// A linear-time scanner for the start tags of an OME-XML description. Regexes such as
// /<Pixels\b[^>]*>/ rescan the rest of the text from every candidate, which is quadratic on a hostile
// description (a 707 KB one took 78 s); here every character is looked at a bounded number of times.
// Only what the reader needs is supported: elements, their attributes, comments, CDATA, processing
// instructions and declarations are skipped; entities in attribute values are left as written.

export interface StartTag {
  /** Local name, namespace prefix removed (`ome:Pixels` → `Pixels`). */
  name: string;
  attributes: Map<string, string>;
}

export class XmlSyntaxError extends Error {}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** Characters that end a tag or attribute name. */
const endsName = (c: number): boolean =>
  isSpace(c) || c === 0x3e /* > */ || c === 0x2f /* / */ || c === 0x3d /* = */ || c === 0x3c; /* < */

class Cursor {
  constructor(
    readonly text: string,
    public at = 0,
  ) {}

  /** Moves past the next `token`; a missing one means the markup never ends. */
  skipPast(token: string, what: string): void {
    const end = this.text.indexOf(token, this.at);
    if (end < 0) throw new XmlSyntaxError(`unterminated ${what} at character ${this.at}`);
    this.at = end + token.length;
  }

  skipSpace(): void {
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  name(): string {
    const start = this.at;
    while (this.at < this.text.length && !endsName(this.text.charCodeAt(this.at))) this.at++;
    if (this.at === start) throw new XmlSyntaxError(`expected a name at character ${start}`);
    return this.text.slice(start, this.at);
  }
}

const localName = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);

/** Reads the attributes of a start tag and the closing `>` or `/>`; keeps them only when `keep`. */
function readAttributes(cur: Cursor, keep: boolean): Map<string, string> {
  const attributes = new Map<string, string>();
  for (;;) {
    cur.skipSpace();
    const c = cur.text.charCodeAt(cur.at);
    if (c === 0x3e) {
      cur.at++;
      return attributes;
    }
    if (c === 0x2f && cur.text.charCodeAt(cur.at + 1) === 0x3e) {
      cur.at += 2;
      return attributes;
    }
    if (Number.isNaN(c)) throw new XmlSyntaxError('the description ends inside a start tag');
    const name = cur.name();
    cur.skipSpace();
    if (cur.text.charCodeAt(cur.at) !== 0x3d)
      throw new XmlSyntaxError(`attribute ${name} has no value at character ${cur.at}`);
    cur.at++;
    cur.skipSpace();
    const quote = cur.text[cur.at];
    if (quote !== '"' && quote !== "'")
      throw new XmlSyntaxError(`attribute ${name} is not quoted at character ${cur.at}`);
    const start = ++cur.at;
    cur.skipPast(quote, `attribute ${name}`);
    if (keep) attributes.set(name, cur.text.slice(start, cur.at - 1));
  }
}

/**
 * Calls `visit` with each start tag, in document order, until it returns true. Attributes are collected
 * only for tags `wanted` names (by local name); the rest are skipped without allocating.
 * Throws XmlSyntaxError on markup that never closes or is malformed.
 */
export function scanStartTags(xml: string, wanted: ReadonlySet<string>, visit: (tag: StartTag) => boolean): void {
  const cur = new Cursor(xml);
  for (;;) {
    const lt = xml.indexOf('<', cur.at);
    if (lt < 0) return;
    cur.at = lt + 1;
    if (xml.startsWith('!--', cur.at)) {
      cur.skipPast('-->', 'comment');
      continue;
    }
    if (xml.startsWith('![CDATA[', cur.at)) {
      cur.skipPast(']]>', 'CDATA section');
      continue;
    }
    const c = xml[cur.at];
    if (c === '?') {
      cur.skipPast('?>', 'processing instruction');
      continue;
    }
    if (c === '!' || c === '/') {
      cur.skipPast('>', c === '/' ? 'end tag' : 'declaration');
      continue;
    }
    const name = localName(cur.name());
    const keep = wanted.has(name);
    const attributes = readAttributes(cur, keep);
    if (keep && visit({ name, attributes })) return;
  }
}
