// Edit a video (/videos/manage/<id>): name, description, visibility, tags, comments policy,
// category, licence, language, NSFW, downloads, support text, original publication date,
// thumbnail (PUT multipart, as PeerTube's own client does), captions and chapters
// (components/captions-editor), and deletion.

import { api, ApiError, currentUser } from '../api'
import { errorText, h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { VideoDetails } from '../types'
import { parseTags, privacySelect } from './upload'
import { thumbnailOf } from '../components/video-list'
import { appendAttributes, attributeFields, type AttributeFields } from '../components/video-attributes'
import { captionsCard, chaptersCard } from '../components/captions-editor'

function field (id: string, label: string, control: HTMLElement, hint?: string, key = control.getAttribute('name') ?? id): HTMLElement {
  return h('div', { class: 'field', 'data-field': key },
    h('label', { for: id }, label), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' }))
}

export async function render ({ main, params, signal }: PageContext): Promise<void> {
  setTitle('Edit video')
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  let video: VideoDetails
  try {
    video = await api<VideoDetails>(`/videos/${encodeURIComponent(params.id)}`, { signal })
    if (video.description && video.description.length === 250 && video.description.endsWith('...')) {
      video.description = (await api<{ description: string }>(`/videos/${video.uuid}/description`, { signal })).description
    }
  } catch (error) {
    if (signal.aborted) return
    main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Edit video'), notice(`Could not load the video: ${errorText(error)}`, 'error')))
    return
  }
  setTitle(`Edit: ${video.name}`)
  const name = h('input', { id: 'edit-name', name: 'name', required: true, minlength: 3, maxlength: 120, value: video.name, 'data-testid': 'edit-name' })
  const description = h('textarea', { id: 'edit-description', name: 'description', rows: 8, maxlength: 10000, 'data-testid': 'edit-description' })
  description.value = video.description ?? ''
  const privacy = privacySelect('edit-privacy', video.privacy.id)
  const tags = h('input', { id: 'edit-tags', name: 'tags', value: (video.tags ?? []).join(', '), 'aria-describedby': 'edit-tags-hint', 'data-testid': 'edit-tags' })
  const comments = h('select', { id: 'edit-comments', name: 'commentsPolicy' },
    h('option', { value: 1 }, 'Allowed'), h('option', { value: 3 }, 'Requires approval'), h('option', { value: 2 }, 'Turned off'))
  comments.value = String(video.commentsPolicy?.id ?? (video.commentsEnabled === false ? 2 : 1))
  let attributes: AttributeFields
  try {
    attributes = await attributeFields('edit', field, video)
  } catch (error) {
    if (signal.aborted) return
    main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Edit video'), notice(`Could not load the video's choices: ${errorText(error)}`, 'error')))
    return
  }
  const current = thumbnailOf(video)
  const preview = h('img', { class: 'thumb-preview', alt: 'Current thumbnail', src: current ?? '', hidden: !current })
  const thumbnail = h('input', { id: 'edit-thumbnail', name: 'thumbnailfile', type: 'file', accept: 'image/jpeg,image/png', 'data-testid': 'edit-thumbnail' })
  thumbnail.addEventListener('change', () => {
    const file = thumbnail.files?.[0]
    if (!file) return
    preview.src = URL.createObjectURL(file)
    preview.alt = 'New thumbnail'
    preview.hidden = false
  })
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'edit-status' })
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'edit-save' }, 'Save')
  const form = h('form', { class: 'card form' },
    field('edit-name', 'Title', name),
    field('edit-description', 'Description', description, 'Markdown: **bold**, *italic*, [links](https://example.org), lists.'),
    field('edit-privacy', 'Visibility', privacy),
    field('edit-tags', 'Tags', tags, 'Up to 5, separated by commas.'),
    field('edit-comments', 'Comments', comments),
    ...attributes.elements,
    field('edit-thumbnail', 'Thumbnail', h('div', { class: 'thumb-field' }, preview, thumbnail), 'A JPEG or PNG image, 16:9.', 'thumbnailfile'),
    status,
    h('div', { class: 'actions' }, h('a', { class: 'button', href: `/w/${video.shortUUID}` }, 'View'), save))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    for (const message of form.querySelectorAll('.field-error')) message.textContent = ''
    const data = new FormData()
    data.set('name', name.value.trim())
    data.set('description', description.value)
    data.set('privacy', privacy.value)
    data.set('commentsPolicy', comments.value)
    appendAttributes(data, attributes.values())
    parseTags(tags.value).forEach((tag, index) => data.set(`tags[${index}]`, tag))
    const image = thumbnail.files?.[0]
    if (image) data.set('thumbnailfile', image, image.name)
    save.disabled = true
    status.replaceChildren(notice('Saving…'))
    try {
      await api(`/videos/${video.uuid}`, { method: 'PUT', form: data })
      status.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, 'Saved. ', h('a', { href: `/w/${video.shortUUID}` }, 'See the video'), '.'))
      setTitle(`Edit: ${name.value.trim()}`)
    } catch (error) {
      if (error instanceof ApiError) {
        for (const [key, problem] of Object.entries(error.invalidParams)) {
          const target = form.querySelector(`[data-field="${CSS.escape(key.replace(/\[\d+\]$/, ''))}"] .field-error`)
          if (target) target.textContent = problem.msg ?? problem.reason ?? 'Invalid value'
        }
      }
      status.replaceChildren(notice(`Could not save: ${errorText(error)}`, 'error'))
    } finally {
      save.disabled = false
    }
  })
  const remove = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'delete-video' }, 'Delete this video')
  const danger = h('div', { class: 'danger-zone' }, remove)
  remove.addEventListener('click', () => {
    const confirm = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'delete-confirm' }, 'Yes, delete it for good')
    confirm.addEventListener('click', async () => {
      confirm.disabled = true
      try {
        await api(`/videos/${video.uuid}`, { method: 'DELETE' })
        navigate('/my-library/videos', { replace: true })
      } catch (error) {
        danger.append(notice(`Could not delete: ${errorText(error)}`, 'error'))
      }
    })
    danger.replaceChildren(h('p', {}, `Delete “${video.name}”? This cannot be undone.`), confirm,
      h('button', { type: 'button', class: 'button', onclick: () => danger.replaceChildren(remove) }, 'Keep it'))
    confirm.focus()
  })
  const extras: HTMLElement[] = []
  if (video.isLocal !== false) {
    try {
      extras.push(await captionsCard(video, signal), await chaptersCard(video, signal))
    } catch (error) {
      if (signal.aborted) return
      extras.push(notice(`Could not load the captions and chapters: ${errorText(error)}`, 'error'))
    }
  }
  main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Edit video'), form, ...extras, danger))
}
