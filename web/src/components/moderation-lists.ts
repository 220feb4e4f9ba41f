// The moderation area's blocked videos (unblock) and users (ban with a reason, unban) tabs.

import { api } from '../api'
import { errorText, formatDate, h, handle, notice } from '../dom'
import { navigate } from '../router'
import type { Page, User, VideoBlock } from '../types'
import { reasonForm } from './reason-form'
import { thumbnailOf, watchPath } from './video-list'
import { icon } from '../icons'

const PAGE = 25

/** A list loaded page by page into `list`. */
function pagedList<T> (options: { label: string, testId: string, empty: string, load: (start: number) => Promise<Page<T>>, row: (item: T) => HTMLLIElement, signal: AbortSignal }): HTMLElement[] {
  const list = h('ul', { class: 'row-list', 'aria-label': options.label, 'data-testid': options.testId })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await options.load(loaded)
      status.replaceChildren()
      list.append(...page.data.map(options.row))
      loaded += page.data.length
      more.hidden = loaded >= page.total || page.data.length === 0
      if (loaded === 0) status.replaceChildren(h('p', { class: 'empty' }, options.empty))
    } catch (error) {
      if (!options.signal.aborted) status.replaceChildren(notice(`Could not load the list: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  void load()
  return [list, status, more]
}

function blockRow (block: VideoBlock): HTMLLIElement {
  const video = block.video
  const thumbnail = thumbnailOf(video)
  const unblock = h('button', { type: 'button', class: 'button', 'data-testid': 'unblock-video' }, 'Unblock')
  const item = h('li', { class: 'row', 'data-testid': 'blocked-video', 'data-uuid': video.uuid },
    h('a', { class: 'thumb thumb-small', href: watchPath(video), tabindex: '-1', 'aria-hidden': 'true' },
      thumbnail ? h('img', { src: thumbnail, alt: '', loading: 'lazy', width: 160, height: 90 }) : h('span', { class: 'thumb-empty' }, icon('play'))),
    h('div', { class: 'row-main' },
      h('p', { class: 'report-title' }, h('a', { href: watchPath(video) }, h('strong', {}, video.name)),
        block.unfederated ? h('span', { class: 'badge badge-inline' }, 'Removed from other instances') : null,
        block.type === 2 ? h('span', { class: 'badge badge-inline badge-warn' }, 'Automatic') : null),
      h('p', { class: 'muted' }, video.channel ? `${video.channel.displayName || video.channel.name} · ` : '', `blocked ${formatDate(block.createdAt)}`),
      block.reason ? h('p', { class: 'report-reason' }, block.reason) : null),
    h('div', { class: 'row-actions' }, unblock))
  unblock.addEventListener('click', async () => {
    unblock.disabled = true
    try {
      await api(`/videos/${video.uuid}/blacklist`, { method: 'DELETE' })
      item.replaceChildren(h('p', { class: 'muted', role: 'status' }, `“${video.name}” is no longer blocked.`))
    } catch (error) {
      unblock.disabled = false
      item.append(notice(`Could not unblock: ${errorText(error)}`, 'error'))
    }
  })
  return item
}

/** The blocked videos tab. */
export function blockedVideosTab (signal: AbortSignal): HTMLElement[] {
  return [
    h('p', { class: 'muted' }, 'Blocked videos are hidden from everyone but their owner and the moderators.'),
    ...pagedList<VideoBlock>({
      label: 'Blocked videos',
      testId: 'blocked-videos',
      empty: 'No blocked video.',
      signal,
      row: blockRow,
      load: (start) => api<Page<VideoBlock>>('/videos/blacklist', { query: { start, count: PAGE, sort: '-createdAt' }, signal })
    })
  ]
}

function userRow (user: User, me: number): HTMLLIElement {
  const actions = h('div', { class: 'row-actions' })
  const slot = h('div', { class: 'action-slot' })
  const state = h('span', {})
  const item = h('li', { class: 'row', 'data-testid': 'user-row', 'data-username': user.username })
  const paint = (): void => {
    state.replaceChildren(user.blocked ? h('span', { class: 'badge badge-inline state-rejected', 'data-testid': 'user-banned' }, 'Banned') : '')
    actions.replaceChildren()
    if (user.id === me) return
    if (user.blocked) {
      const unban = h('button', { type: 'button', class: 'button', 'data-testid': 'user-unban' }, 'Unban')
      unban.addEventListener('click', async () => {
        unban.disabled = true
        try {
          await api(`/users/${user.id}/unblock`, { method: 'POST' })
          user.blocked = false
          user.blockedReason = null
          paint()
        } catch (error) {
          unban.disabled = false
          slot.replaceChildren(notice(`Could not unban: ${errorText(error)}`, 'error'))
        }
      })
      actions.append(unban)
    } else {
      const ban = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'user-ban' }, 'Ban')
      ban.addEventListener('click', () => {
        slot.replaceChildren(reasonForm({
          label: `Why is ${user.username} banned?`,
          testId: 'ban',
          confirm: 'Ban',
          cancel: () => slot.replaceChildren(),
          run: async (reason) => {
            await api(`/users/${user.id}/block`, { method: 'POST', json: reason ? { reason } : {} })
            user.blocked = true
            user.blockedReason = reason || null
            slot.replaceChildren()
            paint()
          }
        }))
      })
      actions.append(ban)
    }
    reason.textContent = user.blocked && user.blockedReason ? `Reason: ${user.blockedReason}` : ''
  }
  const reason = h('p', { class: 'muted', 'data-testid': 'user-ban-reason' })
  item.append(
    h('div', { class: 'row-main' },
      h('p', { class: 'report-title' }, h('a', { href: `/a/${handle(user.account)}` }, h('strong', {}, user.username)),
        h('span', { class: 'badge badge-inline' }, user.role?.label ?? ''), state),
      h('p', { class: 'muted' }, user.email ?? '', user.createdAt ? ` · joined ${formatDate(user.createdAt)}` : ''),
      reason, slot),
    actions)
  paint()
  return item
}

/** The users tab: a search box and the users with ban and unban. */
export function usersTab (me: number, query: URLSearchParams, signal: AbortSignal): HTMLElement[] {
  const search = h('input', { id: 'user-search', type: 'search', value: query.get('search') ?? '', placeholder: 'Name or e-mail', 'data-testid': 'user-search' })
  const form = h('form', { class: 'inline-form', role: 'search' }, h('label', { for: 'user-search' }, 'Find a user'), search,
    h('button', { type: 'submit', class: 'button' }, 'Search'))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = search.value.trim()
    navigate(`/admin/moderation/users${text ? `?search=${encodeURIComponent(text)}` : ''}`)
  })
  return [form, ...pagedList<User>({
    label: 'Users',
    testId: 'users',
    empty: 'No users found.',
    signal,
    row: (user) => userRow(user, me),
    load: (start) => api<Page<User>>('/users', { query: { start, count: PAGE, sort: '-createdAt', search: query.get('search') ?? undefined }, signal })
  })]
}
