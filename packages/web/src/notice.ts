import { h, replaceChildren } from './dom.js';

export type Tone = 'info' | 'success' | 'error';

/**
 * A polite live region: what it shows is announced by screen readers. It must be in the document
 * before its text changes, so sections create it empty when they render.
 */
export class Notice {
  readonly element: HTMLDivElement;

  constructor(element?: HTMLDivElement) {
    this.element = element ?? h('div');
    this.element.setAttribute('role', 'status');
    this.element.setAttribute('aria-live', 'polite');
    this.element.setAttribute('aria-atomic', 'true');
    this.element.classList.add('notice');
    this.element.hidden = true;
  }

  show(text: string, tone: Tone): void {
    this.element.hidden = false;
    this.element.dataset.tone = tone;
    replaceChildren(this.element, h('p', {}, text));
  }

  clear(): void {
    this.element.hidden = true;
    delete this.element.dataset.tone;
    this.element.replaceChildren();
  }
}
