// Routes of the app. Hash history: the packaged app loads index.html from file://.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/projects' },
  {
    path: '/projects',
    name: 'projects',
    component: () => import('./views/ProjectsView.vue'),
    meta: { title: 'Projects' },
  },
  {
    path: '/datasets',
    name: 'datasets',
    component: () => import('./views/DatasetsView.vue'),
    meta: { title: 'Datasets', needsProject: true },
  },
  {
    path: '/training',
    name: 'training',
    component: () => import('./views/TrainingView.vue'),
    meta: { title: 'Training', needsProject: true },
  },
  {
    path: '/psf',
    name: 'psf',
    component: () => import('./views/PsfView.vue'),
    meta: { title: 'PSF inspector', needsProject: true },
  },
  {
    path: '/compare',
    name: 'compare',
    component: () => import('./views/CompareView.vue'),
    meta: { title: 'Compare', needsProject: true },
  },
  {
    path: '/slices',
    name: 'slices',
    component: () => import('./views/SlicesView.vue'),
    meta: { title: 'Slices', needsProject: true },
  },
  {
    path: '/viewer',
    name: 'viewer',
    component: () => import('./views/ViewerView.vue'),
    meta: { title: '3D viewer', needsProject: true },
  },
  {
    path: '/queue',
    name: 'queue',
    component: () => import('./views/QueueView.vue'),
    meta: { title: 'Queue', needsProject: true },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./views/SettingsView.vue'),
    meta: { title: 'Settings' },
  },
];

export function makeRouter() {
  return createRouter({ history: createWebHashHistory(), routes });
}
