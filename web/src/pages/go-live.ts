// Go live: create a live (title, channel, visibility, permanent or one-off), then the RTMP URL
// and stream key to paste into OBS (or give the ffmpeg CLI), and the live's state until it is on
// the air, with a link to its watch page.

import { api, currentUser } from '../api'
import { errorText, h, notice, replace, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { ServerConfig, User, VideoDetails } from '../types'
import { field, privacySelect } from './upload'

interface CreatedLive { video: { id: number, uuid: string, shortUUID: string } }
interface LiveSettings { rtmpUrl?: string | null, streamKey?: string, permanentLive: boolean }

export async function render ({ main, signal }: PageContext): Promise<() => void> {
  setTitle('Go live')
  const user = await currentUser()
  if (!user) {
    navigate(`/login?next=${encodeURIComponent('/videos/go-live')}`, { replace: true })
    return () => {}
  }
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'Go live'))
  main.append(section)
  const config = await api<ServerConfig>('/config', { signal }).catch(() => null)
  if (config?.live?.enabled !== true) {
    section.append(notice('Live streaming is not enabled on this instance.', 'error'))
    return () => {}
  }
  section.append(liveForm(user, section, signal))
  return () => {}
}

function liveForm (user: User, section: HTMLElement, signal: AbortSignal): HTMLElement {
  const name = h('input', { id: 'live-name', name: 'name', required: true, minlength: 3, maxlength: 120, 'data-testid': 'live-name' })
  const channel = h('select', { id: 'live-channel', name: 'channelId' },
    user.videoChannels.map((c) => h('option', { value: c.id ?? '' }, c.displayName || c.name)))
  const privacy = privacySelect('live-privacy')
  const permanent = h('input', { id: 'live-permanent', type: 'checkbox', 'data-testid': 'live-permanent' })
  const status = h('div', { 'aria-live': 'polite' })
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'live-submit' }, 'Create the live')
  const form = h('form', { class: 'card form' },
    field('live-name', 'Title', name),
    field('live-channel', 'Channel', channel),
    field('live-privacy', 'Visibility', privacy),
    h('div', { class: 'field field-check' },
      h('label', {}, permanent, 'Permanent live: the same URL and key can be used again after a broadcast ends')),
    status,
    h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    status.replaceChildren()
    try {
      const created = await api<CreatedLive>('/videos/live', {
        method: 'POST',
        json: { name: name.value, channelId: Number(channel.value), privacy: Number(privacy.value), permanentLive: permanent.checked }
      })
      const settings = await api<LiveSettings>(`/videos/live/${created.video.uuid}`)
      replace(section, h('h1', {}, 'Go live'), broadcastCard(created, settings, signal))
    } catch (error) {
      status.replaceChildren(notice(`The live could not be created: ${errorText(error)}`, 'error'))
      submit.disabled = false
    }
  })
  return form
}

/** Where to send the stream, and the live's state until it is on the air. */
function broadcastCard (created: CreatedLive, settings: LiveSettings, signal: AbortSignal): HTMLElement {
  const copyable = (id: string, label: string, value: string): HTMLElement => {
    const input = h('input', { id, readonly: true, value, 'data-testid': id })
    const copy = h('button', { type: 'button', class: 'button' }, 'Copy')
    copy.addEventListener('click', () => {
      input.select()
      void navigator.clipboard?.writeText(value).catch(() => {})
    })
    return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, input, copy))
  }
  const state = h('p', { role: 'status', 'data-testid': 'live-state' }, 'Waiting for your stream…')
  const card = h('div', { class: 'card form' },
    h('p', {}, 'In OBS (Settings → Stream: service "Custom"), or any RTMP encoder, use:'),
    copyable('live-rtmp-url', 'Server (RTMP URL)', settings.rtmpUrl ?? ''),
    copyable('live-stream-key', 'Stream key (keep it secret)', settings.streamKey ?? ''),
    state,
    h('p', {}, h('a', { href: `/w/${created.video.shortUUID}`, 'data-testid': 'live-watch-link' }, 'Open the live\'s page')))
  void (async () => {
    while (!signal.aborted) {
      try {
        const video = await api<VideoDetails>(`/videos/${created.video.uuid}`, { signal })
        const id = video.state?.id
        state.textContent = id === 1 ? 'You are live.' : id === 5 ? 'The live has ended.' : 'Waiting for your stream…'
        if (id === 5) return
      } catch { /* try again */ }
      await new Promise((resolve) => setTimeout(resolve, 3000))
    }
  })()
  return card
}
