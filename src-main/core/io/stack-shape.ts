// Second look at a stack's declared geometry before any pixel is read: headers that disagree with themselves
// and planes filed under the wrong axis. Each reinterpretation is reported as a warning, never done silently.
import type { StackLayout } from './metadata';

export interface ShapeOptions {
  /**
   * Read the planes of a single-slice, multichannel file as z. Only for PSFs: tifffile before 2022 wrote
   * `imwrite(psf, imagej=True)` of a ZYX array as `channels=N, slices=1`, and a PSF has one channel by nature.
   */
  channelsAsZ?: boolean;
}

export interface CheckedLayout {
  layout: StackLayout;
  warnings: string[];
}

function withAxes(
  layout: StackLayout,
  slices: number,
  channels: number,
  frames: number,
  pageOf: StackLayout['pageOf'],
): StackLayout {
  return { ...layout, slices, channels, frames, pageOf };
}

/**
 * An ImageJ stack saved with frames but no slices is shown by ImageJ as a time series of 2D images. For a
 * deconvolution tool that is nearly always a z-stack filed as frames (Image › Properties swapped), and a
 * time series of 2D images cannot be deconvolved in 3D anyway, so the frames are read as z, with a warning.
 */
function framesAsZ(file: string, layout: StackLayout, warnings: string[]): StackLayout {
  const d = layout.declared;
  if (layout.sourceFormat !== 'imagej' || !d || d.slices !== undefined || layout.slices !== 1 || layout.frames < 2)
    return layout;
  warnings.push(
    `${file}: the ImageJ header declares ${layout.frames} frames and no slices (ImageJ would show time points); ` +
      `read as a z-stack of ${layout.frames} slices. If these are really time points of a 2D image, they cannot be deconvolved in 3D.`,
  );
  const inner = layout.pageOf;
  return withAxes(layout, layout.frames, layout.channels, 1, (z, c) => inner(0, c, z));
}

function channelsAsZ(file: string, layout: StackLayout, warnings: string[]): StackLayout {
  if (layout.slices !== 1 || layout.channels < 2) return layout;
  warnings.push(
    `${file}: ${layout.channels} planes are stored as channels with 1 slice (older tifffile writes a PSF this way); ` +
      `read as a z-stack of ${layout.channels} slices.`,
  );
  const inner = layout.pageOf;
  return withAxes(layout, layout.channels, 1, layout.frames, (z, _c, t) => inner(0, z, t));
}

/** `images=16 slices=2`: the header promises more pages than its axes account for; say which are ignored. */
function imagesMismatch(file: string, layout: StackLayout, warnings: string[]): void {
  const images = layout.declared?.images;
  const used = layout.slices * layout.channels * layout.frames;
  if (images === undefined || images === used) return;
  warnings.push(
    `${file}: the ImageJ header is inconsistent: images=${images} but slices × channels × frames = ` +
      `${layout.slices} × ${layout.channels} × ${layout.frames} = ${used}; ` +
      (images > used ? `${images - used} pages are not part of the stack and are ignored. ` : '') +
      'Check Image › Properties in ImageJ and save the stack again.',
  );
}

export function checkLayout(file: string, layout: StackLayout, options: ShapeOptions = {}): CheckedLayout {
  const warnings: string[] = [];
  imagesMismatch(file, layout, warnings);
  let out = framesAsZ(file, layout, warnings);
  if (options.channelsAsZ) out = channelsAsZ(file, out, warnings);
  return { layout: out, warnings };
}
