import { h } from './dom.js';

export interface ConfirmOptions {
  readonly title: string;
  readonly body: readonly string[];
  readonly confirmLabel: string;
  readonly danger?: boolean;
}

/**
 * A modal `<dialog>`: the browser traps focus inside it and makes the page behind it inert; Escape
 * cancels. Focus goes back to whatever opened it.
 */
function openDialog(dialog: HTMLDialogElement, onClose: (returnValue: string) => void): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  dialog.addEventListener(
    'close',
    () => {
      const value = dialog.returnValue;
      dialog.remove();
      if (opener?.isConnected === true) opener.focus();
      onClose(value);
    },
    { once: true },
  );
  document.body.append(dialog);
  dialog.showModal();
}

/** Asks before a destructive change; resolves true only when the user confirms. Cancel has focus first. */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  const titleId = 'confirm-title';
  const bodyId = 'confirm-body';
  const cancel = h('button', { type: 'button', class: 'button', autofocus: true }, 'Cancel');
  const confirm = h('button', { type: 'button', class: options.danger === true ? 'button button-danger' : 'button button-primary' }, options.confirmLabel);
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
    h('h2', { id: titleId, class: 'dialog-title' }, options.title),
    h('div', { id: bodyId, class: 'dialog-body' }, ...options.body.map((text) => h('p', {}, text))),
    h('div', { class: 'dialog-actions' }, cancel, confirm),
  );
  cancel.addEventListener('click', () => {
    dialog.close('cancel');
  });
  confirm.addEventListener('click', () => {
    dialog.close('confirm');
  });
  return new Promise((resolve) => {
    openDialog(dialog, (value) => {
      resolve(value === 'confirm');
    });
  });
}

/** A read-only dialog with a Close button; `content` may be filled in after it opens. */
export function showInformation(title: string, content: HTMLElement): void {
  const titleId = 'info-title';
  const close = h('button', { type: 'button', class: 'button', autofocus: true }, 'Close');
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId, class: 'dialog-title' }, title),
    content,
    h('div', { class: 'dialog-actions' }, close),
  );
  close.addEventListener('click', () => {
    dialog.close();
  });
  openDialog(dialog, () => undefined);
}
