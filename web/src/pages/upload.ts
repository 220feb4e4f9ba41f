// Upload: choose a file, fill in the details, then a resumable upload with a progress bar,
// pause/resume and automatic retries, then transcoding progress until the video is published.

import { api, currentUser } from '../api'
import { errorText, formatBytes, h, notice, replace, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import { chunkSize, ResumableUpload, type CreatedVideo, type UploadCallbacks, type UploadStatus } from '../resumable'
import { progressBar } from '../components/progress'
import { Privacy, type ServerConfig, type User, type VideoDetails } from '../types'
import { attributeFields, attributesJson, type AttributeFields } from '../components/video-attributes'

/** A labelled form control, with an optional hint below it. */
export function field (id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null)
}

export function privacySelect (id: string, value: number = Privacy.public): HTMLSelectElement {
  const select = h('select', { id, name: 'privacy', 'data-testid': 'privacy' },
    h('option', { value: Privacy.public }, 'Public'),
    h('option', { value: Privacy.unlisted }, 'Unlisted (anyone with the link)'),
    h('option', { value: Privacy.private }, 'Private (only me)'))
  select.value = String(value)
  return select
}

/** "a, b , c" → ["a", "b", "c"] (PeerTube allows 5 tags of 2–30 characters). */
export function parseTags (text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim()).filter((tag) => tag.length > 0))].slice(0, 5)
}

export async function render ({ main, signal }: PageContext): Promise<() => void> {
  setTitle('Upload a video')
  const user = await currentUser()
  if (!user) {
    navigate(`/login?next=${encodeURIComponent('/videos/upload')}`, { replace: true })
    return () => {}
  }
  let upload: ResumableUpload | null = null
  const beforeUnload = (event: BeforeUnloadEvent): void => { if (upload) event.preventDefault() }
  window.addEventListener('beforeunload', beforeUnload)
  const section = h('section', { class: 'narrow' }, h('h1', {}, 'Upload a video'))
  main.append(section)
  api<ServerConfig>('/config', { signal }).then((config) => {
    if (config.live?.enabled === true) {
      section.querySelector('h1')?.after(h('p', {}, 'Broadcasting instead? ', h('a', { href: '/videos/go-live', 'data-testid': 'go-live-link' }, 'Go live')))
    }
  }).catch(() => {})
  let attributes: AttributeFields | null = null
  try {
    attributes = await attributeFields('upload', field)
  } catch (error) {
    if (signal.aborted) return () => {}
    section.append(notice(`Could not load the choices of category, licence and language: ${errorText(error)}`, 'error'))
  }
  section.append(detailsForm(user, signal, attributes, (started) => { upload = started }, () => { upload = null }))
  return () => {
    window.removeEventListener('beforeunload', beforeUnload)
    upload?.pause() // the session stays on the server: choosing the same file again resumes it
  }
}

