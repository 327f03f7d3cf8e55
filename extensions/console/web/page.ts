// What the router knows of a page: it mounts into the main element with a Scope whose timers and
// streams end when the user goes elsewhere; `key` gets keystrokes not taken by the app.
import type { Scope } from './live.js';

export interface Page {
  id: string;
  title: string;
  /** Key of the `g <key>` / number shortcut. */
  key: string;
  mount(root: HTMLElement, scope: Scope, params: URLSearchParams): void;
  onKey?(e: KeyboardEvent): boolean;
}

/** A page-level note instead of an empty widget: what is missing and how to get it. */
export function notice(title: string, text: string, code?: string): HTMLElement {
  const el = document.createElement('div');
  el.className = 'notice card';
  const h = document.createElement('h3');
  h.textContent = title;
  const p = document.createElement('p');
  p.textContent = text;
  el.append(h, p);
  if (code) {
    const pre = document.createElement('pre');
    pre.textContent = code;
    el.append(pre);
  }
  return el;
}
