// The signed-in user's own settings (PUT /api/v1/users/me): profile, how NSFW videos show, the
// languages of the videos listed, the player's habits, history; then password and e-mail
// address, which need the current password.

import { applyTheme, THEMES } from '../theme'
import { api, ApiError, forgetCurrentUser, logout } from '../api'
import { navigate } from '../router'
import { errorText, h, notice, replace } from '../dom'
import type { Account, NsfwPolicy, User } from '../types'
import { UNKNOWN_LANGUAGE } from '../video-languages'

const NSFW_POLICIES: Array<[NsfwPolicy, string]> = [
  ['do_not_list', 'Hide them'],
  ['blur', 'Show them with blurred thumbnails'],
  ['warn', 'Show them with a warning'],
  ['display', 'Show them']
]

/** A field's error from a 400's `invalid-params`, or the whole message. */
function failure (error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.invalidParams)
    if (fields.length > 0) return fields.map(([field, problem]) => `${field}: ${problem.msg ?? problem.reason ?? 'invalid'}`).join('; ')
  }
  return errorText(error)
}

function checkbox (id: string, label: string, checked: boolean): [HTMLInputElement, HTMLElement] {
  const input = h('input', { type: 'checkbox', id, name: id, 'data-testid': id })
  input.checked = checked
  return [input, h('label', { class: 'check', for: id }, input, ` ${label}`)]
}

/** Sends `body` when the form is submitted, telling the outcome in `status`. */
function submitter (form: HTMLFormElement, status: HTMLElement, body: () => Record<string, unknown>, done: string | (() => Promise<string>), after?: () => void): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const button = form.querySelector('button[type="submit"]') as HTMLButtonElement | null
    if (button) button.disabled = true
    try {
      await api('/users/me', { method: 'PUT', json: body() })
      forgetCurrentUser()
      replace(status, notice(typeof done === 'string' ? done : await done()))
      after?.()
    } catch (error) {
      replace(status, notice(`Not saved: ${failure(error)}`, 'error'))
    } finally {
      if (button) button.disabled = false
    }
  })
}

