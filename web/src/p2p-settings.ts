// Whether the player shares with other viewers (p2p-media-loader), decided in this order: an
// embed's ?p2p=0 / ?p2p=1, then the viewer's own choice (the player's settings, remembered in
// localStorage), then the instance's default for the app or for embeds (/api/v1/config
// defaults.p2p). Sharing also needs the instance's tracker, a ws(s):// tracker URL in the video
// JSON, the video's segments-sha256 JSON (every peer segment is checked against it), WebRTC,
// and WebCrypto (a secure context). This module is small and always loaded; the sharing code
// itself (./p2p) is loaded only when sharing is on.

import { api } from './api'
import { Privacy, type VideoDetails } from './types'

/** Where the player runs: the app's watch page or an embed. */
export type P2PContext = 'webapp' | 'embed'

const PREFERENCE_KEY = 'kinora:p2p'

interface ServerConfig {
  defaults?: { p2p?: { webapp?: { enabled?: boolean }, embed?: { enabled?: boolean } } }
  tracker?: { enabled?: boolean }
  webrtc?: { stunServers?: string[] }
}

/** What the player does about sharing. */
export interface P2PDecision {
  /** Share now. */
  enabled: boolean
  /** Could share (the viewer may switch it on); false explains a disabled control. */
  available: boolean
  /** Why sharing is unavailable, for the settings panel. */
  unavailableReason?: string
  /** The video's WebSocket trackers. */
  trackers: string[]
  /** STUN server URLs (the instance's `[p2p] stun_servers`). */
  stunServers: string[]
}

/** The viewer's remembered choice, or null when they never chose. */
export function viewerPreference (): boolean | null {
  try {
    const stored = localStorage.getItem(PREFERENCE_KEY)
    return stored === '1' ? true : stored === '0' ? false : null
  } catch {
    return null
  }
}

/** Remembers the viewer's choice for every video (and embed) of this instance. */
export function rememberPreference (enabled: boolean): void {
  try { localStorage.setItem(PREFERENCE_KEY, enabled ? '1' : '0') } catch { /* storage refused: this page only */ }
}

/** An embed's `?p2p=` (0/false or 1/true), or null when absent or unreadable. */
export function queryPreference (value: string | null): boolean | null {
  if (value === '0' || value === 'false') return false
  if (value === '1' || value === 'true') return true
  return null
}

let config: Promise<ServerConfig> | null = null
function serverConfig (): Promise<ServerConfig> {
  config ??= api<ServerConfig>('/config').catch((error: unknown) => { config = null; throw error })
  return config
}

/** Decides whether to share for this video. `forced` is an embed's `?p2p=`. */
export async function decideP2P (video: VideoDetails, context: P2PContext, forced: boolean | null): Promise<P2PDecision> {
  const trackers = (video.trackerUrls ?? []).filter((url) => /^wss?:\/\//.test(url))
  const unavailable = (reason: string): P2PDecision => ({ enabled: false, available: false, unavailableReason: reason, trackers, stunServers: [] })
  // The tracker admits only public and unlisted videos: a private one is not even announced.
  if (video.privacy.id !== Privacy.public && video.privacy.id !== Privacy.unlisted) return unavailable('Private videos are not shared.')
  if (!video.streamingPlaylists?.[0]?.segmentsSha256Url) return unavailable('This video has no segment hashes.')
  if (trackers.length === 0) return unavailable('This video has no WebSocket tracker.')
  if (typeof RTCPeerConnection === 'undefined') return unavailable('This browser has no WebRTC.')
  if (!globalThis.crypto?.subtle) return unavailable('Segments cannot be checked on an insecure (http) page.')
  let instance: ServerConfig
  try {
    instance = await serverConfig()
  } catch {
    return unavailable('The instance settings could not be read.')
  }
  if (instance.tracker?.enabled === false) return unavailable('This instance has no tracker.')
  const byDefault = instance.defaults?.p2p?.[context]?.enabled !== false
  const enabled = forced ?? viewerPreference() ?? byDefault
  return { enabled, available: true, trackers, stunServers: instance.webrtc?.stunServers ?? [] }
}
