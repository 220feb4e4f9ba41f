// A subscribe/unsubscribe toggle for a channel (`name@host`); logged-out visitors are sent to
// the login page first.

import { api, currentUser } from '../api'
import { errorText, formatCount, fullHandle, h } from '../dom'
import { navigate } from '../router'
import type { ChannelSummary } from '../types'

export function subscribeButton (channel: ChannelSummary, followers?: number): HTMLElement {
  const uri = fullHandle(channel)
  const button = h('button', { type: 'button', class: 'button button-primary subscribe', 'aria-pressed': 'false', 'data-testid': 'subscribe-button' }, 'Subscribe')
  const count = h('span', { class: 'followers' }, followers === undefined ? '' : formatCount(followers, 'subscriber', 'subscribers'))
  const error = h('span', { class: 'inline-error', role: 'alert' })
  let subscribed = false
  const paint = (): void => {
    button.textContent = subscribed ? 'Subscribed' : 'Subscribe'
    button.setAttribute('aria-pressed', String(subscribed))
    button.classList.toggle('button-primary', !subscribed)
    button.title = subscribed ? `Unsubscribe from ${channel.displayName || channel.name}` : ''
  }
  void currentUser().then(async (user) => {
    if (!user) return
    const own = user.videoChannels.some((mine) => mine.name === channel.name) && fullHandle(channel) === `${channel.name}@${location.host}`
    if (own) { button.hidden = true; return } // one's own channel
    try {
      const answer = await api<Record<string, boolean>>('/users/me/subscriptions/exist', { query: { uris: uri } })
      subscribed = answer[uri] === true
      paint()
    } catch { /* shown as not subscribed */ }
  })
  button.addEventListener('click', async () => {
    if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`); return }
    button.disabled = true
    error.textContent = ''
    try {
      if (subscribed) await api(`/users/me/subscriptions/${encodeURIComponent(uri)}`, { method: 'DELETE' })
      else await api('/users/me/subscriptions', { method: 'POST', json: { uri } })
      subscribed = !subscribed
      if (followers !== undefined) {
        followers += subscribed ? 1 : -1
        count.textContent = formatCount(followers, 'subscriber', 'subscribers')
      }
      paint()
    } catch (failure) {
      error.textContent = `Could not change the subscription: ${errorText(failure)}`
    } finally {
      button.disabled = false
    }
  })
  return h('div', { class: 'subscribe-group' }, button, count, error)
}
