// The interface every volume renderer implements; views only talk to this (after Allen Cell volume-viewer).
import type { Camera, Scene } from 'three';
import type { VolumeData } from '../lib/volume';
import type { ColormapName } from '../lib/display';

export type RenderMode = 'mip' | 'iso';

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
});

export interface VolumeRenderer {
  readonly mode: RenderMode;
  /** Uploads a volume (already downsampled to the level of detail the view wants). */
  setVolume(volume: VolumeData): void;
  /** Applies changed settings; cheap (uniforms only). */
  update(settings: Partial<RenderSettings>): void;
  /** Releases GPU resources and removes itself from the scene. */
  dispose(): void;
}

export type RendererFactory = (scene: Scene, camera: Camera) => VolumeRenderer;
