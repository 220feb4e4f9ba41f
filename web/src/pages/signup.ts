// Sign up (/signup): when the instance's registration is open, a new account that can log in at
// once; with approval, a request that staff accept; closed, a notice saying so. Each refused
// field is explained next to the form (the server's 400 names it).

import { api, ApiError, login } from '../api'
import { errorText, h, notice, replace, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'

interface SignupConfig { signup?: { allowed?: boolean, requiresApproval?: boolean, requiresEmailVerification?: boolean, minimumAge?: number } }

/** The fields a 400 names, with their messages, or the whole message. */
function failure (error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.invalidParams)
    if (fields.length > 0) return fields.map(([field, problem]) => `${field}: ${problem.msg ?? problem.reason ?? 'invalid'}`).join('; ')
    if (error.status === 409) return 'This username or e-mail address is already taken.'
  }
  return errorText(error)
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Sign up')
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'Sign up'))
  main.append(section)
  const config = await api<SignupConfig>('/config', { signal })
  const signup = config.signup ?? {}
  if (!signup.allowed) {
    section.append(notice('This instance does not take new accounts at the moment.'), h('p', {}, h('a', { href: '/about' }, 'About this instance')))
    return
  }
  const field = (id: string, label: string, attributes: Record<string, string | number | boolean>): [HTMLInputElement, HTMLElement] => {
    const input = h('input', { id, name: id, required: true, 'data-testid': id, ...attributes })
    return [input, h('div', { class: 'field' }, h('label', { for: id }, label), input)]
  }
  const [username, usernameField] = field('signup-username', 'Username (your address here: name@this instance)', { autocomplete: 'username', minlength: 1, maxlength: 50, pattern: '[a-z0-9_.]+' })
  const [displayName, displayNameField] = field('signup-display-name', 'Display name', { maxlength: 120 })
  const [email, emailField] = field('signup-email', 'E-mail address', { type: 'email', autocomplete: 'email', maxlength: 254 })
  const [password, passwordField] = field('signup-password', 'Password (6 characters or more)', { type: 'password', autocomplete: 'new-password', minlength: 6, maxlength: 255 })
  const reason = h('textarea', { id: 'signup-reason', name: 'registrationReason', required: true, minlength: 2, maxlength: 3000, rows: 3, 'data-testid': 'signup-reason' })
  const reasonField = signup.requiresApproval ? h('div', { class: 'field' }, h('label', { for: 'signup-reason' }, 'Why do you want to join? (the moderators read this)'), reason) : null
  const age = h('input', { type: 'checkbox', id: 'signup-age', required: true, 'data-testid': 'signup-age' })
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'signup-status' })
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'signup-submit' }, signup.requiresApproval ? 'Ask for an account' : 'Sign up')
  const form = h('form', { class: 'card form' },
    signup.requiresApproval ? notice('A moderator approves each new account before it can log in.') : null,
    usernameField, displayNameField, emailField, passwordField, reasonField,
    h('label', { class: 'check', for: 'signup-age' }, age, ` I am at least ${signup.minimumAge ?? 16} years old and accept the `, h('a', { href: '/about' }, 'rules of this instance')),
    status,
    h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    replace(status, notice('Creating your account…'))
    try {
      const name = username.value.trim().toLowerCase()
      const fields = { username: name, email: email.value.trim(), password: password.value, displayName: displayName.value.trim() || undefined }
      if (signup.requiresApproval) {
        await api('/users/registrations/request', { method: 'POST', json: { ...fields, registrationReason: reason.value.trim() } })
      } else {
        await api('/users/register', { method: 'POST', json: fields })
      }
      if (signup.requiresApproval) {
        const verify = signup.requiresEmailVerification ? ' First, open the link we just e-mailed to you.' : ''
        replace(section, h('h1', {}, 'Request sent'), notice(`Thank you. You can log in once a moderator has approved your account.${verify}`))
        return
      }
      if (signup.requiresEmailVerification) {
        replace(section, h('h1', {}, 'Check your e-mail'),
          h('p', { 'data-testid': 'signup-verify' }, `We sent a link to ${email.value.trim()}. Open it to verify your address; then you can log in.`),
          h('p', {}, h('a', { href: '/verify-account/ask-send-email' }, 'Send the link again')))
        return
      }
      await login(name, password.value)
      navigate('/my-account/settings', { replace: true })
    } catch (error) {
      replace(status, notice(`Not created: ${failure(error)}`, 'error'))
    } finally {
      submit.disabled = false
    }
  })
  section.append(form, h('p', {}, 'Already have an account? ', h('a', { href: '/login' }, 'Log in')))
  username.focus()
}
