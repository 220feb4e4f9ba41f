// Handles and URLs of channels and videos of any instance: what the search box and the
// remote-interaction page send to the search API, which looks them up (and, for logged-in
// users by default, fetches and imports them from their origin).

import { api } from './api'
import type { Channel, Page, Video } from './types'

/** Whether search text names one object: a URL, or a handle (name@host, @name@host, acct:…). */
export function isHandleOrUrl (text: string): boolean {
  const value = text.trim()
  if (/^https?:\/\//i.test(value)) return true
  return !/\s/.test(value) && /^(acct:|@)?[^@\s]+@[^@\s]+$/.test(value)
}

/** Whether a URL is a video's page or id in PeerTube's forms. */
export function isVideoUrl (text: string): boolean {
  try {
    return /^\/(w|videos\/watch|videos\/embed)\/[^/]+\/?$/.test(new URL(text.trim()).pathname)
  } catch { return false }
}

export interface Found { channel?: Channel, video?: Video }

/** Looks a handle or URL up through the search API: the channel or video it names, if any. */
export async function lookUp (text: string, signal?: AbortSignal): Promise<Found> {
  const search = text.trim()
  if (isVideoUrl(search)) {
    const videos = await api<Page<Video>>('/search/videos', { query: { search, start: 0, count: 1 }, signal })
    return { video: videos.data[0] }
  }
  const channels = await api<Page<Channel>>('/search/video-channels', { query: { search, start: 0, count: 1 }, signal })
  if (channels.data[0] || !/^https?:\/\//i.test(search)) return { channel: channels.data[0] }
  const videos = await api<Page<Video>>('/search/videos', { query: { search, start: 0, count: 1 }, signal })
  return { video: videos.data[0] }
}

/** Whether this viewer may make the server fetch what it does not know (`search.remoteUri`). */
export async function mayFetchRemote (loggedIn: boolean): Promise<boolean> {
  try {
    const config = await api<{ search?: { remoteUri?: { users?: boolean, anonymous?: boolean } } }>('/config')
    const remote = config.search?.remoteUri
    return loggedIn ? remote?.users !== false : remote?.anonymous === true
  } catch { return loggedIn }
}
