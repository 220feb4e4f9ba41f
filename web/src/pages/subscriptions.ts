// Subscriptions (/my-library/subscriptions): the newest videos of followed channels, and the
// channels themselves with an unsubscribe button.

import { api, currentUser } from '../api'
import { errorText, h, handle, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Channel, Page, Video } from '../types'
import { subscribeButton } from '../components/subscribe'
import { videoList } from '../components/video-list'
import { avatarOf } from '../components/actor-images'

/** "Follow a channel of another instance": a `name@host` handle, fetched from its instance. */
function followRemoteForm (): HTMLElement {
  const input = h('input', {
    id: 'remote-handle', name: 'uri', type: 'text', required: true, autocomplete: 'off', spellcheck: false,
    placeholder: 'channel@video.example', pattern: '[^@\\s]+@[^@\\s]+', 'data-testid': 'remote-handle'
  })
  const button = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'remote-follow' }, 'Follow')
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' })
  const form = h('form', { class: 'inline-form', 'aria-labelledby': 'remote-follow-title' },
    h('h2', { id: 'remote-follow-title' }, 'Follow a channel on another instance'),
    h('label', { for: 'remote-handle' }, 'Channel handle'), input, button, status)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const uri = input.value.trim().replace(/^@/, '')
    button.disabled = true
    status.textContent = `Looking up ${uri}…`
    try {
      await api('/users/me/subscriptions', { method: 'POST', json: { uri } })
      status.textContent = `Following ${uri}. Its videos appear here once its instance accepts.`
      navigate(`/c/${uri}`)
    } catch (error) {
      status.textContent = `Could not follow ${uri}: ${errorText(error)}`
    } finally {
      button.disabled = false
    }
  })
  return form
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Subscriptions')
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent('/my-library/subscriptions')}`, { replace: true }); return }
  const channels = h('ul', { class: 'channel-results', 'aria-label': 'Followed channels' })
  main.append(h('h1', {}, 'Subscriptions'), followRemoteForm(),
    h('section', { 'aria-labelledby': 'subscription-videos' }, h('h2', { id: 'subscription-videos' }, 'Latest videos'), videoList({
      label: 'Videos from your subscriptions',
      empty: 'No videos from your subscriptions yet.',
      load: (start, count) => api<Page<Video>>('/users/me/subscriptions/videos', { query: { start, count, sort: '-publishedAt' }, signal })
    })),
    h('section', { 'aria-labelledby': 'subscription-channels' }, h('h2', { id: 'subscription-channels' }, 'Channels'), channels))
  try {
    const page = await api<Page<Channel>>('/users/me/subscriptions', { query: { start: 0, count: 100, sort: '-createdAt' }, signal })
    channels.append(...page.data.map((channel) => h('li', { class: 'channel-card' },
      avatarOf(channel, 'large', 48),
      h('div', { class: 'channel-names' },
        h('a', { class: 'channel-name', href: `/c/${handle(channel)}` }, channel.displayName || channel.name),
        h('span', { class: 'muted' }, `@${handle(channel)}`)),
      subscribeButton(channel))))
    if (page.data.length === 0) channels.append(h('li', { class: 'empty' }, 'You follow no channel yet.'))
  } catch (error) {
    if (!signal.aborted) channels.append(h('li', {}, notice(`Could not load your subscriptions: ${errorText(error)}`, 'error')))
  }
}
