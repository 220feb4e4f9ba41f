// A channel (/c/<name>, /c/<name>/videos): who runs it, subscribe (or, for visitors, follow
// from their own instance), its videos and its playlists.

import { api, ApiError, currentUser, isLoggedIn } from '../api'
import { errorText, h, handle, notice, setTitle } from '../dom'
import type { PageContext } from '../router'
import type { Channel, Page, Video, VideoPlaylist } from '../types'
import { actorActions } from '../components/actor-actions'
import { actorHeader } from '../components/actor-header'
import { remoteFollow } from '../components/remote-follow'
import { subscribeButton } from '../components/subscribe'
import { videoList } from '../components/video-list'
import { playlistList } from '../components/playlist-list'

export async function render ({ main, params, signal }: PageContext): Promise<void> {
  const name = params.name
  let channel: Channel
  try {
    channel = await api<Channel>(`/video-channels/${encodeURIComponent(name)}`, { signal })
  } catch (error) {
    if (signal.aborted) return
    setTitle('Channel not found')
    const missing = error instanceof ApiError && error.status === 404
    main.append(h('section', { class: 'narrow' }, h('h1', {}, missing ? 'Channel not found' : 'Could not load the channel'),
      notice(missing ? `No channel is called ${name} here.` : errorText(error), 'error')))
    return
  }
  setTitle(channel.displayName || channel.name)
  const owner = channel.ownerAccount
  const me = isLoggedIn() ? await currentUser() : null
  const ownsIt = me?.videoChannels.some((mine) => mine.name === channel.name && mine.host === channel.host) ?? false
  main.append(actorHeader(channel, [
    owner ? h('p', {}, 'By ', h('a', { href: `/a/${handle(owner)}`, 'data-testid': 'channel-owner' }, owner.displayName || owner.name)) : null,
    subscribeButton(channel, channel.followersCount),
    isLoggedIn() ? null : remoteFollow(channel.url ?? `${location.origin}/video-channels/${channel.name}`),
    owner ? actorActions(owner) : null,
    ownsIt ? h('a', { class: 'button', href: `/my-account/move?channel=${encodeURIComponent(channel.name)}`, 'data-testid': 'channel-move' }, 'Move this channel') : null
  ]), h('section', { 'aria-labelledby': 'channel-videos' }, h('h2', { id: 'channel-videos' }, 'Videos'), videoList({
    label: 'Channel videos',
    empty: 'This channel has no videos yet.',
    load: (start, count) => api<Page<Video>>(`/video-channels/${encodeURIComponent(name)}/videos`, { query: { start, count, sort: '-publishedAt' }, signal })
  })), h('section', { 'aria-labelledby': 'channel-playlists' }, h('h2', { id: 'channel-playlists' }, 'Playlists'), playlistList({
    label: 'Channel playlists',
    empty: 'This channel has no playlists yet.',
    load: (start, count) => api<Page<VideoPlaylist>>(`/video-channels/${encodeURIComponent(name)}/video-playlists`, { query: { start, count }, signal })
  })))
}
