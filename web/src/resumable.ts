// PeerTube's resumable upload (the node-uploadx protocol) from the browser.
//
// POST /api/v1/videos/upload-resumable opens a session (201 + Location); each chunk is a PUT to
// that Location with `Content-Range: bytes a-b/total`, answered 308 + `Range: bytes=0-N` until
// the last one, which answers 200 {video}. After a dropped connection or a pause the offset is
// asked again with `Content-Range: bytes */total` (308, with no Range when nothing arrived) and
// the upload goes on from there, with growing delays between attempts. The session's Location
// is remembered per file, so choosing the same file again after a reload resumes it.

import { ApiError, apiResponse, authorization, readTokens, refreshTokens } from './api'

export interface UploadFields {
  name: string
  channelId: number
  privacy: number
  description?: string
  tags?: string[]
  commentsPolicy?: number
  [attribute: string]: string | number | boolean | string[] | undefined
}

export interface CreatedVideo { id: number, uuid: string, shortUUID: string }

/**
 * Where a session opens and what its init carries, for uploads that are not videos (a user
 * archive to import: `/users/{id}/imports/import-resumable`, whose last chunk answers 204).
 */
export interface UploadTarget { path: string, body: Record<string, unknown> }

/** The answer of a finished upload that creates no video (an import). */
const NO_VIDEO: CreatedVideo = { id: 0, uuid: '', shortUUID: '' }

export type UploadStatus = 'starting' | 'uploading' | 'paused' | 'retrying' | 'done' | 'failed' | 'cancelled'

export interface UploadCallbacks {
  progress: (sent: number, total: number) => void
  status: (status: UploadStatus, detail?: string) => void
}

const DEFAULT_CHUNK = 8 * 1024 * 1024
const MAX_ATTEMPTS = 8
const STORE_PREFIX = 'kinora:upload:'

/** Chunk size: 8 MB, or the instance's maximum, or a developer override in localStorage. */
export function chunkSize (instanceMax?: number | null): number {
  const override = Number(localStorage.getItem('kinora:upload-chunk-size'))
  if (Number.isFinite(override) && override > 0) return Math.floor(override)
  return instanceMax && instanceMax > 0 ? Math.min(DEFAULT_CHUNK, instanceMax) : DEFAULT_CHUNK
}

class Interrupted extends Error {}

interface PutAnswer { status: number, range: string | null, body: string }

/** "bytes=0-N" → N + 1; no header → 0. */
export function offsetFromRange (range: string | null): number {
  const match = /bytes=\d+-(\d+)/.exec(range ?? '')
  return match ? Number(match[1]) + 1 : 0
}

function sleep (ms: number, wake: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    wake.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
  })
}

export class ResumableUpload {
  private location: string | null = null
  private offset = 0
  private xhr: XMLHttpRequest | null = null
  private paused = false
  private cancelled = false
  private wake = new AbortController()
  private readonly storeKey: string

  constructor (
    private readonly file: File,
    private readonly fields: UploadFields,
    private readonly callbacks: UploadCallbacks,
    private readonly chunk = chunkSize(),
    private readonly target?: UploadTarget
  ) {
    this.storeKey = `${STORE_PREFIX}${file.name}:${file.size}:${file.lastModified}`
  }

  /** Whether an earlier session for this same file can be resumed. */
  static hasEarlier (file: File): boolean {
    return localStorage.getItem(`${STORE_PREFIX}${file.name}:${file.size}:${file.lastModified}`) !== null
  }

  /** Runs the upload to its end: the created video, or an error (also on cancel). */
  async run (): Promise<CreatedVideo> {
    // Back online: retry at once instead of waiting for the end of the delay.
    const wake = (): void => this.wake.abort()
    window.addEventListener('online', wake)
    try {
      return await this.loop()
    } catch (error) {
      if (!this.cancelled) this.callbacks.status('failed', error instanceof ApiError ? error.detail : String((error as Error)?.message ?? error))
      throw error
    } finally {
      window.removeEventListener('online', wake)
    }
  }

  private async loop (): Promise<CreatedVideo> {
    this.callbacks.status('starting')
    this.location = localStorage.getItem(this.storeKey)
    let probe = false
    if (this.location) {
      try {
        this.offset = await this.probe()
      } catch (error) {
        // The earlier session expired or is not ours any more: start again. Unreachable
        // server: the loop below retries.
        if (error instanceof ApiError) this.forget()
        else probe = true
      }
    }
    if (!this.location) await this.open()
    let attempts = 0
    let failure = ''
    for (;;) {
      if (this.cancelled) throw new Error('Upload cancelled')
      if (this.paused) {
        this.callbacks.status('paused', failure || undefined)
        await this.waitForResume()
        attempts = 0
        failure = ''
        probe = true
        continue
      }
      try {
        if (probe) this.offset = await this.probe()
        probe = false
        this.callbacks.progress(this.offset, this.file.size)
        this.callbacks.status('uploading')
        const video = await this.sendChunk()
        if (video) {
          this.forget()
          this.callbacks.progress(this.file.size, this.file.size)
          this.callbacks.status('done')
          return video
        }
        attempts = 0
      } catch (error) {
        if (this.cancelled) throw new Error('Upload cancelled')
        probe = true
        if (error instanceof Interrupted && this.paused) continue
        if (error instanceof ApiError && !retryable(error)) {
          if (error.status === 404) this.forget() // the session expired: a new upload is needed
          throw error
        }
        attempts++
        const reason = error instanceof Error ? error.message : String(error)
        if (attempts > MAX_ATTEMPTS) {
          // Stop hammering; the person can resume by hand.
          failure = `The upload stopped after ${MAX_ATTEMPTS} failed attempts (${reason}).`
          this.paused = true
          continue
        }
        const delay = Math.min(30_000, 1000 * 2 ** (attempts - 1))
        this.callbacks.status('retrying', `${reason}. Trying again in ${Math.round(delay / 1000)} s…`)
        this.wake = new AbortController()
        await sleep(delay, this.wake.signal)
      }
    }
  }

