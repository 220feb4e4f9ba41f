// An archive of my data (/my-account/exports): PeerTube's user export. Ask for one (with or
// without the videos' files), watch it being written, download it while its link is fresh,
// delete it. One archive at a time; it expires by itself.

import { api, currentUser } from '../api'
import { errorText, h, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'

interface UserExport {
  id: number
  state: { id: number, label: string }
  size: number | null
  privateDownloadUrl: string | null
  createdAt: string
  expiresOn: string
}
interface ExportList { total: number, data: UserExport[] }

function sizeText (bytes: number | null): string {
  if (bytes === null) return ''
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Archive of my data')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  const path = `/users/${user.id}/exports`
  const list = h('ul', { class: 'row-list', 'data-testid': 'exports' })
  const status = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'export-status' })
  const withFiles = h('input', { id: 'export-files', type: 'checkbox', 'data-testid': 'export-files' })
  const ask = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'export-request' }, 'Ask for an archive')
  const form = h('form', { class: 'settings-form' },
    h('label', { class: 'checkbox' }, withFiles, ' With the videos’ files (their originals)'), ask, status)
  let timer: number | undefined

  const show = (exports: UserExport[]): void => {
    list.replaceChildren(...exports.map((entry) => {
      const actions: HTMLElement[] = []
      if (entry.privateDownloadUrl) {
        actions.push(h('a', { class: 'button', href: entry.privateDownloadUrl, download: '', 'data-testid': 'export-download' }, 'Download'))
      }
      if (entry.state.id !== 2) {
        const remove = h('button', { type: 'button', class: 'button', 'data-testid': 'export-delete' }, 'Delete')
        remove.addEventListener('click', async () => {
          remove.disabled = true
          try {
            await api(`${path}/${entry.id}`, { method: 'DELETE' })
            status.replaceChildren(notice('The archive was deleted.'))
            await load()
          } catch (error) {
            remove.disabled = false
            status.replaceChildren(notice(`Could not delete the archive: ${errorText(error)}`, 'error'))
          }
        })
        actions.push(remove)
      }
      const details = `${entry.state.label}${entry.size ? `, ${sizeText(entry.size)}` : ''}; asked for ${new Date(entry.createdAt).toLocaleString()}, removed after ${new Date(entry.expiresOn).toLocaleString()}`
      return h('li', { class: 'row', 'data-testid': 'export', 'data-state': String(entry.state.id) },
        h('div', { class: 'row-main' }, h('strong', {}, `Archive ${entry.id}`), h('span', { class: 'muted' }, details)),
        h('div', { class: 'row-actions' }, ...actions))
    }))
    if (exports.length === 0) list.append(h('li', { class: 'empty' }, 'No archive yet.'))
    // While one is being written, look again in a few seconds.
    window.clearTimeout(timer)
    if (exports.some((entry) => entry.state.id === 1 || entry.state.id === 2) && !signal.aborted) {
      timer = window.setTimeout(() => { void load() }, 2000)
    }
  }
  const load = async (): Promise<void> => {
    try {
      show((await api<ExportList>(path, { signal })).data)
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not list the archives: ${errorText(error)}`, 'error'))
    }
  }
  signal.addEventListener('abort', () => window.clearTimeout(timer))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    ask.disabled = true
    status.replaceChildren()
    try {
      await api(`${path}/request`, { method: 'POST', json: { withVideoFiles: withFiles.checked } })
      status.replaceChildren(notice('The archive is being written; it appears below when it is ready.'))
      await load()
    } catch (error) {
      status.replaceChildren(notice(`Could not ask for an archive: ${errorText(error)}`, 'error'))
    } finally {
      ask.disabled = false
    }
  })

  main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Archive of my data'),
    h('p', { class: 'muted' }, 'A ZIP of your account, channels, videos, playlists, comments, likes, subscriptions and followers, in the format PeerTube reads and writes. Its download link works for 15 minutes each time this page shows it; the archive itself is removed after a while.'),
    form, list))
  void load()
}
