// Preload: exposes the contract to the renderer (placeholder until the desktop issue lands).
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('cycledecon', {});