  pause (): void {
    if (this.paused || this.cancelled) return
    this.paused = true
    this.xhr?.abort()
    this.wake.abort()
  }

  resume (): void {
    if (!this.paused) { this.wake.abort(); return } // during a retry delay: try now
    this.paused = false
    this.wake.abort()
  }

  /** Stops and deletes the session on the server. */
  async cancel (): Promise<void> {
    this.cancelled = true
    this.xhr?.abort()
    this.wake.abort()
    const location = this.location
    this.forget()
    if (location) {
      try {
        await fetch(location, { method: 'DELETE', headers: authorization() })
      } catch { /* the server purges idle sessions anyway */ }
    }
    this.callbacks.status('cancelled')
  }

  private forget (): void {
    localStorage.removeItem(this.storeKey)
    this.location = null
  }

  private waitForResume (): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.paused || this.cancelled) resolve()
        else { this.wake = new AbortController(); this.wake.signal.addEventListener('abort', check, { once: true }) }
      }
      check()
    })
  }

  private async open (): Promise<void> {
    const response = await apiResponse(this.target?.path ?? '/videos/upload-resumable', {
      method: 'POST',
      json: this.target?.body ?? { ...this.fields, filename: this.file.name },
      headers: {
        'X-Upload-Content-Length': String(this.file.size),
        'X-Upload-Content-Type': this.file.type || 'application/octet-stream'
      }
    })
    const location = response.headers.get('Location')
    if (!location) throw new Error('The server did not say where to send the file.')
    this.location = location
    this.offset = 0
    localStorage.setItem(this.storeKey, location)
  }

  /** Asks the server how many bytes it holds. */
  private async probe (): Promise<number> {
    const answer = await this.put(`bytes */${this.file.size}`, null)
    if (answer.status === 308) return offsetFromRange(answer.range)
    if (answer.status === 200) return this.file.size // finished meanwhile; the next PUT answers the video
    throw await errorOf(answer)
  }

  /** Sends the next chunk; the video when the upload is complete. */
  private async sendChunk (): Promise<CreatedVideo | null> {
    const start = this.offset
    if (start >= this.file.size) {
      // Everything arrived but the answer was lost: the server repeats it for a probe-less PUT.
      const answer = await this.put(`bytes */${this.file.size}`, null)
      if (answer.status === 200) return (JSON.parse(answer.body) as { video: CreatedVideo }).video
      this.offset = offsetFromRange(answer.range)
      return null
    }
    const end = Math.min(start + this.chunk, this.file.size) - 1
    const answer = await this.put(`bytes ${start}-${end}/${this.file.size}`, this.file.slice(start, end + 1), (loaded) => {
      this.callbacks.progress(start + loaded, this.file.size)
    })
    if (answer.status === 200 || answer.status === 201) return (JSON.parse(answer.body) as { video: CreatedVideo }).video
    if (answer.status === 204) return NO_VIDEO
    if (answer.status === 308 || answer.status === 409) {
      this.offset = offsetFromRange(answer.range)
      this.callbacks.progress(this.offset, this.file.size)
      return null
    }
    throw await errorOf(answer)
  }

  /** One PUT through XHR (for upload progress); refreshes the token once on 401. */
  private async put (contentRange: string, body: Blob | null, onProgress?: (loaded: number) => void, refreshed = false): Promise<PutAnswer> {
    const sentWith = readTokens()?.accessToken
    const answer = await new Promise<PutAnswer>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      this.xhr = xhr
      xhr.open('PUT', this.location!)
      for (const [name, value] of Object.entries(authorization())) xhr.setRequestHeader(name, value)
      xhr.setRequestHeader('Content-Range', contentRange)
      xhr.setRequestHeader('Content-Type', 'application/octet-stream')
      if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded)
      xhr.onload = () => resolve({ status: xhr.status, range: xhr.getResponseHeader('Range'), body: xhr.responseText })
      xhr.onerror = () => reject(new Error('The connection was lost'))
      xhr.ontimeout = () => reject(new Error('The server took too long to answer'))
      xhr.onabort = () => reject(new Interrupted('Interrupted'))
      xhr.send(body)
    }).finally(() => { this.xhr = null })
    if (answer.status === 401 && !refreshed && await refreshTokens(sentWith)) {
      return await this.put(contentRange, body, onProgress, true)
    }
    return answer
  }
}

/**
 * Network trouble, timeouts, busy or failing servers are worth another try; so is 423, another
 * writer's claim on the upload (left by a server that died mid-chunk, it ends within 30 s). The
 * rest is not.
 */
function retryable (error: ApiError): boolean {
  return error.status === 0 || error.status === 408 || error.status === 423 || error.status === 429 || error.status >= 500 ||
    (error.status === 400 && error.code === 'body_interrupted')
}

async function errorOf (answer: PutAnswer): Promise<ApiError> {
  let body: Record<string, unknown> = {}
  try { body = JSON.parse(answer.body) as Record<string, unknown> } catch { /* not JSON */ }
  return new ApiError(answer.status, typeof body.code === 'string' ? body.code : undefined,
    String(body.detail ?? body.error ?? `The server answered ${answer.status}`))
}
