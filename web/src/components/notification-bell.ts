// The header's bell: a link to the notifications page with the number of unread ones, asked
// again every POLL_SECONDS (the server answers 304 while nothing changed: its list carries an
// ETag and `no-cache`, which the browser revalidates by itself) and at once when a page reads
// some (the `kinora:notifications` event).

import { api } from '../api'
import { h } from '../dom'
import { icon } from '../icons'

const POLL_SECONDS = 15

let timer: number | undefined
let current: (() => Promise<void>) | null = null
window.addEventListener('kinora:notifications', () => { void current?.() })

/** A new bell (the previous one stops polling). */
export function notificationBell (): HTMLElement {
  if (timer !== undefined) window.clearInterval(timer)
  const count = h('span', { class: 'bell-count', 'data-testid': 'bell-count', hidden: true })
  const label = h('span', { class: 'visually-hidden' }, 'Notifications')
  const bell = h('a', { href: '/my-account/notifications', class: 'icon-button bell', 'data-testid': 'notification-bell', title: 'Notifications' }, icon('bell'), label, count)
  const refresh = async (): Promise<void> => {
    try {
      const page = await api<{ total: number }>('/users/me/notifications', { query: { unread: true, count: 0 } })
      count.textContent = page.total > 99 ? '99+' : String(page.total)
      count.hidden = page.total === 0
      label.textContent = page.total === 0 ? 'Notifications' : `Notifications, ${page.total} unread`
    } catch { /* keep what is shown */ }
  }
  current = refresh
  timer = window.setInterval(() => { void refresh() }, POLL_SECONDS * 1000)
  void refresh()
  return bell
}

/** Stops polling (logged out). */
export function stopBell (): void {
  if (timer !== undefined) window.clearInterval(timer)
  timer = undefined
  current = null
}
