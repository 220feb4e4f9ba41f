// The watch page's Download menu: pick a rendition, get it as a plain MP4 with its audio
// (`/download/videos/generate/<uuid>?videoFileIds=<id>`, made by the server from the HLS file
// without transcoding). Shown when the owner allows downloads, and to the owner and staff
// always. Public and unlisted videos are plain links; a private one is fetched with the
// viewer's token and saved from memory.

import { authorization, toApiError } from '../api'
import { errorText, formatBytes, h } from '../dom'
import { icon } from '../icons'
import { isModerator, Privacy, type User, type VideoDetails, type VideoFile } from '../types'

/** The menu, or null when there is nothing this viewer may download. */
export function downloadMenu (video: VideoDetails, user: User | null, owner: boolean): HTMLElement | null {
  if (video.downloadEnabled === false && !owner && !isModerator(user)) return null
  if (video.isLocal === false) return null
  const files = (video.streamingPlaylists?.[0]?.files ?? [])
    .filter((file): file is VideoFile & { id: number } => typeof file.id === 'number')
    .sort((a, b) => b.resolution.id - a.resolution.id)
  if (files.length === 0) return null
  const href = (file: VideoFile & { id: number }): string =>
    `/download/videos/generate/${video.uuid}?videoFileIds=${file.id}`
  const select = h('select', { id: 'download-rendition', 'data-testid': 'download-rendition' },
    files.map((file) => h('option', { value: String(file.id) }, `${file.resolution.label} (${formatBytes(file.size)})`)))
  const chosen = (): VideoFile & { id: number } => files.find((f) => String(f.id) === select.value) ?? files[0]
  const status = h('p', { role: 'status', class: 'download-status' })
  const shared = video.privacy.id === Privacy.public || video.privacy.id === Privacy.unlisted
  const link = h('a', { class: 'button primary', href: href(files[0]), download: '', 'data-testid': 'download-link' }, icon('download'), 'Download MP4')
  select.addEventListener('change', () => { link.setAttribute('href', href(chosen())) })
  if (!shared) {
    // A private video: the browser cannot send the token with a plain link.
    link.addEventListener('click', (event) => {
      event.preventDefault()
      status.textContent = 'Preparing the download…'
      void saveWithToken(href(chosen()), `${video.name}.mp4`)
        .then(() => { status.textContent = '' })
        .catch((error) => { status.textContent = errorText(error) })
    })
  }
  return h('details', { class: 'share download', 'data-testid': 'download-menu' }, h('summary', { class: 'button' }, 'Download'),
    h('div', { class: 'menu share-menu' },
      h('div', { class: 'field' }, h('label', { for: 'download-rendition' }, 'Quality'), select),
      link, status))
}

async function saveWithToken (path: string, name: string): Promise<void> {
  const response = await fetch(path, { headers: authorization() })
  if (!response.ok) throw await toApiError(response)
  const url = URL.createObjectURL(await response.blob())
  const anchor = h('a', { href: url, download: name })
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  setTimeout(() => { URL.revokeObjectURL(url) }, 60_000)
}
