// Owns the canvas, WebGL context, camera and orbit controls; holds one VolumeRenderer at a time and
// swaps it when the mode changes. Renders on demand (controls change, settings change).
import { PerspectiveCamera, Scene, WebGLRenderer, Color } from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { toMicrometres } from '../lib/units';
import { downsampleToFit, type VolumeData } from '../lib/volume';
import { AxesOverlay, centreScaleBar, type AxisLabel } from './axes';
import { createIsoRenderer, createMipRenderer } from './raymarch';
import { createOverlayRenderer } from './overlay';
import { defaultSettings, type RenderMode, type RenderSettings, type VolumeRenderer } from './types';

export class VolumeViewer {
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(35, 1, 0.01, 100);
  private readonly controls: OrbitControls;
  private current: VolumeRenderer;
  private volumes: VolumeData[] = [];
  private settings: RenderSettings = defaultSettings();
  private frame = 0;
  private readonly axes = new AxesOverlay(this.scene);
  /** Called after each frame (the view redraws its µm labels and scale bar). */
  onRender: (() => void) | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    mode: RenderMode = 'mip',
  ) {
    // preserveDrawingBuffer lets screenshots and tests read the pixels back.
    this.renderer = new WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.scene.background = new Color(0x0d0f12);
    this.camera.position.set(1.0, -0.8, 1.4);
    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.addEventListener('change', () => this.requestRender());
    this.current = this.make(mode);
    this.resize();
  }

  private make(mode: RenderMode): VolumeRenderer {
    const make = mode === 'overlay' ? createOverlayRenderer : mode === 'iso' ? createIsoRenderer : createMipRenderer;
    const r = make(this.scene, this.camera);
    r.update(this.settings);
    if (this.volumes.length) r.setChannels(this.volumes);
    return r;
  }

  get mode(): RenderMode {
    return this.current.mode;
  }

  setMode(mode: RenderMode): void {
    if (mode === this.current.mode) return;
    this.current.dispose();
    this.current = this.make(mode);
    this.requestRender();
  }

  setVolume(volume: VolumeData): void {
    this.setChannels([volume]);
  }

  /** Every channel of one time point (overlay mode shows them all; the others the first). */
  setChannels(volumes: readonly VolumeData[]): void {
    // Respect the GPU's 3D texture limit (often 2048, 256 on some integrated GPUs): coarser level if needed.
    const gl = this.renderer.getContext();
    const limit = Number(gl.getParameter((gl as WebGL2RenderingContext).MAX_3D_TEXTURE_SIZE)) || 256;
    this.volumes = volumes.map((v) => (Math.max(...v.shape) > limit ? downsampleToFit(v, limit ** 3 / 8) : v));
    const first = volumes[0];
    if (first) {
      const um = toMicrometres(first.voxelSize),
        [nz, ny, nx] = first.shape;
      const s = um.known ? um : { x: 1, y: 1, z: 1 };
      this.axes.setExtent([nx * s.x, ny * s.y, nz * s.z], um.known ? 'µm' : 'px');
    }
    this.current.setChannels(this.volumes);
    this.requestRender();
  }

  update(settings: Partial<RenderSettings>): void {
    this.settings = { ...this.settings, ...settings };
    this.current.update(settings);
    this.requestRender();
  }

  resize(): void {
    const w = this.canvas.clientWidth || 640;
    const h = this.canvas.clientHeight || 480;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  resetView(): void {
    this.camera.position.set(1.0, -0.8, 1.4);
    this.controls.target.set(0, 0, 0);
    this.controls.update();
  }

  requestRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderer.render(this.scene, this.camera);
      this.onRender?.();
    });
  }

  /** Tick labels in µm along the volume's edges and the scale bar at the rotation centre, in canvas CSS pixels. */
  annotations(): { labels: AxisLabel[]; bar: { length: number; px: number }; unit: string } {
    const w = this.canvas.clientWidth || 640,
      h = this.canvas.clientHeight || 480;
    this.camera.updateMatrixWorld();
    return {
      labels: this.axes.labels(this.camera, w, h),
      bar: centreScaleBar(this.camera, this.controls.target, this.axes.scale, w, h),
      unit: this.axes.unit,
    };
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.current.dispose();
    this.axes.dispose();
    this.controls.dispose();
    this.renderer.dispose();
  }
}