function detailsForm (user: User, signal: AbortSignal, attributes: AttributeFields | null, onStart: (upload: ResumableUpload) => void, onEnd: () => void): HTMLElement {
  const file = h('input', { id: 'upload-file', type: 'file', accept: 'video/*,audio/*,.mkv,.mov,.avi,.flv,.ogv,.webm', required: true, 'data-testid': 'upload-file' })
  const name = h('input', { id: 'upload-name', name: 'name', required: true, minlength: 3, maxlength: 120, 'data-testid': 'upload-name' })
  const channel = h('select', { id: 'upload-channel', name: 'channelId' },
    user.videoChannels.map((c) => h('option', { value: c.id ?? '' }, c.displayName || c.name)))
  const privacy = privacySelect('upload-privacy')
  const description = h('textarea', { id: 'upload-description', name: 'description', rows: 5, maxlength: 10000, 'aria-describedby': 'upload-description-hint', 'data-testid': 'upload-description' })
  const tags = h('input', { id: 'upload-tags', name: 'tags', 'aria-describedby': 'upload-tags-hint' })
  const comments = h('select', { id: 'upload-comments', name: 'commentsPolicy', 'data-testid': 'upload-comments' },
    h('option', { value: 1 }, 'Allowed'), h('option', { value: 3 }, 'Requires approval'), h('option', { value: 2 }, 'Turned off'))
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'upload-submit' }, 'Upload')
  const status = h('div', { 'aria-live': 'polite' })
  const chosen = h('span', { class: 'dropzone-file' }, 'No file chosen yet')
  const form = h('form', { class: 'card form' },
    h('label', { class: 'dropzone', for: 'upload-file' },
      h('span', { class: 'dropzone-title' }, 'Choose a video or audio file'), chosen, file),
    field('upload-name', 'Title', name),
    field('upload-channel', 'Channel', channel),
    field('upload-privacy', 'Visibility', privacy),
    field('upload-description', 'Description', description, 'Markdown: **bold**, *italic*, [links](https://example.org), lists.'),
    field('upload-tags', 'Tags', tags, 'Up to 5, separated by commas.'),
    field('upload-comments', 'Comments', comments),
    ...(attributes?.elements ?? []),
    status,
    h('div', { class: 'actions' }, submit))
  file.addEventListener('change', () => {
    const picked = file.files?.[0]
    if (!picked) return
    chosen.textContent = `${picked.name} (${formatBytes(picked.size)})`
    if (!name.value) name.value = picked.name.replace(/\.[^.]+$/, '').slice(0, 120)
    if (ResumableUpload.hasEarlier(picked)) status.replaceChildren(notice('An unfinished upload of this file exists: it will resume where it stopped.'))
  })
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const picked = file.files?.[0]
    if (!picked) { status.replaceChildren(notice('Choose a file first.', 'error')); file.focus(); return }
    if (name.value.trim().length < 3) { status.replaceChildren(notice('The title needs at least 3 characters.', 'error')); name.focus(); return }
    const config = await api<{ client?: { videos?: { resumableUpload?: { maxChunkSize?: number | null } } } }>('/config').catch(() => null)
    const fields = {
      name: name.value.trim(),
      channelId: Number(channel.value),
      privacy: Number(privacy.value),
      description: description.value || undefined,
      tags: parseTags(tags.value),
      commentsPolicy: Number(comments.value),
      ...(attributes ? attributesJson(attributes.values()) : {})
    }
    const size = chunkSize(config?.client?.videos?.resumableUpload?.maxChunkSize)
    const upload = (callbacks: UploadCallbacks): ResumableUpload => new ResumableUpload(picked, fields, callbacks, size)
    form.replaceWith(uploadPanel(picked, upload, signal, onStart, onEnd))
  })
  return form
}

function uploadPanel (
  file: File,
  create: (callbacks: UploadCallbacks) => ResumableUpload,
  signal: AbortSignal,
  onStart: (upload: ResumableUpload) => void,
  onEnd: () => void
): HTMLElement {
  const bar = progressBar('Upload progress', 'upload-progress')
  bar.set(0)
  const figures = h('p', { class: 'figures' }, `0 B of ${formatBytes(file.size)}`)
  const status = h('p', { class: 'upload-status', role: 'status', 'data-testid': 'upload-status' }, 'Starting…')
  const pause = h('button', { type: 'button', class: 'button', 'data-testid': 'upload-pause' }, 'Pause')
  const resume = h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'upload-resume', hidden: true }, 'Resume')
  const cancel = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'upload-cancel' }, 'Cancel')
  const controls = h('div', { class: 'actions' }, pause, resume, cancel)
  const after = h('div', {})
  const panel = h('div', { class: 'card upload-panel', 'data-testid': 'upload-panel' },
    h('h2', {}, file.name), bar.element, figures, status, controls, after)
  let speedFrom = { time: performance.now(), bytes: 0 }
  let speed = 0
  const callbacks: UploadCallbacks = {
    progress (sent: number, total: number) {
      bar.set(total ? (sent / total) * 100 : 0)
      const now = performance.now()
      if (now - speedFrom.time > 1000) {
        speed = Math.max(0, (sent - speedFrom.bytes) / ((now - speedFrom.time) / 1000))
        speedFrom = { time: now, bytes: sent }
      }
      const remaining = speed > 0 ? Math.ceil((total - sent) / speed) : null
      figures.textContent = `${formatBytes(sent)} of ${formatBytes(total)}` +
        (speed > 0 ? ` · ${formatBytes(speed)}/s` : '') + (remaining !== null && sent < total ? ` · about ${remaining} s left` : '')
    },
    status (state: UploadStatus, detail?: string) {
      const texts: Record<UploadStatus, string> = {
        starting: 'Starting…', uploading: 'Uploading…', paused: 'Paused.', retrying: 'Connection trouble.',
        done: 'Upload complete.', failed: 'The upload failed.', cancelled: 'Upload cancelled.'
      }
      status.textContent = detail ? `${texts[state]} ${detail}` : texts[state]
      status.classList.toggle('error', state === 'failed' || state === 'retrying')
      pause.hidden = state === 'paused' || state === 'done' || state === 'failed' || state === 'cancelled'
      resume.hidden = state !== 'paused' && state !== 'retrying'
      resume.textContent = state === 'retrying' ? 'Retry now' : 'Resume'
      controls.hidden = state === 'done' || state === 'cancelled' || state === 'failed'
      panel.dataset.state = state
    }
  }
  const upload = create(callbacks)
  onStart(upload)
  pause.addEventListener('click', () => { upload.pause(); resume.focus() })
  resume.addEventListener('click', () => { upload.resume(); pause.focus() })
  cancel.addEventListener('click', () => { void upload.cancel() })
  upload.run().then((video) => {
    onEnd()
    after.replaceChildren(transcodingPanel(video, signal))
  }).catch(() => {
    onEnd()
    // The status line says what went wrong (or that it was cancelled).
    after.replaceChildren(h('p', {}, h('a', {
      href: '/videos/upload',
      onclick: (event: Event) => { event.preventDefault(); navigate('/videos/upload', { replace: true }) }
    }, panel.dataset.state === 'cancelled' ? 'Upload another file' : 'Try again')))
  })
  return panel
}

