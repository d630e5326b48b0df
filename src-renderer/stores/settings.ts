// The app's settings as the Settings view sees them: the stored queue choice, the queue this run uses, and the
// outcome of the last connection test (kept here, shown beside the field, not as a banner).
import { defineStore } from 'pinia';
import type { AppSettings, QueueProbe, SettingsState } from '../../src-main/contract';
import { useClient } from '../api';
import { plainError, type PlainError } from '../api/errors';
import { useNotices } from './notices';

export type ProbeOutcome = { ok: true; probe: QueueProbe; url: string } | { ok: false; error: PlainError; url: string };

export const useSettings = defineStore('settings', {
  state: () => ({
    state: null as SettingsState | null,
    probe: null as ProbeOutcome | null,
    testing: false,
    saving: false,
  }),
  actions: {
    async load(): Promise<void> {
      try {
        this.state = await useClient().invoke('settings.get', {});
      } catch (e) {
        useNotices().error(e, 'Reading the settings');
      }
    },
    async save(settings: AppSettings): Promise<boolean> {
      this.saving = true;
      try {
        this.state = await useClient().invoke('settings.set', { settings });
        return true;
      } catch (e) {
        useNotices().error(e, 'Saving the settings');
        return false;
      } finally {
        this.saving = false;
      }
    },
    /** PINGs the queue at `url`; the answer (round trip, or why not) lands in `probe`. */
    async testQueue(url: string): Promise<void> {
      this.testing = true;
      try {
        this.probe = { ok: true, probe: await useClient().invoke('settings.testQueue', { url }), url };
      } catch (e) {
        this.probe = { ok: false, error: plainError(e, 'Connecting'), url };
      } finally {
        this.testing = false;
      }
    },
  },
});
