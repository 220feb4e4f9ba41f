// Log in with a username (or e-mail) and password: PeerTube's OAuth password grant.

import { api, ApiError, login } from '../api'
import { h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'

/** Only same-site paths are followed after login. */
function safeNext (value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/login') ? value : '/'
}

export async function render ({ main, query }: PageContext): Promise<void> {
  setTitle('Log in')
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-username' })
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' })
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'login-submit' }, 'Log in')
  const status = h('div', { 'aria-live': 'polite' })
  const form = h('form', { class: 'card form', novalidate: false },
    h('div', { class: 'field' }, h('label', { for: 'login-username' }, 'Username or e-mail'), username),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    status,
    h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    status.replaceChildren(notice('Logging in…'))
    try {
      await login(username.value.trim(), password.value)
      navigate(safeNext(query.get('next')), { replace: true })
    } catch (error) {
      const text = error instanceof ApiError && error.code === 'invalid_grant'
        ? 'Wrong username or password.'
        : `Could not log in: ${error instanceof Error ? error.message : String(error)}`
      status.replaceChildren(notice(text, 'error'))
      if (error instanceof ApiError && error.code === 'user_email_not_verified') {
        status.append(h('p', {}, h('a', { href: '/verify-account/ask-send-email', 'data-testid': 'resend-verification' }, 'Send the verification link again')))
      }
      password.select()
    } finally {
      submit.disabled = false
    }
  })
  main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Log in'), form,
    h('p', { 'data-testid': 'forgot-link', hidden: true }, h('a', { href: '/reset-password' }, 'Forgot your password?')),
    h('p', { 'data-testid': 'signup-link', hidden: true }, 'New here? ', h('a', { href: '/signup' }, 'Create an account'))))
  // Offered when the instance takes new accounts, and when it sends e-mail.
  api<{ signup?: { allowed?: boolean }, email?: { enabled?: boolean } }>('/config').then((config) => {
    const link = main.querySelector<HTMLElement>('[data-testid=signup-link]')
    if (link && config.signup?.allowed) link.hidden = false
    const forgot = main.querySelector<HTMLElement>('[data-testid=forgot-link]')
    if (forgot && config.email?.enabled) forgot.hidden = false
  }).catch(() => {})
  username.focus()
}