/** The forms, filled from `user` and their `account`. */
export function preferencesForm (user: User, account: Account): HTMLElement {
  const displayName = h('input', { id: 'pref-display-name', name: 'displayName', required: true, maxlength: 120, value: account.displayName ?? '', 'data-testid': 'pref-display-name' })
  const description = h('textarea', { id: 'pref-description', name: 'description', maxlength: 1000, rows: 3, 'data-testid': 'pref-description' })
  description.value = account.description ?? ''
  const nsfw = h('select', { id: 'pref-nsfw', name: 'nsfwPolicy', 'data-testid': 'pref-nsfw' },
    ...NSFW_POLICIES.map(([value, label]) => h('option', { value }, label)))
  nsfw.value = user.nsfwPolicy ?? 'do_not_list'
  const theme = h('select', { id: 'pref-theme', name: 'theme', 'data-testid': 'pref-theme' },
    ...THEMES.map(([value, label]) => h('option', { value }, label)))
  theme.value = THEMES.some(([value]) => value === user.theme) ? user.theme ?? 'instance-default' : 'instance-default'
  // Every language of /api/v1/videos/languages (filled when it arrives), and "not set".
  const languages = h('select', { id: 'pref-languages', name: 'videoLanguages', multiple: true, size: 6, 'aria-describedby': 'pref-languages-hint', 'data-testid': 'pref-languages' },
    h('option', { value: UNKNOWN_LANGUAGE }, 'Videos without a language'))
  const chosen = new Set(user.videoLanguages ?? [])
  const options = new Map<string, HTMLOptionElement>()
  const addLanguage = (code: string, label: string): void => {
    let option = options.get(code)
    if (!option) {
      option = h('option', { value: code })
      option.selected = chosen.has(code)
      options.set(code, option)
    }
    option.textContent = label
    languages.append(option)
  }
  ;(languages.options[0] as HTMLOptionElement).selected = chosen.has(UNKNOWN_LANGUAGE)
  // The chosen ones at once (so a save before the list arrives keeps them), named once it does.
  for (const code of chosen) if (code !== UNKNOWN_LANGUAGE) addLanguage(code, code)
  void api<Record<string, string>>('/videos/languages').then((all) => {
    for (const [code, label] of Object.entries(all).sort((a, b) => a[1].localeCompare(b[1]))) addLanguage(code, label)
  }).catch(() => {})
  const [p2p, p2pLabel] = checkbox('pref-p2p', 'Share what I watch with other viewers (peer-to-peer)', user.p2pEnabled !== false)
  const [autoplay, autoplayLabel] = checkbox('pref-autoplay', 'Start videos by themselves', user.autoPlayVideo !== false)
  const [history, historyLabel] = checkbox('pref-history', 'Keep my watch history (to resume where I stopped)', user.videosHistoryEnabled !== false)
  const preferencesStatus = h('div', { role: 'status', 'data-testid': 'pref-status' })
  const preferences = h('form', { class: 'settings-form', 'aria-labelledby': 'settings-preferences', 'data-testid': 'preferences-form' },
    h('h2', { id: 'settings-preferences' }, 'Profile and preferences'),
    h('label', { for: 'pref-display-name' }, 'Display name'), displayName,
    h('label', { for: 'pref-description' }, 'Description'), description,
    h('label', { for: 'pref-nsfw' }, 'Videos marked sensitive (NSFW)'), nsfw,
    h('label', { for: 'pref-theme' }, 'Theme'), theme,
    h('label', { for: 'pref-languages' }, 'Languages of the videos listed'), languages,
    h('p', { class: 'hint', id: 'pref-languages-hint' }, 'None chosen: every language. Hold Ctrl (⌘ on a Mac) to choose several.'),
    h('fieldset', {}, h('legend', {}, 'Player'), p2pLabel, autoplayLabel, historyLabel),
    h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'pref-save' }, 'Save'),
    preferencesStatus)
  submitter(preferences, preferencesStatus, () => ({
    displayName: displayName.value.trim(),
    description: description.value.trim(),
    nsfwPolicy: nsfw.value,
    videoLanguages: [...languages.selectedOptions].map((option) => option.value),
    p2pEnabled: p2p.checked,
    autoPlayVideo: autoplay.checked,
    videosHistoryEnabled: history.checked,
    theme: theme.value
  }), 'Your preferences are saved.', () => { applyTheme(theme.value) })

  const current = h('input', { id: 'pw-current', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'pw-current' })
  const next = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password', required: true, minlength: 6, maxlength: 255, 'data-testid': 'pw-new' })
  const passwordStatus = h('div', { role: 'status', 'data-testid': 'pw-status' })
  const password = h('form', { class: 'settings-form', 'aria-labelledby': 'settings-password' },
    h('h2', { id: 'settings-password' }, 'Password'),
    h('label', { for: 'pw-current' }, 'Current password'), current,
    h('label', { for: 'pw-new' }, 'New password'), next,
    h('button', { type: 'submit', class: 'button', 'data-testid': 'pw-save' }, 'Change my password'),
    passwordStatus)
  submitter(password, passwordStatus, () => ({ currentPassword: current.value, password: next.value }),
    'Your password is changed.', () => { current.value = ''; next.value = '' })

  const email = h('input', { id: 'email-new', type: 'email', autocomplete: 'email', required: true, value: user.email ?? '', 'data-testid': 'email-new' })
  const emailPassword = h('input', { id: 'email-current', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'email-current' })
  const emailStatus = h('div', { role: 'status', 'data-testid': 'email-status' })
  const pending = h('p', { 'data-testid': 'email-pending', hidden: !user.pendingEmail },
    `Waiting for verification: ${user.pendingEmail ?? ''} (open the link e-mailed to it; until then ${user.email ?? ''} stays in use).`)
  const emailForm = h('form', { class: 'settings-form', 'aria-labelledby': 'settings-email' },
    h('h2', { id: 'settings-email' }, 'E-mail address'), pending,
    h('label', { for: 'email-new' }, 'E-mail address'), email,
    h('label', { for: 'email-current' }, 'Current password'), emailPassword,
    h('button', { type: 'submit', class: 'button', 'data-testid': 'email-save' }, 'Change my e-mail address'),
    emailStatus)
  submitter(emailForm, emailStatus, () => ({ email: email.value.trim(), currentPassword: emailPassword.value }),
    async () => {
      // With verification required the new address waits for its link.
      const me = await api<User>('/users/me')
      if (me.pendingEmail) {
        pending.textContent = `Waiting for verification: ${me.pendingEmail} (open the link e-mailed to it; until then ${me.email ?? ''} stays in use).`
        pending.hidden = false
        email.value = me.email ?? ''
        return `We sent a link to ${me.pendingEmail}: the new address is used once you open it.`
      }
      return 'Your e-mail address is changed.'
    }, () => { emailPassword.value = '' })

  return h('div', {}, preferences, password, emailForm, deletion(user))
}

/** Deleting one's own account, confirmed by typing its name. */
function deletion (user: User): HTMLElement {
  const confirm = h('input', { id: 'delete-confirm', autocomplete: 'off', required: true, 'data-testid': 'delete-confirm' })
  const status = h('div', { role: 'status', 'data-testid': 'delete-status' })
  const form = h('form', { class: 'settings-form', 'aria-labelledby': 'settings-delete' },
    h('h2', { id: 'settings-delete' }, 'Delete my account'),
    h('p', {}, 'Your account, channels, videos and comments are deleted for good, and other instances are told.'),
    h('label', { for: 'delete-confirm' }, `Type ${user.username} to confirm`), confirm,
    h('button', { type: 'submit', class: 'button button-danger', 'data-testid': 'delete-account' }, 'Delete my account'),
    status)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (confirm.value.trim() !== user.username) { replace(status, notice(`Type ${user.username} to confirm.`, 'error')); return }
    try {
      await api('/users/me', { method: 'DELETE' })
      await logout()
      navigate('/')
    } catch (error) {
      replace(status, notice(`Not deleted: ${failure(error)}`, 'error'))
    }
  })
  return form
}
