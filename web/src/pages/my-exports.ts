// An archive of my data (/my-account/exports): PeerTube's user export. Ask for one (with or
// without the videos' files), watch it being written, download it while its link is fresh,
// delete it. One archive at a time; it expires by itself. Below, import an archive (one made
// here or by PeerTube) through the resumable upload, and see how the latest import went.

import { ApiError, api, currentUser } from '../api'
import { errorText, h, notice, setTitle } from '../dom'
import { ResumableUpload } from '../resumable'
import { navigate, type PageContext } from '../router'

interface Tally { success: number, duplicates: number, errors: number }
interface UserImport {
  id: number
  state: { id: number, label: string }
  createdAt: string
  error: string | null
  resultSummary: { stats: Record<string, Tally> } | null
}

const IMPORTED: Record<string, string> = { channels: 'channels', videos: 'videos', videoPlaylists: 'playlists', following: 'subscriptions' }
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

  // Importing an archive.
  const importFile = h('input', { id: 'import-file', type: 'file', accept: '.zip,application/zip', required: true, 'data-testid': 'import-file' })
  const importButton = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'import-submit' }, 'Import')
  const importProgress = h('progress', { max: 1, value: 0, 'data-testid': 'import-progress' })
  const importStatus = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'import-status' })
  const importForm = h('form', { class: 'settings-form' },
    h('label', { for: 'import-file' }, 'Archive (ZIP)'), importFile, importButton, importProgress, importStatus)
  let importTimer: number | undefined
  const showImport = (latest: UserImport): void => {
    const parts = [`Import ${latest.id}: ${latest.state.label}`]
    const stats = latest.resultSummary?.stats ?? {}
    const counts = Object.entries(IMPORTED)
      .filter(([key]) => stats[key])
      .map(([key, label]) => `${stats[key].success} ${label}${stats[key].errors ? ` (${stats[key].errors} not imported)` : ''}`)
    if (counts.length > 0) parts.push(`brought in ${counts.join(', ')}`)
    if (latest.error) parts.push(latest.error)
    importStatus.replaceChildren(h('p', { 'data-testid': 'import-latest', 'data-state': String(latest.state.id) }, parts.join('; ') + '.'))
    window.clearTimeout(importTimer)
    if ((latest.state.id === 1 || latest.state.id === 2) && !signal.aborted) {
      importTimer = window.setTimeout(() => { void loadImport() }, 2000)
    }
  }
  const loadImport = async (): Promise<void> => {
    try {
      showImport(await api<UserImport>(`/users/${user.id}/imports/latest`, { signal }))
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return // never imported
      if (!signal.aborted) importStatus.replaceChildren(notice(`Could not read the latest import: ${errorText(error)}`, 'error'))
    }
  }
  signal.addEventListener('abort', () => window.clearTimeout(importTimer))
  importForm.addEventListener('submit', async (event) => {
    event.preventDefault()
    const file = importFile.files?.[0]
    if (!file) return
    importButton.disabled = true
    importStatus.replaceChildren()
    const upload = new ResumableUpload(file, { name: file.name, channelId: 0, privacy: 1 }, {
      progress: (sent, total) => { importProgress.value = total > 0 ? sent / total : 0 },
      status: () => {}
    }, undefined, { path: `/users/${user.id}/imports/import-resumable`, body: { filename: file.name } })
    try {
      await upload.run()
      importStatus.replaceChildren(notice('The archive arrived; its import is running.'))
      await loadImport()
    } catch (error) {
      importStatus.replaceChildren(notice(`Could not import the archive: ${errorText(error)}`, 'error'))
    } finally {
      importButton.disabled = false
    }
  })

  main.append(h('section', { class: 'narrow' }, h('h1', {}, 'Archive of my data'),
    h('p', { class: 'muted' }, 'A ZIP of your account, channels, videos, playlists, comments, likes, subscriptions and followers, in the format PeerTube reads and writes. Its download link works for 15 minutes each time this page shows it; the archive itself is removed after a while.'),
    form, list,
    h('h2', {}, 'Import an archive'),
    h('p', { class: 'muted' }, 'An archive made here or by PeerTube: its missing channels are created, its videos uploaded again (with their captions and chapters), its playlists and subscriptions brought in.'),
    importForm))
  void load()
  void loadImport()
}
