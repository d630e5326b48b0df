// BrowserWindow options as a pure function, so every security setting is asserted by a unit test
// that runs without the Electron binary.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (out/preload/index.cjs). */
  preloadPath: string;
  iconPath?: string;
  bounds?: { width: number; height: number; x?: number; y?: number };
}

export function mainWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const { width = 1440, height = 900, x, y } = input.bounds ?? {};
  return {
    width,
    height,
    ...(x !== undefined && y !== undefined ? { x, y } : {}),
    minWidth: 1024,
    minHeight: 680,
    title: 'CycleDecon',
    backgroundColor: '#16181c',
    show: false,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // WebGL2 is needed by the 3D viewer.
      webgl: true,
    },
  };
}
