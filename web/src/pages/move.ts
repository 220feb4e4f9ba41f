// Moving to another instance (/my-account/move, ?channel=<name> to start on a channel): for
// the caller's account or one of their channels, the aliases (the old accounts or channels
// that may move here) with a form to add one and a remove button each, and the move away:
// the new home's handle and the password, then the followers go there.

import { api, currentUser } from '../api'
import { errorText, h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'

interface Aliases { aliases: string[] }
interface Moved { movedTo: string, localFollowersMoved: number }

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Move to another instance')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true }); return }
  const wanted = new URLSearchParams(location.search).get('channel')
  const picker = h('select', { id: 'move-actor', 'data-testid': 'move-actor' },
    h('option', { value: '' }, `My account (${user.account.name})`),
    ...user.videoChannels.map((channel) => h('option', { value: channel.name, selected: channel.name === wanted }, `Channel ${channel.displayName || channel.name} (${channel.name})`)))
  const base = (): string => picker.value === '' ? '/users/me' : `/video-channels/${encodeURIComponent(picker.value)}`
  const what = (): string => picker.value === '' ? 'your account' : `the channel ${picker.value}`

  const aliasList = h('ul', { class: 'row-list', 'data-testid': 'aliases' })
  const aliasStatus = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'alias-status' })
  const aliasInput = h('input', { id: 'alias-uri', name: 'uri', required: true, autocomplete: 'off', spellcheck: false, placeholder: 'old_channel@old.example', 'data-testid': 'alias-uri' })
  const aliasAdd = h('button', { type: 'submit', class: 'button', 'data-testid': 'alias-add' }, 'Add alias')
  const aliasForm = h('form', { class: 'inline-form' }, h('label', { for: 'alias-uri' }, 'Old handle'), aliasInput, aliasAdd)

  const showAliases = (aliases: string[]): void => {
    aliasList.replaceChildren(...aliases.map((alias) => {
      const remove = h('button', { type: 'button', class: 'button', 'data-testid': 'alias-remove' }, 'Remove')
      remove.addEventListener('click', async () => {
        remove.disabled = true
        try {
          showAliases((await api<Aliases>(`${base()}/aliases`, { method: 'DELETE', query: { uri: alias } })).aliases)
          aliasStatus.textContent = `${alias} removed.`
        } catch (error) {
          remove.disabled = false
          aliasStatus.textContent = `Could not remove ${alias}: ${errorText(error)}`
        }
      })
      return h('li', { class: 'row', 'data-testid': 'alias', 'data-url': alias }, h('div', { class: 'row-main' }, h('strong', {}, alias)), h('div', { class: 'row-actions' }, remove))
    }))
    if (aliases.length === 0) aliasList.append(h('li', { class: 'empty' }, 'No alias: nothing may move here yet.'))
  }
  const loadAliases = async (): Promise<void> => {
    try {
      showAliases((await api<Aliases>(`${base()}/aliases`, { signal })).aliases)
    } catch (error) {
      if (!signal.aborted) aliasStatus.textContent = `Could not load the aliases: ${errorText(error)}`
    }
  }
  aliasForm.addEventListener('submit', async (event) => {
    event.preventDefault()
    const uri = aliasInput.value.trim()
    if (!uri) return
    aliasAdd.disabled = true
    try {
      showAliases((await api<Aliases>(`${base()}/aliases`, { method: 'POST', json: { uri } })).aliases)
      aliasInput.value = ''
      aliasStatus.textContent = `${uri} may now move to ${what()}.`
    } catch (error) {
      aliasStatus.textContent = `Could not add ${uri}: ${errorText(error)}`
    } finally {
      aliasAdd.disabled = false
    }
  })

  const target = h('input', { id: 'move-target', name: 'target', required: true, autocomplete: 'off', spellcheck: false, placeholder: 'new_channel@new.example', 'data-testid': 'move-target' })
  const password = h('input', { id: 'move-password', name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password', 'data-testid': 'move-password' })
  const moveButton = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'move-submit' }, 'Move')
  const moveStatus = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'move-status' })
  const moveForm = h('form', { class: 'settings-form' },
    h('label', { for: 'move-target' }, 'New home (name@host)'), target,
    h('label', { for: 'move-password' }, 'Your password'), password,
    moveButton, moveStatus)
  moveForm.addEventListener('submit', async (event) => {
    event.preventDefault()
    moveButton.disabled = true
    moveStatus.replaceChildren()
    try {
      const moved = await api<Moved>(`${base()}/move`, { method: 'POST', json: { target: target.value.trim(), currentPassword: password.value } })
      password.value = ''
      const here = moved.localFollowersMoved === 1 ? '1 follower on this instance already follows' : `${moved.localFollowersMoved} followers on this instance already follow`
      moveStatus.replaceChildren(notice(`Moved to ${moved.movedTo}. Its followers are being told; ${here} the new home.`))
    } catch (error) {
      moveStatus.replaceChildren(notice(`Could not move ${what()}: ${errorText(error)}`, 'error'))
    } finally {
      moveButton.disabled = false
    }
  })
  picker.addEventListener('change', () => { aliasStatus.textContent = ''; moveStatus.replaceChildren(); void loadAliases() })

  main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Move to another instance'),
    h('div', { class: 'field' }, h('label', { for: 'move-actor' }, 'Move or receive'), picker),
    h('h2', {}, 'Receive a move: aliases'),
    h('p', { class: 'muted' }, 'To bring an old channel or account here, first list it as an alias of the new one (here), then move it from its old instance. Its followers come along.'),
    aliasForm, aliasStatus, aliasList,
    h('h2', {}, 'Move away'),
    h('p', { class: 'muted' }, 'The new home must list this one among its aliases first. Followers are sent there; this one shows where it went. A move cannot be undone, and once moved, a channel or account cannot move again for 30 days. Videos stay here for now.'),
    moveForm))
  void loadAliases()
}
