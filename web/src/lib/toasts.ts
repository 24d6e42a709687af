// Short notifications in the corner (errors from the server, events of other people).
import { signal } from '@preact/signals';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

export const toasts = signal<Toast[]>([]);
let nextId = 1;

export function notify(text: string, kind: Toast['kind'] = 'info', ms = 6000): void {
  const toast = { id: nextId++, kind, text };
  toasts.value = [...toasts.value.slice(-4), toast];
  setTimeout(() => dismiss(toast.id), ms);
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}
