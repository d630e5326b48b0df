// Error and info notices shown in the banner; every store reports failures here in plain words.
import { defineStore } from 'pinia';
import { plainError, type PlainError } from '../api/errors';

export interface Notice extends PlainError {
  id: number;
  level: 'error' | 'info';
}

let nextId = 1;

export const useNotices = defineStore('notices', {
  state: () => ({ items: [] as Notice[] }),
  actions: {
    error(e: unknown, action?: string): void {
      this.items.push({ id: nextId++, level: 'error', ...plainError(e, action) });
    },
    info(title: string, detail = ''): void {
      this.items.push({ id: nextId++, level: 'info', title, detail, hint: '' });
    },
    dismiss(id: number): void {
      this.items = this.items.filter((n) => n.id !== id);
    },
  },
});
