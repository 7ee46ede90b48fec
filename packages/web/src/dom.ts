/** Tiny DOM helpers. Text only ever goes in through text nodes, so data is never parsed as HTML. */

type Attribute = string | number | boolean | null | undefined;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, Attribute>> = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function replaceChildren(parent: Element, ...children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Text for screen readers only (e.g. which row a button acts on). */
export function hiddenText(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text);
}

/**
 * Re-renders `container` and puts focus back on the control that had it (matched by
 * `data-focus-key`), so that keyboard users keep their place when a list refreshes.
 */
export function preservingFocus(container: Element, render: () => void, fallback?: () => HTMLElement | null): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key === undefined) return;
  const again = [...container.querySelectorAll<HTMLElement>('[data-focus-key]')].find((el) => el.dataset.focusKey === key);
  const target = again !== undefined && !isDisabled(again) ? again : fallback?.();
  target?.focus();
}

function isDisabled(element: HTMLElement): boolean {
  return element instanceof HTMLButtonElement && element.disabled;
}
