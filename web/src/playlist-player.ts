// Playing a playlist: all its elements read page by page, and a sequence that shows one video at
// a time in a stage, from its element's start timestamp to its stop timestamp, then moves on to
// the next element the viewer may watch. Used by the playlist page (/w/p/<id>) and the playlist
// embed (/video-playlists/embed/<id>).

import { api } from './api'
import { errorText, notice, replace } from './dom'
import { createPlayer, type Player, type PlayerOptions } from './player'
import type { Page, VideoDetails, VideoPlaylistElement } from './types'

const PAGE = 100

/** Every element of the playlist `uuid`, in order. */
export async function loadElements (uuid: string, signal?: AbortSignal): Promise<VideoPlaylistElement[]> {
  const elements: VideoPlaylistElement[] = []
  while (signal?.aborted !== true) {
    const page = await api<Page<VideoPlaylistElement>>(`/video-playlists/${uuid}/videos`, { query: { start: elements.length, count: PAGE }, signal })
    elements.push(...page.data)
    if (page.data.length === 0 || elements.length >= page.total) break
  }
  return elements
}

/** Whether an element holds a video the viewer may watch. */
export function playable (element: VideoPlaylistElement): boolean {
  return element.type === 0 && element.video !== null
}

export interface Sequence {
  /** Shows the element at `index` (when it is playable), playing at once when `autoplay`. */
  play: (index: number, autoplay: boolean) => Promise<void>
  /** The element shown, or -1. */
  current: () => number
  /** The player shown, if any. */
  player: () => Player | null
  /** Removes the element at `index` from the sequence (it was taken out of the playlist). */
  remove: (index: number) => void
  destroy: () => void
}

export interface SequenceOptions {
  elements: VideoPlaylistElement[]
  stage: HTMLElement
  signal?: AbortSignal
  /** The player's peer-to-peer context (page or embed). */
  p2p: PlayerOptions['p2p']
  /** Called when another element is shown (before its video is loaded) and once it is. */
  onChange: (index: number, video: VideoDetails | null) => void
}

/** A sequence over `elements`; nothing is shown until `play` is called. */
export function playlistSequence (options: SequenceOptions): Sequence {
  const { elements, stage, signal } = options
  let shown: Player | null = null
  let current = -1
  const destroy = (): void => { shown?.destroy(); shown = null }

  const play = async (index: number, autoplay: boolean): Promise<void> => {
    const element = elements[index]
    if (!element?.video) return
    current = index
    options.onChange(index, null)
    destroy()
    let video: VideoDetails
    try {
      video = await api<VideoDetails>(`/videos/${element.video.uuid}`, { signal })
    } catch (error) {
      if (signal?.aborted !== true) replace(stage, notice(`Could not load ${element.video.name}: ${errorText(error)}`, 'error'))
      return
    }
    if (signal?.aborted === true || current !== index) return
    const player = createPlayer({ video, autoplay, start: element.startTimestamp ?? undefined, shortcutsOn: document, p2p: options.p2p })
    shown = player
    replace(stage, player.element)
    options.onChange(index, video)
    const next = (): void => {
      const following = elements.findIndex((candidate, position) => position > index && playable(candidate))
      if (following >= 0 && shown === player) void play(following, true)
    }
    player.media.addEventListener('ended', next)
    if (element.stopTimestamp !== null) {
      const stop = element.stopTimestamp
      player.media.addEventListener('timeupdate', () => {
        if (player.media.currentTime >= stop && !player.media.paused) { player.media.pause(); next() }
      })
    }
  }

  return {
    play,
    current: () => current,
    player: () => shown,
    remove: (index) => {
      elements.splice(index, 1)
      if (current > index) current--
    },
    destroy
  }
}

/** The first playable element at or after the 1-based `position` (PeerTube's `playlistPosition`). */
export function firstPlayable (elements: VideoPlaylistElement[], position: string | null): number {
  const wanted = Number(position ?? '1') - 1
  return elements.findIndex((element, index) => index >= Math.max(0, Number.isFinite(wanted) ? wanted : 0) && playable(element))
}
