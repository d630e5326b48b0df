// The interface every volume renderer implements; views only talk to this (after Allen Cell volume-viewer).
import type { Camera, Scene } from 'three';
import type { VolumeData } from '../lib/volume';
import type { ColormapName } from '../lib/display';

/** `overlay`: a maximum intensity projection of every channel, each in its own colour, added together. */
export type RenderMode = 'mip' | 'iso' | 'overlay';

export interface RenderSettings {
  /** Display window on the volume's normalised range 0..1. */
  low: number;
  high: number;
  gamma: number;
  colormap: ColormapName;
  /** Isosurface threshold on the normalised range (iso mode). */
  isoValue: number;
  /** Axis-aligned clipping box in normalised volume coordinates [x, y, z], 0..1. */
  clipMin: [number, number, number];
  clipMax: [number, number, number];
  /** Ray samples across the volume's longest axis. */
  steps: number;
  /** Colour of channel i in overlay mode (cycled when there are more channels). */
  channelColormaps: ColormapName[];
}

export const defaultSettings = (): RenderSettings => ({
  low: 0,
  high: 1,
  gamma: 1,
  colormap: 'gray',
  isoValue: 0.35,
  clipMin: [0, 0, 0],
  clipMax: [1, 1, 1],
  steps: 256,
  channelColormaps: ['cyan', 'magenta', 'yellow', 'green'],
});

export interface VolumeRenderer {
  readonly mode: RenderMode;
  /** Uploads a volume (already downsampled to the level of detail the view wants). */
  setVolume(volume: VolumeData): void;
  /** Uploads every channel of one time point (same shape); a single-volume renderer shows the first. */
  setChannels(volumes: readonly VolumeData[]): void;
  /** Applies changed settings; cheap (uniforms only). */
  update(settings: Partial<RenderSettings>): void;
  /** Releases GPU resources and removes itself from the scene. */
  dispose(): void;
}

export type RendererFactory = (scene: Scene, camera: Camera) => VolumeRenderer;
