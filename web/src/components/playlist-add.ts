// "Save" on the watch page: add the video to Watch later or to any of the caller's playlists
// (or take it out again), or create a playlist with it.

import { api, currentUser } from '../api'
import { errorText, h, notice, replace } from '../dom'
import { navigate } from '../router'
import type { Page, Video, VideoExistInPlaylist, VideoPlaylist } from '../types'
import { openDialog } from './dialog'

/** The button that opens the dialog. */
export function saveToPlaylistButton (video: Pick<Video, 'id' | 'uuid' | 'name'>): HTMLElement {
  return h('button', {
    type: 'button',
    class: 'button',
    'data-testid': 'save-to-playlist',
    onclick: () => { void openSaveDialog(video) }
  }, 'Save')
}

async function openSaveDialog (video: Pick<Video, 'id' | 'uuid' | 'name'>): Promise<void> {
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`); return }
  const dialog = openDialog('Save to playlist', 'playlist-dialog')
  const list = h('div', { class: 'playlist-choices', role: 'group', 'aria-label': 'Your playlists' })
  const status = h('div', { role: 'status' })
  const refresh = async (): Promise<void> => {
    try {
      const [playlists, exist] = await Promise.all([
        api<Page<VideoPlaylist>>(`/accounts/${encodeURIComponent(user.account.name)}/video-playlists`, { query: { count: 100, sort: '-updatedAt' } }),
        api<Record<string, VideoExistInPlaylist[]>>('/users/me/video-playlists/videos-exist', { query: { videoIds: video.id } })
      ])
      const here = exist[String(video.id)] ?? []
      // Watch later first.
      const ordered = [...playlists.data].sort((a, b) => b.type.id - a.type.id)
      replace(list, ordered.map((playlist) => {
        const element = here.find((e) => e.playlistId === playlist.id)
        const box = h('input', { type: 'checkbox', id: `playlist-${playlist.id}`, checked: element !== undefined, 'data-testid': `playlist-choice-${playlist.shortUUID}` })
        box.addEventListener('change', () => {
          void (async () => {
            box.disabled = true
            status.replaceChildren()
            try {
              if (box.checked) {
                await api(`/video-playlists/${playlist.id}/videos`, { method: 'POST', json: { videoId: video.id } })
                status.replaceChildren(notice(`Added to ${playlist.displayName}.`))
              } else if (element) {
                await api(`/video-playlists/${playlist.id}/videos/${element.playlistElementId}`, { method: 'DELETE' })
                status.replaceChildren(notice(`Removed from ${playlist.displayName}.`))
              }
              await refresh()
            } catch (error) {
              status.replaceChildren(notice(errorText(error), 'error'))
              box.checked = !box.checked
            } finally {
              box.disabled = false
            }
          })()
        })
        return h('div', { class: 'check-field' }, box, h('label', { for: box.id }, playlist.displayName,
          playlist.privacy.id !== 1 ? h('span', { class: 'badge badge-inline' }, playlist.privacy.label) : null))
      }))
    } catch (error) {
      replace(list, notice(`Could not load your playlists: ${errorText(error)}`, 'error'))
    }
  }
  const name = h('input', { id: 'new-playlist-name', name: 'displayName', required: true, maxlength: 120, 'data-testid': 'new-playlist-name' })
  const privacy = h('select', { id: 'new-playlist-privacy', name: 'privacy', 'data-testid': 'new-playlist-privacy' },
    h('option', { value: '3' }, 'Private'), h('option', { value: '2' }, 'Unlisted'), h('option', { value: '1' }, 'Public'))
  const form = h('form', {
    class: 'new-playlist',
    onsubmit: async (event: Event) => {
      event.preventDefault()
      status.replaceChildren()
      const chosen = Number(privacy.value)
      const body: Record<string, unknown> = { displayName: name.value.trim(), privacy: chosen }
      // Public and unlisted playlists live in a channel: the caller's first one.
      if (chosen !== 3 && user.videoChannels?.[0]) body.videoChannelId = user.videoChannels[0].id
      try {
        const created = await api<{ videoPlaylist: { id: number } }>('/video-playlists', { method: 'POST', json: body })
        await api(`/video-playlists/${created.videoPlaylist.id}/videos`, { method: 'POST', json: { videoId: video.id } })
        name.value = ''
        status.replaceChildren(notice(`Created ${String(body.displayName)} with this video.`))
        await refresh()
      } catch (error) {
        status.replaceChildren(notice(errorText(error), 'error'))
      }
    }
  }, h('h3', {}, 'New playlist'),
  h('div', { class: 'field' }, h('label', { for: name.id }, 'Name'), name),
  h('div', { class: 'field' }, h('label', { for: privacy.id }, 'Privacy'), privacy),
  h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'create-playlist' }, 'Create and add'))
  dialog.body.append(list, status, form)
  await refresh()
}
