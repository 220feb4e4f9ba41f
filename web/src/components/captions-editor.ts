// The edit page's captions and chapters (/videos/manage/<id>). Captions: the video's tracks,
// each with a Delete button, and an upload of a .vtt or .srt file for a language
// (PUT /videos/{id}/captions/{lang}, multipart `captionfile`); the server's refusal (HTML,
// binary, too large, a broken timestamp with its line) is shown as it says it. Chapters: one
// line per chapter, `m:ss Title` (or `h:mm:ss Title`), saved with PUT /videos/{id}/chapters;
// an empty text removes them (the description's timecodes count again).

import { api, ApiError } from '../api'
import { errorText, formatDuration, h, notice } from '../dom'
import type { VideoCaption, VideoChapter, VideoDetails } from '../types'

type Table = Record<string, string>

function problemText (error: unknown): string {
  if (error instanceof ApiError) {
    const params = Object.values(error.invalidParams)
    const first = params[0]
    if (first) return first.msg ?? first.reason ?? errorText(error)
  }
  return errorText(error)
}

export async function captionsCard (video: VideoDetails, signal: AbortSignal): Promise<HTMLElement> {
  const languages = await api<Table>('/videos/languages', { signal })
  const list = h('ul', { class: 'caption-list', 'data-testid': 'caption-list' })
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'caption-status' })
  const language = h('select', { id: 'caption-language', 'data-testid': 'caption-language', required: true },
    h('option', { value: '' }, '—'), Object.entries(languages).map(([id, label]) => h('option', { value: id }, label)))
  const file = h('input', { id: 'caption-file', type: 'file', accept: '.vtt,.srt,text/vtt,application/x-subrip', required: true, 'data-testid': 'caption-file' })
  const upload = h('button', { type: 'submit', class: 'button', 'data-testid': 'caption-upload' }, 'Add captions')

  const load = async (): Promise<void> => {
    const answer = await api<{ data: VideoCaption[] }>(`/videos/${video.uuid}/captions`, { signal })
    list.replaceChildren(...answer.data.map((caption) => {
      const remove = h('button', { type: 'button', class: 'button', 'data-testid': `caption-delete-${caption.language.id}` }, 'Delete')
      remove.addEventListener('click', async () => {
        remove.disabled = true
        try {
          await api(`/videos/${video.uuid}/captions/${encodeURIComponent(caption.language.id)}`, { method: 'DELETE' })
          status.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, `${caption.language.label} captions deleted.`))
          await load()
        } catch (error) {
          remove.disabled = false
          status.replaceChildren(notice(`Could not delete: ${problemText(error)}`, 'error'))
        }
      })
      const link = h('a', { href: caption.fileUrl ?? caption.captionPath ?? '#', target: '_blank', rel: 'noopener' }, caption.language.label)
      return h('li', { 'data-language': caption.language.id }, link, ' ', remove)
    }))
    if (answer.data.length === 0) list.append(h('li', { class: 'hint' }, 'No captions yet.'))
  }

  const form = h('form', { class: 'caption-form' },
    h('div', { class: 'field' }, h('label', { for: language.id }, 'Language'), language),
    h('div', { class: 'field' }, h('label', { for: file.id }, 'WebVTT or SRT file'), file),
    upload)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const chosen = file.files?.[0]
    if (!chosen || !language.value) return
    const data = new FormData()
    data.set('captionfile', chosen, chosen.name)
    upload.disabled = true
    status.replaceChildren(notice('Uploading…'))
    try {
      await api(`/videos/${video.uuid}/captions/${encodeURIComponent(language.value)}`, { method: 'PUT', form: data })
      status.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, `${languages[language.value] ?? language.value} captions saved.`))
      file.value = ''
      await load()
    } catch (error) {
      status.replaceChildren(notice(`Could not add the captions: ${problemText(error)}`, 'error'))
    } finally {
      upload.disabled = false
    }
  })
  await load()
  return h('section', { class: 'card form', 'data-testid': 'captions-card' }, h('h2', {}, 'Captions'), list, form, status)
}

/** `m:ss`, `mm:ss` or `h:mm:ss` in seconds, or null. */
function parseTimecode (text: string): number | null {
  if (!/^\d{1,2}(:\d{2}){1,2}$/.test(text)) return null
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0)
}

export async function chaptersCard (video: VideoDetails, signal: AbortSignal): Promise<HTMLElement> {
  const answer = await api<{ chapters: VideoChapter[] }>(`/videos/${video.uuid}/chapters`, { signal })
  const text = h('textarea', { id: 'edit-chapters', rows: 6, 'aria-describedby': 'edit-chapters-hint', 'data-testid': 'edit-chapters' })
  text.value = answer.chapters.map((chapter) => `${formatDuration(chapter.timecode)} ${chapter.title}`).join('\n')
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'chapters-status' })
  const save = h('button', { type: 'submit', class: 'button', 'data-testid': 'chapters-save' }, 'Save chapters')
  const form = h('form', { class: 'card form', 'data-testid': 'chapters-card' },
    h('h2', {}, 'Chapters'),
    h('div', { class: 'field' }, h('label', { for: text.id }, 'One chapter a line'), text,
      h('p', { class: 'hint', id: 'edit-chapters-hint' }, 'A time and a title, e.g. “0:00 Intro”, “1:05:30 The end”. Leave empty to use the timecodes of the description.')),
    status, h('div', { class: 'actions' }, save))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const chapters: VideoChapter[] = []
    for (const [index, raw] of text.value.split('\n').entries()) {
      const line = raw.trim()
      if (!line) continue
      const [time, ...rest] = line.split(/\s+/)
      const timecode = parseTimecode(time)
      if (timecode === null || rest.length === 0) {
        status.replaceChildren(notice(`Line ${index + 1}: write a time (m:ss) then a title.`, 'error'))
        return
      }
      chapters.push({ timecode, title: rest.join(' ') })
    }
    save.disabled = true
    try {
      await api(`/videos/${video.uuid}/chapters`, { method: 'PUT', json: { chapters } })
      status.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, 'Chapters saved.'))
    } catch (error) {
      status.replaceChildren(notice(`Could not save the chapters: ${problemText(error)}`, 'error'))
    } finally {
      save.disabled = false
    }
  })
  return form
}
