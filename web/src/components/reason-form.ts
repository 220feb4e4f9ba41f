// An inline form asking for a reason (blocking a video, banning a user) before acting.

import { errorText, h, notice } from '../dom'

/** An inline form: a reason text and a confirm button; `run` gets the text. */
export function reasonForm (options: { label: string, testId: string, confirm: string, extra?: HTMLElement, run: (reason: string) => Promise<void>, cancel: () => void }): HTMLFormElement {
  const id = `${options.testId}-${Math.random().toString(36).slice(2)}`
  const text = h('input', { id, maxlength: 3000, 'data-testid': `${options.testId}-reason` })
  const submit = h('button', { type: 'submit', class: 'button button-danger', 'data-testid': `${options.testId}-confirm` }, options.confirm)
  const status = h('div', {})
  const form = h('form', { class: 'inline-form' }, h('label', { for: id }, options.label), text, options.extra ?? null, submit,
    h('button', { type: 'button', class: 'button', onclick: options.cancel }, 'Cancel'), status)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    try {
      await options.run(text.value.trim())
    } catch (error) {
      status.replaceChildren(notice(errorText(error), 'error'))
      submit.disabled = false
    }
  })
  return form
}
