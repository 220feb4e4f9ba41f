// An account (/a/<name>, /a/<name>/videos): its channels (each with subscribe) and its videos.

import { api, ApiError } from '../api'
import { errorText, formatCount, h, handle, notice, setTitle } from '../dom'
import type { PageContext } from '../router'
import type { Account, Channel, Page, Video } from '../types'
import { actorActions } from '../components/actor-actions'
import { actorHeader } from '../components/actor-header'
import { avatarOf } from '../components/actor-images'
import { subscribeButton } from '../components/subscribe'
import { videoList } from '../components/video-list'

export async function render ({ main, params, signal }: PageContext): Promise<void> {
  const name = params.name
  let account: Account
  try {
    account = await api<Account>(`/accounts/${encodeURIComponent(name)}`, { signal })
  } catch (error) {
    if (signal.aborted) return
    setTitle('Account not found')
    const missing = error instanceof ApiError && error.status === 404
    main.append(h('section', { class: 'narrow' }, h('h1', {}, missing ? 'Account not found' : 'Could not load the account'),
      notice(missing ? `No account is called ${name} here.` : errorText(error), 'error')))
    return
  }
  setTitle(account.displayName || account.name)
  const channels = h('ul', { class: 'channel-results', 'aria-label': 'Channels' })
  main.append(actorHeader(account, [
    account.followersCount !== undefined ? h('p', { class: 'muted' }, formatCount(account.followersCount, 'subscriber', 'subscribers')) : null,
    actorActions(account)
  ]), h('section', { 'aria-labelledby': 'account-channels' }, h('h2', { id: 'account-channels' }, 'Channels'), channels),
  h('section', { 'aria-labelledby': 'account-videos' }, h('h2', { id: 'account-videos' }, 'Videos'), videoList({
    label: 'Account videos',
    empty: 'This account has no videos yet.',
    load: (start, count) => api<Page<Video>>(`/accounts/${encodeURIComponent(name)}/videos`, { query: { start, count, sort: '-publishedAt' }, signal })
  })))
  try {
    const page = await api<Page<Channel>>(`/accounts/${encodeURIComponent(name)}/video-channels`, { signal })
    channels.append(...page.data.map((channel) => h('li', { class: 'channel-card' },
      avatarOf(channel, 'large', 48),
      h('div', { class: 'channel-names' },
        h('a', { class: 'channel-name', href: `/c/${handle(channel)}` }, channel.displayName || channel.name),
        h('span', { class: 'muted' }, `@${handle(channel)}`)),
      subscribeButton(channel, channel.followersCount))))
    if (page.data.length === 0) channels.append(h('li', { class: 'empty' }, 'No channels.'))
  } catch (error) {
    if (!signal.aborted) channels.append(h('li', {}, notice(`Could not load the channels: ${errorText(error)}`, 'error')))
  }
}
