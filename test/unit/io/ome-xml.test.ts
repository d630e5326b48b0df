// The OME-XML start-tag scanner: the elements and attributes the reader needs, markup it must skip, and
// time linear in the description's length on the hostile shape that made the old regexes quadratic.
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers';
import { scanStartTags, XmlSyntaxError, type StartTag } from '../../../src-main/core/io/ome-xml';
import { readTiffInfo } from '../../../src-main/core/io/index';
import { TiffFormatError } from '../../../src-main/core/errors';
import { longOmeXml, pageEntries, TiffBuilder } from './tiff-builder';

function tags(xml: string, wanted = ['Pixels', 'TiffData']): StartTag[] {
  const out: StartTag[] = [];
  scanStartTags(xml, new Set(wanted), (t) => {
    out.push(t);
    return false;
  });
  return out;
}

describe('OME-XML start-tag scanner', () => {
  it('reads attributes in either quote, drops namespace prefixes, keeps values as written', () => {
    const found = tags(
      `<?xml version="1.0"?><ome:OME xmlns:ome="x"><ome:Pixels SizeZ = "3" DimensionOrder='XYCZT' Name="a&gt;b"><ome:TiffData IFD="2"/></ome:Pixels></ome:OME>`,
    );
    expect(found).toHaveLength(2);
    const p = found[0]!,
      d = found[1]!;
    expect(p.name).toBe('Pixels');
    expect(Object.fromEntries(p.attributes)).toEqual({ SizeZ: '3', DimensionOrder: 'XYCZT', Name: 'a&gt;b' });
    expect(d.name).toBe('TiffData');
    expect(d.attributes.get('IFD')).toBe('2');
  });

  it('skips comments, CDATA, declarations and a ">" inside attribute values', () => {
    const xml =
      '<!DOCTYPE OME><OME><!-- <Pixels SizeZ="9"> --><![CDATA[<Pixels SizeZ="8">]]><Image Name="x>y"><Pixels SizeZ="2"/></Image></OME>';
    expect(tags(xml).map((t) => t.attributes.get('SizeZ'))).toEqual(['2']);
  });

  it('stops when the visitor says so', () => {
    let seen = 0;
    scanStartTags('<a/><Pixels/><Pixels/><b', new Set(['Pixels']), () => ++seen === 1);
    expect(seen).toBe(1);
  });

  it.each([
    ['unquoted value', '<OME><Pixels SizeZ=1>'],
    ['unterminated value', '<OME><Pixels SizeZ="1>'],
    ['unterminated comment', '<OME><!-- <Pixels>'],
    ['tag cut off', '<OME><Pixels SizeZ="1"'],
  ])('throws XmlSyntaxError on %s', (_, xml) => {
    expect(() => tags(xml)).toThrow(XmlSyntaxError);
  });

  it('scans 8 MB of unclosed start tags in linear time', () => {
    const xml = '<OME>' + '<Pixels '.repeat(1_000_000);
    const t0 = performance.now();
    expect(() => tags(xml)).toThrow(XmlSyntaxError);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('OME-XML descriptions in TIFF files', () => {
  const dir = tempDir();
  function omeFile(xml: string, pages: number): string {
    const t = new TiffBuilder();
    const desc = t.ascii(xml);
    for (let i = 0; i < pages; i++) {
      const strip = t.blob(new Uint8Array(64).fill(i));
      t.ifd([
        ...pageEntries(8, 8, strip, 64),
        ...(i === 0 ? [{ tag: 270, type: 2, count: xml.length + 1, at: desc }] : []),
      ]);
    }
    const path = join(dir, `ome-${pages}.tif`);
    writeFileSync(path, t.build());
    return path;
  }

  it('a 250 KB hostile description is refused in well under 2 s (the regexes took 6.8 s)', async () => {
    const path = join(dir, 'long.tif');
    writeFileSync(path, longOmeXml(250 * 1024));
    const t0 = performance.now();
    await expect(readTiffInfo(path)).rejects.toThrow(/OME-XML description is malformed: attribute SizeZ is not quoted/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('takes sizes, order, calibration and the first TiffData after Pixels', async () => {
    const xml =
      '<?xml version="1.0"?><OME><Image><Pixels DimensionOrder="XYCZT" SizeX="8" SizeY="8" SizeZ="2" SizeC="2" SizeT="1" ' +
      'PhysicalSizeX="100" PhysicalSizeXUnit="nm" PhysicalSizeY="0.1" PhysicalSizeZ="0.5"><Channel/><TiffData IFD="1" PlaneCount="4"/>' +
      '<TiffData IFD="0"/></Pixels></Image></OME>';
    const info = await readTiffInfo(omeFile(xml, 5));
    expect(info).toMatchObject({
      sourceFormat: 'ome',
      shape: [2, 8, 8],
      channels: 2,
      frames: 1,
      voxelSizeAssumed: false,
    });
    expect(info.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.5, unit: 'µm' });
  });

  it('a description without Pixels is a TiffFormatError', async () => {
    await expect(readTiffInfo(omeFile('<OME><Image/></OME>', 1))).rejects.toBeInstanceOf(TiffFormatError);
  });
});
