// Subtitles and chapters in the player. Captions become <track> elements (the browser parses
// and shows the WebVTT; hls.js is told to leave the HLS subtitles rendition alone, which is
// there for native players), chosen in the settings menu. Chapters become markers on the seek
// bar (a click jumps there), a menu in the settings, and the title of the chapter under the
// pointer in the seek preview.

import { formatDuration, h } from './dom'
import type { VideoCaption, VideoChapter } from './types'

export interface TrackControls {
  /** The settings menu's rows (label + select), hidden until there is something to choose. */
  elements: HTMLElement[]
  setCaptions: (captions: VideoCaption[]) => void
  setChapters: (chapters: VideoChapter[]) => void
  /** The title of the chapter playing at `time`, or ''. */
  chapterAt: (time: number) => string
  /** Places the markers again (the duration became known). */
  layout: () => void
}

export function trackControls (id: string, media: HTMLVideoElement, seekBar: HTMLElement, duration: () => number): TrackControls {
  const subtitles = h('select', { id: `subtitles-${id}`, 'data-testid': 'subtitles-menu' }, h('option', { value: '' }, 'Off'))
  const subtitlesLabel = h('label', { for: subtitles.id, hidden: true }, 'Subtitles')
  subtitles.hidden = true
  const chapterMenu = h('select', { id: `chapters-${id}`, 'data-testid': 'chapters-menu' })
  const chapterLabel = h('label', { for: chapterMenu.id, hidden: true }, 'Chapters')
  chapterMenu.hidden = true
  const markers = h('div', { class: 'player-chapters', 'data-testid': 'chapter-markers' })
  seekBar.append(markers)
  let chapters: VideoChapter[] = []

  const showOnly = (language: string): void => {
    for (const track of Array.from(media.textTracks)) {
      track.mode = track.language === language && language !== '' ? 'showing' : 'disabled'
    }
    media.dataset.subtitles = language
  }
  subtitles.addEventListener('change', () => { showOnly(subtitles.value) })

  const jump = (time: number): void => {
    media.currentTime = time
    media.dispatchEvent(new Event('timeupdate'))
  }
  chapterMenu.addEventListener('change', () => { jump(Number(chapterMenu.value)) })

  function layout (): void {
    const total = duration()
    markers.replaceChildren(...chapters.filter((chapter) => chapter.timecode > 0 && total > 0 && chapter.timecode < total)
      .map((chapter) => {
        const marker = h('button', {
          type: 'button', class: 'player-chapter', title: chapter.title, 'aria-label': `Chapter: ${chapter.title} (${formatDuration(chapter.timecode)})`,
          'data-testid': 'chapter-marker', 'data-timecode': chapter.timecode
        })
        marker.style.left = `${(chapter.timecode / total) * 100}%`
        marker.addEventListener('click', (event) => { event.stopPropagation(); jump(chapter.timecode) })
        return marker
      }))
  }

  return {
    elements: [subtitlesLabel, subtitles, chapterLabel, chapterMenu],
    setCaptions (captions) {
      for (const track of Array.from(media.querySelectorAll('track'))) track.remove()
      const usable = captions.filter((caption) => caption.fileUrl ?? caption.captionPath)
      if (usable.some((caption) => new URL(caption.fileUrl ?? caption.captionPath ?? '', location.href).origin !== location.origin)) {
        // Another instance's captions are fetched with CORS.
        media.crossOrigin = 'anonymous'
      }
      for (const caption of usable) {
        media.append(h('track', { kind: 'subtitles', srclang: caption.language.id, label: caption.language.label, src: caption.fileUrl ?? caption.captionPath ?? '' }))
      }
      subtitles.replaceChildren(h('option', { value: '' }, 'Off'),
        ...usable.map((caption) => h('option', { value: caption.language.id }, caption.language.label)))
      subtitles.hidden = subtitlesLabel.hidden = usable.length === 0
      showOnly('')
    },
    setChapters (list) {
      chapters = [...list].sort((a, b) => a.timecode - b.timecode)
      chapterMenu.replaceChildren(...chapters.map((chapter) => h('option', { value: chapter.timecode }, `${formatDuration(chapter.timecode)} ${chapter.title}`)))
      chapterMenu.hidden = chapterLabel.hidden = chapters.length === 0
      layout()
    },
    chapterAt (time) {
      let title = ''
      for (const chapter of chapters) if (chapter.timecode <= time) title = chapter.title
      return title
    },
    layout
  }
}
