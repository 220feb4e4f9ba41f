// The administrators' settings page: what may change while the instance runs (name,
// descriptions, rules, registration, default quotas, channels per user, the resolutions new
// uploads are transcoded to), read from and saved to
// /api/v1/config/custom (PeerTube's CustomConfig); in force at once, no restart. "Go back to
// the configuration file" forgets every change (DELETE).

import { api, ApiError, currentUser } from '../api'
import { errorText, h, notice, setInstanceName, setTitle } from '../dom'
import { isAdmin, type CustomConfig } from '../types'
import type { PageContext } from '../router'

type TextKey = 'name' | 'shortDescription' | 'description' | 'terms' | 'codeOfConduct' | 'moderationInformation' |
  'administrator' | 'creationReason' | 'maintenanceLifetime' | 'businessModel' | 'hardwareInformation'

const TEXTS: Array<{ key: TextKey, label: string, hint?: string, long: boolean, max: number }> = [
  { key: 'name', label: 'Instance name', long: false, max: 120 },
  { key: 'shortDescription', label: 'Short description', hint: 'One line.', long: false, max: 250 },
  { key: 'description', label: 'Description', hint: 'Markdown. Shown on the About page.', long: true, max: 10000 },
  { key: 'terms', label: 'Rules', hint: 'Markdown.', long: true, max: 10000 },
  { key: 'codeOfConduct', label: 'Code of conduct', long: true, max: 10000 },
  { key: 'moderationInformation', label: 'Moderation information', long: true, max: 10000 },
  { key: 'administrator', label: 'Who runs the instance (contact)', long: true, max: 10000 },
  { key: 'creationReason', label: 'Why it exists', long: true, max: 10000 },
  { key: 'maintenanceLifetime', label: 'How long it will run', long: true, max: 10000 },
  { key: 'businessModel', label: 'How it is paid for', long: true, max: 10000 },
  { key: 'hardwareInformation', label: 'Its machine', long: true, max: 10000 }
]

const GB = 1024 * 1024 * 1024

/** A field: label, control, hint and the server's error for it. */
function field (id: string, label: string, control: HTMLElement, hint?: string): { element: HTMLElement, error: HTMLElement } {
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-testid': `${id}-error` })
  control.setAttribute('aria-describedby', `${id}-error`)
  return {
    element: h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint' }, hint) : null, error),
    error
  }
}

