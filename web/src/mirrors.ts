// Where a video's HLS files can be played from: its origin first, then each mirror that holds
// a copy (PeerTube's `streamingPlaylists[].redundancies[].baseUrl`, the same files under the
// same names). The player moves down this list when a source cannot be reached.

import { fileNameOf } from './segment-hashes'
import type { StreamingPlaylist, VideoDetails } from './types'

/** The master playlist's URL at the origin, then at each mirror. */
export function playlistSources (playlist: StreamingPlaylist): string[] {
  const master = fileNameOf(playlist.playlistUrl)
  const mirrors = (playlist.redundancies ?? [])
    .map((mirror) => mirror.baseUrl.replace(/\/+$/, ''))
    .filter((base) => /^https?:\/\//.test(base))
    .map((base) => `${base}/${master}`)
  return [playlist.playlistUrl, ...mirrors.filter((url) => url !== playlist.playlistUrl)]
}

/** The video as played from `source`: its playlist and segment hashes in that directory. */
export function videoAtSource (video: VideoDetails, source: string): VideoDetails {
  const playlist = video.streamingPlaylists?.[0]
  if (!playlist || source === playlist.playlistUrl) return video
  const directory = source.slice(0, source.lastIndexOf('/') + 1)
  const hashes = playlist.segmentsSha256Url ? `${directory}${fileNameOf(playlist.segmentsSha256Url)}` : playlist.segmentsSha256Url
  return {
    ...video,
    streamingPlaylists: [{ ...playlist, playlistUrl: source, segmentsSha256Url: hashes }, ...video.streamingPlaylists.slice(1)]
  }
}