/** Polls the new video until it is published (or failed: then it offers to delete it),
 * showing transcoding progress. */
function transcodingPanel (created: CreatedVideo, signal: AbortSignal): HTMLElement {
  const bar = progressBar('Processing progress', 'transcode-progress')
  bar.set(null)
  const status = h('p', { role: 'status', 'data-testid': 'transcode-status' }, 'Processing the video…')
  const result = h('div', {})
  const panel = h('div', { class: 'transcoding' }, h('h3', {}, 'Processing'), bar.element, status, result)
  const watch = `/w/${created.shortUUID}`
  // A failed video will never play: the bar stops, the state and reason show, and the video
  // can be deleted from here.
  const showFailure = (video: VideoDetails): void => {
    bar.set(0, 'failed')
    bar.element.hidden = true
    panel.dataset.state = 'failed'
    const label = video.state?.label ?? 'Processing failed'
    status.textContent = `${label}${video.failureReason ? `: ${video.failureReason}` : '.'}`
    status.classList.add('error')
    const remove = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'delete-video' }, 'Delete the video')
    const outcome = h('p', { role: 'status', 'data-testid': 'delete-status' })
    remove.addEventListener('click', () => {
      remove.disabled = true
      api(`/videos/${created.uuid}`, { method: 'DELETE' }).then(() => {
        panel.dataset.state = 'deleted'
        replace(result, h('p', { 'data-testid': 'delete-status' }, 'The video was deleted. ',
          h('a', { href: '/videos/upload', 'data-testid': 'upload-another' }, 'Upload another file')))
      }).catch((error) => {
        remove.disabled = false
        outcome.textContent = `The video could not be deleted: ${errorText(error)}`
        outcome.classList.add('error')
      })
    })
    replace(result, h('p', {}, 'The video could not be processed and will not be playable.'),
      h('div', { class: 'actions' }, remove), outcome)
  }
  const poll = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        const video = await api<VideoDetails>(`/videos/${created.uuid}`, { signal })
        const state = video.state?.id ?? 1
        if (state === 1) {
          bar.set(100)
          status.textContent = 'Published.'
          replace(result, h('p', { class: 'published' },
            h('a', { class: 'button button-primary', href: watch, 'data-testid': 'video-link' }, 'Watch the video'), ' ',
            h('a', { class: 'button', href: `/videos/manage/${created.shortUUID}` }, 'Edit details')))
          return
        }
        if (state === 7 || state === 8 || state === 11) {
          showFailure(video)
          return
        }
        const progress = video.transcodingProgress
        bar.set(typeof progress === 'number' ? progress : null)
        status.textContent = `${video.state?.label ?? 'Processing'}${typeof progress === 'number' ? ` (${Math.round(progress)}%)` : ''}…`
      } catch (error) {
        if (signal.aborted) return
        status.textContent = `Could not check the video's state: ${errorText(error)}. Trying again…`
      }
      await new Promise((resolve) => setTimeout(resolve, 1500))
    }
  }
  replace(result, h('p', {}, 'The video will be playable at ', h('a', { href: watch }, watch), ' once processed.'))
  void poll()
  return panel
}
