// My history (/my-library/history): the videos the signed-in user watched, the latest first,
// each with how far they got; remove one, clear all, or stop keeping history.

import { api, currentUser } from '../api'
import { errorText, h, notice, replace, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Page as Listing, Video } from '../types'
import { videoList } from '../components/video-list'

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('My history')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  const status = h('div', { role: 'status', 'data-testid': 'history-status' })
  const listArea = h('div', {})
  const keep = h('input', { type: 'checkbox', id: 'history-enabled', 'data-testid': 'history-enabled' })
  keep.checked = user.videosHistoryEnabled !== false
  keep.addEventListener('change', async () => {
    keep.disabled = true
    try {
      await api('/users/me', { method: 'PUT', json: { videosHistoryEnabled: keep.checked } })
      user.videosHistoryEnabled = keep.checked
      replace(status, notice(keep.checked ? 'Your history is kept.' : 'Your history is no longer kept.'))
    } catch (error) {
      keep.checked = !keep.checked
      replace(status, notice(`Could not change it: ${errorText(error)}`, 'error'))
    } finally {
      keep.disabled = false
    }
  })
  const clear = h('button', { type: 'button', class: 'button', 'data-testid': 'history-clear' }, 'Clear my history')
  clear.addEventListener('click', async () => {
    clear.disabled = true
    try {
      await api('/users/me/history/videos/remove', { method: 'POST', json: {} })
      replace(status, notice('Your history is cleared.'))
      showList()
    } catch (error) {
      replace(status, notice(`Could not clear it: ${errorText(error)}`, 'error'))
    } finally {
      clear.disabled = false
    }
  })
  const showList = (): void => {
    replace(listArea, videoList({
      label: 'Videos I watched',
      empty: 'You have not watched anything yet.',
      load: (start, count) => api<Listing<Video>>('/users/me/history/videos', { query: { start, count }, signal }),
      extra: (video, card) => h('button', {
        type: 'button',
        class: 'link-button',
        'data-testid': 'history-remove',
        'aria-label': `Remove ${video.name} from my history`,
        onclick: async () => {
          try {
            await api(`/users/me/history/videos/${video.id}`, { method: 'DELETE' })
            card().remove()
          } catch (error) {
            replace(status, notice(`Could not remove it: ${errorText(error)}`, 'error'))
          }
        }
      }, 'Remove')
    }))
  }
  main.append(h('section', {},
    h('h1', {}, 'My history'),
    h('div', { class: 'history-actions' },
      h('label', { class: 'check', for: 'history-enabled' }, keep, ' Keep my watch history'),
      clear),
    status, listArea))
  showList()
}
