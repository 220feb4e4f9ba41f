// Muted accounts and instances, for oneself (/users/me/blocklist) or for the whole instance
// (/server/blocklist, moderators): two lists with an "add" form and a remove button each.

import { api } from '../api'
import { errorText, formatDate, fullHandle, h, notice } from '../dom'
import type { AccountMute, Page, ServerMute } from '../types'

const PAGE = 50

interface Kind<T> {
  key: 'accounts' | 'servers'
  title: string
  label: string
  placeholder: string
  empty: string
  field: 'accountName' | 'host'
  name: (entry: T) => string
}

const accounts: Kind<AccountMute> = {
  key: 'accounts',
  title: 'Muted accounts',
  label: 'Account to mute',
  placeholder: 'name@video.example',
  empty: 'No muted account.',
  field: 'accountName',
  name: (entry) => fullHandle(entry.blockedAccount)
}

const servers: Kind<ServerMute> = {
  key: 'servers',
  title: 'Muted instances',
  label: 'Instance to mute',
  placeholder: 'video.example',
  empty: 'No muted instance.',
  field: 'host',
  name: (entry) => entry.blockedServer.host
}

function section<T extends { createdAt: string }> (base: string, kind: Kind<T>, scope: string, signal: AbortSignal): HTMLElement {
  const id = `mutes-${kind.key}`
  const list = h('ul', { class: 'row-list', 'aria-labelledby': id, 'data-testid': `muted-${kind.key}` })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  const input = h('input', { id: `${id}-input`, name: kind.field, required: true, autocomplete: 'off', spellcheck: false, placeholder: kind.placeholder, 'data-testid': `mute-${kind.key}-input` })
  const add = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': `mute-${kind.key}-submit` }, 'Mute')
  const formStatus = h('p', { role: 'status', 'aria-live': 'polite' })
  const form = h('form', { class: 'inline-form' }, h('label', { for: `${id}-input` }, kind.label), input, add, formStatus)
  let loaded = 0
  const row = (entry: T): HTMLLIElement => {
    const name = kind.name(entry)
    const remove = h('button', { type: 'button', class: 'button', 'data-testid': 'unmute' }, 'Unmute')
    const item = h('li', { class: 'row', 'data-testid': 'muted-entry', 'data-name': name },
      h('div', { class: 'row-main' }, h('strong', {}, name), h('span', { class: 'muted' }, ` · muted ${formatDate(entry.createdAt)}`)),
      h('div', { class: 'row-actions' }, remove))
    remove.addEventListener('click', async () => {
      remove.disabled = true
      try {
        await api(`${base}/${kind.key}/${encodeURIComponent(name)}`, { method: 'DELETE' })
        item.replaceChildren(h('p', { class: 'muted', role: 'status' }, `${name} is no longer muted${scope}.`))
      } catch (error) {
        remove.disabled = false
        item.append(notice(`Could not unmute ${name}: ${errorText(error)}`, 'error'))
      }
    })
    return item
  }
  const load = async (reset = false): Promise<void> => {
    if (reset) { loaded = 0; list.replaceChildren() }
    more.disabled = true
    try {
      const page = await api<Page<T>>(`${base}/${kind.key}`, { query: { start: loaded, count: PAGE, sort: '-createdAt' }, signal })
      status.replaceChildren()
      list.append(...page.data.map(row))
      loaded += page.data.length
      more.hidden = loaded >= page.total || page.data.length === 0
      if (loaded === 0) list.append(h('li', { class: 'empty' }, kind.empty))
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load the list: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const value = input.value.trim().replace(/^@/, '')
    if (!value) return
    add.disabled = true
    formStatus.textContent = ''
    try {
      await api(`${base}/${kind.key}`, { method: 'POST', json: { [kind.field]: value } })
      input.value = ''
      formStatus.textContent = `${value} is muted${scope}.`
      await load(true)
    } catch (error) {
      formStatus.textContent = `Could not mute ${value}: ${errorText(error)}`
    } finally {
      add.disabled = false
    }
  })
  more.addEventListener('click', () => { void load() })
  void load()
  return h('section', { class: 'mute-section', 'aria-labelledby': id }, h('h2', { id }, kind.title), form, list, status, more)
}

/** Both lists; `scope` ends the confirmations ("" for oneself, " on this instance"). */
export function muteLists (base: '/users/me/blocklist' | '/server/blocklist', scope: string, signal: AbortSignal): HTMLElement[] {
  return [section(base, accounts, scope, signal), section(base, servers, scope, signal)]
}
