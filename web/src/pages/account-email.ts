// The pages the links of account e-mails open, and the forms that ask for those e-mails:
//   /reset-password                    asks for a reset link (an e-mail address);
//   /reset-password?userId&verificationString   chooses the new password;
//   /verify-account/email?userId&verificationString[&isPendingEmail=true]   verifies an address;
//   /verify-account/ask-send-email     asks for a new verification link.
// The server answers an unknown address exactly as a known one, so these pages say "if an
// account has this address" and never more.

import { api, ApiError } from '../api'
import { errorText, h, notice, replace, setTitle } from '../dom'
import { type PageContext } from '../router'

/** The fields a 400 names, with their messages, or the whole message. */
function failure (error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return 'This link is not valid any more (it was used, or it expired). Ask for a new one.'
    const fields = Object.entries(error.invalidParams)
    if (fields.length > 0) return fields.map(([field, problem]) => `${field}: ${problem.msg ?? problem.reason ?? 'invalid'}`).join('; ')
  }
  return errorText(error)
}

/** A one-field form that POSTs `{ email }` to `path`. */
function askForm (section: HTMLElement, path: string, label: string, done: string): void {
  const email = h('input', { id: 'ask-email', name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: 254, 'data-testid': 'ask-email' })
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'ask-status' })
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'ask-submit' }, label)
  const form = h('form', { class: 'card form' },
    h('div', { class: 'field' }, h('label', { for: 'ask-email' }, 'Your e-mail address'), email),
    status, h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    try {
      await api(path, { method: 'POST', json: { email: email.value.trim() } })
      replace(status, notice(done.replace('{email}', email.value.trim())))
    } catch (error) {
      replace(status, notice(failure(error), 'error'))
    } finally {
      submit.disabled = false
    }
  })
  section.append(form)
  email.focus()
}

export async function renderReset ({ main, query }: PageContext): Promise<void> {
  setTitle('Reset my password')
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'Reset my password'))
  main.append(section)
  const userId = query.get('userId')
  const secret = query.get('verificationString')
  if (!userId || !secret) {
    section.append(h('p', {}, 'We will e-mail you a link to choose a new password.'))
    askForm(section, '/users/ask-reset-password', 'Send me the link',
      'If an account has the address {email}, a link is on its way. It works for an hour.')
    return
  }
  const password = h('input', { id: 'reset-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 6, maxlength: 255, 'data-testid': 'reset-password' })
  const again = h('input', { id: 'reset-password-again', type: 'password', autocomplete: 'new-password', required: true, 'data-testid': 'reset-password-again' })
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'reset-status' })
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'reset-submit' }, 'Change my password')
  const form = h('form', { class: 'card form' },
    h('div', { class: 'field' }, h('label', { for: 'reset-password' }, 'New password (6 characters or more)'), password),
    h('div', { class: 'field' }, h('label', { for: 'reset-password-again' }, 'The same again'), again),
    status, h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (password.value !== again.value) {
      replace(status, notice('The two passwords differ.', 'error'))
      return
    }
    submit.disabled = true
    try {
      await api(`/users/${encodeURIComponent(userId)}/reset-password`, { method: 'POST', json: { verificationString: secret, password: password.value } })
      replace(section, h('h1', {}, 'Password changed'),
        h('p', { 'data-testid': 'reset-done' }, 'Your password is changed and your other sessions have ended. ', h('a', { href: '/login' }, 'Log in')))
    } catch (error) {
      replace(status, notice(failure(error), 'error'))
    } finally {
      submit.disabled = false
    }
  })
  section.append(form)
  password.focus()
}

export async function renderVerify ({ main, query, signal }: PageContext): Promise<void> {
  setTitle('Verify my e-mail address')
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'Verify my e-mail address'))
  main.append(section)
  const userId = query.get('userId')
  const secret = query.get('verificationString')
  if (!userId || !secret) {
    section.append(notice('This link is incomplete. Copy the whole link from the e-mail, or ask for a new one.', 'error'),
      h('p', {}, h('a', { href: '/verify-account/ask-send-email' }, 'Send me a new link')))
    return
  }
  const pending = query.get('isPendingEmail') === 'true'
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'verify-status' }, notice('Verifying…'))
  section.append(status)
  try {
    await api(`/users/${encodeURIComponent(userId)}/verify-email`, { method: 'POST', json: { verificationString: secret, isPendingEmail: pending }, signal })
    replace(status, notice(pending ? 'Your new e-mail address is verified and in use.' : 'Your e-mail address is verified. You can log in now.'))
    section.append(h('p', {}, h('a', { href: pending ? '/my-account/settings' : '/login', 'data-testid': 'verify-next' }, pending ? 'Back to my settings' : 'Log in')))
  } catch (error) {
    replace(status, notice(failure(error), 'error'))
    section.append(h('p', {}, h('a', { href: '/verify-account/ask-send-email' }, 'Send me a new link')))
  }
}

export async function renderAskVerify ({ main }: PageContext): Promise<void> {
  setTitle('Verify my e-mail address')
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'Send the verification link again'))
  main.append(section)
  askForm(section, '/users/ask-send-verify-email', 'Send the link',
    'If an account waits for the verification of {email}, a new link is on its way. It works for a day.')
}
