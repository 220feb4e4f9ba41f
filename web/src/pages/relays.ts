// The relays this instance subscribes to (/admin/relays, administrators): the list with each
// relay's state (waiting for its answer, accepted, rejected), a form to add one by its inbox
// (Mastodon style) or its actor (LitePub style), and a remove button each.

import { api, currentUser } from '../api'
import { errorText, formatDate, h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import { Role, type Page } from '../types'

interface Relay { id: number, url: string, state: 'pending' | 'accepted' | 'rejected', createdAt: string }

const PAGE = 100

const stateLabels: Record<Relay['state'], string> = {
  pending: 'waiting for the relay to accept',
  accepted: 'accepted',
  rejected: 'rejected by the relay'
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Relays')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  if (user.role.id !== Role.administrator) {
    main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Relays'), notice('Only administrators can see this page.', 'error')))
    return
  }
  const list = h('ul', { class: 'row-list', 'aria-labelledby': 'relays-title', 'data-testid': 'relays' })
  const status = h('div', {})
  const input = h('input', { id: 'relay-url', name: 'url', type: 'url', required: true, autocomplete: 'off', spellcheck: false, placeholder: 'https://relay.example/inbox', 'data-testid': 'relay-url' })
  const add = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'relay-add' }, 'Add')
  const formStatus = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'relay-form-status' })
  const form = h('form', { class: 'inline-form' }, h('label', { for: 'relay-url' }, 'Relay URL'), input, add, formStatus)

  const row = (relay: Relay): HTMLLIElement => {
    const remove = h('button', { type: 'button', class: 'button', 'data-testid': 'relay-remove' }, 'Remove')
    const item = h('li', { class: 'row', 'data-testid': 'relay', 'data-url': relay.url, 'data-state': relay.state },
      h('div', { class: 'row-main' }, h('strong', {}, relay.url),
        h('span', { class: 'muted' }, ` · ${stateLabels[relay.state]} · added ${formatDate(relay.createdAt)}`)),
      h('div', { class: 'row-actions' }, remove))
    remove.addEventListener('click', async () => {
      remove.disabled = true
      try {
        await api(`/server/relays/${relay.id}`, { method: 'DELETE' })
        item.replaceChildren(h('p', { class: 'muted', role: 'status' }, `${relay.url} is no longer a relay of this instance.`))
      } catch (error) {
        remove.disabled = false
        item.append(notice(`Could not remove ${relay.url}: ${errorText(error)}`, 'error'))
      }
    })
    return item
  }
  const load = async (): Promise<void> => {
    try {
      const page = await api<Page<Relay>>('/server/relays', { query: { start: 0, count: PAGE }, signal })
      status.replaceChildren()
      list.replaceChildren(...page.data.map(row))
      if (page.data.length === 0) list.append(h('li', { class: 'empty' }, 'No relay yet.'))
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load the relays: ${errorText(error)}`, 'error'))
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const url = input.value.trim()
    if (!url) return
    add.disabled = true
    formStatus.textContent = ''
    try {
      await api('/server/relays', { method: 'POST', json: { url } })
      input.value = ''
      formStatus.textContent = `${url} added: waiting for the relay to accept.`
      await load()
    } catch (error) {
      formStatus.textContent = `Could not add ${url}: ${errorText(error)}`
    } finally {
      add.disabled = false
    }
  })
  main.append(h('section', { class: 'wide' }, h('h1', { id: 'relays-title' }, 'Relays'),
    h('p', { class: 'muted' }, 'A relay passes this instance\'s public videos to the other instances subscribed to it, and theirs to this one. Give a relay\'s inbox (https://relay.example/inbox) or, for a LitePub relay, its actor (https://relay.example/actor).'),
    form, list, status))
  void load()
}