/** Bytes as a number of GiB for the form (-1 stays -1: unlimited). */
function toGiB (bytes: number): string { return bytes < 0 ? '-1' : String(Math.round((bytes / GB) * 100) / 100) }
function fromGiB (text: string): number { const value = Number(text); return value < 0 ? -1 : Math.round(value * GB) }

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Settings')
  const user = await currentUser()
  if (!isAdmin(user)) {
    main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Settings'),
      notice('Only administrators change the instance\'s settings.', 'error')))
    return
  }
  const config = await api<CustomConfig>('/config/custom', { signal })
  const errors = new Map<string, HTMLElement>()
  const inputs = new Map<TextKey, HTMLInputElement | HTMLTextAreaElement>()
  const fields: HTMLElement[] = []
  for (const text of TEXTS) {
    const id = `setting-${text.key}`
    const control = text.long
      ? h('textarea', { id, rows: 4, maxlength: text.max, 'data-testid': id })
      : h('input', { id, maxlength: text.max, required: text.key === 'name', 'data-testid': id })
    control.value = config.instance[text.key] ?? ''
    inputs.set(text.key, control)
    const built = field(id, text.label, control, text.hint)
    errors.set(`instance.${text.key}`, built.error)
    fields.push(built.element)
  }
  const languages = h('input', { id: 'setting-languages', 'data-testid': 'setting-languages', placeholder: 'en, fr' })
  languages.value = config.instance.languages.join(', ')
  const languagesField = field('setting-languages', 'Languages spoken', languages, 'Language codes, separated by commas.')
  errors.set('instance.languages', languagesField.error)
  const categories = h('input', { id: 'setting-categories', 'data-testid': 'setting-categories', placeholder: '1, 15' })
  categories.value = config.instance.categories.join(', ')
  const categoriesField = field('setting-categories', 'Subjects (category numbers)', categories, 'Numbers of /api/v1/videos/categories, separated by commas.')
  errors.set('instance.categories', categoriesField.error)

  const registration = h('select', { id: 'setting-registration', 'data-testid': 'setting-registration' },
    h('option', { value: 'closed' }, 'Closed: administrators create accounts'),
    h('option', { value: 'approval' }, 'On approval: people ask, an administrator accepts'),
    h('option', { value: 'open' }, 'Open: anyone may sign up'))
  registration.value = !config.signup.enabled ? 'closed' : config.signup.requiresApproval ? 'approval' : 'open'
  const registrationField = field('setting-registration', 'Registration', registration)
  errors.set('signup.enabled', registrationField.error)
  const quota = h('input', { id: 'setting-quota', type: 'number', step: 'any', min: -1, 'data-testid': 'setting-quota' })
  quota.value = toGiB(config.user.videoQuota)
  const quotaField = field('setting-quota', 'Video quota of new users (GiB)', quota, '-1: unlimited.')
  errors.set('user.videoQuota', quotaField.error)
  const daily = h('input', { id: 'setting-quota-daily', type: 'number', step: 'any', min: -1, 'data-testid': 'setting-quota-daily' })
  daily.value = toGiB(config.user.videoQuotaDaily)
  const dailyField = field('setting-quota-daily', 'Daily upload quota of new users (GiB)', daily, '-1: unlimited.')
  errors.set('user.videoQuotaDaily', dailyField.error)
  const channels = h('input', { id: 'setting-channels', type: 'number', min: 1, max: 1000, step: 1, 'data-testid': 'setting-channels' })
  channels.value = String(config.videoChannels.maxPerUser)
  const channelsField = field('setting-channels', 'Channels per user', channels)
  errors.set('videoChannels.maxPerUser', channelsField.error)

  // The server's map names every resolution it can make, smallest first here (`0p`, a separate
  // audio-only rendition, is not one Kinora makes).
  const resolutions = Object.keys(config.transcoding.resolutions).filter((key) => key !== '0p')
    .map((key) => parseInt(key, 10)).sort((a, b) => a - b)
  const resolutionBoxes = new Map<number, HTMLInputElement>()
  const resolutionError = h('p', { class: 'field-error', id: 'setting-resolutions-error', 'data-testid': 'setting-resolutions-error' })
  const resolutionsField = h('fieldset', { class: 'field checkboxes', 'aria-describedby': 'setting-resolutions-error', 'data-testid': 'setting-resolutions' },
    h('legend', {}, 'Resolutions new uploads are transcoded to'),
    resolutions.map((resolution) => {
      const box = h('input', { type: 'checkbox', id: `setting-resolution-${resolution}`, 'data-testid': `setting-resolution-${resolution}` })
      resolutionBoxes.set(resolution, box)
      return h('label', { class: 'checkbox', for: box.id }, box, ` ${resolution}p`)
    }),
    h('p', { class: 'hint' }, 'Only those below an upload\'s own size are made; its own size always is. Videos already transcoded keep theirs.'),
    resolutionError)
  errors.set('transcoding.resolutions', resolutionError)
  const fillResolutions = (answer: CustomConfig): void => {
    for (const [resolution, box] of resolutionBoxes) box.checked = answer.transcoding.resolutions[`${resolution}p`] === true
  }
  fillResolutions(config)

  const autoPlay = h('input', { type: 'checkbox', id: 'setting-autoplay', 'data-testid': 'setting-autoplay' })
  autoPlay.checked = config.defaults.player.autoPlay
  const autoPlayField = h('div', { class: 'field' },
    h('label', { class: 'checkbox', for: 'setting-autoplay' }, autoPlay, ' Start videos by themselves'),
    h('p', { class: 'hint' }, 'For visitors and for users who have not chosen in their own settings.'))

  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'settings-status' })
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'settings-save' }, 'Save')
  const reset = h('button', { type: 'button', class: 'button', 'data-testid': 'settings-reset' }, 'Go back to the configuration file')

  const fill = (answer: CustomConfig): void => {
    for (const [key, control] of inputs) control.value = answer.instance[key] ?? ''
    languages.value = answer.instance.languages.join(', ')
    categories.value = answer.instance.categories.join(', ')
    registration.value = !answer.signup.enabled ? 'closed' : answer.signup.requiresApproval ? 'approval' : 'open'
    quota.value = toGiB(answer.user.videoQuota)
    daily.value = toGiB(answer.user.videoQuotaDaily)
    channels.value = String(answer.videoChannels.maxPerUser)
    fillResolutions(answer)
    autoPlay.checked = answer.defaults.player.autoPlay
    setInstanceName(answer.instance.name)
  }
  const showError = (error: unknown): void => {
    if (error instanceof ApiError && Object.keys(error.invalidParams).length > 0) {
      for (const [name, problem] of Object.entries(error.invalidParams)) {
        const target = errors.get(name)
        if (target) target.textContent = problem.msg ?? 'Invalid.'
      }
      status.replaceChildren(notice(`Not saved: ${error.detail}`, 'error'))
    } else {
      status.replaceChildren(notice(`Not saved: ${errorText(error)}`, 'error'))
    }
  }
  const list = (text: string): string[] => text.split(',').map((part) => part.trim()).filter((part) => part !== '')

  const form = h('form', { class: 'card form', 'data-testid': 'settings-form' },
    h('h2', {}, 'The instance'), fields.slice(0, 2), languagesField.element, categoriesField.element,
    h('h2', {}, 'About page'), fields.slice(2),
    h('h2', {}, 'Accounts'), registrationField.element, quotaField.element, dailyField.element, channelsField.element,
    h('h2', {}, 'Transcoding'), resolutionsField,
    h('h2', {}, 'Player'), autoPlayField,
    status, h('div', { class: 'actions' }, reset, save))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    for (const target of errors.values()) target.textContent = ''
    save.disabled = true
    status.replaceChildren(notice('Saving…'))
    try {
      const instance: Record<string, unknown> = {}
      for (const [key, control] of inputs) instance[key] = control.value
      instance.languages = list(languages.value)
      instance.categories = list(categories.value).map(Number)
      const answer = await api<CustomConfig>('/config/custom', {
        method: 'PUT',
        signal,
        json: {
          instance,
          signup: { enabled: registration.value !== 'closed', requiresApproval: registration.value === 'approval' },
          user: { videoQuota: fromGiB(quota.value), videoQuotaDaily: fromGiB(daily.value) },
          videoChannels: { maxPerUser: Number(channels.value) },
          transcoding: {
            resolutions: Object.fromEntries([...resolutionBoxes].map(([resolution, box]) => [`${resolution}p`, box.checked]))
          },
          defaults: { player: { autoPlay: autoPlay.checked } }
        }
      })
      fill(answer)
      status.replaceChildren(notice('Saved. The new settings are in force.'))
    } catch (error) {
      if (!signal.aborted) showError(error)
    } finally {
      save.disabled = false
    }
  })
  reset.addEventListener('click', async () => {
    if (!confirm('Forget every change made here and use the configuration file\'s values?')) return
    reset.disabled = true
    try {
      fill(await api<CustomConfig>('/config/custom', { method: 'DELETE', signal }))
      status.replaceChildren(notice('The configuration file\'s values are in force again.'))
    } catch (error) {
      if (!signal.aborted) showError(error)
    } finally {
      reset.disabled = false
    }
  })
  main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Instance settings'),
    h('p', { class: 'hint' }, 'Changes apply at once, without restarting the server, and stay until you go back to the configuration file.'),
    form))
}
