// Search (/search?search=…): matching channels, then matching videos.

import { api } from '../api'
import { errorText, formatCount, h, handle, notice, setTitle } from '../dom'
import type { PageContext } from '../router'
import type { Channel, Page, Video } from '../types'
import { videoList } from '../components/video-list'
import { subscribeButton } from '../components/subscribe'

export async function render ({ main, query, signal }: PageContext): Promise<void> {
  const text = (query.get('search') ?? '').trim()
  setTitle(text ? `Search: ${text}` : 'Search')
  main.append(h('h1', {}, text ? `Results for “${text}”` : 'Search'))
  if (!text) {
    main.append(h('p', { class: 'muted' }, 'Type what you are looking for in the search box at the top of the page.'))
    return
  }
  const channels = h('section', { class: 'search-channels', 'aria-label': 'Channels' })
  main.append(channels)
  api<Page<Channel>>('/search/video-channels', { query: { search: text, start: 0, count: 5 }, signal }).then((page) => {
    if (page.data.length === 0) return
    channels.append(h('h2', {}, 'Channels'), h('ul', { class: 'channel-results' }, page.data.map((channel) => h('li', { class: 'channel-card' },
      h('span', { class: 'avatar avatar-large', 'aria-hidden': 'true' }, (channel.displayName || channel.name).slice(0, 1).toUpperCase()),
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
