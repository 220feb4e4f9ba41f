// A modal dialog (<dialog> with showModal: focus is trapped, Escape closes it) that removes
// itself from the page once closed.

import { h } from '../dom'

export interface Dialog {
  element: HTMLDialogElement
  body: HTMLElement
  close: () => void
}

/** Opens a modal dialog titled `title`; fill `body`. */
export function openDialog (title: string, testId: string): Dialog {
  const id = `dialog-title-${Math.random().toString(36).slice(2)}`
  const body = h('div', { class: 'dialog-body' })
  const element = h('dialog', { class: 'dialog', 'aria-labelledby': id, 'data-testid': testId },
    h('div', { class: 'dialog-head' },
      h('h2', { id }, title),
      h('button', { type: 'button', class: 'link-button dialog-close', 'aria-label': 'Close', onclick: () => element.close() }, '×')),
    body)
  element.addEventListener('close', () => element.remove())
  // A click on the backdrop (the dialog itself, outside its content) closes it.
  element.addEventListener('click', (event) => { if (event.target === element) element.close() })
  document.body.append(element)
  element.showModal()
  return { element, body, close: () => element.close() }
}

/** A little menu behind a "⋯" button; each item runs its action and closes the menu. */
export function moreMenu (label: string, testId: string, items: Array<{ label: string, testId: string, action: () => void } | null>): HTMLElement | null {
  const present = items.filter((item): item is NonNullable<typeof item> => item !== null)
  if (present.length === 0) return null
  const menu = h('details', { class: 'more-menu', 'data-testid': testId },
    h('summary', { class: 'link-button more-button', 'aria-label': label, title: label }, '⋯'),
    h('div', { class: 'menu' }, present.map((item) => h('button', {
      type: 'button',
      'data-testid': item.testId,
      onclick: () => { menu.open = false; item.action() }
    }, item.label))))
  return menu
}
