// Peer-to-peer playback: hls.js with p2p-media-loader (loaded only when sharing is on). Viewers of
// the same rendition exchange segments over WebRTC, introduced by the video's own WebSocket
// tracker and the instance's STUN servers only (never the library's public defaults); every
// segment from a peer is checked against the video's segments-sha256 JSON before hls.js sees
// it. The swarms are PeerTube's (pt-v2-<uuid>-<main|secondary>-default-<resolution>, as
// kinora_core::swarm), so viewers on PeerTube instances share with ours and the private tracker
// admits them: vite.config.ts makes p2p-media-loader-core take a stream's `streamSwarmId`, set
// here for each stream it registers.

import Hls, { type HlsConfig } from 'hls.js'
import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs'
import { emptyStats } from './player-p2p'
import { fileNameOf, segmentValidator } from './segment-hashes'
import type { VideoDetails } from './types'

/** p2p-media-loader's peer protocol version: part of every swarm id. */
const PEER_PROTOCOL_VERSION = 'v2'

type StreamType = 'main' | 'secondary'

/** PeerTube's `generateSwarmId()`: the same string as `kinora_core::swarm::stream_swarm_id`. */
export function streamSwarmId (videoUUID: string, type: StreamType, resolution: number): string {
  return `pt-${PEER_PROTOCOL_VERSION}-${videoUUID}-${type}-default-${resolution > 0 ? resolution : 'default'}`
}

/** Bytes and segments by where they came from, and the peers. */
export interface TransferStats {
  p2pBytes: number
  httpBytes: number
  p2pSegments: number
  httpSegments: number
  uploadedBytes: number
  /** Segments from peers whose hash matched the segments-sha256 JSON. */
  checkedSegments: number
  /** Segments from peers whose hash did not match (refused). */
  rejectedSegments: number
  peers: number
}

export interface P2POptions {
  video: VideoDetails
  hlsConfig: Partial<HlsConfig>
  trackers: string[]
  stunServers: string[]
  /** A live's renditions ({@link liveRenditions}); a video's come from its files. */
  renditions?: Renditions
  onStats: (stats: TransferStats) => void
}

interface RegisteredStream { runtimeId: string, type: StreamType, streamSwarmId?: string }
interface EngineCore { addStreamIfNoneExists: (stream: RegisteredStream) => void }

/** A video's renditions: each media playlist's file name and its resolution. */
export type Renditions = Map<string, number>

/** A published video's renditions, from the files its JSON lists. */
function fileRenditions (video: VideoDetails): Renditions {
  const renditions: Renditions = new Map()
  for (const file of video.streamingPlaylists[0]?.files ?? []) {
    if (file.playlistUrl) renditions.set(fileNameOf(file.playlistUrl), file.resolution.id)
  }
  return renditions
}

/**
 * The renditions a master playlist lists, for a live (whose JSON lists no files): each
 * variant's playlist file name with PeerTube's resolution, the shorter side of its RESOLUTION
 * (0, audio alone, without one).
 */
export function masterRenditions (master: string, masterUrl: string): Renditions {
  const renditions: Renditions = new Map()
  let pending: number | null = null
  for (const raw of master.split(/\r?\n/)) {
    const line = raw.trim()
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const size = /(?:^|[:,])RESOLUTION=(\d+)x(\d+)/.exec(line)
      pending = size ? Math.min(Number(size[1]), Number(size[2])) : 0
    } else if (line !== '' && !line.startsWith('#') && pending !== null) {
      renditions.set(fileNameOf(new URL(line, new URL(masterUrl, location.href)).href), pending)
      pending = null
    }
  }
  return renditions
}

/** A live's renditions, read from its master playlist. */
export async function liveRenditions (masterUrl: string): Promise<Renditions> {
  const response = await fetch(masterUrl, { credentials: 'same-origin', cache: 'no-cache' })
  if (!response.ok) throw new Error(`the master playlist answered ${response.status}`)
  return masterRenditions(await response.text(), masterUrl)
}

/** Each stream of the video gets PeerTube's swarm id, found by its media playlist's file name. */
function useVideoSwarms (engine: HlsJsP2PEngine, video: VideoDetails, resolutions: Renditions): void {
  const core = (engine as unknown as { core?: Partial<EngineCore> }).core
  const register = core?.addStreamIfNoneExists?.bind(core)
  if (!core || !register) throw new Error('p2p-media-loader has no core.addStreamIfNoneExists')
  core.addStreamIfNoneExists = (stream) => {
    const resolution = stream.type === 'secondary' ? 0 : resolutions.get(fileNameOf(stream.runtimeId))
    // A stream the video JSON does not list keeps the library's id (the tracker refuses it).
    register(resolution === undefined ? stream : { ...stream, streamSwarmId: streamSwarmId(video.uuid, stream.type, resolution) })
  }
}

/** hls.js with p2p-media-loader for this video; `onStats` hears every change. */
export function createP2PHls (options: P2POptions): Hls {
  const { video } = options
  const hashesUrl = video.streamingPlaylists[0]?.segmentsSha256Url
  if (!hashesUrl) throw new Error('no segments-sha256 JSON')
  const stats = emptyStats()
  const report = (): void => { options.onStats({ ...stats }) }
  const live = video.isLive === true
  const validate = segmentValidator(hashesUrl, (valid) => {
    if (valid) stats.checkedSegments++
    else stats.rejectedSegments++
    report()
  }, { growing: live })
  const cellular = (navigator as Navigator & { connection?: { type?: string } }).connection?.type === 'cellular'
  const HlsWithP2P = HlsJsP2PEngine.injectMixin(Hls)
  const peers = new Set<string>()
  const hls = new HlsWithP2P({
    ...options.hlsConfig,
    p2p: {
      core: {
        announceTrackers: options.trackers,
        rtcConfig: { iceServers: options.stunServers.map((urls) => ({ urls })) },
        swarmId: video.uuid,
        validateP2PSegment: validate,
        // PeerTube's windows: HTTP for what plays within 15 s (a live: 4 s), peers for what
        // comes later.
        highDemandTimeWindow: live ? 4 : 15,
        // On a metered connection, take but do not give.
        isP2PUploadDisabled: cellular
      },
      onHlsJsCreated: (created) => {
        const engine = created.p2pEngine
        useVideoSwarms(engine, video, options.renditions ?? fileRenditions(video))
        engine.addEventListener('onSegmentLoaded', ({ bytesLength, downloadSource }) => {
          if (downloadSource === 'p2p') { stats.p2pBytes += bytesLength; stats.p2pSegments++ } else { stats.httpBytes += bytesLength; stats.httpSegments++ }
          report()
        })
        engine.addEventListener('onChunkUploaded', (bytesLength) => { stats.uploadedBytes += bytesLength; report() })
        engine.addEventListener('onPeerConnect', ({ peerId }) => { peers.add(peerId); stats.peers = peers.size; report() })
        engine.addEventListener('onPeerClose', ({ peerId }) => { peers.delete(peerId); stats.peers = peers.size; report() })
      }
    }
  })
  report()
  return hls
}
