// Search (/search?search=…): matching channels, then matching videos. A handle (name@host) or
// the URL of a channel or video is looked up (and imported from its instance when allowed),
// then its page here is opened.

import { api, ApiError, isLoggedIn } from '../api'
import { errorText, formatCount, h, handle, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Channel, Page, Video } from '../types'
import { videoList, watchPath } from '../components/video-list'
import { subscribeButton } from '../components/subscribe'
import { isHandleOrUrl, lookUp, mayFetchRemote } from '../remote-lookup'
import { avatarOf } from '../components/actor-images'

export async function render ({ main, query, signal }: PageContext): Promise<void> {
  const text = (query.get('search') ?? '').trim()
  setTitle(text ? `Search: ${text}` : 'Search')
  main.append(h('h1', {}, text ? `Results for “${text}”` : 'Search'))
  if (!text) {
    main.append(h('p', { class: 'muted' }, 'Type what you are looking for in the search box at the top of the page, or paste a channel’s handle (name@instance) or the address of a channel or video of any instance.'))
    return
  }
  if (isHandleOrUrl(text)) {
    const status = h('div', { 'aria-live': 'polite', 'data-testid': 'lookup-status' }, notice(`Looking up ${text}…`))
    main.append(status)
    try {
      const found = await lookUp(text, signal)
      if (signal.aborted) return
      if (found.channel) { navigate(`/c/${handle(found.channel)}`, { replace: true }); return }
      if (found.video) { navigate(watchPath(found.video), { replace: true }); return }
      const loggedIn = isLoggedIn()
      const hint = await mayFetchRemote(loggedIn)
        ? `Nothing was found at ${text}.`
        : loggedIn
          ? 'This instance does not look up channels and videos of other instances.'
          : 'Log in to look up channels and videos of other instances.'
      status.replaceChildren(notice(hint))
      if (!loggedIn) status.append(h('a', { class: 'button', href: `/login?next=${encodeURIComponent(location.pathname + location.search)}`, 'data-testid': 'lookup-login' }, 'Log in'))
    } catch (error) {
      if (signal.aborted) return
      const message = error instanceof ApiError && error.status === 400 ? error.detail : `The lookup failed: ${errorText(error)}`
      status.replaceChildren(notice(message, 'error'))
    }
    return
  }
  const channels = h('section', { class: 'search-channels', 'aria-label': 'Channels' })
  main.append(channels)
  api<Page<Channel>>('/search/video-channels', { query: { search: text, start: 0, count: 5 }, signal }).then((page) => {
    if (page.data.length === 0) return
    channels.append(h('h2', {}, 'Channels'), h('ul', { class: 'channel-results' }, page.data.map((channel) => h('li', { class: 'channel-card' },
      avatarOf(channel, 'large', 48),
      h('div', { class: 'channel-names' },
        h('a', { class: 'channel-name', href: `/c/${handle(channel)}` }, channel.displayName || channel.name),
        h('span', { class: 'muted' }, `@${handle(channel)}`, channel.followersCount !== undefined ? ` · ${formatCount(channel.followersCount, 'subscriber', 'subscribers')}` : '')),
      subscribeButton(channel)))))
  }).catch((error: unknown) => {
    if (!signal.aborted) channels.append(notice(`Channel search failed: ${errorText(error)}`, 'error'))
  })
  main.append(h('section', { 'aria-labelledby': 'search-videos' }, h('h2', { id: 'search-videos' }, 'Videos'), videoList({
    label: 'Matching videos',
    empty: 'No video matches this search.',
    load: (start, count) => api<Page<Video>>('/search/videos', { query: { search: text, start, count }, signal })
  })))
}
