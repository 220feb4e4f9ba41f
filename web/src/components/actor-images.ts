// Avatars and banners: the size to show (the smallest stored one at least as wide as the place
// it fills), the round avatar or its initial, a channel's banner, and the editor the settings
// page uses to upload (POST …/pick, multipart) or remove (DELETE) one of them.

import { api, ApiError } from '../api'
import { errorText, h, notice } from '../dom'
import type { ActorImage } from '../types'

/** The URL of the smallest image at least `width` pixels wide (else the widest), if any. */
export function pickImage (images: ActorImage[] | undefined, width: number): string | undefined {
  const sorted = [...(images ?? [])].sort((a, b) => (a.width ?? 0) - (b.width ?? 0))
  const image = sorted.find((candidate) => (candidate.width ?? 0) >= width) ?? sorted[sorted.length - 1]
  return image?.fileUrl ?? image?.path
}

/** The round avatar of an actor, or its initial when it has none. */
export function avatarOf (actor: { name: string, displayName?: string, avatars?: ActorImage[] }, size: 'large' | 'huge', pixels: number): HTMLElement {
  const picture = pickImage(actor.avatars, pixels)
  const initial = (actor.displayName || actor.name).slice(0, 1).toUpperCase()
  return picture
    ? h('img', { class: `avatar avatar-${size}`, src: picture, alt: '', 'data-testid': 'avatar' })
    : h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' }, initial)
}

/** A channel's banner across the top of its page, or nothing. */
export function bannerOf (banners: ActorImage[] | undefined): HTMLElement | null {
  const picture = pickImage(banners, 1200)
  return picture ? h('img', { class: 'actor-banner', src: picture, alt: '', 'data-testid': 'banner' }) : null
}

interface EditorOptions {
  /** `avatar` or `banner`. */
  kind: 'avatar' | 'banner'
  /** What is changed, for labels ("Your avatar", "Banner of My channel"). */
  label: string
  /** The API path without `/pick` (`/users/me/avatar`, `/video-channels/<name>/banner`). */
  path: string
  current: ActorImage[] | undefined
  testId: string
}

/** A preview with "Upload a new one" and "Remove", answering the server's reason on refusal. */
export function imageEditor (options: EditorOptions): HTMLElement {
  const id = `${options.testId}-file`
  const preview = h('img', { class: options.kind === 'avatar' ? 'avatar avatar-huge' : 'actor-banner actor-banner-preview', alt: options.label, 'data-testid': `${options.testId}-preview` })
  const empty = h('p', { class: 'muted', 'data-testid': `${options.testId}-none` }, options.kind === 'avatar' ? 'No avatar yet.' : 'No banner yet.')
  const status = h('div', { 'aria-live': 'polite' })
  const input = h('input', { id, type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif', 'data-testid': `${options.testId}-input` })
  const remove = h('button', { type: 'button', class: 'button', 'data-testid': `${options.testId}-remove` }, 'Remove')
  const show = (images: ActorImage[] | undefined): void => {
    const picture = pickImage(images, options.kind === 'avatar' ? 120 : 600)
    preview.hidden = !picture
    if (picture) preview.src = picture
    empty.hidden = Boolean(picture)
    remove.hidden = !picture
  }
  show(options.current)
  input.addEventListener('change', async () => {
    const file = input.files?.[0]
    if (!file) return
    const form = new FormData()
    form.set(`${options.kind}file`, file, file.name)
    input.disabled = true
    status.replaceChildren(notice('Uploading…'))
    try {
      const answer = await api<Record<string, ActorImage[]>>(`${options.path}/pick`, { method: 'POST', form })
      show(answer[`${options.kind}s`])
      status.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, 'Saved.'))
    } catch (error) {
      const reason = error instanceof ApiError ? Object.values(error.invalidParams)[0]?.msg : undefined
      status.replaceChildren(notice(`Could not save: ${reason ?? errorText(error)}`, 'error'))
    } finally {
      input.disabled = false
      input.value = ''
    }
  })
  remove.addEventListener('click', async () => {
    remove.disabled = true
    try {
      await api(options.path, { method: 'DELETE' })
      show([])
      status.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, 'Removed.'))
    } catch (error) {
      status.replaceChildren(notice(`Could not remove: ${errorText(error)}`, 'error'))
    } finally {
      remove.disabled = false
    }
  })
  return h('div', { class: `image-editor image-editor-${options.kind}`, 'data-testid': options.testId },
    h('h3', {}, options.label), preview, empty,
    h('div', { class: 'image-editor-actions' },
      h('label', { for: id, class: 'button' }, 'Upload a new one'), input, remove),
    h('p', { class: 'hint' }, options.kind === 'avatar'
      ? 'PNG, JPEG, WebP or GIF (first frame), at most 4 MB; shown square.'
      : 'PNG, JPEG, WebP or GIF (first frame), at most 4 MB; shown at 6:1.'),
    status)
}
