// The moderation area's registrations tab: sign-ups waiting for approval, with their reason;
// staff accept or decline each, with a response the requester gets by e-mail.

import { api } from '../api'
import { errorText, formatDate, h, notice } from '../dom'
import type { Page } from '../types'
import { reasonForm } from './reason-form'

export interface Registration {
  id: number
  username: string
  email: string
  emailVerified: boolean
  registrationReason: string
  accountDisplayName: string
  channelHandle?: string | null
  createdAt: string
}

function registrationRow (registration: Registration): HTMLLIElement {
  const slot = h('div', { class: 'action-slot' })
  const item = h('li', { class: 'row', 'data-testid': 'registration-row', 'data-username': registration.username })
  const done = (text: string): void => { item.replaceChildren(h('p', { class: 'muted', role: 'status', 'data-testid': 'registration-done' }, text)) }
  const answer = (accept: boolean): void => {
    slot.replaceChildren(reasonForm({
      label: accept ? 'Message to the new user (optional)' : `Why is ${registration.username} declined? (optional)`,
      testId: accept ? 'registration-accept' : 'registration-reject',
      confirm: accept ? 'Accept' : 'Decline',
      cancel: () => slot.replaceChildren(),
      run: async (response) => {
        await api(`/users/registrations/${registration.id}/${accept ? 'accept' : 'reject'}`, {
          method: 'POST',
          json: response ? { moderationResponse: response } : {}
        })
        done(accept ? `${registration.username} can log in now.` : `${registration.username}'s registration is declined.`)
      }
    }))
  }
  const accept = h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'registration-accept' }, 'Accept')
  const reject = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'registration-reject' }, 'Decline')
  accept.addEventListener('click', () => answer(true))
  reject.addEventListener('click', () => answer(false))
  item.append(
    h('div', { class: 'row-main' },
      h('p', { class: 'report-title' }, h('strong', {}, registration.username),
        registration.accountDisplayName !== registration.username ? ` (${registration.accountDisplayName})` : '',
        registration.emailVerified ? null : h('span', { class: 'badge badge-inline badge-warn' }, 'E-mail not verified')),
      h('p', { class: 'muted' }, registration.email, ` · asked ${formatDate(registration.createdAt)}`),
      registration.registrationReason ? h('p', { class: 'report-reason', 'data-testid': 'registration-reason' }, registration.registrationReason) : null,
      slot),
    h('div', { class: 'row-actions' }, accept, reject))
  return item
}

/** The registrations tab. */
export function registrationsTab (signal: AbortSignal): HTMLElement[] {
  const list = h('ul', { class: 'row-list', 'aria-label': 'Registrations', 'data-testid': 'registrations' })
  const status = h('div', {})
  api<Page<Registration>>('/users/registrations', { query: { start: 0, count: 100, sort: 'createdAt' }, signal })
    .then((page) => {
      list.append(...page.data.map(registrationRow))
      if (page.data.length === 0) status.replaceChildren(h('p', { class: 'empty' }, 'No registration waits.'))
    })
    .catch((error) => { if (!signal.aborted) status.replaceChildren(notice(`Could not load the list: ${errorText(error)}`, 'error')) })
  return [h('p', { class: 'muted' }, 'People who asked to join. They can log in once accepted; a declined registration is deleted.'), list, status]
}
